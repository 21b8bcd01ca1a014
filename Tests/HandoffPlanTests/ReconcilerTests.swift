import Foundation
import HandoffConfig
import HandoffDestination
import HandoffPlan
import HandoffRota
import HandoffState
import HandoffTestSupport
import HandoffTime
import Testing

private func t(_ hours: Int64) -> Instant { ReconcilerFixture.t(hours) }

private let now = t(0)

private func desired(_ start: Int64, _ end: Int64, _ user: String, reason: Shift.Reason = .rotation) -> DesiredOverride {
    DesiredOverride(start: max(t(start), now), end: t(end), userID: user, person: user.lowercased(), reason: reason)
}

private func live(_ id: String, _ start: Int64, _ end: Int64, _ user: String) -> OverrideRecord {
    OverrideRecord(id: id, start: t(start), end: t(end), userID: user)
}

private func owned(_ id: String, _ start: Int64, _ end: Int64, _ user: String, deletePending: Bool = false) -> OverrideRecord {
    OverrideRecord(id: id, start: t(start), end: t(end), userID: user, deletePending: deletePending)
}

private let key = ScheduleKey(connection: "acme", destinationSchedule: "P1")

private let directory = ReconcilerFixture.directory

/// Plans one destination `d` writing P1 with the given desired overrides, live overrides and state.
private func plan(
    desired: [DesiredOverride],
    live overrides: [OverrideRecord] = [],
    owned records: [OverrideRecord] = [],
    watermark: Int64? = nil,
    manualChanges: Destination.ManualChanges = .keep,
    members: Set<String> = ["a", "b", "c"],
    horizonEnd: Int64 = 24 * 28,
    extraState: [String: DestinationState] = [:],
    allowFirstExportDeletes: Bool = false
) -> Plan {
    var destinations = extraState
    if !records.isEmpty || watermark != nil {
        destinations["d"] = DestinationState(connection: "acme", destinationSchedule: "P1", watermark: watermark.map(t), overrides: records)
    }
    let input = Reconciler.Input(
        now: now,
        destinations: [
            DestinationInput(
                name: "d",
                connection: "acme",
                destinationSchedule: "P1",
                timeZone: "UTC",
                manualChanges: manualChanges,
                desired: desired,
                members: members,
                horizonEnd: t(horizonEnd)
            )
        ],
        live: [key: ObservedSchedule(window: InstantRange(start: now, end: t(24 * 60)), overrides: overrides)],
        state: HandoffState(lineage: "L", serial: 3, destinations: destinations),
        directory: directory,
        allowFirstExportDeletes: allowFirstExportDeletes
    )
    return Reconciler.plan(input)
}

private func summary(_ plan: Plan) -> [String] {
    plan.destinations.flatMap { destination in
        destination.actions.map { "\($0.kind.rawValue) \($0.userID) \($0.start.secondsSinceEpoch - now.secondsSinceEpoch)/\($0.end.secondsSinceEpoch - now.secondsSinceEpoch) \($0.overrideID ?? "-") \($0.reasonWords() ?? "")" }
    }
}

@Suite("The reconciler, rule by rule (pure, no I/O)")
struct ReconcilerTests {
    @Test("nothing wanted, nothing live: no changes")
    func empty() {
        let result = plan(desired: [])
        #expect(!result.hasChanges)
        #expect(result.stateSerial == 3 && result.stateLineage == "L")
    }

    @Test("a desired override with no live equal is created; the watermark moves to the last end")
    func create() {
        let result = plan(desired: [desired(0, 24, "A"), desired(24, 48, "B")])
        #expect(summary(result) == ["create A 0/86400 - ", "create B 86400/172800 - "])
        #expect(result.destinations[0].watermarkAfter == t(48))
    }

    @Test("an owned live override equal to a desired one is left alone, also the one in progress")
    func ownedEqual() {
        // The live override began before now; the desired one is clipped to now: still equal.
        let result = plan(desired: [desired(-5, 24, "A")], live: [live("Q1", -5, 24, "A")], owned: [owned("Q1", -5, 24, "A")], watermark: 24)
        #expect(summary(result).isEmpty)
        #expect(!result.hasChanges)
    }

