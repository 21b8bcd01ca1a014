import Foundation
import HandoffConfig
import HandoffConnectionKinds
import HandoffDestination
import HandoffPlan
import HandoffRota
import HandoffState
import HandoffSync
import HandoffTestSupport
import HandoffTime
import OrderedJSON
import PagerDuty
@testable import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

/// Monday 2026-11-23, 11:00 in Berlin: Alice's turn in Handoff's rotation, Bob's in PagerDuty's.
private let now = TeamFixture.now

private let alice = "PALICE1"
private let bob = "PBOB001"
private let carol = "PCAROL1"
private let mallory = "PMALL01"

/// PagerDuty's side. `PSHIFT1` is shift-based with one rotation handing over weekly on Wednesdays
/// at 10:00 Berlin (carol, alice, bob from Wednesday 2026-11-04), which has nobody on call from
/// Wednesday 2026-12-23 10:00 until its second event starts on Wednesday 2026-12-30 10:00 (a
/// gap, where the export needs custom shifts). `PMULTI1` is shift-based with two rotations (the
/// same weekly one and a daily one of mallory's). `PLAYER1` is layer-based, bob, carol and alice
/// a week each from Monday 2026-11-02 09:00 Berlin (Handoff's hours, other people).
private let seed: SandboxSeed = {
    func weekly(_ members: [String]) -> SandboxSeed.Event {
        SandboxSeed.Event(
            name: "Weekly", start: at("2026-11-04T09:00:00Z"), end: at("2026-11-11T09:00:00Z"), effectiveUntil: at("2026-12-23T09:00:00Z"),
            recurrence: ["RRULE:FREQ=WEEKLY"], members: members
        )
    }
    let afterBreak = SandboxSeed.Event(
        name: "Weekly after the break", start: at("2026-12-30T09:00:00Z"), end: at("2027-01-06T09:00:00Z"),
        recurrence: ["RRULE:FREQ=WEEKLY"], members: [carol, alice, bob]
    )
    let daily = SandboxSeed.Event(
        name: "Daily", start: at("2026-11-02T08:00:00Z"), end: at("2026-11-03T08:00:00Z"), recurrence: ["RRULE:FREQ=DAILY"], members: [mallory]
    )
    let layer = SandboxSeed.Layer(
        name: "Weekly", start: at("2026-11-02T08:00:00Z"), rotationVirtualStart: at("2026-11-02T08:00:00Z"), rotationTurnLengthSeconds: 604_800,
        users: [bob, carol, alice]
    )
    return SandboxSeed(
        users: [
            .init(name: "Alice Archer", email: "alice@example.com", id: alice),
            .init(name: "Bob Brown", email: "bob@example.com", id: bob),
            .init(name: "Carol Chen", email: "carol@example.com", id: carol),
            .init(name: "Mallory Manual", email: "mallory@example.com", id: mallory),
        ],
        schedules: [
            .init(name: "Platform", timeZone: "Europe/Berlin", id: "PSHIFT1", type: SandboxSchedule.v3Type, rotations: [.init(events: [weekly([carol, alice, bob]), afterBreak])]),
            .init(name: "Two rotations", timeZone: "Europe/Berlin", id: "PMULTI1", type: SandboxSchedule.v3Type, rotations: [.init(events: [weekly([carol, alice, bob])]), .init(events: [daily])]),
            .init(name: "Layered", timeZone: "Europe/Berlin", id: "PLAYER1", layers: [layer]),
        ]
    )
}()

/// Handoff's side: alice, bob and carol a week each from Monday 2026-11-02 09:00 Berlin, six weeks
/// ahead (over PagerDuty's gap), exported to `schedule` (with `destinationExtra` in its braces).
private func config(
    members: String = "alice, bob, carol", swaps: String = "", changes: String = "", schedule: String = "PSHIFT1", manualChanges: String = "keep",
    destinationExtra: String = "", freeze: String = "0"
) -> String {
    "version: 1\nfreeze: \(freeze)\n" + Scenario.connection + TeamFixture.people(dave: false) + """
        schedules:
          primary:
            time_zone: Europe/Berlin
            rotation: { members: [\(members)], start: 2026-11-02T09:00, turn: 1w\(changes) }
            horizon: 6w
        \(swaps)
        destinations:
          primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: \(schedule), manual_changes: \(manualChanges)\(destinationExtra) }

        """
}

/// The swap of the turns that start on Monday 2026-11-30 (bob's) and 2026-12-07 (carol's).
private let swap = """
        swaps:
          - [2026-11-30T09:00, 2026-12-07T09:00]
    """

