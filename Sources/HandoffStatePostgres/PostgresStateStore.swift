import Foundation
import HandoffDestination
public import HandoffState
public import HandoffTime
import Logging
import NetworkFailures
import NIOCore
import NIOSSL
import OrderedJSON
import PostgresNIO
import Synchronization

/// The state in PostgreSQL, for pipelines on short-lived runners: one workspace row (serial,
/// lineage), a row per destination, a row per owned override, an append-only history of changes,
/// and a PostgreSQL advisory lock held on a dedicated connection for the whole of an apply, with
/// the holder recorded in a lock table for the messages of whoever waits.
///
/// Every write is one transaction that checks the serial it expects (compare-and-set), so a writer
/// that lost a race fails instead of overwriting newer state; recording a PagerDuty call costs
/// what the call changed, whatever the size of the state.
public final class PostgresStateStore: StateHistory {
    public let location: PostgresLocation
    /// A plain SQL name (validated by the configuration), safe to write into statements.
    public let schema: String
    public let workspace: String
    /// History entries older than this many days are pruned on write.
    public let historyRetentionDays: Int
    let logger: Logger

    /// How long one write may take before the run gives up on the database.
    let operationTimeout: Double = 60

    /// The version the schema migrations bring the tables to.
    public static let schemaVersion = 3

    /// Whether this store has seen its schema at `schemaVersion`: later connections skip the check.
    private let schemaChecked = Mutex(false)

    public init(location: PostgresLocation, schema: String, workspace: String, historyRetentionDays: Int = 90) {
        self.location = location
        self.schema = schema
        self.workspace = workspace
        self.historyRetentionDays = historyRetentionDays
        var logger = Logger(label: "handoff.state.postgres")
        logger.logLevel = .critical
        self.logger = logger
    }

    public var description: String { "postgres state (workspace \(workspace), schema \(schema), \(location))" }

    // MARK: - Connections and errors

    func connect() async throws -> PostgresConnection {
        do {
            let connection = try await PostgresConnection.connect(configuration: try location.configuration(), id: 1, logger: logger)
            do {
                if !schemaChecked.withLock({ $0 }) {
                    try await migrate(connection)
                    schemaChecked.withLock { $0 = true }
                }
            } catch {
                try? await connection.close()
                throw error
            }
            return connection
        } catch let error as StateError {
            throw error
        } catch {
            throw describe(error, doing: "connect to")
        }
    }

