import Foundation
import HandoffDestination
import HandoffState
import HandoffStatePostgres
import HandoffTestSupport
import HandoffTime
import Testing

/// A destination renamed (`moved` or `handoff state mv`) in the PostgreSQL state: one record, one
/// transaction, the rows under the new name, and undone by a restore.
@Suite("PostgreSQL state: a destination moved", .enabled("no PostgreSQL server can be started here") { await PostgresCluster.isAvailable() })
struct PostgresMoveTests {
    @Test("a move renames the destination's rows in one record; later records find them; history names it; restore undoes it")
    func move() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        let session = try await store.acquire(LockHolder.current(operation: "apply", now: t(0)), timeout: 0)
        let owned = [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U"), OverrideRecord(id: "Q2", start: t(24), end: t(48), userID: "U")]
        try await session.record(StateChange(destination: "old-pd", connection: "acme", destinationSchedule: "P1", created: owned, watermark: t(48)))
        let before = try #require(await session.currentState.destinations["old-pd"])
        try await session.record(StateChange(destination: "old-pd", connection: "acme", destinationSchedule: "P1", movedTo: "new-pd"))
        try await session.record(StateChange(destination: "new-pd", connection: "acme", destinationSchedule: "P1", deleted: ["Q1"]))
        let finished = try await session.finish()
        await session.release()
        #expect(finished.serial == 3)

        // Read back from the tables by a store of its own: the rows went with the name.
        let read = try await PostgresStateStore(location: store.location, schema: store.schema, workspace: "default").read()
        #expect(read == finished)
        #expect(read.destinations.keys.sorted() == ["new-pd"])
        #expect(read.destinations["new-pd"]?.watermark == t(48))
        #expect(read.destinations["new-pd"]?.overrides.map(\.id) == ["Q2"])
        #expect(try await store.history(limit: 10).map(\.summary) == ["new-pd: 1 deleted", "old-pd: destination moved to new-pd", "old-pd: 2 owned, watermark \(t(48))"])

        let restored = try await store.restore(serial: 1, holder: LockHolder.current(operation: "state restore", now: t(0)), timeout: 0)
        #expect(restored.destinations.keys.sorted() == ["old-pd"])
        #expect(restored.destinations["old-pd"] == before)
        #expect(try await store.read().destinations == restored.destinations)
    }
}