/// Issue 16's scenarios against the simulated shift-based (v3) PagerDuty, through the real
/// planner and applier: plans checked against golden text, and what PagerDuty shows afterwards
/// read from the simulated PagerDuty's own final schedule.
@Suite("Shift-based (v3) scenarios against the simulated PagerDuty")
struct ShiftBasedScenarioTests {
    static let folder = (URL(fileURLWithPath: #filePath).deletingLastPathComponent().path as NSString).appendingPathComponent("Golden")

    /// Runs `body` in a fresh scenario, stopped on every path.
    private func run<T>(_ text: String = config(), _ body: (Scenario) async throws -> T) async throws -> T {
        let scenario = try await Scenario.start(text, seed: seed, now: now)
        do {
            let result = try await body(scenario)
            await scenario.stop()
            return result
        } catch {
            await scenario.stop()
            throw error
        }
    }

    /// Checks the plan's text against the golden file `v3-<name>.txt`, and with `json` its JSON
    /// (schedule kind, notes, targets and v3 object ids) against `v3-<name>.json`.
    private func golden(_ plan: Plan, _ name: String, json: Bool = false) {
        var renderings = [("txt", PlanRenderer.text(plan))]
        if json { renderings.append(("json", PlanRenderer.json(plan).serialized())) }
        for (suffix, text) in renderings {
            if let difference = Golden.check(text, name: "v3-\(name).\(suffix)", folder: Self.folder) {
                Issue.record(Comment(rawValue: difference))
            }
        }
    }

    // MARK: - First export

    @Test("first export onto a one-rotation schedule handing over on other days: shifts split at the rotation's handoffs, custom shifts over its gap; then no changes")
    func firstExport() async throws {
        try await run { scenario in
            let plan = try await scenario.plan(at: now)
            golden(plan, "first-export")
            let destination = try #require(plan.destinations.first)
            #expect(destination.scheduleKind == .shiftBased)
            let creates = destination.actions(.create)
            #expect(creates.contains { $0.target == .customShift }, "the rotation's gap needs custom shifts")
            #expect(creates.contains { if case .rotation(_, let replacing) = $0.target { replacing != nil } else { false } })
            #expect(plan.summary.delete == 0 && plan.summary.move == 0)

            let (_, report) = try await scenario.apply(at: now)
            #expect(report.succeeded, "\(report.failures)")
            #expect(report.created == creates.count)
            let again = try await scenario.plan(at: now.adding(seconds: 240))
            #expect(!again.hasChanges, "\(PlanRenderer.text(again))")
            try await expectShowsConfiguration(scenario, schedule: "PSHIFT1")
        }
    }

    // MARK: - Changes after the export

    @Test("a swap after the export moves the future overrides in place (PUT) and deletes those the rotation now covers; PagerDuty then shows the swapped people")
    func swapMovesInPlace() async throws {
        try await run { scenario in
            #expect(try await scenario.apply(at: now).1.succeeded)
            try scenario.reconfigure(config(swaps: swap))
            let later = now.adding(seconds: 3600)
            let plan = try await scenario.plan(at: later)
            golden(plan, "swap", json: true)
            let moves = plan.destinations.flatMap { $0.actions(.move) }
            #expect(moves.count == 2 && plan.summary.move == 2)
            #expect(moves.allSatisfy { $0.start > later && ($0.previous?.start ?? later) > later }, "only objects that have not started move")
            #expect(moves.allSatisfy { if case .rotation = $0.target { $0.overrideID != nil } else { false } })
            #expect(plan.summary.create == 0 && plan.summary.delete == 2)

            scenario.server.log.reset()
            let (_, report) = try await scenario.apply(at: later)
            #expect(report.succeeded, "\(report.failures)")
            let puts = scenario.server.log.all.filter { $0.method == "PUT" }
            #expect(puts.count == 2 && puts.allSatisfy { $0.status == 200 }, "\(puts)")
            #expect(!scenario.server.log.all.contains { $0.method == "POST" })
            let again = try await scenario.plan(at: later)
            #expect(!again.hasChanges, "\(PlanRenderer.text(again))")
            try await expectShowsConfiguration(scenario, schedule: "PSHIFT1", from: later)
            try await expectNoDuplicates(scenario, schedule: "PSHIFT1")
        }
    }

    @Test("a swap of the turn in progress: the started override is cut and a new one made, never moved; only the future one moves", arguments: [true, false])
    func swapInProgress(onlyEndAfterStart: Bool) async throws {
        try await run { scenario in
            scenario.server.updateQuirks { $0.v3.onlyEndTimeAfterOverrideStart = onlyEndAfterStart }
            #expect(try await scenario.apply(at: now).1.succeeded)
            // Alice's turn from Monday 23 and Bob's from Monday 30 change places on Thursday 26.
            try scenario.reconfigure(config(swaps: """
                    swaps:
                      - [2026-11-23T09:00, 2026-11-30T09:00]
                """))
            let later = at("2026-11-26T10:00:00Z")
            let plan = try await scenario.plan(at: later)
            golden(plan, "swap-in-progress")
            let destination = try #require(plan.destinations.first)
            let moves = destination.actions(.move)
            #expect(moves.count == 1 && moves.allSatisfy { ($0.previous?.start ?? later) > later }, "\(PlanRenderer.text(plan))")
            let started = destination.actions(.delete).filter { $0.start < later }
            #expect(started.count == 1, "the override in progress is cut, not moved: \(PlanRenderer.text(plan))")
            #expect(destination.actions(.create).contains { $0.start == later && $0.userID == bob })

            let (_, report) = try await scenario.apply(at: later)
            #expect(report.succeeded, "\(report.failures)")
            #expect(!(try await scenario.plan(at: later).hasChanges))
            try await expectShowsConfiguration(scenario, schedule: "PSHIFT1", from: later)
            try await expectNoDuplicates(scenario, schedule: "PSHIFT1", at: later)
        }
    }

    @Test("a roster change (rotation.changes) after the export converges, then plans clean")
    func rosterChange() async throws {
        try await run { scenario in
            #expect(try await scenario.apply(at: now).1.succeeded)
            try scenario.reconfigure(config(changes: ", changes: [{ from: 2026-12-07T09:00, members: [carol, bob, alice] }]"))
            let later = now.adding(seconds: 3600)
            let plan = try await scenario.plan(at: later)
            golden(plan, "roster-change")
            #expect(plan.hasChanges)
            #expect(try await scenario.apply(at: later).1.succeeded)
            let again = try await scenario.plan(at: later)
            #expect(!again.hasChanges, "\(PlanRenderer.text(again))")
            try await expectShowsConfiguration(scenario, schedule: "PSHIFT1", from: later)
            try await expectNoDuplicates(scenario, schedule: "PSHIFT1")
        }
    }

    // MARK: - Switches of the simulated PagerDuty

    /// The simulated PagerDuty's switches for behaviour the reference leaves unconfirmed, each
    /// in its non-default position (the other tests run the defaults).
    static let switches: [String] = [
        "listTimesInUTC", "requireOverriddenMemberAssigned", "requireSourceShiftInWindow",
        "rejectImmutableOverrideFields", "partialOverrideBatches", "dropCrossingOverrides", "inProgressOverrideDeleteStatus",
        "wrongKindOnV2Status", "errorsAsList", "rejectOverlappingOverrides",
    ]

    @Test("export, a swap of the turn in progress and of future turns, then no changes, with each unconfirmed switch flipped", arguments: switches)
    func switchFlipped(_ name: String) async throws {
        try await run { scenario in
            scenario.server.updateQuirks { quirks in
                switch name {
                case "listTimesInUTC": quirks.v3.listTimesInUTC = true
                case "requireOverriddenMemberAssigned": quirks.v3.requireOverriddenMemberAssigned = true
                case "requireSourceShiftInWindow": quirks.v3.requireSourceShiftInWindow = true
                case "rejectImmutableOverrideFields": quirks.v3.rejectImmutableOverrideFields = true
                case "partialOverrideBatches": quirks.v3.partialOverrideBatches = true
                case "dropCrossingOverrides": quirks.v3.dropCrossingOverrides = true
                case "inProgressOverrideDeleteStatus": quirks.v3.inProgressOverrideDeleteStatus = 200
                case "wrongKindOnV2Status": quirks.v3.wrongKindOnV2Status = 404
                case "errorsAsList": quirks.v3.errorsAsList = true
                case "rejectOverlappingOverrides": quirks.v3.rejectOverlappingOverrides = true
                default: Issue.record("unknown switch \(name)")
                }
            }
            #expect(try await scenario.apply(at: now).1.succeeded)
            #expect(!(try await scenario.plan(at: now).hasChanges))
            try scenario.reconfigure(config(swaps: """
                    swaps:
                      - [2026-11-23T09:00, 2026-11-30T09:00]
                      - [2026-12-07T09:00, 2026-12-14T09:00]
                """))
            let later = at("2026-11-26T10:00:00Z")
            let (plan, report) = try await scenario.apply(at: later)
            #expect(plan.summary.move > 0)
            #expect(report.succeeded, "\(report.failures)")
            let again = try await scenario.plan(at: later)
            #expect(!again.hasChanges, "\(PlanRenderer.text(again))")
            try await expectShowsConfiguration(scenario, schedule: "PSHIFT1", from: later)
            try await expectNoDuplicates(scenario, schedule: "PSHIFT1", at: later)
        }
    }

    // MARK: - Drift and manual changes

    @Test("an override Handoff made, deleted by hand: drift, reported with keep and recreated with revert")
    func drift() async throws {
        for manualChanges in ["keep", "revert"] {
            try await run(config(manualChanges: manualChanges)) { scenario in
                #expect(try await scenario.apply(at: now).1.succeeded)
                let owned = try await scenario.store.read().destinations["primary-pd"]?.overrides ?? []
                let victim = try #require(owned.first { $0.start == at("2026-12-07T08:00:00Z") })
                guard case .rotation = victim.target else { throw SyncError("the victim is not a rotation override: \(victim.target)") }
                try await byHand(scenario) { client in
                    _ = try await client.deleteV3Override(scheduleID: "PSHIFT1", overrideID: victim.id, now: now)
                }
                #expect(await v3(scenario, "PSHIFT1").overrides.allSatisfy { $0.id != victim.id })
                let plan = try await scenario.plan(at: now)
                golden(plan, "drift-\(manualChanges == "keep" ? "kept" : "reverted")")
                if manualChanges == "keep" {
                    #expect(plan.summary.drift == 1 && !plan.hasChanges, "\(PlanRenderer.text(plan))")
                } else {
                    #expect(plan.summary.create == 1 && plan.summary.drift == 0, "\(PlanRenderer.text(plan))")
                    let create = try #require(plan.destinations.first?.actions(.create).first)
                    #expect(create.start == victim.start && create.end == victim.end && create.target == victim.target)
                    #expect(try await scenario.apply(at: now).1.succeeded)
                    #expect(!(try await scenario.plan(at: now).hasChanges))
                    try await expectShowsConfiguration(scenario, schedule: "PSHIFT1")
                }
            }
        }
    }

    @Test("a v3 override made by hand before the watermark: kept and reported with keep, deleted with revert")
    func manualOverride() async throws {
        for manualChanges in ["keep", "revert"] {
            try await run(config(manualChanges: manualChanges)) { scenario in
                #expect(try await scenario.apply(at: now).1.succeeded)
                let rotation = try #require(await v3(scenario, "PSHIFT1").rotations.first?.id)
                // Mallory takes two hours of Carol's week (the rotation's own, where Handoff wrote nothing).
                try await byHand(scenario) { client in
                    let override = NewOverrideShift(
                        target: .rotation(id: rotation), start: at("2027-01-01T10:00:00Z"), end: at("2027-01-01T12:00:00Z"),
                        overriddenMember: .user(id: carol), overridingMember: .user(id: mallory)
                    )
                    if case .refused(let error) = try await client.createV3Overrides(scheduleID: "PSHIFT1", [override]) { throw error }
                }
                let plan = try await scenario.plan(at: now)
                golden(plan, "manual-\(manualChanges == "keep" ? "kept" : "reverted")")
                if manualChanges == "keep" {
                    #expect(plan.summary.kept == 1 && !plan.hasChanges, "\(PlanRenderer.text(plan))")
                } else {
                    #expect(plan.summary.delete == 1 && plan.summary.kept == 0, "\(PlanRenderer.text(plan))")
                    #expect(try await scenario.apply(at: now).1.succeeded)
                    #expect(await v3(scenario, "PSHIFT1").overrides.allSatisfy { $0.overriding.userID != mallory })
                    #expect(!(try await scenario.plan(at: now).hasChanges))
                    try await expectShowsConfiguration(scenario, schedule: "PSHIFT1")
                }
            }
        }
    }

    // MARK: - Overlapping overrides refused

    /// Bob covers the rest of Alice's turn in progress from Friday 2026-11-27 09:00 Berlin: her
    /// started override of Carol's rotation turn ends there, Bob's begins there.
    private static let coverFromFriday = "    assignments:\n      - { person: bob, from: 2026-11-27T09:00, until: 2026-11-30T09:00 }\n"

    /// Every handoff from Monday 2026-11-30 a day later, the same people in the same order: each
    /// future override moves by a day, over the current hours of its neighbour.
    private static let handoffsADayLater =
        ", changes: [{ from: 2026-11-30T09:00, members: [bob, carol, alice], turn: 8d }, { from: 2026-12-08T09:00, members: [carol, alice, bob], turn: 1w }]"

    /// The changes after the export, each applied with the simulated PagerDuty refusing an
    /// override that overlaps another of the same rotation and member (reference 7.6).
    static let overlapCases = ["swap of the turn in progress", "future swap", "handoffs a day later", "cover of the rest of the turn in progress"]

    @Test("with overlapping overrides refused, a change after the export is written in an order that never overlaps two overrides of one rotation member; PagerDuty then shows the configuration", arguments: overlapCases)
    func overlapsRefused(_ change: String) async throws {
        try await run { scenario in
            scenario.server.updateQuirks { $0.v3.rejectOverlappingOverrides = true }
            #expect(try await scenario.apply(at: now).1.succeeded)
            var later = now.adding(seconds: 3600)
            switch change {
            case "swap of the turn in progress":
                try scenario.reconfigure(config(swaps: "    swaps:\n      - [2026-11-23T09:00, 2026-11-30T09:00]\n"))
                later = at("2026-11-26T10:00:00Z")
            case "future swap":
                try scenario.reconfigure(config(swaps: swap))
            case "handoffs a day later":
                try scenario.reconfigure(config(changes: Self.handoffsADayLater))
            default:
                try scenario.reconfigure(config(swaps: Self.coverFromFriday))
                later = at("2026-11-26T10:00:00Z")
            }
            let plan = try await scenario.plan(at: later)
            let destination = try #require(plan.destinations.first)
            switch change {
            case "swap of the turn in progress":
                // Carol's rotation turn: Alice's started override goes (cut to end now) before Bob's from now is made.
                #expect(destination.actions(.delete).contains { $0.start < later && $0.userID == alice }, "\(PlanRenderer.text(plan))")
                #expect(destination.actions(.create).contains { $0.start == later && $0.userID == bob }, "\(PlanRenderer.text(plan))")
            case "cover of the rest of the turn in progress":
                golden(plan, "cover-rest-of-turn", json: true)
                let cut = try #require(destination.actions(.move).first, "\(PlanRenderer.text(plan))")
                #expect(cut.previous?.start == cut.start && cut.start < later && cut.userID == alice && cut.end == at("2026-11-27T08:00:00Z"))
                #expect(destination.actions(.delete).isEmpty && destination.actions(.create).map(\.userID) == [bob], "\(PlanRenderer.text(plan))")
            default:
                #expect(destination.actions(.move).count >= 2, "\(PlanRenderer.text(plan))")
            }

            scenario.server.log.reset()
            let (_, report) = try await scenario.apply(at: later)
            #expect(report.succeeded, "\(report.failures)")
            let refused = scenario.server.log.all.filter { $0.status == 400 && $0.method != "GET" }
            #expect(refused.isEmpty, "\(refused)")
            if change == "cover of the rest of the turn in progress" {
                #expect(scenario.server.log.all.filter { $0.method == "PUT" }.map(\.status) == [200], "the started override's end moved in place")
                #expect(!scenario.server.log.all.contains { $0.method == "DELETE" })
                let record = try #require(try await scenario.store.read().destinations["primary-pd"]?.overrides.first { $0.userID == alice && $0.start < later && $0.end > later })
                #expect(record.end == at("2026-11-27T08:00:00Z"), "the state holds the override's new end")
            }
            let again = try await scenario.plan(at: later)
            #expect(!again.hasChanges, "\(PlanRenderer.text(again))")
            try await expectShowsConfiguration(scenario, schedule: "PSHIFT1", from: later)
            try await expectNoDuplicates(scenario, schedule: "PSHIFT1", at: later)
        }
    }

    @Test("with overlapping overrides refused, an apply killed between cutting a started override and creating its successor converges", arguments: ["updated", "created"])
    func killedBetweenCutAndCreate(at step: String) async throws {
        try await run { scenario in
            scenario.server.updateQuirks { $0.v3.rejectOverlappingOverrides = true }
            #expect(try await scenario.apply(at: now).1.succeeded)
            try scenario.reconfigure(config(swaps: Self.coverFromFriday))
            let later = at("2026-11-26T10:00:00Z")
            scenario.server.log.reset()
            // Killed at the record of the cut (PagerDuty moved the end, the state does not know)
            // or at the record of the create (both done, the create not recorded).
            let killed = try await applyKilled(scenario, at: later) { change in step == "updated" ? !change.updated.isEmpty : !change.created.isEmpty }
            #expect(!killed.succeeded)
            let cut = await v3(scenario, "PSHIFT1").overrides.first { $0.overriding.userID == alice && $0.start < later && $0.end > later }
            #expect(cut?.end == at("2026-11-27T08:00:00Z"), "PagerDuty holds the cut")
            let bobs = await v3(scenario, "PSHIFT1").overrides.filter { $0.overriding.userID == bob && $0.start == at("2026-11-27T08:00:00Z") }
            #expect(bobs.count == (step == "updated" ? 0 : 1), "the run stopped before its next call")

            let (_, report) = try await scenario.apply(at: later)
            #expect(report.succeeded, "\(report.failures)")
            let refused = scenario.server.log.all.filter { $0.status == 400 && $0.method != "GET" }
            #expect(refused.isEmpty, "\(refused)")
            let again = try await scenario.plan(at: later)
            #expect(!again.hasChanges, "\(PlanRenderer.text(again))")
            try await expectShowsConfiguration(scenario, schedule: "PSHIFT1", from: later)
            try await expectNoDuplicates(scenario, schedule: "PSHIFT1", at: later)
        }
    }

    // MARK: - PagerDuty's clock ahead of the plan's

    /// Alice's and Bob's turns in progress swapped (Bob takes hers from Monday 2026-11-23).
    private static let swapInProgress = "    swaps:\n      - [2026-11-23T09:00, 2026-11-30T09:00]\n"

    /// Applies `plan` as `handoff apply <saved plan>` does, at `instant` by PagerDuty's clock.
    private func applySaved(_ plan: Plan, _ scenario: Scenario, at instant: Instant) async throws -> Applier.Report {
        scenario.server.clock.set(instant)
        let run = ApplyRun(
            configuration: scenario.configuration, store: scenario.store, holder: LockHolder.current(operation: "apply", now: instant), lockTimeout: 0,
            savedPlan: plan, now: instant, connectionOptions: scenario.options(instant)
        )
        return try await run.run().report
    }

    /// The swap of the turn in progress planned at `planned`, then (after `applied`) the override
    /// of Carol's rotation turn that Alice holds and Bob's that replaces it, as PagerDuty has them.
    private func cutAndReplacement(_ scenario: Scenario, planned: Instant) async -> (alice: SandboxV3Override?, bob: [SandboxV3Override]) {
        let overrides = await v3(scenario, "PSHIFT1").overrides.filter { $0.overridden.userID == carol }
        return (
            overrides.first { $0.overriding.userID == alice && $0.start < planned },
            overrides.filter { $0.overriding.userID == bob && $0.start >= planned && $0.start < at("2026-11-30T08:00:00Z") }
        )
    }

    @Test(
        "a swap of the turn in progress applied while PagerDuty's clock is ahead of the plan's: the replacement starts where PagerDuty cut the started override, overlaps refused or not",
        arguments: [(Int64(90), true, "0"), (90, false, "0"), (3630, true, "0"), (3600, true, "0"), (90, true, "2w")]
    )
    func replacementStartsAtTheCut(seconds: Int64, refuseOverlaps: Bool, freeze: String) async throws {
        try await run { scenario in
            scenario.server.updateQuirks { $0.v3.rejectOverlappingOverrides = refuseOverlaps }
            #expect(try await scenario.apply(at: now).1.succeeded)
            try scenario.reconfigure(config(swaps: Self.swapInProgress, freeze: freeze))
            let planned = at("2026-11-26T10:00:00Z")
            let applied = planned.adding(seconds: seconds)
            let plan = try await scenario.plan(at: planned)
            let text = PlanRenderer.text(plan)
            #expect(plan.destinations.first?.actions(.create).contains { $0.start == planned && $0.userID == bob } == true, "\(text)")

            scenario.server.log.reset()
            let report = try await applySaved(plan, scenario, at: applied)
            #expect(report.succeeded, "\(report.failures)")
            #expect(PlanRenderer.text(plan) == text, "the plan is not changed")
            let refused = scenario.server.log.all.filter { $0.status == 400 && $0.method != "GET" }
            #expect(refused.isEmpty, "\(refused)")
            let (cut, replacements) = await cutAndReplacement(scenario, planned: planned)
            #expect(cut?.end == applied, "PagerDuty cut Alice's override when the delete arrived")
            #expect(replacements.map(\.start) == [applied], "Bob's starts where Alice's was cut: \(replacements)")
            let record = try await scenario.store.read().destinations["primary-pd"]?.overrides.first { $0.id == replacements.first?.id }
            #expect(record?.start == applied, "the state holds the start PagerDuty has")

            // Plans round their time down to the minute, and PagerDuty cut to the second: a plan
            // within the cut's own minute finds Bob's starting and Alice's ending inside it, and
            // takes both as where the plan's minute has them (begun, ended).
            let minute = Instant(secondsSinceEpoch: applied.secondsSinceEpoch / 60 * 60)
            for manualChanges in ["keep", "revert"] {
                try scenario.reconfigure(config(swaps: Self.swapInProgress, manualChanges: manualChanges, freeze: freeze))
                for later in [applied, minute.adding(seconds: 59), minute.adding(seconds: 60), applied.adding(seconds: 3600)] {
                    let again = try await scenario.plan(at: later)
                    #expect(!again.hasChanges && again.destinations.allSatisfy(\.actions.isEmpty), "\(manualChanges) at \(later): \(PlanRenderer.text(again))")
                }
            }
            try await expectShowsConfiguration(scenario, schedule: "PSHIFT1", from: applied)
            try await expectNoDuplicates(scenario, schedule: "PSHIFT1", at: applied)
        }
    }

    @Test(
        "the answer to reading the cut override back is lost: its replacement is not created, the run fails with one sentence, and the next apply converges, within the cut's minute or later",
        arguments: [Int64(10), 60], ["0", "2w"]
    )
    func cutReadLost(retryAfter: Int64, freeze: String) async throws {
        try await run { scenario in
            scenario.server.updateQuirks { $0.v3.rejectOverlappingOverrides = true }
            #expect(try await scenario.apply(at: now).1.succeeded)
            try scenario.reconfigure(config(swaps: Self.swapInProgress, freeze: freeze))
            let planned = at("2026-11-26T10:00:00Z")
            let applied = planned.adding(seconds: 90)
            scenario.server.log.reset()
            // Once planned, PagerDuty's clock moves on and every read answers 500 (the applier
            // reads nothing else while it writes).
            let report = try await scenario.applyKilled(at: planned, wrap: { $0 }) { _ in
                scenario.server.clock.set(applied)
                scenario.server.updateFaults {
                    $0.serverErrorMethods = ["GET"]
                    $0.serverErrorBurst = 1000
                }
            }
            scenario.server.updateFaults { $0.serverErrorBurst = 0 }
            #expect(report.failures.count == 1, "\(report.failures)")
            let failure = report.failures.first ?? ""
            #expect(failure.contains("could not be read back") && failure.contains("was not created"), "\(failure)")
            #expect(!failure.contains(SandboxHarness.key))
            let deletes = scenario.server.log.all.filter { $0.method == "DELETE" }
            #expect(deletes.count == 1 && !scenario.server.log.all.contains { $0.method == "POST" }, "nothing sent after the read: \(scenario.server.log.all)")
            let (cut, replacements) = await cutAndReplacement(scenario, planned: planned)
            #expect(cut?.end == applied && replacements.isEmpty)
            // Still Handoff's, marked delete-pending: for the next plan (and its freeze check) the
            // override this apply set out to replace, until its listing shows where it ended.
            let kept = try await scenario.store.read().destinations["primary-pd"]?.overrides.first { $0.id == cut?.id }
            #expect(kept?.deletePending == true, "\(String(describing: kept))")

            // The next apply, retried within the cut's minute or a minute on, creates Bob's from
            // its own time, and never over the cut override's last seconds.
            let next = applied.adding(seconds: retryAfter)
            scenario.server.clock.set(next)
            scenario.server.log.reset()
            let (_, again) = try await scenario.apply(at: next)
            #expect(again.succeeded, "\(again.failures)")
            #expect(scenario.server.log.all.filter { $0.status == 400 && $0.method != "GET" }.isEmpty)
            #expect(await cutAndReplacement(scenario, planned: planned).bob.map(\.start) == [max(applied, next.flooredToMinute)])
            #expect(!(try await scenario.plan(at: next).hasChanges))
            try await expectShowsConfiguration(scenario, schedule: "PSHIFT1", from: next)
            try await expectNoDuplicates(scenario, schedule: "PSHIFT1", at: next)
        }
    }

    // MARK: - Several rotations

    @Test("a schedule with several rotations: without pagerduty_rotation the plan names them; with it the export works and says the others stay on call")
    func multiRotation() async throws {
        try await run(config(schedule: "PMULTI1")) { scenario in
            let rotations = await v3(scenario, "PMULTI1").rotations.map(\.id)
            #expect(rotations.count == 2)
            do {
                let plan = try await scenario.plan(at: now)
                Issue.record("a plan without pagerduty_rotation: \(PlanRenderer.text(plan))")
            } catch {
                let sentence = "\(error)"
                #expect(rotations.allSatisfy { sentence.contains($0) }, "\(sentence)")
                #expect(sentence.contains("pagerduty_rotation"), "\(sentence)")
            }
            try scenario.reconfigure(config(schedule: "PMULTI1", destinationExtra: ", pagerduty_rotation: \(rotations[0])"))
            let plan = try await scenario.plan(at: now)
            golden(plan, "multi-rotation", json: true)
            #expect(plan.destinations.first?.notes.isEmpty == false)
            #expect(try await scenario.apply(at: now).1.succeeded)
            #expect(!(try await scenario.plan(at: now).hasChanges))
            try await expectShowsConfiguration(scenario, schedule: "PMULTI1", others: [rotations[1]])
        }
    }

    // MARK: - Upgraded in place

    @Test("a layer-based schedule upgraded in place to shift-based: the plan stops naming state readopt; after it, the plan adopts or creates without duplicates", arguments: [false, true])
    func upgradedInPlace(convertOverrides: Bool) async throws {
        try await run(config(schedule: "PLAYER1")) { scenario in
            #expect(try await scenario.apply(at: now).1.succeeded)
            #expect(try await scenario.store.read().destinations["primary-pd"]?.scheduleKind == .layerBased)
            #expect(await scenario.overrides("PLAYER1").count == 7)

            scenario.server.updateQuirks { $0.v3.convertOverridesOnUpgrade = convertOverrides }
            #expect(try await scenario.server.upgradeScheduleToV3(id: "PLAYER1"))
            #expect(await scenario.overrides("PLAYER1").isEmpty, "the v2 overrides are gone from the v2 side")
            #expect(await v3(scenario, "PLAYER1").overrides.count == (convertOverrides ? 7 : 0))

            let later = now.adding(seconds: 3600)
            do {
                let plan = try await scenario.plan(at: later)
                Issue.record("a plan on the upgraded schedule: \(PlanRenderer.text(plan))")
            } catch {
                let sentence = "\(error)"
                #expect(sentence.contains("destination \"primary-pd\": its PagerDuty schedule PLAYER1 is now shift-based"), "\(sentence)")
                #expect(sentence.contains("run `handoff state readopt primary-pd`"), "\(sentence)")
            }

            // What `handoff state readopt primary-pd` records.
            let session = try await scenario.store.acquire(LockHolder.current(operation: "state readopt", now: later), timeout: 0)
            let record = try #require(await session.currentState.destinations["primary-pd"])
            try await session.record(StateChange.readopt("primary-pd", record))
            _ = try await session.finish()
            await session.release()

            let plan = try await scenario.plan(at: later)
            golden(plan, "upgraded-\(convertOverrides ? "overrides-converted" : "overrides-dropped")")
            #expect(plan.destinations.first?.scheduleKind == .shiftBased)
            #expect(plan.summary.delete == 0)
            if convertOverrides {
                #expect(plan.summary.adopt == 7 && plan.summary.create == 0, "\(PlanRenderer.text(plan))")
            } else {
                #expect(plan.summary.create == 7 && plan.summary.adopt == 0, "\(PlanRenderer.text(plan))")
            }
            #expect(try await scenario.apply(at: later).1.succeeded)
            #expect(try await scenario.store.read().destinations["primary-pd"]?.scheduleKind == .shiftBased)
            let again = try await scenario.plan(at: later)
            #expect(!again.hasChanges, "\(PlanRenderer.text(again))")
            #expect(await v3(scenario, "PLAYER1").overrides.count == 7)
            try await expectNoDuplicates(scenario, schedule: "PLAYER1", at: later)
            try await expectShowsConfiguration(scenario, schedule: "PLAYER1", from: later)
        }
    }

    // MARK: - Faults

    @Test("with 5xx, 429 bursts and dropped POST answers, repeated applies of the export and of a swap converge with no duplicate overrides or custom shifts")
    func faultsConverge() async throws {
        try await run { scenario in
            scenario.server.updateFaults {
                $0.serverErrorRate = 0.15
                $0.serverErrorBurst = 2
                $0.serverErrorMethods = ["GET", "POST", "PUT", "DELETE"]
                $0.rateLimitBurst = 3
                $0.rateLimitHeaders = false
                $0.dropAfterPostRate = 0.3
                $0.dropNextPosts = 2
                $0.seed = 11
            }
            #expect(try await applyUntilDone(scenario, at: now) <= 12)
            #expect(scenario.server.log.all.contains { $0.status == 429 })
            #expect(scenario.server.log.all.contains { $0.status >= 500 })
            // `dropNextPosts` loses the answers of the first two POSTs that get through, after
            // PagerDuty made their objects: the checks below find no duplicate of them.
            scenario.server.updateFaults { $0.serverErrorRate = 0; $0.dropAfterPostRate = 0 }
            try await expectNoDuplicates(scenario, schedule: "PSHIFT1", "first export")
            #expect(!(try await scenario.plan(at: now).hasChanges))

            scenario.server.updateFaults {
                $0.serverErrorRate = 0.15
                $0.dropAfterPostRate = 0.3
                $0.rateLimitBurst = 2
            }
            try scenario.reconfigure(config(swaps: swap, changes: ", changes: [{ from: 2026-12-21T09:00, members: [carol, bob, alice] }]"))
            let later = now.adding(seconds: 3600)
            #expect(try await applyUntilDone(scenario, at: later) <= 12)
            scenario.server.updateFaults { $0.serverErrorRate = 0; $0.dropAfterPostRate = 0 }
            #expect(scenario.server.log.all.contains { $0.method == "PUT" && $0.status == 200 }, "moves in place were made under the faults")
            try await expectNoDuplicates(scenario, schedule: "PSHIFT1", at: later, "swap and roster change")
            let again = try await scenario.plan(at: later)
            #expect(!again.hasChanges, "\(PlanRenderer.text(again))")
            try await expectShowsConfiguration(scenario, schedule: "PSHIFT1", from: later)
        }
    }

    @Test("killed after PagerDuty confirmed the first creates and before recording them: a clean apply adopts them, with no duplicates")
    func killedMidApply() async throws {
        try await run { scenario in
            let killed = try await applyKilledAtFirstRecord(scenario, at: now)
            #expect(!killed.succeeded)
            let made = await v3(scenario, "PSHIFT1")
            #expect(!made.overrides.isEmpty, "PagerDuty has the objects the dead run created")
            #expect(try await scenario.store.read().allOwnedIDs.isEmpty, "none was recorded")

            let plan = try await scenario.plan(at: now)
            #expect(plan.summary.adopt == made.overrides.count + made.customShifts.count, "\(PlanRenderer.text(plan))")
            #expect(try await scenario.apply(at: now).1.succeeded)
            #expect(!(try await scenario.plan(at: now).hasChanges))
            try await expectNoDuplicates(scenario, schedule: "PSHIFT1", "after the clean apply")
            try await expectShowsConfiguration(scenario, schedule: "PSHIFT1")
        }
    }

    /// Applies until a run succeeds (at most `limit` runs), as a daily pipeline would.
    private func applyUntilDone(_ scenario: Scenario, at instant: Instant, limit: Int = 12) async throws -> Int {
        for run in 1...limit {
            let (_, report) = try await scenario.apply(at: instant, batchSize: 5)
            if report.succeeded { return run }
        }
        return limit + 1
    }

    /// Plans and applies as `apply --auto-approve` does, through a session that dies, like a
    /// process under `kill -9`, at its first record (the first objects PagerDuty confirmed).
    private func applyKilledAtFirstRecord(_ scenario: Scenario, at instant: Instant) async throws -> Applier.Report {
        try await applyKilled(scenario, at: instant) { _ in true }
    }

    /// Plans and applies as `apply --auto-approve` does, through a session that dies, like a
    /// process under `kill -9`, at the first record `dies` picks (that one and later ones are
    /// never written).
    private func applyKilled(_ scenario: Scenario, at instant: Instant, dies: @escaping @Sendable (StateChange) -> Bool) async throws -> Applier.Report {
        try await scenario.applyKilled(at: instant, wrap: { DiesAtRecord($0, dies: dies) })
    }

    // MARK: - Checks

    /// The simulated PagerDuty's own final schedule of `schedule` (read from its store, not
    /// through Handoff) shows, at every boundary from `from` to six weeks after `now`, exactly the
    /// person the configuration has on call, on the rotation the export replaces (other
    /// rotations, listed in `others`, are left out).
    private func expectShowsConfiguration(_ scenario: Scenario, schedule id: String, from: Instant = now, others: Set<String> = []) async throws {
        let configuration = scenario.configuration
        let schedule = try #require(configuration.schedule(named: "primary"))
        let window = InstantRange(start: from, end: now.adding(seconds: 6 * 7 * 86_400))
        let shifts = RotaExpander.expand(schedule, over: window).shifts
        let details = try #require(await scenario.server.store.schedule(id: id)?.v3)
        let shown = V3FinalSchedule.assignments(details, window: window, fixedUTC: false).filter { assignment in
            switch assignment.source {
            case .rotation(let rotation), .rotationOverride(let rotation, _): !others.contains(rotation)
            case .customShift, .customShiftOverride: true
            }
        }
        var ids: [String: String] = [:]
        for person in configuration.people {
            if let user = await scenario.server.store.user(email: person.email) { ids[person.key] = user.id }
        }
        var boundaries = Set([window.start])
        for shift in shifts { boundaries.formUnion([shift.start, shift.end]) }
        for entry in shown { boundaries.formUnion([entry.range.start, entry.range.end]) }
        var mismatches: [String] = []
        for instant in boundaries.sorted() where window.start <= instant && instant < window.end {
            let wanted = shifts.first { $0.start <= instant && instant < $0.end }.flatMap { ids[$0.person] }
            let onCall = Set(shown.filter { $0.range.start <= instant && instant < $0.range.end }.compactMap(\.member.userID))
            if onCall != Set([wanted].compactMap { $0 }) {
                mismatches.append("\(instant): configuration \(wanted ?? "nobody"), PagerDuty \(onCall.sorted())")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10).joined(separator: "\n"))")
        #expect(boundaries.count > 6)
    }
    /// The shift-based parts of `schedule` as the simulated PagerDuty stores them.
    private func v3(_ scenario: Scenario, _ schedule: String) async -> SandboxV3Details {
        await scenario.server.store.schedule(id: schedule)?.v3 ?? SandboxV3Details()
    }

    /// A PagerDuty client of the scenario's simulated PagerDuty: a person's changes by hand.
    private func byHand<T: Sendable>(_ scenario: Scenario, _ body: (PagerDutyClient) async throws -> T) async throws -> T {
        let configuration = PagerDutyClient.Configuration(
            baseURL: scenario.server.baseURL, key: APIKey(SandboxHarness.key), connectionName: "by hand", keySource: "SCENARIO_TOKEN"
        )
        return try await PagerDutyClient.withClient(configuration: configuration, body)
    }

    /// No two live overrides (same rotation, times, replaced and replacing member) and no two
    /// custom shifts (same times and member) alike on `schedule`, and every live one Handoff's
    /// own (in the state).
    private func expectNoDuplicates(_ scenario: Scenario, schedule: String, at instant: Instant = now, _ context: String = "") async throws {
        let details = await v3(scenario, schedule)
        let overrides = details.overrides.filter { $0.end > instant }
        let overrideKeys = overrides.map { "\($0.rotationID ?? "-") \($0.start) \($0.end) \($0.overridden.userID ?? "-") \($0.overriding.userID ?? "-")" }
        #expect(Set(overrideKeys).count == overrideKeys.count, "\(context): two overrides alike: \(overrideKeys.sorted())")
        let shifts = details.customShifts.filter { $0.end > instant }
        let shiftKeys = shifts.map { "\($0.start) \($0.end) \($0.member.userID ?? "-")" }
        #expect(Set(shiftKeys).count == shiftKeys.count, "\(context): two custom shifts alike: \(shiftKeys.sorted())")
        let owned = try await scenario.store.read().allOwnedIDs
        let untracked = overrides.map(\.id).filter { !owned.contains($0) } + shifts.map(\.id).filter { !owned.contains($0) }
        #expect(untracked.isEmpty, "\(context): objects not in the state: \(untracked)")
    }
}

/// A state session whose process dies at the first record `dies` picks: that record and every
/// later one are never written.
private actor DiesAtRecord: StateSession {
    private let inner: any StateSession
    private let dies: @Sendable (StateChange) -> Bool
    private var dead = false

    init(_ inner: any StateSession, dies: @escaping @Sendable (StateChange) -> Bool) {
        self.inner = inner
        self.dies = dies
    }

    var initialState: HandoffState { get async { await inner.initialState } }
    var currentState: HandoffState { get async { await inner.currentState } }

    func record(_ change: StateChange) async throws {
        if dies(change) { dead = true }
        if dead { throw StateError(.writeFailed, "the process was killed") }
        try await inner.record(change)
    }

    func finish() async throws -> HandoffState {
        throw StateError(.writeFailed, "the process was killed")
    }

    func replace(with state: HandoffState) async throws {
        throw StateError(.writeFailed, "the process was killed")
    }

    func release() async {}
}
