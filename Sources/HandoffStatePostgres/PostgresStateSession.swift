import Foundation
import HandoffState
import HandoffTime
import Logging
import OrderedJSON
import PostgresNIO

/// An apply's hold on the PostgreSQL state: a dedicated connection holding the advisory lock;
/// each recorded change one transaction with compare-and-set on the serial.
actor PostgresStateSession: StateSession {
    let store: PostgresStateStore
    let connection: PostgresConnection
    let holder: LockHolder
    let initial: HandoffState
    var current: HandoffState
    var released = false
    /// Whether a write is under way: the applier records from several destinations at once, each
    /// write starts from the serial the one before it left, and an actor lets calls interleave at
    /// every `await`, so writes take turns.
    var writing = false
    var waitingWriters: [CheckedContinuation<Void, Never>] = []
    /// The first failed write: after it, what the database holds is not known here, so nothing more
    /// is written in this session.
    var failure: StateError?

    init(store: PostgresStateStore, connection: PostgresConnection, holder: LockHolder, state: HandoffState) {
        self.store = store
        self.connection = connection
        self.holder = holder
        var state = state
        if state.lineage == nil { state.lineage = UUID().uuidString.lowercased() }
        self.initial = state
        self.current = state
    }

    var initialState: HandoffState { initial }
    var currentState: HandoffState { current }

    var logger: Logger { store.logger }
    func table(_ name: String) -> String { "\"\(store.schema)\".\"\(name)\"" }

    func record(_ change: StateChange) async throws {
        try await inTurn {
            try self.checkOpen()
            try await PostgresDeadline.run(
                seconds: self.store.operationTimeout, failure: self.timedOut("record a change in", self.store.operationTimeout),
                until: self.connection.closeFuture, closed: self.wentAway
            ) {
                try await self.recordNow(change)
            }
        }
    }

    /// Runs `body` when no other write of this session is under way; a failure ends the session's writing.
    func inTurn<T: Sendable>(failureEndsWriting: Bool = true, _ body: () async throws -> T) async throws -> T {
        while writing { await withCheckedContinuation { waitingWriters.append($0) } }
        writing = true
        // Every way out hands the turn on, a refusal too: a waiter left unresumed waits forever.
        defer {
            writing = false
            if !waitingWriters.isEmpty { waitingWriters.removeFirst().resume() }
        }
        if let failure { throw failure }
        do {
            return try await body()
        } catch {
            let described = store.describe(error, doing: "write")
            if failureEndsWriting { failure = described }
            throw described
        }
    }

    func recordNow(_ change: StateChange) async throws {
        do {
            let expected = current.serial
            try await connection.withTransaction(logger: logger) { connection in
                try await self.advanceSerial(connection, from: expected)
                try await self.write(change, connection)
            }
            current.apply(change)
            current.serial = expected + 1
        } catch {
            throw store.describe(error, doing: "record a change in")
        }
    }

    /// Compare-and-set: the workspace moves from `expected` to the next serial, or nothing happens.
    func advanceSerial(_ connection: PostgresConnection, from expected: Int) async throws {
        let workspace = store.workspace
        let lineage = current.lineage ?? ""
        let moved: Int?
        if expected == 0 {
            // No row yet (first use), or the row an empty state was migrated or restored into.
            moved = try await connection.value(
                """
                WITH inserted AS (
                    INSERT INTO \(unescaped: table("workspaces")) AS present (name, lineage, serial) VALUES (\(workspace), \(lineage), 1)
                    ON CONFLICT (name) DO UPDATE SET serial = 1, updated_at = now()
                    WHERE present.serial = 0 AND present.lineage = EXCLUDED.lineage
                    RETURNING 1
                ) SELECT count(*)::bigint FROM inserted
                """,
                Int.self, logger: logger
            )
        } else {
            moved = try await connection.value(
                """
                WITH updated AS (
                    UPDATE \(unescaped: table("workspaces")) SET serial = serial + 1, updated_at = now()
                    WHERE name = \(workspace) AND serial = \(expected) AND lineage = \(lineage) RETURNING 1
                ) SELECT count(*)::bigint FROM updated
                """,
                Int.self, logger: logger
            )
        }
        guard moved == 1 else {
            throw StateError(
                .conflict,
                "the \(store.description) changed under this run (it expected serial \(expected)); another writer got there first, so nothing was overwritten"
            )
        }
    }


    func finish() async throws -> HandoffState { current }

    /// Replaces the whole workspace with `state` (serial and lineage included): migrating from
    /// another backend, or restoring an earlier serial.
    func replace(with state: HandoffState) async throws {
        try await replace(with: state, summary: "state replaced (migrated)", history: .object(["restore_of_state": .bool(true)]))
    }

    func replace(with state: HandoffState, summary: String, history: JSONValue) async throws {
        try await inTurn {
            try self.checkOpen()
            // A whole state of a million rows takes seconds; a small write should not wait that long.
            let seconds = self.store.operationTimeout * 10
            try await PostgresDeadline.run(seconds: seconds, failure: self.timedOut("write", seconds), until: self.connection.closeFuture, closed: self.wentAway) {
                try await self.replaceNow(with: state, summary: summary, history: history)
            }
        }
    }

    /// PostgresNIO never answers a query sent on a connection the server has already closed, so
    /// every write checks first, and gives up as soon as the connection closes while it waits.
    func checkOpen() throws {
        guard !connection.isClosed else { throw wentAway }
    }

    var wentAway: StateError {
        StateError(.unavailable, "the state database \(store.location) went away while Handoff was using it; nothing more was written")
    }

    func timedOut(_ action: String, _ seconds: Double) -> StateError {
        StateError(.unavailable, "could not \(action) the state database \(store.location): no answer within \(Int(seconds)) seconds; nothing more was written")
    }

    func release() async {
        guard !released else { return }
        released = true
        guard !connection.isClosed else { return }  // the server is gone, and its locks with it
        try? await store.unlock(connection, for: holder)
        try? await connection.close()
    }
}
