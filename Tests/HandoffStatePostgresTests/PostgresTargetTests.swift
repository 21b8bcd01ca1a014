import Foundation
import HandoffDestination
import HandoffState
@testable import HandoffStatePostgres
import HandoffTestSupport
import HandoffTime
import Logging
import PostgresNIO
import Testing

/// One record of every kind of target, in start order.
private let records = [
    OverrideRecord(id: "S1", start: t(0), end: t(24), userID: "U"),
    OverrideRecord(id: "R1", start: t(24), end: t(36), userID: "U", target: .rotation(id: "PROT1", replacing: "PBOB")),
    OverrideRecord(id: "R2", start: t(36), end: t(48), userID: "U", target: .rotation(id: "PROT1", replacing: nil)),
    OverrideRecord(id: "C1", start: t(48), end: t(60), userID: "U", target: .customShift),
    OverrideRecord(id: "O1", start: t(60), end: t(72), userID: "U", target: .customShiftOverride(id: "PCS1", replacing: "PBOB")),
]

private func holder(_ operation: String = "apply") -> LockHolder { LockHolder.current(operation: operation, now: t(0)) }

/// Shift-based schedules (issue 16) in the PostgreSQL state: targets and kinds in their columns
/// (schema version 4), moves in place, a readopt, and tables of version 3 migrated.
@Suite("PostgreSQL state: override targets, schedule kinds and moves", .enabled("no PostgreSQL server can be started here") { await PostgresCluster.isAvailable() })
struct PostgresTargetTests {
    @Test("targets and kinds round-trip through records and a whole state written at once; a move replaces its row and is undone by a restore")
    func roundTrip() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        let session = try await store.acquire(holder(), timeout: 0)
        try await session.record(StateChange(destination: "d", connection: "acme", destinationSchedule: "P1", created: records, watermark: t(72), scheduleKind: .shiftBased))
        try await session.record(StateChange(destination: "e", connection: "acme", destinationSchedule: "P2", created: [records[0]], scheduleKind: .layerBased))
        try await session.record(StateChange(destination: "f", connection: "acme", destinationSchedule: "P3", created: [records[0]]))
        let afterCreates = await session.currentState
        let moved = OverrideRecord(id: "R1", start: t(100), end: t(112), userID: "V", target: .rotation(id: "PROT1", replacing: "PBOB"))
        try await session.record(
            StateChange(destination: "d", connection: "acme", destinationSchedule: "P1", updated: [moved, OverrideRecord(id: "GONE", start: t(0), end: t(1), userID: "V")])
        )
        let finished = try await session.finish()
        await session.release()

        let read = try await PostgresStateStore(location: store.location, schema: store.schema, workspace: "default").read()
        #expect(read == finished, "what the session applied in memory is what the tables hold")
        let expected = (records.filter { $0.id != "R1" } + [moved]).sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        #expect(read.destinations["d"]?.overrides == expected)
        #expect(read.destinations["d"]?.scheduleKind == .shiftBased)
        #expect(read.destinations["e"]?.scheduleKind == .layerBased)
        #expect(read.destinations["f"]?.scheduleKind == nil)
        #expect(read.destinations["f"]?.overrides.first?.target == .schedule)
        #expect(try await store.history(limit: 1).first?.summary == "d: 1 moved")

        // Undoing the move brings the record back as it was, target and all.
        let restored = try await store.restore(serial: 3, holder: holder("state restore"), timeout: 0)
        #expect(restored.destinations == afterCreates.destinations)
        #expect(try await store.read().destinations == afterCreates.destinations)