    /// Runs `body` on a connection of its own, closed afterwards whatever happens; a failure is
    /// described as failing to do `action`.
    private func withConnection<T: Sendable>(doing action: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await connect()
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw describe(error, doing: action)
        }
    }

    /// One sentence for a database failure, naming the database (`postgres://user@host:port/name`)
    /// and the reason; never the URL's password, and never the driver's own error value (a
    /// `PSQLError` describes itself as a placeholder, and its dump holds internals).
    func describe(_ error: any Error, doing action: String) -> StateError {
        if let error = error as? StateError { return error }
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? transaction.rollbackError {
                return describe(inner, doing: action)
            }
        }
        let place = "the state database \(location)"
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                let message = error.serverInfo?[.message] ?? "an error"
                switch state {
                case "28P01", "28000":
                    return StateError(.unavailable, "\(place) refused user \(location.user): \(message); check the URL the state backend reads from the environment")
                case "3D000":
                    return StateError(.unavailable, "\(place) does not exist: \(message)")
                case "57P01", "57P02", "57P03":
                    return StateError(.unavailable, "\(place) is shutting down or starting (\(message)); nothing more was written")
                default:
                    return StateError(.unavailable, "could not \(action) \(place): \(message) (SQLSTATE \(state))")
                }
            }
            switch error.code {
            case .connectionError:
                if let underlying = error.underlying, underlying is NIOSSLError || underlying is NIOSSLExtraError {
                    let detail = Self.tlsReason(underlying)
                    if detail.contains("CERTIFICATE_VERIFY_FAILED") || underlying is NIOSSLExtraError {
                        return StateError(
                            .unavailable,
                            "could not \(action) \(place): its TLS certificate could not be verified (\(detail)); sslmode=verify-full needs a certificate from a trusted authority that names the host, sslmode=require encrypts without checking"
                        )
                    }
                    return StateError(.unavailable, "could not \(action) \(place): the TLS handshake failed (\(detail))")
                }
                if let failure = error.underlying.flatMap(ConnectFailure.from) {
                    return StateError(.unavailable, "could not \(action) \(place): \(failure)\(Self.hint(failure))")
                }
                return StateError(.unavailable, "could not \(action) \(place): the connection failed")
            case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                return StateError(.unavailable, "\(place) went away while Handoff was using it; nothing more was written")
            case .sslUnsupported:
                return StateError(.unavailable, "\(place) does not offer TLS, which the URL's sslmode requires")
            case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
                return StateError(.unavailable, "could not \(action) \(place): the TLS handshake failed")
            case .authMechanismRequiresPassword:
                return StateError(
                    .unavailable,
                    "\(place) asks user \(location.user) for a password, and the URL has none; check the URL the state backend reads from the environment"
                )
            case .unsupportedAuthMechanism, .saslError:
                return StateError(
                    .unavailable,
                    "\(place) could not authenticate user \(location.user): the server asks for an authentication method Handoff does not support (use scram-sha-256, md5 or password)"
                )
            default:
                return StateError(.unavailable, "could not \(action) \(place): the database driver reported \(error.code)")
            }
        }
        if let failure = ConnectFailure.from(error) {
            return StateError(.unavailable, "could not \(action) \(place): \(failure)\(Self.hint(failure))")
        }
        if let error = error as? PostgresDecodingError {
            // Like PSQLError, it describes itself as a placeholder.
            return StateError(.unavailable, "could not \(action) \(place): column \(error.columnName) holds a value Handoff cannot read")
        }
        return StateError(.unavailable, "could not \(action) \(place): \(error)")
    }

    /// What to check after a connection failure.
    private static func hint(_ failure: ConnectFailure) -> String {
        switch failure.reason {
        case .refused: "; check that PostgreSQL runs there and accepts TCP connections on that port"
        case .hostNotFound: "; check the host in the URL the state backend reads from the environment"
        case .unreachable, .timedOut, .system: "; check the host, the port and the network"
        }
    }

    /// The reason a TLS library gives (`CERTIFICATE_VERIFY_FAILED`), without the wrapping of its
    /// error values; the whole text when it names none.
    static func tlsReason(_ error: any Error) -> String {
        let text = "\(error)"
        let words = text.split { !($0.isUppercase || $0 == "_" || $0.isNumber) }.filter { $0.contains("_") && $0.count > 4 && $0.first?.isLetter == true }
        return words.last.map(String.init) ?? text
    }

    private func table(_ name: String) -> String { "\"\(schema)\".\"\(name)\"" }

    // MARK: - Migrations

    /// Creates the schema and tables on first use: each migration in a transaction, under an
    /// advisory lock, recorded with its version so that running it again does nothing. A schema
    /// already at this version costs two small queries; one from a newer Handoff is refused.
    func migrate(_ connection: PostgresConnection, to target: Int = schemaVersion) async throws {
        let present = try await presentVersion(connection)
        if present >= target, present <= Self.schemaVersion { return }
        try refuseNewer(present)
        try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: "\"\(schema)\"")", logger: logger)
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS \(unescaped: table("schema_migrations")) (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            logger: logger
        )
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(schema) || '/migrations'))", logger: logger)
            let applied = try await appliedVersion(connection)
            try refuseNewer(applied)
            for (version, statements) in [(1, migrationOne()), (2, migrationTwo()), (3, migrationThree())] where applied < version && version <= target {
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO \(unescaped: table("schema_migrations")) (version) VALUES (\(version))", logger: logger)
            }
        }
    }

    /// The schema's migration version, 0 when its tables do not exist yet.
    private func presentVersion(_ connection: PostgresConnection) async throws -> Int {
        let exists = try await connection.value("SELECT to_regclass(\(table("schema_migrations"))) IS NOT NULL", Bool.self, logger: logger)
        guard exists == true else { return 0 }
        return try await appliedVersion(connection)
    }

    /// The highest migration recorded, 0 for none; the table must exist.
    private func appliedVersion(_ connection: PostgresConnection) async throws -> Int {
        try await connection.value("SELECT coalesce(max(version), 0) FROM \(unescaped: table("schema_migrations"))", Int.self, logger: logger) ?? 0
    }

    private func refuseNewer(_ version: Int) throws {
        guard version <= Self.schemaVersion else {
            throw StateError(
                .unavailable,
                "the \(description) has tables at schema version \(version), written by a newer Handoff; this one knows version \(Self.schemaVersion), so it reads and writes nothing there; upgrade Handoff"
            )
        }
    }

    /// Version 3: an owned override can be marked delete-pending, set before its DELETE is sent, so a
    /// run killed between PagerDuty's confirmation and the record leaves a mark the next plan
    /// resolves by listing. Rows of version 2 read as not pending.
    private func migrationThree() -> [String] {
        ["ALTER TABLE \(table("overrides")) ADD COLUMN IF NOT EXISTS delete_pending boolean NOT NULL DEFAULT false"]
    }

    /// Version 2: overrides no longer reference their destination row. The check ran a trigger per
    /// inserted override (half the time of writing a whole state); the code that writes both
    /// deletes a destination's overrides with it, in the same transaction.
    private func migrationTwo() -> [String] {
        ["ALTER TABLE \(table("overrides")) DROP CONSTRAINT IF EXISTS overrides_workspace_destination_fkey"]
    }

    private func migrationOne() -> [String] {
        [
            """
            CREATE TABLE \(table("workspaces")) (
                name text PRIMARY KEY,
                lineage text NOT NULL,
                serial bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE \(table("destinations")) (
                workspace text NOT NULL REFERENCES \(table("workspaces")) (name) ON DELETE CASCADE,
                name text NOT NULL,
                connection text NOT NULL,
                pagerduty_schedule text NOT NULL,
                watermark timestamptz,
                PRIMARY KEY (workspace, name)
            )
            """,
            """
            CREATE TABLE \(table("overrides")) (
                workspace text NOT NULL,
                destination text NOT NULL,
                id text NOT NULL,
                start_at timestamptz NOT NULL,
                end_at timestamptz NOT NULL,
                user_id text NOT NULL,
                PRIMARY KEY (workspace, destination, id),
                FOREIGN KEY (workspace, destination) REFERENCES \(table("destinations")) (workspace, name) ON DELETE CASCADE
            )
            """,
            """
            CREATE TABLE \(table("locks")) (
                workspace text PRIMARY KEY,
                id text NOT NULL,
                operation text NOT NULL,
                holder text NOT NULL,
                host text NOT NULL,
                pid integer NOT NULL,
                pipeline text,
                created_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE \(table("history")) (
                workspace text NOT NULL,
                serial bigint NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                recorded_by text NOT NULL,
                summary text NOT NULL,
                change jsonb NOT NULL,
                PRIMARY KEY (workspace, serial)
            )
            """,
        ]
    }

    // MARK: - Reading

    public func read() async throws -> HandoffState {
        try await withConnection(doing: "read") { try await load($0) }
    }

    func load(_ connection: PostgresConnection) async throws -> HandoffState {
        var state = HandoffState.empty
        for try await (lineage, serial) in try await connection.query(
            "SELECT lineage, serial FROM \(unescaped: table("workspaces")) WHERE name = \(workspace)", logger: logger
        ).decode((String, Int).self) {
            state.lineage = lineage
            state.serial = serial
        }
        // The row is input like any other: a serial with no next one would trap or never advance.
        if let problem = HandoffState.serialProblem(state.serial, recovery: "set the serial of its workspace row") {
            throw StateError(.unreadable, "the \(description) cannot be read: \(problem)")
        }
        for try await (name, connectionName, schedule, watermark) in try await connection.query(
            "SELECT name, connection, pagerduty_schedule, watermark FROM \(unescaped: table("destinations")) WHERE workspace = \(workspace)",
            logger: logger
        ).decode((String, String, String, Date?).self) {
            state.destinations[name] = DestinationState(connection: connectionName, destinationSchedule: schedule, watermark: watermark.map(Self.instant))
        }
        var overrides: [String: [OverrideRecord]] = [:]
        for try await (destination, id, start, end, user, pending) in try await connection.query(
            "SELECT destination, id, start_at, end_at, user_id, delete_pending FROM \(unescaped: table("overrides")) WHERE workspace = \(workspace) ORDER BY destination, start_at, id",
            logger: logger
        ).decode((String, String, Date, Date, String, Bool).self) {
            overrides[destination, default: []].append(
                OverrideRecord(id: id, start: Self.instant(start), end: Self.instant(end), userID: user, deletePending: pending)
            )
        }
        for (destination, list) in overrides { state.destinations[destination]?.overrides = list }
        return state
    }

    static func instant(_ date: Date) -> Instant { Instant(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down))) }
    static func date(_ instant: Instant) -> Date { Date(timeIntervalSince1970: TimeInterval(instant.secondsSinceEpoch)) }

    // MARK: - Locking

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
    private func lock(_ connection: PostgresConnection, for holder: LockHolder, timeout: Double) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, timeout) * 1000))
        while try await !tryLock(connection) {
            guard ContinuousClock.now < deadline else {
                let current = try await lockRow(connection)
                let waited = timeout > 0 ? " after waiting \(Int(timeout)) seconds" : ""
                let who = current.map { "\($0.summary)\(waited); wait for it (--lock-timeout), or if that run is gone, run `handoff state unlock \($0.id)`" }
                    ?? "another session\(waited)"
                throw StateError(.locked, "the \(description) is locked by \(who)", holder: current)
            }
            try await Task.sleep(for: .milliseconds(250))
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

    private func deleteLockRow(_ connection: PostgresConnection, id: String) async throws {
        try await connection.query("DELETE FROM \(unescaped: table("locks")) WHERE workspace = \(workspace) AND id = \(id)", logger: logger)
    }

    private func freeAdvisoryLock(_ connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_unlock(hashtext(\(schema) || '/' || \(workspace)))", logger: logger)
    }

    private func tryLock(_ connection: PostgresConnection) async throws -> Bool {
        try await connection.value("SELECT pg_try_advisory_lock(hashtext(\(schema) || '/' || \(workspace)))", Bool.self, logger: logger) ?? false
    }

    private func lockRow(_ connection: PostgresConnection) async throws -> LockHolder? {
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

    // MARK: - History

    public func history(limit: Int) async throws -> [StateHistoryEntry] {
        try await withConnection(doing: "read the history of") { connection in
            var entries: [StateHistoryEntry] = []
            for try await (serial, recorded, by, summary) in try await connection.query(
                "SELECT serial, recorded_at, recorded_by, summary FROM \(unescaped: table("history")) WHERE workspace = \(workspace) ORDER BY serial DESC LIMIT \(limit)",
                logger: logger
            ).decode((Int, Date, String, String).self) {
                entries.append(StateHistoryEntry(serial: serial, recorded: Self.instant(recorded), recordedBy: by, summary: summary))
            }
            return entries
        }
    }

    /// The stored change of each serial after `serial`, newest first, to be undone.
    func changes(after serial: Int, connection: PostgresConnection) async throws -> [(Int, String)] {
        var changes: [(Int, String)] = []
        for try await (number, change) in try await connection.query(
            "SELECT serial, change::text FROM \(unescaped: table("history")) WHERE workspace = \(workspace) AND serial > \(serial) ORDER BY serial DESC",
            logger: logger
        ).decode((Int, String).self) {
            changes.append((number, change))
        }
        return changes
    }

    func oldestHistorySerial(connection: PostgresConnection) async throws -> Int? {
        try await connection.value("SELECT min(serial) FROM \(unescaped: table("history")) WHERE workspace = \(workspace)", Int?.self, logger: logger) ?? nil
    }
}

extension PostgresConnection {
    /// The one value a single-row, single-column query answers; nil when it answers no row.
    fileprivate func value<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, _ type: T.Type, logger: Logger) async throws -> T? {
        var value: T?
        for try await row in try await self.query(query, logger: logger).decode(T.self) { value = row }
        return value
    }
}

