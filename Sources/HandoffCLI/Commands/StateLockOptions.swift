import ArgumentParser
import HandoffState
import HandoffTime

/// `--lock-timeout` of the commands that change the state without PagerDuty (`state mv`, `state rm`,
/// `state restore`), and the one way they hold the lock: released on every path, errors included.
struct StateLockOptions: ParsableArguments {
    @Option(help: "Wait this long (30s, 5m) for another run's lock.")
    var lockTimeout: String = "0"

    func validate() throws {
        _ = try parseLockTimeout(lockTimeout)
    }

    /// The timeout in seconds (validated already).
    func seconds() throws -> Double {
        try parseLockTimeout(lockTimeout)
    }

    /// Runs `body` holding the state lock as `operation`; the lock is released whatever `body` does,
    /// and every error comes out as the command's failure.
    func withSession<Result: Sendable>(
        _ store: any StateStore,
        operation: String,
        _ body: (any StateSession) async throws -> Result
    ) async throws -> Result {
        let session: any StateSession
        do {
            session = try await store.acquire(LockHolder.current(operation: operation, now: Instant.now), timeout: try seconds())
        } catch {
            throw commandFailure(error)
        }
        do {
            let result = try await body(session)
            await session.release()
            return result
        } catch {
            await session.release()
            throw commandFailure(error)
        }
    }
}