        // A whole state written at once (migrate, restore) keeps every target and kind.
        let migrating = try await store.acquire(holder("state migrate"), timeout: 0)
        var replaced = try await store.read()
        replaced.serial += 1
        replaced.destinations["d"]?.overrides = expected
        replaced.destinations["f"]?.scheduleKind = .shiftBased
        try await migrating.replace(with: replaced)
        await migrating.release()
        #expect(try await store.read() == replaced)
    }

    @Test(
        "a kind remembered is undone by a restore to before it; a readopt forgets records, watermark and kind in one record, and a restore brings them back",
        arguments: [1, 2]
    )
    func kindsAndReadopt(restoring serial: Int) async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        let session = try await store.acquire(holder(), timeout: 0)
        try await session.record(StateChange(destination: "d", connection: "acme", destinationSchedule: "P1", created: Array(records.prefix(2)), watermark: t(48)))
        let unremembered = try #require(await session.currentState.destinations["d"])
        try await session.record(StateChange(destination: "d", connection: "acme", destinationSchedule: "P1", scheduleKind: .layerBased))
        let remembered = try #require(await session.currentState.destinations["d"])
        #expect(remembered.scheduleKind == .layerBased)
        try await session.record(StateChange.readopt("d", remembered))
        let finished = try await session.finish()
        await session.release()
        #expect(finished.destinations["d"] == nil)
        #expect(try await store.read().destinations["d"] == nil)
        #expect(try await store.history(limit: 2).map(\.summary) == ["d: destination removed", "d: schedule kind layer-based"])

        let restored = try await store.restore(serial: serial, holder: holder("state restore"), timeout: 0)
        #expect(restored.destinations["d"] == (serial == 2 ? remembered : unremembered))
        #expect(try await store.read().destinations["d"] == restored.destinations["d"])
    }

    @Test("tables at schema version 3 gain the target and kind columns: rows read as whole-schedule overrides with no kind, and take targets and kinds after")
    func upgradeFromVersionThree() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        let schema = "\"\(store.schema)\""
        let connection = try await tablesAtVersion(3, of: store) { connection, schema in
            try await connection.query("INSERT INTO \(unescaped: schema).workspaces (name, lineage, serial) VALUES ('default', 'L', 3)", logger: store.logger)
            try await connection.query(
                "INSERT INTO \(unescaped: schema).destinations (workspace, name, connection, pagerduty_schedule, watermark) VALUES ('default', 'd', 'acme', 'P1', \(PostgresStateStore.date(t(24))))",
                logger: store.logger
            )
            try await connection.query(
                """
                INSERT INTO \(unescaped: schema).overrides (workspace, destination, id, start_at, end_at, user_id, delete_pending)
                VALUES ('default', 'd', 'Q1', \(PostgresStateStore.date(t(0))), \(PostgresStateStore.date(t(24))), 'U', true)
                """,
                logger: store.logger
            )
        }

        let upgraded = PostgresStateStore(location: store.location, schema: store.schema, workspace: "default")
        let read = try await upgraded.read()
        #expect(read.serial == 3)
        #expect(read.destinations["d"] == DestinationState(
            connection: "acme", destinationSchedule: "P1", watermark: t(24),
            overrides: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U", deletePending: true)]
        ))
        #expect(try await appliedVersions(connection, of: store) == [1, 2, 3, 4])

        let session = try await upgraded.acquire(holder(), timeout: 0)
        try await session.record(StateChange(destination: "d", connection: "acme", destinationSchedule: "P1", created: Array(records[1...]), scheduleKind: .shiftBased))
        let finished = try await session.finish()
        await session.release()
        #expect(try await upgraded.read() == finished)
        #expect(finished.destinations["d"]?.overrides.map(\.target) == [.schedule] + records[1...].map(\.target))

        // A row another program wrote with a type this Handoff does not know is refused, not guessed.
        try await connection.query("UPDATE \(unescaped: schema).overrides SET target_type = 'layer' WHERE id = 'C1'", logger: store.logger)
        try await connection.close()
        let error = await #expect(throws: StateError.self) { try await upgraded.read() }
        #expect(
            error?.message
                == "the \(upgraded.description) cannot be read: override C1 of destination d is not understood: its target type is not rotation, custom_shift or custom_shift_override"
        )
    }
}