/// An apply's hold on the PostgreSQL state: a dedicated connection holding the advisory lock;
/// each recorded change one transaction with compare-and-set on the serial.
actor PostgresStateSession: StateSession {
    private let store: PostgresStateStore
    private let connection: PostgresConnection
    private let holder: LockHolder
    private let initial: HandoffState
    private var current: HandoffState
    private var released = false
    /// Whether a write is under way: the applier records from several destinations at once, each
    /// write starts from the serial the one before it left, and an actor lets calls interleave at
    /// every `await`, so writes take turns.
    private var writing = false
    private var waitingWriters: [CheckedContinuation<Void, Never>] = []
    /// The first failed write: after it, what the database holds is not known here, so nothing more
    /// is written in this session.
    private var failure: StateError?

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

    private var logger: Logger { store.logger }
    private func table(_ name: String) -> String { "\"\(store.schema)\".\"\(name)\"" }

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
    private func inTurn<T: Sendable>(failureEndsWriting: Bool = true, _ body: () async throws -> T) async throws -> T {
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

    private func recordNow(_ change: StateChange) async throws {
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
    private func advanceSerial(_ connection: PostgresConnection, from expected: Int) async throws {
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

    /// The rows of one change, and its history entry (what undoing it needs).
    private func write(_ change: StateChange, _ connection: PostgresConnection) async throws {
        let workspace = store.workspace
        let destination = change.destination
        let before = current.destinations[destination]
        var removedRecords: [OverrideRecord] = []
        var truncated: [(String, Instant, Instant)] = []
        var pendingChanges: (marked: [String], cleared: [String]) = ([], [])
        if let newName = change.movedTo {
            // Both rows renamed in this one transaction, as `HandoffState.apply` does: only when the
            // old name is there and the new one is free (the lock holder checked both).
            if before != nil, current.destinations[newName] == nil {
                try await connection.query(
                    "UPDATE \(unescaped: table("destinations")) SET name = \(newName) WHERE workspace = \(workspace) AND name = \(destination)", logger: logger
                )
                try await connection.query(
                    "UPDATE \(unescaped: table("overrides")) SET destination = \(newName) WHERE workspace = \(workspace) AND destination = \(destination)", logger: logger
                )
            }
        } else if change.removeDestination {
            removedRecords = before?.overrides ?? []
            try await connection.query(
                "DELETE FROM \(unescaped: table("overrides")) WHERE workspace = \(workspace) AND destination = \(destination)", logger: logger
            )
            try await connection.query(
                "DELETE FROM \(unescaped: table("destinations")) WHERE workspace = \(workspace) AND name = \(destination)", logger: logger
            )
        } else {
            try await connection.query(
                """
                INSERT INTO \(unescaped: table("destinations")) (workspace, name, connection, pagerduty_schedule)
                VALUES (\(workspace), \(destination), \(change.connection), \(change.destinationSchedule))
                ON CONFLICT (workspace, name) DO UPDATE SET connection = EXCLUDED.connection, pagerduty_schedule = EXCLUDED.pagerduty_schedule
                """,
                logger: logger
            )
            let known = Dictionary((before?.overrides ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            if !change.deleted.isEmpty {
                removedRecords += change.deleted.compactMap { known[$0] }
                try await connection.query(
                    "DELETE FROM \(unescaped: table("overrides")) WHERE workspace = \(workspace) AND destination = \(destination) AND id = ANY(\(change.deleted))",
                    logger: logger
                )
            }
            for cut in change.truncated {
                guard let record = known[cut.id] else { continue }
                truncated.append((cut.id, record.end, cut.end))
                try await connection.query(
                    "UPDATE \(unescaped: table("overrides")) SET end_at = \(PostgresStateStore.date(cut.end)) WHERE workspace = \(workspace) AND destination = \(destination) AND id = \(cut.id)",
                    logger: logger
                )
            }
            if !change.created.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: table("overrides")) (workspace, destination, id, start_at, end_at, user_id, delete_pending)
                    SELECT \(workspace), \(destination), * FROM unnest(\(change.created.map(\.id))::text[], \(change.created.map { PostgresStateStore.date($0.start) })::timestamptz[],
                        \(change.created.map { PostgresStateStore.date($0.end) })::timestamptz[], \(change.created.map(\.userID))::text[],
                        \(change.created.map(\.deletePending))::boolean[])
                    ON CONFLICT DO NOTHING
                    """,
                    logger: logger
                )
            }
            // Only marks that change are written and kept in the history, so undoing them is exact.
            let marked = change.markDeletePending.filter { known[$0].map { !$0.deletePending } ?? false }
            if !marked.isEmpty {
                try await connection.query(
                    "UPDATE \(unescaped: table("overrides")) SET delete_pending = true WHERE workspace = \(workspace) AND destination = \(destination) AND id = ANY(\(marked))",
                    logger: logger
                )
            }
            let cleared = change.clearDeletePending.filter { known[$0]?.deletePending ?? false }
            if !cleared.isEmpty {
                try await connection.query(
                    "UPDATE \(unescaped: table("overrides")) SET delete_pending = false WHERE workspace = \(workspace) AND destination = \(destination) AND id = ANY(\(cleared))",
                    logger: logger
                )
            }
            pendingChanges = (marked, cleared)
            if let cutoff = change.dropEndedBefore {
                removedRecords += (before?.overrides ?? []).filter { $0.end <= cutoff && !change.deleted.contains($0.id) }
                try await connection.query(
                    "DELETE FROM \(unescaped: table("overrides")) WHERE workspace = \(workspace) AND destination = \(destination) AND end_at <= \(PostgresStateStore.date(cutoff))",
                    logger: logger
                )
            }
            if let watermark = change.watermark {
                try await connection.query(
                    """
                    UPDATE \(unescaped: table("destinations")) SET watermark = GREATEST(coalesce(watermark, \(PostgresStateStore.date(watermark))), \(PostgresStateStore.date(watermark)))
                    WHERE workspace = \(workspace) AND name = \(destination)
                    """,
                    logger: logger
                )
            }
        }
        let entry = HistoryCoding.entry(change, before: before, removedRecords: removedRecords, truncated: truncated, pending: pendingChanges)
        // The history names the marks that changed a record, not ids the state never held.
        var summarized = change
        summarized.markDeletePending = pendingChanges.marked
        summarized.clearDeletePending = pendingChanges.cleared
        try await connection.query(
            """
            INSERT INTO \(unescaped: table("history")) (workspace, serial, recorded_by, summary, change)
            VALUES (\(workspace), \(try HandoffState.serial(after: current.serial, store: store.description)), \(holder.summary), \(HistoryCoding.summary(summarized)), \(entry.serialized(pretty: false))::jsonb)
            """,
            logger: logger
        )
        try await connection.query(
            "DELETE FROM \(unescaped: table("history")) WHERE workspace = \(workspace) AND recorded_at < now() - make_interval(days => \(Int32(clamping: store.historyRetentionDays)))",
            logger: logger
        )
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
    private func checkOpen() throws {
        guard !connection.isClosed else { throw wentAway }
    }

    private var wentAway: StateError {
        StateError(.unavailable, "the state database \(store.location) went away while Handoff was using it; nothing more was written")
    }

    private func timedOut(_ action: String, _ seconds: Double) -> StateError {
        StateError(.unavailable, "could not \(action) the state database \(store.location): no answer within \(Int(seconds)) seconds; nothing more was written")
    }

    private func replaceNow(with state: HandoffState, summary: String, history: JSONValue) async throws {
        let workspace = store.workspace
        let expected = current.serial
        var state = state
        // The lineage stored is the one later compare-and-sets compare against.
        if state.lineage == nil { state.lineage = current.lineage ?? UUID().uuidString.lowercased() }
        do {
            try await connection.withTransaction(logger: logger) { connection in
                let present = try await connection.value(
                    "SELECT serial FROM \(unescaped: self.table("workspaces")) WHERE name = \(workspace) FOR UPDATE", Int.self, logger: self.logger
                ) ?? 0
                guard present == expected else {
                    throw StateError(.conflict, "the \(self.store.description) changed under this run (it expected serial \(expected)); nothing was overwritten")
                }
                // Overrides reference nothing (schema version 2): they go explicitly, and first.
                try await connection.query("DELETE FROM \(unescaped: self.table("overrides")) WHERE workspace = \(workspace)", logger: self.logger)
                try await connection.query("DELETE FROM \(unescaped: self.table("destinations")) WHERE workspace = \(workspace)", logger: self.logger)
                try await connection.query("DELETE FROM \(unescaped: self.table("workspaces")) WHERE name = \(workspace)", logger: self.logger)
                try await connection.query(
                    "INSERT INTO \(unescaped: self.table("workspaces")) (name, lineage, serial) VALUES (\(workspace), \(state.lineage), \(state.serial))",
                    logger: self.logger
                )
                for (name, destination) in state.destinations.sorted(by: { $0.key < $1.key }) {
                    try await connection.query(
                        """
                        INSERT INTO \(unescaped: self.table("destinations")) (workspace, name, connection, pagerduty_schedule, watermark)
                        VALUES (\(workspace), \(name), \(destination.connection), \(destination.destinationSchedule), \(destination.watermark.map(PostgresStateStore.date)))
                        """,
                        logger: self.logger
                    )
                    // Rows in chunks of an array each, whatever the number of overrides.
                    var offset = 0
                    while offset < destination.overrides.count {
                        let chunk = destination.overrides[offset..<min(destination.overrides.count, offset + 20_000)]
                        try await connection.query(
                            """
                            INSERT INTO \(unescaped: self.table("overrides")) (workspace, destination, id, start_at, end_at, user_id, delete_pending)
                            SELECT \(workspace), \(name), * FROM unnest(\(chunk.map(\.id))::text[], \(chunk.map { PostgresStateStore.date($0.start) })::timestamptz[],
                                \(chunk.map { PostgresStateStore.date($0.end) })::timestamptz[], \(chunk.map(\.userID))::text[],
                                \(chunk.map(\.deletePending))::boolean[])
                            """,
                            logger: self.logger
                        )
                        offset += chunk.count
                    }
                }
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: self.table("history")) (workspace, serial, recorded_by, summary, change)
                    VALUES (\(workspace), \(state.serial), \(self.holder.summary), \(summary), \(history.serialized(pretty: false))::jsonb)
                    ON CONFLICT (workspace, serial) DO UPDATE SET recorded_at = now(), recorded_by = EXCLUDED.recorded_by, summary = EXCLUDED.summary, change = EXCLUDED.change
                    """,
                    logger: self.logger
                )
            }
            current = state
        } catch {
            throw store.describe(error, doing: "write")
        }
    }

    /// The state as it was at `serial`: the current state with the later changes undone, newest first.
    func state(atSerial serial: Int) async throws -> HandoffState {
        try await inTurn(failureEndsWriting: false) { try await self.stateNow(atSerial: serial) }
    }

    private func stateNow(atSerial serial: Int) async throws -> HandoffState {
        guard serial <= current.serial, serial >= 0 else {
            throw StateError(.unreadable, "serial \(serial) does not exist; the state is at serial \(current.serial)")
        }
        do {
            if serial < current.serial, let oldest = try await store.oldestHistorySerial(connection: connection), oldest > serial + 1 {
                throw StateError(.unreadable, "the history starts at serial \(oldest); serial \(serial) is older than the history kept")
            }
            var state = current
            for (_, text) in try await store.changes(after: serial, connection: connection) {
                try HistoryCoding.undo(text, on: &state)
            }
            state.serial = serial
            return state
        } catch let error as StateError {
            throw error
        } catch {
            throw store.describe(error, doing: "read the history of")
        }
    }

    func release() async {
        guard !released else { return }
        released = true
        guard !connection.isClosed else { return }  // the server is gone, and its locks with it
        try? await store.unlock(connection, for: holder)
        try? await connection.close()
    }
}

extension PostgresStateStore {
    /// Makes the state what it was at `serial`, as a new serial (so that the restore itself can be
    /// seen in the history); only serials within the history kept can be restored.
    public func restore(serial: Int, holder: LockHolder, timeout: Double) async throws -> HandoffState {
        guard let session = try await acquire(holder, timeout: timeout) as? PostgresStateSession else {
            throw StateError(.unavailable, "the \(description) could not be locked")
        }
        do {
            let current = await session.currentState
            var restored = try await session.state(atSerial: serial)
            restored.serial = try HandoffState.serial(after: current.serial, store: description)
            restored.lineage = current.lineage
            try await session.replace(
                with: restored,
                summary: "restored the state of serial \(serial)",
                history: .object(["restore_of_state": .bool(true), "restored_serial": .int(serial)])
            )
            await session.release()
            return restored
        } catch {
            await session.release()
            throw error
        }
    }
}

/// Races an operation against a deadline and against its connection closing, without waiting for
/// the loser, so a database that never answers cannot hold an apply forever.
enum PostgresDeadline {
    static func run<T: Sendable>(
        seconds: Double,
        failure: StateError,
        until closing: EventLoopFuture<Void>,
        closed: StateError,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let once = Once()
        return try await withCheckedThrowingContinuation { continuation in
            // A closed connection fails what was sent on it at once; what was written before it
            // closed may still have been committed, which the next run reads back.
            closing.whenComplete { _ in
                if once.claim() { continuation.resume(throwing: closed) }
            }
            let work = Task {
                do {
                    let value = try await operation()
                    if once.claim() { continuation.resume(returning: value) }
                } catch {
                    if once.claim() { continuation.resume(throwing: error) }
                }
            }
            let timer = Task {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                guard !Task.isCancelled, once.claim() else { return }
                work.cancel()
                continuation.resume(throwing: failure)
            }
            // The timer goes as soon as the work is done, whichever way.
            Task {
                _ = await work.result
                timer.cancel()
            }
        }
    }

    private final class Once: Sendable {
        private let done = Mutex(false)

        /// True for the first caller only.
        func claim() -> Bool {
            done.withLock { done in
                defer { done = true }
                return !done
            }
        }
    }
}