    @Test("the past is never touched: overrides that ended are ignored")
    func past() {
        let result = plan(desired: [desired(0, 24, "A")], live: [live("Q0", -48, -24, "B"), live("Q1", 0, 24, "A")], owned: [owned("Q0", -48, -24, "B"), owned("Q1", 0, 24, "A")], watermark: 24)
        #expect(summary(result).isEmpty)
    }

    @Test("an owned override deleted by a person before the watermark is drift with keep")
    func driftKeep() {
        let result = plan(desired: [desired(0, 24, "A"), desired(24, 48, "B")], live: [live("Q1", 0, 24, "A")], owned: [owned("Q1", 0, 24, "A"), owned("Q2", 24, 48, "B")], watermark: 48)
        #expect(summary(result) == ["drift B 86400/172800 - deleted in PagerDuty by hand; not recreated, as manual_changes is keep"])
        #expect(!result.hasChanges)
    }

    @Test("with revert, drift is recreated")
    func driftRevert() {
        let result = plan(desired: [desired(24, 48, "B")], owned: [owned("Q2", 24, 48, "B")], watermark: 48, manualChanges: .revert)
        #expect(summary(result) == ["create B 86400/172800 - recreated: deleted in PagerDuty by hand, and manual_changes is revert"])
    }

    @Test("after the watermark, a missing owned override is simply created again")
    func missingAfterWatermark() {
        let result = plan(desired: [desired(24, 48, "B")], owned: [owned("Q2", 24, 48, "B")], watermark: 24)
        #expect(summary(result) == ["create B 86400/172800 - "])
    }

    @Test("a configuration change always reaches PagerDuty, also before the watermark")
    func configurationChangeBeforeWatermark() {
        let result = plan(desired: [desired(24, 48, "C")], live: [live("Q2", 24, 48, "B")], owned: [owned("Q2", 24, 48, "B")], watermark: 48)
        #expect(summary(result) == ["create C 86400/172800 - ", "delete B 86400/172800 Q2 no longer desired: rotation changed"])
    }

    @Test("a foreign live override equal to a desired one is adopted, with no call")
    func adopt() {
        let result = plan(desired: [desired(24, 48, "B")], live: [live("M1", 24, 48, "B")])
        #expect(summary(result) == ["adopt B 86400/172800 M1 made outside Handoff, equal to the configuration"])
        #expect(result.hasChanges)
    }

