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
private func hours(_ count: Int64) -> Instant { now.adding(seconds: count * 3600) }

private let users = MemoryTeamFixture.users

private let rotation = OverrideTarget.rotation(id: "PROT1", replacing: "UB")

/// Rosters change within a day here: the freeze (issue 13) is off.
private func team(members: String = "alice, bob, carol") -> String { MemoryTeamFixture.configuration(members: members, freeze: "0") }

/// The applier against `InMemoryDestination`, with plans built by hand (targets, moves, a kind)
/// or by the planner from `team()`; a state in a folder of its own.
private final class Rig: Sendable {
    let destination = InMemoryDestination(users: users, now: now)
    let configuration: Configuration
    let store: LocalStateStore
    let directory: String

    init(_ text: String = team()) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-targets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        configuration = try Self.load(text, directory: directory)
        store = LocalStateStore(path: directory + "/.handoff/state.json", displayPath: ".handoff/state.json")
    }

    static func load(_ text: String, directory: String) throws -> Configuration {
        try MemoryTeamFixture.load(text, directory: directory)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    var options: ConnectionOptions { MemoryTeamFixture.options(serving: destination) }

    /// A plan of the one destination `primary-pd`, with these actions and this kind.
    func plan(_ actions: [PlanAction], kind: DestinationScheduleKind? = .shiftBased, watermark: Instant? = hours(24 * 14)) -> Plan {
        var destination = DestinationPlan(
            name: "primary-pd", connection: "acme", destinationSchedule: "PPRIMAR", timeZone: "Europe/Berlin",
            watermarkBefore: nil, watermarkAfter: watermark, actions: actions, liveFingerprint: ""
        )
        destination.scheduleKind = kind
        return Plan(now: now, destinations: [destination], stateLineage: nil, stateSerial: 0)
    }

    /// What the planner makes of `configuration` now, as `handoff plan` does.
    func planned(_ configuration: Configuration? = nil) async throws -> Plan {
        try await MemoryTeamFixture.plan(configuration ?? self.configuration, state: try await store.read(), now: now, options: options)
    }

    /// Applies `plan` as `handoff apply` does, through `wrap`'s session when given (one that logs,
    /// or one that dies like a killed process: then nothing is finished, and the lock is let go
    /// as a broken stale lock would be).
    func apply(_ plan: Plan, configuration: Configuration? = nil, wrap: (@Sendable (any StateSession) -> any StateSession)? = nil) async throws -> Applier.Report {
        let configuration = configuration ?? self.configuration
        let inner = try await store.acquire(LockHolder.current(operation: "apply", now: now), timeout: 0)
        let session = wrap?(inner) ?? inner
        let hub = try await ConnectionHub.open(["acme"], configuration: configuration, options: options)
        var applyOptions = Applier.Options()
        applyOptions.parallelism = 1
        let report = await Applier.apply(plan, session: session, hub: hub, options: applyOptions)
        await hub.close()
        if wrap == nil || report.succeeded { try await inner.finish() }
        await inner.release()
        return report
    }

    func records() async throws -> [OverrideRecord] {
        try await store.read().destinations["primary-pd"]?.overrides ?? []
    }
}

private func action(
    _ kind: PlanAction.Kind, _ start: Instant, _ end: Instant, _ user: String, id: String? = nil, target: OverrideTarget = rotation, previous: OverrideRecord? = nil
) -> PlanAction {
    PlanAction(kind: kind, start: start, end: end, userID: user, person: user, email: "\(user)@example.com", overrideID: id, target: target, previous: previous)
}

/// A session that passes every change on and logs what each was, in order; from the first change
/// `dies` picks, it fails every record as a killed process would (nothing more is written).
private actor LoggingSession: StateSession {
    private let inner: any StateSession
    private let dies: @Sendable (StateChange) -> Bool
    private var dead = false
    private(set) var log: [String] = []

    init(_ inner: any StateSession, dies: @escaping @Sendable (StateChange) -> Bool = { _ in false }) {
        self.inner = inner
        self.dies = dies
    }

    var initialState: HandoffState { get async { await inner.initialState } }
    var currentState: HandoffState { get async { await inner.currentState } }

    func record(_ change: StateChange) async throws {
        if dies(change) { dead = true }
        if dead { throw StateError(.writeFailed, "the process was killed") }
        try await inner.record(change)
        var parts: [String] = []
        if !change.created.isEmpty { parts.append("created") }
        if !change.updated.isEmpty { parts.append("updated") }
        if !change.markDeletePending.isEmpty { parts.append("marked") }
        if !change.deleted.isEmpty { parts.append("deleted") }
        if change.watermark != nil { parts.append("watermark") }
        if let kind = change.scheduleKind { parts.append("kind \(kind)") }
        log.append(parts.joined(separator: " "))
    }

    func finish() async throws -> HandoffState { try await inner.finish() }
    func replace(with state: HandoffState) async throws { try await inner.replace(with: state) }
    func release() async {}
}

