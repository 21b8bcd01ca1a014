import Foundation
public import HandoffState
import Logging
import PostgresNIO
import Synchronization

// MARK: - Locking
// The advisory lock on a dedicated connection, and the lock row that tells waiters who holds it.

extension PostgresStateStore {
    public func acquire(_ holder: LockHolder, timeout: Double) async throws -> any StateSession {
        let connection = try await connect()
        do {
            try await lock(connection, for: holder, timeout: timeout)
            let state = try await load(connection)
            return PostgresStateSession(store: self, connection: connection, holder: holder, state: state)
        } catch {
            try? await connection.close()
            throw describe(error, doing: "lock")
        }
    }

    /// Takes the advisory lock on `connection` (polling until `timeout`) and records the holder.
    func lock(_ connection: PostgresConnection, for holder: LockHolder, timeout: Double) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, timeout) * 1000))
        while try await !tryLock(connection) {
            guard ContinuousClock.now < deadline else {
                let current = try await lockRow(connection)
                let waited = timeout > 0 ? " after waiting \(Int(timeout)) seconds" : ""
                let who = current.map { "\($0.summary)\(waited); wait for it (--lock-timeout), or if that run is gone, run `handoff state unlock \($0.id)`" }
                    ?? "another session\(waited)"
                throw StateError(.locked, "the \(description) is locked by \(who)", holder: current)
            }
            let pause = pauseHook.withLock { $0 }
            try await pause(.milliseconds(250))
        }
        try await connection.query(
            """
            INSERT INTO \(unescaped: table("locks")) (workspace, id, operation, holder, host, pid, pipeline, created_at)
            VALUES (\(workspace), \(holder.id), \(holder.operation), \(holder.user), \(holder.host), \(Int32(holder.pid)), \(holder.pipeline), \(Self.date(holder.created)))
            ON CONFLICT (workspace) DO UPDATE SET id = EXCLUDED.id, operation = EXCLUDED.operation, holder = EXCLUDED.holder,
                host = EXCLUDED.host, pid = EXCLUDED.pid, pipeline = EXCLUDED.pipeline, created_at = EXCLUDED.created_at
            """,
            logger: logger
        )
    }

    /// Clears the holder's record and frees the advisory lock; the connection stays open.
    func unlock(_ connection: PostgresConnection, for holder: LockHolder) async throws {
        try await deleteLockRow(connection, id: holder.id)
        try await freeAdvisoryLock(connection)
    }

    func deleteLockRow(_ connection: PostgresConnection, id: String) async throws {
        try await connection.query("DELETE FROM \(unescaped: table("locks")) WHERE workspace = \(workspace) AND id = \(id)", logger: logger)
    }

    func freeAdvisoryLock(_ connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_unlock(hashtext(\(schema) || '/' || \(workspace)))", logger: logger)
    }

    func tryLock(_ connection: PostgresConnection) async throws -> Bool {
        try await connection.value("SELECT pg_try_advisory_lock(hashtext(\(schema) || '/' || \(workspace)))", Bool.self, logger: logger) ?? false
    }

    func lockRow(_ connection: PostgresConnection) async throws -> LockHolder? {
        var holder: LockHolder?
        for try await (id, operation, user, host, pid, pipeline, created) in try await connection.query(
            "SELECT id, operation, holder, host, pid, pipeline, created_at FROM \(unescaped: table("locks")) WHERE workspace = \(workspace)",
            logger: logger
        ).decode((String, String, String, String, Int32, String?, Date).self) {
            holder = LockHolder(id: id, operation: operation, user: user, host: host, pid: pid, pipeline: pipeline, created: Self.instant(created))
        }
        return holder
    }

    public func currentLock() async throws -> LockHolder? {
        try await withConnection(doing: "read the lock of") { connection in
            // A row whose advisory lock is free was left by a holder that died: its lock died with it.
            guard let holder = try await lockRow(connection) else { return nil }
            guard try await tryLock(connection) else { return holder }
            try await freeAdvisoryLock(connection)
            return nil
        }
    }

    public func forceUnlock(id: String) async throws -> LockHolder {
        try await withConnection(doing: "unlock") { connection in
            guard let holder = try await lockRow(connection) else {
                throw StateError(.noSuchLock, "the \(description) is not locked")
            }
            guard holder.id == id else {
                throw StateError(.noSuchLock, "the lock of the \(description) has id \(holder.id), not \(id); it is held by \(holder.summary)", holder: holder)
            }
            try await deleteLockRow(connection, id: id)
            return holder
        }
    }
}