    @Test("foreign overrides overlapping desired ones: overwritten after the watermark, kept before it with keep, deleted with revert")
    func foreign() {
        let overrides = [live("M1", 2, 4, "X"), live("M2", 30, 32, "X"), live("M3", 100, 102, "X")]
        let desiredOnes = [desired(0, 24, "A"), desired(24, 48, "B")]
        let records = [owned("Q1", 0, 24, "A")]
        let keep = plan(desired: desiredOnes, live: overrides + [live("Q1", 0, 24, "A")], owned: records, watermark: 24)
        #expect(summary(keep) == [
            "create B 86400/172800 - ",
            "delete X 108000/115200 M2 overwritten on first export",
            "keep X 7200/14400 M1 manual override before the watermark",
        ])
        let revert = plan(desired: desiredOnes, live: overrides + [live("Q1", 0, 24, "A")], owned: records, watermark: 24, manualChanges: .revert)
        #expect(summary(revert) == [
            "create B 86400/172800 - ",
            "delete X 7200/14400 M1 manual override reverted, as manual_changes is revert",
            "delete X 108000/115200 M2 overwritten on first export",
        ])
    }

    @Test("a delete says why in the words of the handovers its person loses: a roster change that also moves a time off cover is not labelled time off alone")
    func deletionReasonsFollowHandovers() {
        // Ana's turn goes to Ben by the rotation, and its last day to Cho, who covers Ben's time off.
        let result = plan(
            desired: [desired(24, 44, "B"), desired(44, 48, "C", reason: .timeOffCover(absent: "b"))],
            live: [live("Q1", 24, 48, "A")], owned: [owned("Q1", 24, 48, "A")], watermark: 48, members: ["a", "b", "c"]
        )
        let destination = result.destinations[0]
        #expect(destination.handovers.map(\.why) == [.rotationChanged, .timeOffCover])
        #expect(destination.actions(.delete).map { $0.reasonWords() } == ["no longer desired: rotation changed, time off cover"])
        // Hours that go to nobody keep the planner's literal reason.
        let nobody = plan(desired: [desired(0, 24, "A")], live: [live("Q1", 24, 48, "A")], owned: [owned("Q1", 24, 48, "A")], watermark: 48, members: ["a"])
        #expect(nobody.destinations[0].actions(.delete).map { $0.reasonWords() } == ["no longer desired: nobody is scheduled then"])
    }

    @Test("owned overrides nothing wants are deleted, with the reason; one in progress is cut to end now")
    func deletionReasons() {
        let wanted = [
            desired(0, 24, "A", reason: .swap),
            desired(24, 48, "B", reason: .timeOffCover(absent: "c")),
            desired(48, 72, "B", reason: .assignment),
            desired(72, 96, "A"),
        ]
        let overrides = [
            live("Q1", -2, 24, "B"), live("Q2", 24, 48, "C"), live("Q3", 48, 72, "A"), live("Q4", 72, 96, "B"),
            live("Q5", 200, 224, "A"), live("Q6", 96, 120, "A"), live("Q7", 72, 96, "X"),
        ]
        let records = overrides.map { owned($0.id, Int64(($0.start - now) / 3600), Int64(($0.end - now) / 3600), $0.userID) }
        let result = plan(desired: wanted, live: overrides, owned: records, watermark: 224, members: ["a", "b"], horizonEnd: 180)
        let deletes = result.destinations[0].actions(.delete).map { "\($0.overrideID ?? "") \($0.reasonWords() ?? "")" }
        #expect(deletes == [
            "Q1 no longer desired: swap; in progress, it is cut to end now",
            "Q2 member left the rotation",
            "Q3 no longer desired: explicit cover",
            "Q4 no longer desired: rotation changed",
            "Q7 member left the rotation",
            "Q6 no longer desired: nobody is scheduled then",
            // Beyond the horizon yet before the watermark: still in the window, so the reason is
            // what the configuration says of that time (a shorter horizon alone deletes nothing).
            "Q5 no longer desired: nobody is scheduled then",
        ])
        // Creates come first, so there is no moment without an override.
        let kinds = result.destinations[0].actions.map(\.kind)
        #expect(kinds.firstIndex(of: .delete) ?? 0 > kinds.lastIndex(of: .create) ?? 0)
    }

    @Test("two live overrides alike: the extra one goes")
    func duplicates() {
        let result = plan(desired: [desired(0, 24, "A")], live: [live("Q1", 0, 24, "A"), live("Q2", 0, 24, "A")], owned: [owned("Q1", 0, 24, "A"), owned("Q2", 0, 24, "A")], watermark: 24)
        // It began at the plan's minute: by the time the plan is applied it is in progress.
        #expect(summary(result) == ["delete A 0/86400 Q2 no longer desired: rotation changed; in progress, it is cut to end now"])
    }

    @Test("the watermark never moves backwards")
    func watermarkMonotonic() {
        let result = plan(desired: [desired(0, 24, "A")], live: [live("Q1", 0, 24, "A")], owned: [owned("Q1", 0, 24, "A")], watermark: 500)
        #expect(result.destinations[0].watermarkAfter == t(500))
        #expect(!result.destinations[0].watermarkMoves)
    }

    @Test("an override owned by another destination on the same PagerDuty schedule is not foreign")
    func sibling() {
        let sibling = DestinationState(connection: "acme", destinationSchedule: "P1", watermark: t(48), overrides: [owned("S1", 10, 20, "C")])
        let result = plan(desired: [desired(0, 24, "A")], live: [live("S1", 10, 20, "C")], extraState: ["sibling": sibling])
        #expect(summary(result).filter { $0.hasPrefix("create") } == ["create A 0/86400 - "])
        #expect(!summary(result).contains { $0.contains("S1") && $0.hasPrefix("delete X") })
        // The sibling is in the state but not configured: it is a removed destination.
        #expect(result.destinations.map(\.name) == ["d", "sibling"])
        #expect(result.destinations[1].removed)
    }

    @Test("planning twice with nothing changed gives the same plan")
    func stable() {
        let arguments = (
            [desired(0, 24, "A"), desired(24, 48, "B"), desired(48, 72, "C")],
            [live("Q1", 0, 24, "A"), live("M1", 30, 40, "X"), live("M2", 48, 72, "C")],
            [owned("Q1", 0, 24, "A")]
        )
        let first = plan(desired: arguments.0, live: arguments.1, owned: arguments.2, watermark: 24)
        let second = plan(desired: arguments.0, live: arguments.1.reversed(), owned: arguments.2, watermark: 24)
        #expect(first == second)
        #expect(PlanRenderer.text(first) == PlanRenderer.text(second))
    }

    @Test("a saved plan reads back to the same plan")
    func planFileRoundTrip() throws {
        let original = plan(desired: [desired(0, 24, "A"), desired(24, 48, "B")], live: [live("M1", 30, 40, "X")], watermark: nil)
        let text = PlanFile.encode(original, configurationDirectory: "teams")
        let decoded = try PlanFile.decode(Array(text.utf8))
        #expect(decoded.configurationDirectory == "teams")
        #expect(decoded.plan == original)
    }

    @Test(
        "a plan of 15,000 changes over 300 destinations: the markdown stays under the limit, names every destination with its counts and first handovers, and says where the full plan is",
        arguments: [PlanRenderer.defaultMarkdownSize, 32_768]
    )
    func bigPlanMarkdown(maxSize: Int) {
        var destinations: [DestinationInput] = []
        var live: [ScheduleKey: ObservedSchedule] = [:]
        let users = ["A", "B", "C"]
        for index in 0..<300 {
            let name = "team-\(index)-primary"
            destinations.append(DestinationInput(
                name: name, connection: "acme", destinationSchedule: "P\(index)", timeZone: "Europe/Berlin", manualChanges: .keep,
                desired: (0..<50).map { desired(Int64($0) * 24, Int64($0 + 1) * 24, users[($0 + index) % 3]) }, members: ["a", "b", "c"], horizonEnd: t(24 * 50)
            ))
            live[ScheduleKey(connection: "acme", destinationSchedule: "P\(index)")] = ObservedSchedule(window: InstantRange(start: now, end: t(1300)), overrides: [])
        }
        let big = Reconciler.plan(Reconciler.Input(now: now, destinations: destinations, live: live, state: .empty, directory: directory))
        #expect(big.summary.create == 15_000)
        let markdown = PlanRenderer.markdown(big, maxSize: maxSize)
        #expect(markdown.utf8.count <= maxSize)
        #expect(markdown.hasPrefix("### Handoff plan: 15000 to add, 0 to delete."))
        for index in 0..<300 {
            #expect(markdown.contains("<code>team&#45;\(index)&#45;primary</code> | 50 | 0 | 0 | ") || markdown.contains("<code>team-\(index)-primary</code> | 50 | 0 | 0 | "), "destination \(index) is missing")
        }
        #expect(markdown.contains("The full plan is the file `plan.txt` in the artifact `handoff-plan` of this run"))
        if maxSize >= PlanRenderer.defaultMarkdownSize {
            // Each row shows the first handover, and how many more there are.
            #expect(markdown.contains("(newly exported) **(on call now)** and 49 more") || markdown.contains("(newly exported) **(on call now)**<br>and 49 more"))
        } else {
            // Bitbucket's 32,768 characters hold the counts of 300 destinations, not their handovers.
            #expect(markdown.contains(" | 50 handovers |"))
        }
        #expect(!markdown.contains("```diff"))
        // The text plan holds everything.
        #expect(PlanRenderer.text(big).utf8.count > maxSize)
    }

    @Test("a plan that fits is rendered whole in markdown, with its overrides in a collapsed block")
    func smallPlanMarkdownIsWhole() {
        let small = plan(desired: [desired(0, 24, "A"), desired(24, 48, "B")])
        let markdown = PlanRenderer.markdown(small, maxSize: 10_000)
        #expect(markdown.contains("<details><summary>Overrides: 2 to add, 0 to delete</summary>"))
        #expect(markdown.contains("~ "))
        #expect(PlanRenderer.markdown(small, maxSize: 300).contains("| Destination | Add | Delete | Adopt | First handovers |"))
    }

    // MARK: - Handovers

    @Test("an override whose end alone changes is one handover of the difference, not a delete and a create")
    func handoverEndOnly() {
        let result = plan(desired: [desired(0, 24, "A"), desired(24, 48, "B")], live: [live("O1", 0, 48, "A")], owned: [owned("O1", 0, 48, "A")], watermark: 48)
        let handovers = result.destinations[0].handovers
        #expect(handovers.count == 1)
        #expect(handovers.first?.range == InstantRange(start: t(24), end: t(48)))
        #expect(handovers.first?.before?.name == "Ana" && handovers.first?.after?.name == "Ben")
        #expect(handovers.first?.why == .rotationChanged && handovers.first?.containsNow == false)
    }

    @Test("the shift in progress changing hands is a handover from now, marked on call now")
    func handoverInProgress() {
        let result = plan(desired: [desired(-24, 24, "B")], live: [live("O1", -24, 24, "A")], owned: [owned("O1", -24, 24, "A")], watermark: 24)
        let handover = try? #require(result.destinations[0].handovers.first)
        #expect(handover?.range == InstantRange(start: now, end: t(24)))
        #expect(handover?.containsNow == true)
        #expect(PlanRenderer.text(result).contains("Ana → Ben  (rotation changed)  (on call now)"))
    }

    @Test("nothing changes who is on call: no handover, also with a kept override made by hand on top")
    func handoverNone() {
        let result = plan(
            desired: [desired(0, 24, "A")], live: [live("O1", 0, 24, "A"), live("M1", 5, 7, "X")], owned: [owned("O1", 0, 24, "A")], watermark: 24
        )
        #expect(result.destinations[0].handovers.isEmpty)
        #expect(result.summary.kept == 1)
    }

    @Test("reasons from the new shift: swap, explicit cover and time off only where such an entry makes it")
    func handoverReasonsFromShifts() {
        let result = plan(
            desired: [desired(0, 24, "B", reason: .swap), desired(24, 48, "C", reason: .assignment), desired(48, 72, "A", reason: .timeOffCover(absent: "b")), desired(72, 96, "C")],
            live: [live("O1", 0, 96, "X")], owned: [owned("O1", 0, 96, "X")], watermark: 96
        )
        #expect(result.destinations[0].handovers.map(\.why) == [.swap, .explicitCover, .timeOffCover, .memberLeft])
    }

    @Test("reasons from the old override and the new shift's origin: era change, time zone, coverage, rotation")
    func handoverReasonsFromOrigins() {
        func shift(_ start: Int64, _ end: Int64, _ user: String, turn: (Int64, Int64), era: Int64? = nil, coverage: Bool = false) -> DesiredOverride {
            DesiredOverride(
                start: t(start), end: t(end), userID: user, person: user.lowercased(), reason: .rotation,
                origin: .init(shift: InstantRange(start: t(start), end: t(end)), turn: InstantRange(start: t(turn.0), end: t(turn.1)), eraStart: era.map(t), partialCoverage: coverage)
            )
        }
        // A changes entry from hour 24: the turn from then on is Cho's.
        let era = plan(desired: [shift(24, 48, "C", turn: (24, 48), era: 24)], live: [live("O1", 24, 48, "A")], owned: [owned("O1", 24, 48, "A")], watermark: 48)
        #expect(era.destinations[0].handovers.map(\.why) == [.rotationChange(from: t(24))])
        // Every handoff an hour later: Ana keeps her shift, an hour later at both ends.
        let zone = plan(
            desired: [shift(-23, 25, "C", turn: (-23, 25)), shift(25, 49, "A", turn: (25, 49)), shift(49, 73, "B", turn: (49, 73))],
            live: [live("O0", -24, 24, "C"), live("O1", 24, 48, "A"), live("O2", 48, 72, "B")],
            owned: [owned("O0", -24, 24, "C"), owned("O1", 24, 48, "A"), owned("O2", 48, 72, "B")], watermark: 72
        )
        #expect(zone.destinations[0].handovers.map(\.why) == [.timeZoneChanged, .timeZoneChanged, .exported])
        // Business hours moved within Ana's turn: Ben's evening hour is Ana's now.
        let coverage = plan(
            desired: [shift(24, 34, "A", turn: (0, 168), coverage: true)],
            live: [live("O1", 24, 33, "A"), live("O2", 33, 40, "B")], owned: [owned("O1", 24, 33, "A"), owned("O2", 33, 40, "B")], watermark: 168
        )
        #expect(coverage.destinations[0].handovers.map(\.why) == [.coverageChanged, .coverageChanged])
        // Members reordered: another person's whole turn.
        let rotation = plan(desired: [shift(24, 48, "B", turn: (24, 48))], live: [live("O1", 24, 48, "A")], owned: [owned("O1", 24, 48, "A")], watermark: 48)
        #expect(rotation.destinations[0].handovers.map(\.why) == [.rotationChanged])
    }

    @Test("an explicit cover by someone outside the rotation, cut by new coverage: the hours lost are coverage changed, and its delete is not member left")
    func handoverCoverCutByCoverage() {
        let result = plan(
            desired: [desired(24, 32, "C", reason: .assignment)], live: [live("O1", 24, 48, "C")], owned: [owned("O1", 24, 48, "C")], watermark: 48,
            members: ["a", "b"]
        )
        let destination = result.destinations[0]
        #expect(destination.handovers.map(\.why) == [.coverageChanged])
        #expect(destination.handovers.first?.range == InstantRange(start: t(32), end: t(48)) && destination.handovers.first?.after == nil)
        #expect(destination.actions(.delete).map { $0.reasonWords() } == ["no longer desired: explicit cover"])
    }

    @Test("overrides made by hand: reverted, or overwritten on first export; drift recreated")
    func handoverReasonsManual() {
        let reverted = plan(
            desired: [desired(0, 24, "A")], live: [live("O1", 0, 24, "A"), live("M1", 5, 7, "X")], owned: [owned("O1", 0, 24, "A")], watermark: 24, manualChanges: .revert
        )
        #expect(reverted.destinations[0].handovers.map(\.why) == [.manualOverrideReverted])
        #expect(reverted.destinations[0].handovers.first?.after?.name == "Ana")
        let first = plan(desired: [desired(0, 24, "A")], live: [live("M1", 5, 7, "X")])
        #expect(first.destinations[0].handovers.map(\.why) == [.exported, .firstExportOverForeign, .exported])
        let drift = plan(desired: [desired(0, 24, "A")], owned: [owned("O1", 0, 24, "A")], watermark: 24, manualChanges: .revert)
        #expect(drift.destinations[0].handovers.map(\.why) == [.recreated])
    }

    // MARK: - Deletes a killed apply left pending

    @Test("a record marked delete-pending and gone from PagerDuty was deleted by Handoff: dropped, never drift, and created again when wanted")
    func pendingDeleteGone() {
        // Q2's delete went through, the run died before recording it; the configuration then went back.
        let records = [owned("Q1", 0, 24, "A"), owned("Q2", 24, 48, "B", deletePending: true)]
        let reverted = plan(desired: [desired(0, 24, "A"), desired(24, 48, "B")], live: [live("Q1", 0, 24, "A")], owned: records, watermark: 48)
        #expect(summary(reverted) == ["create B 86400/172800 - "])
        #expect(reverted.summary.drift == 0)
        #expect(reverted.destinations[0].interruptedDeletes == InterruptedDeletes(done: ["Q2"]))
        // Not wanted any more either: the record still goes, so that a later revert is no drift.
        let unchanged = plan(desired: [desired(0, 24, "A")], live: [live("Q1", 0, 24, "A")], owned: records, watermark: 48)
        #expect(summary(unchanged).isEmpty)
        #expect(unchanged.hasChanges)
        #expect(unchanged.destinations[0].interruptedDeletes.done == ["Q2"])
        #expect(PlanRenderer.text(unchanged).contains("~ state     forget 1 override an interrupted apply deleted\n"))
        // Without the mark, the same record is what a person deleted by hand: drift.
        let byHand = plan(desired: [desired(0, 24, "A"), desired(24, 48, "B")], live: [live("Q1", 0, 24, "A")], owned: [owned("Q1", 0, 24, "A"), owned("Q2", 24, 48, "B")], watermark: 48)
        #expect(byHand.summary.drift == 1)
    }

    @Test("a record marked delete-pending still in PagerDuty is Handoff's: deleted again if unwanted, its mark cleared if wanted")
    func pendingDeletePresent() {
        let records = [owned("Q1", 0, 24, "A"), owned("Q2", 24, 48, "B", deletePending: true)]
        let overrides = [live("Q1", 0, 24, "A"), live("Q2", 24, 48, "B")]
        let unwanted = plan(desired: [desired(0, 24, "A"), desired(24, 48, "C")], live: overrides, owned: records, watermark: 48)
        #expect(summary(unwanted) == ["create C 86400/172800 - ", "delete B 86400/172800 Q2 no longer desired: rotation changed"])
        #expect(unwanted.destinations[0].interruptedDeletes.isEmpty)
        let wanted = plan(desired: [desired(0, 24, "A"), desired(24, 48, "B")], live: overrides, owned: records, watermark: 48)
        #expect(summary(wanted).isEmpty)
        #expect(wanted.destinations[0].interruptedDeletes == InterruptedDeletes(withdrawn: ["Q2"]))
        #expect(wanted.hasChanges)
    }

    @Test("a pending delete and the lost-state notice survive a saved plan")
    func planFileCarriesRecovery() throws {
        let pending = plan(desired: [desired(0, 24, "A")], live: [live("Q1", 0, 24, "A")], owned: [owned("Q1", 0, 24, "A"), owned("Q2", 24, 48, "B", deletePending: true)], watermark: 48)
        #expect(try PlanFile.decode(Array(PlanFile.encode(pending, configurationDirectory: ".").utf8)).plan == pending)
        let lost = plan(desired: [desired(0, 24, "A")], live: [live("M1", 0, 24, "A"), live("M2", 2, 4, "X")], allowFirstExportDeletes: true)
        let decoded = try PlanFile.decode(Array(PlanFile.encode(lost, configurationDirectory: ".").utf8)).plan
        #expect(decoded == lost)
        #expect(decoded.allowFirstExportDeletes && decoded.destinations[0].stateLooksLost)
    }

    // MARK: - Lost state

    @Test("no state, yet overrides equal to the configuration's: the state looks lost; adopted, and nothing made by hand is deleted")
    func lostState() {
        let overrides = [live("M1", 0, 24, "A"), live("M2", 30, 32, "X"), live("M3", 100, 102, "X")]
        let wanted = [desired(0, 24, "A"), desired(24, 48, "B")]
        let lost = plan(desired: wanted, live: overrides)
        #expect(summary(lost) == [
            "create B 86400/172800 - ",
            "adopt A 0/86400 M1 made outside Handoff, equal to the configuration",
            "keep X 108000/115200 M2 the state looks lost; --allow-first-export-deletes overwrites it",
        ])
        #expect(lost.destinations[0].stateLooksLost)
        #expect(PlanRenderer.text(lost).contains(
            "  ! state     looks lost: none is recorded for this destination, yet PagerDuty holds 1 override equal to the configuration's, adopted; "
                + "1 override made outside Handoff in the way stays (--allow-first-export-deletes overwrites it)\n"
        ))
        // With the flag, as on a first export.
        let allowed = plan(desired: wanted, live: overrides, allowFirstExportDeletes: true)
        #expect(summary(allowed) == [
            "create B 86400/172800 - ",
            "delete X 108000/115200 M2 overwritten on first export",
            "adopt A 0/86400 M1 made outside Handoff, equal to the configuration",
        ])
        #expect(allowed.destinations[0].stateLooksLost && allowed.allowFirstExportDeletes)
    }

    @Test("a real first export (no state, nothing equal) still overwrites overrides made by hand, and says nothing of lost state")
    func realFirstExport() {
        let result = plan(desired: [desired(0, 24, "A"), desired(24, 48, "B")], live: [live("M2", 30, 32, "X")])
        #expect(summary(result) == ["create A 0/86400 - ", "create B 86400/172800 - ", "delete X 108000/115200 M2 overwritten on first export"])
        #expect(!result.destinations[0].stateLooksLost)
        #expect(!PlanRenderer.text(result).contains("looks lost"))
        // A destination with a state is never "lost", equal foreign overrides or not.
        let known = plan(desired: [desired(0, 24, "A"), desired(24, 48, "B")], live: [live("M1", 0, 24, "A"), live("M2", 30, 32, "X")], owned: [owned("Q9", 200, 224, "C")], watermark: 0)
        #expect(!known.destinations[0].stateLooksLost)
        #expect(known.summary.delete == 1)
    }

    // MARK: - A shorter horizon

    /// The desired overrides the plan builder hands the reconciler for `primary` with `members`
    /// and `horizon`, given what the state says was exported; every person's user id is their key
    /// in upper case.
    private func desiredFor(members: String, horizon: String, exported: Instant?) throws -> (DestinationInput, [Shift]) {
        let text = ConfigFixtures.minimal
            .replacingOccurrences(of: "members: [alice, bob, carol]", with: "members: [\(members)]")
            .replacingOccurrences(of: "turn: 1w\n", with: "turn: 1w\n    horizon: \(horizon)\n")
        let loaded = ConfigFixtures.load(text)
        let schedule = try #require(loaded.configuration?.schedule(named: "primary"), "\(loaded.diagnostics)")
        let end = DesiredOverrides.windowEnd(schedule, now: now, exported: exported)
        let shifts = DesiredOverrides.wanted(
            RotaExpander.expand(schedule, over: DesiredOverrides.expansionWindow(schedule, now: now, end: end)).shifts, schedule: schedule, now: now, end: end
        )
        let desired = DesiredOverrides.make(shifts, now: now, userIDs: ["alice": "A", "bob": "B", "carol": "C"])
        let input = DestinationInput(
            name: "d", connection: "acme", destinationSchedule: "P1", timeZone: "Europe/Berlin", manualChanges: .keep, desired: desired,
            members: Set(schedule.members), horizonEnd: DesiredOverrides.horizonEnd(schedule, now: now)
        )
        return (input, shifts)
    }

    private func reconcile(_ destination: DestinationInput, live overrides: [OverrideRecord], watermark: Instant) -> Plan {
        let records = overrides.map { OverrideRecord(id: $0.id, start: $0.start, end: $0.end, userID: $0.userID) }
        return Reconciler.plan(
            Reconciler.Input(
                now: now,
                destinations: [destination],
                live: [key: ObservedSchedule(window: InstantRange(start: now, end: watermark), overrides: overrides)],
                state: HandoffState(lineage: "L", serial: 3, destinations: ["d": DestinationState(connection: "acme", destinationSchedule: "P1", watermark: watermark, overrides: records)]),
                directory: PeopleDirectory(users: [
                    "A": .init(name: "Alice", email: "alice@example.com", person: "alice"),
                    "B": .init(name: "Bob", email: "bob@example.com", person: "bob"),
                    "C": .init(name: "Carol", email: "carol@example.com", person: "carol"),
                ])
            )
        )
    }

    @Test("a shorter horizon deletes nothing exported; a change of a shift beyond it and before the watermark still reaches PagerDuty")
    func shorterHorizon() throws {
        // Exported with 8w: the overrides and the watermark as PagerDuty and the state hold them.
        let (long, longShifts) = try desiredFor(members: "alice, bob, carol", horizon: "8w", exported: nil)
        let exported = long.desired.enumerated().map { OverrideRecord(id: "Q\($0.offset)", start: longShifts[$0.offset].start, end: $0.element.end, userID: $0.element.userID) }
        let watermark = try #require(exported.map(\.end).max())

        // Horizon 2w: nothing to do, the watermark stays where it is (it is what PagerDuty holds).
        let (short, _) = try desiredFor(members: "alice, bob, carol", horizon: "2w", exported: watermark)
        #expect(short.desired.count == long.desired.count)
        let unchanged = reconcile(short, live: exported, watermark: watermark)
        #expect(summary(unchanged).isEmpty)
        #expect(!unchanged.hasChanges)
        #expect(unchanged.destinations[0].watermarkAfter == watermark)

        // Carol and bob trade places: turns beyond the 2w horizon, before the watermark, are
        // updated too; nothing beyond the watermark is exported.
        let (changed, _) = try desiredFor(members: "alice, carol, bob", horizon: "2w", exported: watermark)
        let result = reconcile(changed, live: exported, watermark: watermark)
        let creates = result.destinations[0].actions(.create)
        let deletes = result.destinations[0].actions(.delete)
        #expect(creates.contains { $0.start >= short.horizonEnd && $0.end <= watermark })
        #expect(deletes.contains { $0.start >= short.horizonEnd && $0.end <= watermark && $0.reasonWords() == "no longer desired: rotation changed" })
        #expect(creates.allSatisfy { $0.end <= watermark })
        #expect(creates.count == deletes.count && !creates.isEmpty)
        #expect(result.destinations[0].watermarkAfter == watermark)
    }
}