/// A box for the session a `wrap` closure made, to read its log afterwards.
private final class Made: @unchecked Sendable {
    var session: LoggingSession?
}

@Suite("The applier on shift-based schedules: targets, moves in place, the kind remembered (in-memory destination)")
struct ApplierTargetTests {
    @Test("creates and deletes reach the destination with their targets, adoptions and creates are recorded with theirs, and the kind is remembered")
    func targetsReachTheDestination() async throws {
        let rig = try Rig()
        defer { rig.cleanUp() }
        let mine = rig.destination.addByHand(schedule: "PPRIMAR", start: hours(48), end: hours(60), userID: "UA", target: .customShift)
        let first = rig.plan([
            action(.create, hours(0), hours(12), "UA", target: rotation),
            action(.create, hours(12), hours(24), "UA", target: .customShift),
            action(.adopt, hours(48), hours(60), "UA", id: mine.id, target: .customShift),
        ])
        let report = try await rig.apply(first)
        #expect(report.failures.isEmpty)
        #expect((report.created, report.adopted) == (2, 1))
        let live = rig.destination.overrides("PPRIMAR").sorted { $0.start < $1.start }
        #expect(live.map(\.target) == [rotation, .customShift, .customShift])
        let records = try await rig.records()
        #expect(records.map(\.target) == [rotation, .customShift, .customShift])
        #expect(Set(records.map(\.id)) == Set(live.map(\.id)))
        #expect(try await rig.store.read().destinations["primary-pd"]?.scheduleKind == .shiftBased)

        // Deleting names each object's target, so a destination with several kinds deletes the right one.
        let second = rig.plan(records.prefix(2).map { action(.delete, $0.start, $0.end, $0.userID, id: $0.id, target: $0.target) })
        #expect(try await rig.apply(second).failures.isEmpty)
        #expect(rig.destination.deletedTargets.count == 2)
        #expect(Set(rig.destination.deletedTargets) == [rotation, .customShift])
        #expect(try await rig.records().map(\.id) == [mine.id])
    }

    @Test("a move is one update: the record keeps its id and target and takes the new times and person; creates come first, then moves, then deletes")
    func moveInPlace() async throws {
        let rig = try Rig()
        defer { rig.cleanUp() }
        rig.destination.allowUpdatesInPlace()
        #expect(try await rig.apply(rig.plan([action(.create, hours(24), hours(36), "UA"), action(.create, hours(36), hours(48), "UB")], kind: nil)).succeeded)
        let records = try await rig.records()
        let (moving, leaving) = (records[0], records[1])
        #expect(try await rig.store.read().destinations["primary-pd"]?.scheduleKind == nil, "a plan that names no kind leaves none")

        // Carol takes Alice's piece from an hour later, Bob's goes, and a custom shift covers the hour.
        let second = rig.plan([
            action(.create, hours(24), hours(25), "UA", target: .customShift),
            action(.move, hours(25), hours(36), "UC", id: moving.id, target: moving.target, previous: moving),
            action(.delete, leaving.start, leaving.end, leaving.userID, id: leaving.id, target: leaving.target),
        ])
        #expect(Applier.requestCount(second, batchSize: 50) == 3)
        let made = Made()
        let before = rig.destination.calls
        let report = try await rig.apply(second) { inner in
            let session = LoggingSession(inner)
            made.session = session
            return session
        }
        #expect(report.failures.isEmpty)
        #expect((report.created, report.moved, report.deleted) == (1, 1, 1))
        let calls = rig.destination.calls
        #expect((calls.create - before.create, calls.update - before.update, calls.delete - before.delete) == (1, 1, 1))
        #expect(await made.session?.log == ["created", "updated", "marked", "deleted", "watermark kind shift-based"])

        let moved = OverrideRecord(id: moving.id, start: hours(25), end: hours(36), userID: "UC", target: moving.target)
        let state = try await rig.store.read().destinations["primary-pd"]
        #expect(state?.overrides.filter { $0.id == moving.id } == [moved], "the same id, over its new hours")
        #expect(state?.overrides.count == 2)
        #expect(state?.scheduleKind == .shiftBased)
        #expect(rig.destination.overrides("PPRIMAR").contains(moved))
        #expect(!rig.destination.overrides("PPRIMAR").contains { $0.id == leaving.id })
    }

