import Foundation
import HandoffConfig
import HandoffDestination
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTestSupport
import HandoffTime
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

/// Monday 2026-11-23, 11:00 in Berlin.
private let now = MemoryTeamFixture.now
private let users = MemoryTeamFixture.users

private func team(members: String = "alice, bob, carol", mirror: Bool = false) -> String {
    MemoryTeamFixture.configuration(members: members, mirror: mirror)
}

/// Plans and applies through `InMemoryDestination`, registered as the `pagerduty` kind: the
/// planner, reconciler and applier with no PagerDuty and no socket behind them.
private final class MemoryRun: Sendable {
    let destination: InMemoryDestination
    let configuration: Configuration
    let store: LocalStateStore
    let directory: String

    init(_ text: String, destination: InMemoryDestination = InMemoryDestination(users: users, now: now)) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-memory-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.destination = destination
        configuration = try Self.load(text, directory: directory)
        store = LocalStateStore(path: directory + "/.handoff/state.json", displayPath: ".handoff/state.json")
    }

    static func load(_ text: String, directory: String) throws -> Configuration {
        try MemoryTeamFixture.load(text, directory: directory)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    var options: ConnectionOptions { MemoryTeamFixture.options(serving: destination) }

    func plan(_ configuration: Configuration? = nil, at instant: Instant = now, allowFrozenChanges: Bool = false) async throws -> Plan {
        try await MemoryTeamFixture.plan(
            configuration ?? self.configuration, state: try await store.read(), now: instant, allowFrozenChanges: allowFrozenChanges, options: options
        )
    }

    /// Applies `plan` (made now when nil) as `handoff apply` does, one destination at a time.
    func apply(_ plan: Plan? = nil, configuration: Configuration? = nil, at instant: Instant = now) async throws -> (Plan, Applier.Report) {
        let configuration = configuration ?? self.configuration
        let session = try await store.acquire(LockHolder.current(operation: "apply", now: instant), timeout: 0)
        let request = PlanBuilder.Request(configuration: configuration, state: await session.initialState, now: instant)
        let hub = try await ConnectionHub.open(try PlanBuilder.connections(request), configuration: configuration, options: options)
        let made: Plan
        if let plan {
            made = plan
        } else {
            made = try await PlanBuilder.build(request, hub: hub)
        }
        var applyOptions = Applier.Options()
        applyOptions.parallelism = 1
        let report = await Applier.apply(made, session: session, hub: hub, options: applyOptions)
        await hub.close()
        try await session.finish()
        await session.release()
        return (made, report)
    }

    func ownedIDs() async throws -> Set<String> {
        try await store.read().allOwnedIDs
    }
}

@Suite("The planner, reconciler and applier against an in-memory destination (no sockets)")
struct InMemoryDestinationTests {
    @Test("a first export creates every wanted override, and a second plan at once is clean")
    func firstExportThenClean() async throws {
        let run = try MemoryRun(team())
        defer { run.cleanUp() }
        let (plan, report) = try await run.apply()
        #expect(plan.summary.create > 0)
        #expect(report.failures.isEmpty)
        #expect(report.created == plan.summary.create)
        let live = run.destination.overrides("PPRIMAR")
        #expect(live.count == plan.summary.create)
        #expect(try await run.ownedIDs() == Set(live.map(\.id)))
        let writes = run.destination.calls.writes

        let again = try await run.plan()
        #expect(!again.hasChanges)
        #expect(run.destination.calls.writes == writes)
    }

    @Test("a create whose answer was lost is resolved by listing: nothing is created twice or sent again")
    func lostCreateAnswer() async throws {
        let run = try MemoryRun(team())
        defer { run.cleanUp() }
        run.destination.inject { $0.lostCreateAnswers = 1 }
        let (plan, report) = try await run.apply()
        #expect(report.failures.isEmpty)
        #expect(report.created == plan.summary.create)
        let live = run.destination.overrides("PPRIMAR")
        #expect(live.count == plan.summary.create)
        #expect(Set(live.map { "\($0.userID) \($0.start) \($0.end)" }).count == live.count)
        #expect(try await run.ownedIDs() == Set(live.map(\.id)))
        // One create (its answer lost), then a listing to match instead of a second create.
        #expect(run.destination.calls.create == 1)
        #expect(run.destination.calls.list == 2)
        #expect(!(try await run.plan()).hasChanges)
    }

