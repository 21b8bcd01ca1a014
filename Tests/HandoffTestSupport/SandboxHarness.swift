public import HandoffTime
import Foundation
public import PagerDuty
public import PagerDutySandbox
import Synchronization

/// A simulated PagerDuty on 127.0.0.1 for one test, with a clock the test controls, and clients
/// pointed at it.
public struct SandboxHarness: Sendable {
    public let server: SandboxServer
    public let baseURL: String

    public static let key = "handoff-test-key-rw-0123456789abcdef"
    public static let readOnlyKey = "handoff-test-key-ro-0123456789abcdef"
    /// 2026-11-22T12:00:00Z, the "now" of most tests.
    public static let defaultNow = Instant(secondsSinceEpoch: 1_795_348_800)

    /// Starts a sandbox with the two test keys, `seed`, a fixed clock at `now`, and whatever
    /// `configure` changes; runs `body`; stops the sandbox whatever happens.
    public static func with<T: Sendable>(
        now: Instant = defaultNow,
        seed: SandboxSeed = SandboxSeed(),
        configure: (inout SandboxOptions) -> Void = { _ in },
        _ body: (SandboxHarness) async throws -> T
    ) async throws -> T {
        var options = SandboxOptions()
        options.clock = SandboxClock(fixed: now)
        var seed = seed
        seed.tokens += [SandboxSeed.Token(token: key, readOnly: false), SandboxSeed.Token(token: readOnlyKey, readOnly: true)]
        options.seed = seed
        configure(&options)
        let server = try await SandboxServer(options: options)
        let baseURL = try await server.start()
        let harness = SandboxHarness(server: server, baseURL: baseURL)
        do {
            let result = try await body(harness)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// A client configuration for this sandbox; fast backoff and a virtual clock by default.
    public func configuration(key: String = SandboxHarness.key, clock: any ClientClock = VirtualClientClock()) -> PagerDutyClient.Configuration {
        var configuration = PagerDutyClient.Configuration(baseURL: baseURL, key: APIKey(key), connectionName: "sandbox", keySource: "PAGERDUTY_TOKEN")
        configuration.clock = clock
        configuration.backoffBase = 0.05
        configuration.backoffCap = 0.2
        // A bound for a test that hangs, not a test of timing: the sandbox answers at once or
        // drops the connection, and tests of the timeout set their own. Under a full parallel run
        // on two cores, CPU-bound suites can hold every thread of the pool for seconds.
        configuration.requestTimeout = 60
        return configuration
    }

    /// Runs `body` with a client of this sandbox and shuts the client down.
    public func withClient<T: Sendable>(
        key: String = SandboxHarness.key,
        clock: any ClientClock = VirtualClientClock(),
        configure: (inout PagerDutyClient.Configuration) -> Void = { _ in },
        _ body: (PagerDutyClient) async throws -> T
    ) async throws -> T {
        var configuration = configuration(key: key, clock: clock)
        configure(&configuration)
        return try await PagerDutyClient.withClient(configuration: configuration, body)
    }
}

/// A client clock whose sleeps return at once and advance virtual time, recording how long the
/// client asked to wait: tests check a 20-second `ratelimit-reset` without waiting 20 seconds.
public final class VirtualClientClock: ClientClock {
    private let state = Mutex<(now: Double, sleeps: [Double])>((1_000, []))

    public init() {}

    public func now() -> Double { state.withLock { $0.now } }

    public func sleep(seconds: Double) async throws {
        state.withLock {
            $0.now += max(0, seconds)
            $0.sleeps.append(seconds)
        }
        await Task.yield()
    }

    public var sleeps: [Double] { state.withLock { $0.sleeps } }
}