    @Test("a move whose answer is lost is sent once more; lost twice, the destination fails with a sentence and nothing is created, deleted or remembered")
    func lostMoveAnswers() async throws {
        for lost in [1, 2] {
            let rig = try Rig()
            defer { rig.cleanUp() }
            rig.destination.allowUpdatesInPlace()
            #expect(try await rig.apply(rig.plan([action(.create, hours(24), hours(36), "UA"), action(.create, hours(36), hours(48), "UB")], kind: nil, watermark: hours(48))).succeeded)
            let records = try await rig.records()
            let (moving, leaving) = (records[0], records[1])
            rig.destination.inject { $0.lostUpdateAnswers = lost }
            let before = rig.destination.calls
            let report = try await rig.apply(
                rig.plan([
                    action(.move, hours(24), hours(36), "UC", id: moving.id, target: moving.target, previous: moving),
                    action(.delete, leaving.start, leaving.end, leaving.userID, id: leaving.id, target: leaving.target),
                ], watermark: hours(72))
            )
            let calls = rig.destination.calls
            #expect(calls.update - before.update == 2, "sent twice whether or not the second answer came")
            #expect(calls.create == before.create, "a move is never replaced by a create")
            let state = try await rig.store.read().destinations["primary-pd"]
            if lost == 1 {
                #expect(report.failures.isEmpty)
                #expect(report.moved == 1)
                #expect(state?.overrides.first { $0.id == moving.id }?.userID == "UC")
                #expect(state?.scheduleKind == .shiftBased)
                #expect(calls.delete - before.delete == 1)
            } else {
                #expect(
                    report.failures == [
                        "destination primary-pd: the answer to moving override \(moving.id) to \(hours(24))–\(hours(36)) was lost twice, so whether it moved is unknown; "
                            + "nothing was created in its place, and the next plan lists the schedule and shows what remains"
                    ]
                )
                #expect(report.moved == 0)
                #expect(calls.delete == before.delete, "no delete after a failed move")
                #expect(state?.overrides == records, "the record stays as it was")
                #expect(state?.watermark == hours(48))
                #expect(state?.scheduleKind == nil, "a destination that failed does not have its kind remembered")
            }
        }
    }

    @Test("after a create's answer is lost, the listing is matched on the target too: a person's custom shift over the same hours is not taken for the rotation override sent")
    func lostCreateMatchesTarget() async throws {
        let rig = try Rig()
        defer { rig.cleanUp() }
        let persons = rig.destination.addByHand(schedule: "PPRIMAR", start: hours(24), end: hours(36), userID: "UA", target: .customShift)
        rig.destination.inject { $0.lostCreateAnswers = 1 }
        let report = try await rig.apply(rig.plan([action(.create, hours(24), hours(36), "UA", target: rotation)]))
        #expect(report.failures.isEmpty)
        #expect(report.created == 1)
        #expect(rig.destination.calls.create == 1, "matched by listing, not sent again")
        let records = try await rig.records()
        #expect(records.count == 1)
        #expect(records.first?.id != persons.id)
        #expect(records.first?.target == rotation)
        #expect(rig.destination.overrides("PPRIMAR").count == 2)
    }

    /// The planner's roster change (Carol leaves), with the first future delete and the first
    /// future create made into one move, as the reconciler does where a schedule updates in place.
    private func rosterChangeWithMove(_ rig: Rig, _ smaller: Configuration) async throws -> (Plan, moved: PlanAction) {
        var plan = try await rig.planned(smaller)
        var destination = try #require(plan.destinations.first)
        let delete = try #require(destination.actions(.delete).first { $0.start > now })
        let create = try #require(destination.actions(.create).first { $0.start > now })
        let id = try #require(delete.overrideID)
        let move = PlanAction(
            kind: .move, start: create.start, end: create.end, userID: create.userID, person: create.person, email: create.email, overrideID: id,
            target: delete.target, previous: OverrideRecord(id: id, start: delete.start, end: delete.end, userID: delete.userID, target: delete.target)
        )
        destination.actions = destination.actions.filter { $0 != delete && $0 != create } + [move]
        plan.destinations = [destination]
        return (plan, move)
    }

    @Test("a move made from the planner's delete and create leaves PagerDuty as the plan wanted: the next plan changes nothing")
    func moveConverges() async throws {
        let rig = try Rig()
        defer { rig.cleanUp() }
        rig.destination.allowUpdatesInPlace()
        #expect(try await rig.apply(try await rig.planned()).succeeded)
        let smaller = try Rig.load(team(members: "alice, bob"), directory: rig.directory)
        let (plan, move) = try await rosterChangeWithMove(rig, smaller)
        let report = try await rig.apply(plan, configuration: smaller)
        #expect(report.failures.isEmpty)
        #expect(report.moved == 1)
        #expect(rig.destination.calls.update == 1)
        #expect(try await rig.records().contains { $0.id == move.overrideID && $0.start == move.start && $0.userID == move.userID })
        let next = try await rig.planned(smaller)
        #expect(!next.hasChanges, "\(PlanRenderer.text(next))")
    }

    @Test(
        "an apply killed around a move (before it, after its confirmation and before its record, before the deletes) leaves a state the next apply converges from",
        arguments: ["created", "updated", "marked"]
    )
    func killedAroundMove(at step: String) async throws {
        let rig = try Rig()
        defer { rig.cleanUp() }
        rig.destination.allowUpdatesInPlace()
        #expect(try await rig.apply(try await rig.planned()).succeeded)
        let smaller = try Rig.load(team(members: "alice, bob"), directory: rig.directory)
        let (plan, _) = try await rosterChangeWithMove(rig, smaller)
        let killed = try await rig.apply(plan, configuration: smaller) { inner in
            LoggingSession(inner) { change in
                switch step {
                case "created": return !change.created.isEmpty
                case "updated": return !change.updated.isEmpty
                default: return !change.markDeletePending.isEmpty
                }
            }
        }
        #expect(!killed.succeeded)

        // The next run plans from what was recorded and what PagerDuty shows, and converges.
        let report = try await rig.apply(try await rig.planned(smaller), configuration: smaller)
        #expect(report.failures.isEmpty)
        let live = rig.destination.overrides("PPRIMAR").filter { $0.end > now }
        let identities = live.map { "\($0.userID) \($0.start) \($0.end)" }
        #expect(Set(identities).count == identities.count, "no two live overrides alike")
        let owned = Set(try await rig.records().map(\.id))
        #expect(live.allSatisfy { owned.contains($0.id) }, "every live override is Handoff's")
        let next = try await rig.planned(smaller)
        #expect(!next.hasChanges, "\(PlanRenderer.text(next))")
    }

    @Test("after a readopt the next plan adopts every override that matches and creates nothing; applied, the state owns them again and the plan after is clean")
    func readoptAdopts() async throws {
        let rig = try Rig()
        defer { rig.cleanUp() }
        #expect(try await rig.apply(try await rig.planned()).succeeded)
        let writes = rig.destination.calls.writes
        let session = try await rig.store.acquire(LockHolder.current(operation: "state readopt", now: now), timeout: 0)
        let record = try #require(await session.currentState.destinations["primary-pd"])
        try await session.record(StateChange.readopt("primary-pd", record))
        try await session.finish()
        await session.release()
        #expect(try await rig.store.read().destinations["primary-pd"] == nil)

        let plan = try await rig.planned()
        #expect(plan.summary.create == 0 && plan.summary.delete == 0, "\(PlanRenderer.text(plan))")
        let live = rig.destination.overrides("PPRIMAR").filter { $0.end > now }
        #expect(plan.summary.adopt == live.count)
        #expect(try await rig.apply(plan).succeeded)
        #expect(rig.destination.calls.writes == writes, "nothing was written to the destination")
        #expect(Set(try await rig.records().map(\.id)) == Set(live.map(\.id)))
        #expect(!(try await rig.planned()).hasChanges)
    }
}