    @Test("a read-only key stops its connection: the second destination on it sends nothing")
    func readOnlyKey() async throws {
        let run = try MemoryRun(team(mirror: true))
        defer { run.cleanUp() }
        run.destination.inject { $0.readOnly = true }
        let (_, report) = try await run.apply()
        #expect(report.failures.count == 2)
        #expect(report.failures.allSatisfy { $0.hasSuffix(InMemoryDestination.readOnlyMessage) })
        #expect(run.destination.calls.create == 1)
        #expect(report.completed.isEmpty)
        #expect(try await run.ownedIDs().isEmpty)
    }

    @Test("a delete of an override already gone is recorded as done, not as a failure")
    func deleteAlreadyGone() async throws {
        let run = try MemoryRun(team())
        defer { run.cleanUp() }
        _ = try await run.apply()
        let smaller = try MemoryRun.load(team(members: "alice, bob"), directory: run.directory)
        let plan = try await run.plan(smaller, allowFrozenChanges: true)
        let deletes = plan.destinations.flatMap { $0.actions(.delete) }.compactMap(\.overrideID)
        #expect(!deletes.isEmpty)
        let gone = try #require(deletes.first)
        run.destination.removeByHand(schedule: "PPRIMAR", id: gone)
        let (_, report) = try await run.apply(plan, configuration: smaller)
        #expect(report.failures.isEmpty)
        #expect(report.deleted == deletes.count)
        #expect(!(try await run.ownedIDs()).contains(gone))
        #expect(!run.destination.overrides("PPRIMAR").contains { deletes.contains($0.id) && $0.start >= now })
    }

    @Test("a rejected item fails its destination and names the override; the rest of the batch is created and recorded")
    func rejectedItem() async throws {
        let run = try MemoryRun(team())
        defer { run.cleanUp() }
        run.destination.inject { $0.rejectedUsers = ["UB"] }
        let (plan, report) = try await run.apply()
        let bobs = plan.destinations.flatMap { $0.actions(.create) }.filter { $0.userID == "UB" }.count
        #expect(bobs > 0)
        #expect(report.failures.count == bobs)
        #expect(report.failures.allSatisfy { $0.hasPrefix("destination primary-pd: the destination refused the override for user UB") })
        #expect(report.created == plan.summary.create - bobs)
        #expect(try await run.ownedIDs().count == report.created)
    }

    @Test("an override of a user the destination no longer has is shown as a deleted user")
    func unknownUser() async throws {
        let run = try MemoryRun(team())
        defer { run.cleanUp() }
        run.destination.addByHand(schedule: "PPRIMAR", start: at("2026-11-24T08:00:00Z"), end: at("2026-11-24T09:00:00Z"), userID: "UGONE")
        let plan = try await run.plan()
        let actions = plan.destinations.flatMap(\.actions).filter { $0.userID == "UGONE" }
        #expect(!actions.isEmpty)
        #expect(actions.allSatisfy { $0.person == "deleted PagerDuty user UGONE" })
        #expect(run.destination.calls.user == 1)
    }

    @Test("updating in place is unsupported unless a destination says otherwise")
    func updateUnsupported() async throws {
        let destination = InMemoryDestination(users: users, now: now)
        #expect(!destination.capabilities.updatesInPlace)
        await #expect(throws: DestinationError.self) {
            _ = try await destination.updateOverride(schedule: "PPRIMAR", id: "M1", from: nil, to: PlannedOverride(start: now, end: now, userID: "UA"))
        }
    }
}
