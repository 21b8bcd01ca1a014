import HandoffConfig
import HandoffDestination
import HandoffPlan
import HandoffRota
import HandoffState
import HandoffTestSupport
import HandoffTime
import Testing

/// The plan's `now`, a whole minute.
private let now = ReconcilerFixture.t(0)
private let rotation = OverrideTarget.rotation(id: "R1", replacing: "C")

/// `seconds` after the plan's `now`.
private func s(_ seconds: Int64) -> Instant { now.adding(seconds: seconds) }

private let day: Int64 = 86_400

private func override(_ id: String, _ start: Int64, _ end: Int64, _ user: String) -> OverrideRecord {
    OverrideRecord(id: id, start: s(start), end: s(end), userID: user, target: rotation)
}

/// One destination `d` on the shift-based schedule P1 that wants `wanted` (seconds from `now`,
/// already clipped to `now` as the expansion does), with the live overrides and the records of
/// Handoff's own, exported through four days.
private func plan(wanted: [(Int64, Int64, String)], live: [OverrideRecord], owned: [OverrideRecord], manualChanges: Destination.ManualChanges) -> Plan {
    Reconciler.plan(
        Reconciler.Input(
            now: now,
            destinations: [
                DestinationInput(
                    name: "d", connection: "acme", destinationSchedule: "P1", timeZone: "UTC", manualChanges: manualChanges,
                    desired: wanted.map {
                        DesiredOverride(start: s($0.0), end: s($0.1), userID: $0.2, person: $0.2.lowercased(), reason: .rotation, target: rotation)
                    },
                    members: ["a", "b", "c"], horizonEnd: s(28 * day), scheduleKind: .shiftBased, updatesInPlace: true
                )
            ],
            live: [
                ScheduleKey(connection: "acme", destinationSchedule: "P1"): ObservedSchedule(window: InstantRange(start: now, end: s(60 * day)), overrides: live)
            ],
            state: HandoffState(
                lineage: "L", serial: 3,
                destinations: ["d": DestinationState(connection: "acme", destinationSchedule: "P1", watermark: s(4 * day), overrides: owned, scheduleKind: .shiftBased)]
            ),
            directory: ReconcilerFixture.directory
        )
    )
}

private func lines(_ plan: Plan) -> [String] {
    plan.destinations.flatMap { destination in
        destination.actions.map { "\($0.kind.rawValue) \($0.userID) \($0.start - now)/\($0.end - now) \($0.overrideID ?? "-")" }
    }
}

/// A plan's `now` is a whole minute and PagerDuty keeps seconds: what begins or ends within the
/// plan's minute (a started override cut when Handoff's DELETE arrived, and its replacement
/// created from that second) is taken as the minute has it.
@Suite("The reconciler within the plan's minute (pure)")
struct ReconcilerPlanMinuteTests {
    @Test("the minute's bounds: what begins before its end has begun; what ends before its end has ended")
    func bounds() {
        let minute = PlanMinute(now)
        #expect(minute.end == s(60))
        #expect(minute.hasBegun(s(-day)) && minute.hasBegun(now) && minute.hasBegun(s(59)) && !minute.hasBegun(s(60)))
        #expect(!minute.outlasts(now) && !minute.outlasts(s(59)) && minute.outlasts(s(60)))
        #expect(minute.clipped(s(-day)) == now && minute.clipped(s(59)) == now && minute.clipped(s(60)) == s(60))
    }

    @Test(
        "seconds after an apply that cut Ana's override at second 30 and began Ben's there, the next plan finds nothing to do, manual changes kept or reverted",
        arguments: [Destination.ManualChanges.keep, .revert]
    )
    func cutWithinTheMinute(manualChanges: Destination.ManualChanges) {
        // Ana's cut override is no longer Handoff's (its delete is recorded); Ben's replacement is.
        let result = plan(
            wanted: [(0, 4 * day, "B")], live: [override("Q1", -day, 30, "A"), override("Q2", 30, 4 * day, "B")], owned: [override("Q2", 30, 4 * day, "B")],
            manualChanges: manualChanges
        )
        #expect(lines(result).isEmpty)
        #expect(!result.hasChanges)
    }

    @Test("an override that begins at the next minute has not begun: it is not the piece wanted from now, which is created")
    func nextMinuteNotBegun() {
        let result = plan(wanted: [(0, 4 * day, "B")], live: [override("Q2", 60, 4 * day, "B")], owned: [override("Q2", 60, 4 * day, "B")], manualChanges: .keep)
        #expect(lines(result) == ["create B 0/\(4 * day) -", "delete B 60/\(4 * day) Q2"])
    }

    @Test("an override made by hand that ends within the plan's minute is not reverted; one that ends at the minute's end is")
    func endsWithinTheMinute() {
        let wanted: [(Int64, Int64, String)] = [(0, 4 * day, "B")]
        let owned = [override("Q2", 0, 4 * day, "B")]
        let ending = plan(wanted: wanted, live: owned + [override("M1", -day, 59, "A")], owned: owned, manualChanges: .revert)
        #expect(lines(ending).isEmpty)
        let running = plan(wanted: wanted, live: owned + [override("M1", -day, 60, "A")], owned: owned, manualChanges: .revert)
        #expect(lines(running) == ["delete A -\(day)/60 M1"])
    }

    @Test("a plan within the minute of a cut whose replacement was not made (a retried apply) creates it from where the cut override ended")
    func retriedWithinTheMinute() {
        let result = plan(wanted: [(0, 4 * day, "B")], live: [override("Q1", -day, 30, "A")], owned: [], manualChanges: .keep)
        #expect(lines(result) == ["create B 30/\(4 * day) -"])
        // Only on the rotation that override replaces.
        let other = OverrideRecord(id: "Q1", start: s(-day), end: s(30), userID: "A", target: .rotation(id: "R2", replacing: "C"))
        #expect(lines(plan(wanted: [(0, 4 * day, "B")], live: [other], owned: [], manualChanges: .keep)) == ["create B 0/\(4 * day) -"])
    }

    @Test("Handoff's override begun within the minute whose person is wanted to another end: only its end moves, its start kept to the second")
    func cutOfOneBegunWithinTheMinute() {
        let result = plan(wanted: [(0, 2 * day, "B"), (2 * day, 4 * day, "A")], live: [override("Q2", 30, 4 * day, "B")], owned: [override("Q2", 30, 4 * day, "B")], manualChanges: .keep)
        #expect(lines(result) == ["create A \(2 * day)/\(4 * day) -", "move B 30/\(2 * day) Q2"])
    }
}
