import Foundation
import HandoffDestination
public import HandoffState
import HandoffTime
import Logging
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
    public static let schemaVersion = 4

    /// Whether this store has seen its schema at `schemaVersion`: later connections skip the check.
    let schemaChecked = Mutex(false)

    /// How a waiting `acquire` pauses between tries of the lock (`Task.sleep`); a test replaces it
    /// to learn that a run is waiting, instead of sleeping.
    let pauseHook = Mutex<@Sendable (Duration) async throws -> Void>({ try await Task.sleep(for: $0) })

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
        for try await (name, connectionName, schedule, watermark, kind) in try await connection.query(
            "SELECT name, connection, pagerduty_schedule, watermark, schedule_kind FROM \(unescaped: table("destinations")) WHERE workspace = \(workspace)",
            logger: logger
        ).decode((String, String, String, Date?, String?).self) {
            state.destinations[name] = DestinationState(
                connection: connectionName, destinationSchedule: schedule, watermark: watermark.map(Self.instant), scheduleKind: try scheduleKind(kind, destination: name)
            )
        }
        var overrides: [String: [OverrideRecord]] = [:]
        for try await (destination, id, start, end, user, pending, targetType, targetID, replacing) in try await connection.query(
            """
            SELECT destination, id, start_at, end_at, user_id, delete_pending, target_type, target_id, target_replacing
            FROM \(unescaped: table("overrides")) WHERE workspace = \(workspace) ORDER BY destination, start_at, id
            """,
            logger: logger
        ).decode((String, String, Date, Date, String, Bool, String?, String?, String?).self) {
            overrides[destination, default: []].append(
                OverrideRecord(
                    id: id, start: Self.instant(start), end: Self.instant(end), userID: user, deletePending: pending,
                    target: try target(targetType, targetID, replacing, override: id, destination: destination)
                )
            )
        }
        for (destination, list) in overrides { state.destinations[destination]?.overrides = list }
        return state
    }

    /// A row's target: no type is the whole schedule; a type this Handoff does not know, or one
    /// missing its id, is refused (rows are input like any other).
    func target(_ type: String?, _ id: String?, _ replacing: String?, override: String, destination: String) throws -> OverrideTarget {
        guard let type else { return .schedule }
        switch TargetFields(type: type, id: id, replacing: replacing).target() {
        case .success(let target): return target
        case .failure(let problem):
            throw StateError(.unreadable, "the \(description) cannot be read: override \(override) of destination \(destination) is not understood: \(problem)")
        }
    }

    func scheduleKind(_ text: String?, destination: String) throws -> DestinationScheduleKind? {
        guard let text else { return nil }
        let kind = DestinationScheduleKind(rawValue: text)
        guard [.layerBased, .shiftBased].contains(kind) else {
            throw StateError(.unreadable, "the \(description) cannot be read: the schedule kind of destination \(destination) is not layer-based or shift-based")
        }
        return kind
    }

    /// A target as three columns, each as an array element that is never null: the empty string
    /// stands for null and the statements turn it back with `NULLIF`.
    static func targetColumns(_ records: some Collection<OverrideRecord>) -> (types: [String], ids: [String], replacing: [String]) {
        let fields = records.map { TargetFields($0.target) }
        return (fields.map { $0?.type ?? "" }, fields.map { $0?.id ?? "" }, fields.map { $0?.replacing ?? "" })
    }

    static func instant(_ date: Date) -> Instant { Instant(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down))) }
    static func date(_ instant: Instant) -> Date { Date(timeIntervalSince1970: TimeInterval(instant.secondsSinceEpoch)) }
}

extension PostgresConnection {
    /// The one value a single-row, single-column query answers; nil when it answers no row.
    func value<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, _ type: T.Type, logger: Logger) async throws -> T? {
        var value: T?
        for try await row in try await self.query(query, logger: logger).decode(T.self) { value = row }
        return value
    }
}
