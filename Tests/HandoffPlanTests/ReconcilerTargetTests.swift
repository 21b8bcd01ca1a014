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
private let rotationB = OverrideTarget.rotation(id: "R1", replacing: "B")
private let rotationA = OverrideTarget.rotation(id: "R1", replacing: "A")

private func piece(_ start: Int64, _ end: Int64, _ user: String, _ target: OverrideTarget = rotationB, covered: Bool = false) -> DesiredOverride {
    DesiredOverride(start: max(t(start), now), end: t(end), userID: user, person: user.lowercased(), reason: .rotation, target: target, covered: covered)
}

private func record(_ id: String, _ start: Int64, _ end: Int64, _ user: String, _ target: OverrideTarget = rotationB) -> OverrideRecord {
    OverrideRecord(id: id, start: t(start), end: t(end), userID: user, target: target)
}

private let directory = ReconcilerFixture.directory

/// One destination `d` writing the shift-based schedule P1.
private func plan(
    desired: [DesiredOverride], live: [OverrideRecord] = [], owned: [OverrideRecord] = [], watermark: Int64? = nil, updatesInPlace: Bool = true
) -> Plan {
    var destinations: [String: DestinationState] = [:]
    if !owned.isEmpty || watermark != nil {
        destinations["d"] = DestinationState(
            connection: "acme", destinationSchedule: "P1", watermark: watermark.map(t), overrides: owned, scheduleKind: .shiftBased
        )
    }
    return Reconciler.plan(
        Reconciler.Input(
            now: now,
            destinations: [
                DestinationInput(
                    name: "d", connection: "acme", destinationSchedule: "P1", timeZone: "UTC", manualChanges: .keep, desired: desired,
                    members: ["a", "b", "c"], horizonEnd: t(24 * 28), scheduleKind: .shiftBased, notes: ["other rotations stay on call"],
                    updatesInPlace: updatesInPlace
                )
            ],
            live: [ScheduleKey(connection: "acme", destinationSchedule: "P1"): ObservedSchedule(window: InstantRange(start: now, end: t(24 * 60)), overrides: live)],
            state: HandoffState(lineage: "L", serial: 3, destinations: destinations),
            directory: directory
        )
    )
}

private func lines(_ plan: Plan) -> [String] {
    plan.destinations.flatMap { destination in
        destination.actions.map { action in
            let from = action.previous.map { " from \($0.userID) \(($0.start.secondsSinceEpoch - now.secondsSinceEpoch) / 3600)/\(($0.end.secondsSinceEpoch - now.secondsSinceEpoch) / 3600)" } ?? ""
            return "\(action.kind.rawValue) \(action.userID) \((action.start.secondsSinceEpoch - now.secondsSinceEpoch) / 3600)/\((action.end.secondsSinceEpoch - now.secondsSinceEpoch) / 3600) \(action.target) \(action.overrideID ?? "-")\(from)"
        }
    }
}

@Suite("The reconciler with pieces and targets (shift-based schedules, pure)")
struct ReconcilerTargetTests {
    @Test("a covered piece is neither created nor matched: only the piece to write is created; the kind and notes reach the plan")
    func coveredNotCreated() {
        let result = plan(desired: [piece(24, 48, "A", covered: true), piece(48, 72, "A")])
        #expect(lines(result) == ["create A 48/72 \(rotationB) -"])
        #expect(result.destinations[0].scheduleKind == .shiftBased)
        #expect(result.destinations[0].notes == ["other rotations stay on call"])
        // The watermark still reaches the end of the whole shift.
        #expect(result.destinations[0].watermarkAfter == t(72))
    }

    @Test("a covered piece causes no delete: Handoff's override equal to the piece to write stays, and nothing else is asked")
    func coveredCausesNoDelete() {
        let result = plan(
            desired: [piece(24, 48, "A", covered: true), piece(48, 72, "A")], live: [record("Q1", 48, 72, "A")], owned: [record("Q1", 48, 72, "A")], watermark: 72
        )
        #expect(lines(result).isEmpty)
        #expect(!result.hasChanges)
    }

    @Test("an override of Handoff's where the rotation now covers the person is not matched by the covered piece: it goes")
    func coveredNeverMatched() {
        let result = plan(desired: [piece(24, 48, "A", covered: true)], live: [record("Q1", 24, 48, "A")], owned: [record("Q1", 24, 48, "A")], watermark: 48)
        #expect(lines(result) == ["delete A 24/48 \(rotationB) Q1"])
        // And no handover: Ana stays on call, by the rotation.
        #expect(result.destinations[0].handovers.isEmpty)
    }

    @Test("same start, end and person but another target: a delete and a create, never kept as equal")
    func targetMismatch() {
        let result = plan(
            desired: [piece(24, 48, "A", .customShift)], live: [record("Q1", 24, 48, "A")], owned: [record("Q1", 24, 48, "A")], watermark: 48,
            updatesInPlace: false
        )
        #expect(lines(result) == ["create A 24/48 customShift -", "delete A 24/48 \(rotationB) Q1"])
    }

    @Test("an override made by hand equal in all but the target is not adopted")
    func noAdoptionAcrossTargets() {
        let result = plan(desired: [piece(24, 48, "A")], live: [record("H1", 24, 48, "A", rotationA)], updatesInPlace: false)
        #expect(lines(result).contains("create A 24/48 \(rotationB) -"))
        #expect(!lines(result).contains { $0.hasPrefix("adopt") })
        let adopted = plan(desired: [piece(24, 48, "A")], live: [record("H1", 24, 48, "A")])
        #expect(lines(adopted) == ["adopt A 24/48 \(rotationB) H1"])
    }

    @Test("where the schedule changes objects in place, a delete and a create of one target in the future are one move, paired by start")
    func movesPaired() {
        // A swap: Ana's two future overrides of Ben's turns go to Cho and back; the custom shift has no partner.
        let result = plan(
            desired: [piece(24, 48, "C"), piece(72, 96, "C"), piece(100, 110, "C", .customShift)],
            live: [record("Q1", 24, 48, "A"), record("Q2", 72, 96, "A")],
            owned: [record("Q1", 24, 48, "A"), record("Q2", 72, 96, "A")], watermark: 96
        )
        #expect(lines(result) == [
            "create C 100/110 customShift -",
            "move C 24/48 \(rotationB) Q1 from A 24/48",
            "move C 72/96 \(rotationB) Q2 from A 72/96",
        ])
        let move = result.destinations[0].actions[1]
        #expect(move.previous == record("Q1", 24, 48, "A"))
        #expect(move.previousPerson == "Ana" && move.person == "Cho" && move.replacedPerson == "Ben")
        #expect(move.reason != nil, "a move says why the override as it was goes")
        #expect(result.summary.move == 2 && result.summary.create == 1 && result.summary.delete == 0)
        // Handovers are those of the delete and the create: who is on call changes the same way.
        #expect(result.destinations[0].handovers.map { "\($0.before?.userID ?? "-")→\($0.after?.userID ?? "-")" } == ["A→C", "A→C", "-→C"])
    }

    @Test("pairing is by start order whatever order the listing gave, and a different target is not paired")
    func movesDeterministic() {
        let desired = [piece(24, 30, "C"), piece(30, 40, "B", rotationA)]
        let live = [record("Q9", 50, 60, "A"), record("Q2", 10, 20, "A")]
        let result = plan(desired: desired, live: live, owned: live, watermark: 60)
        let reversed = plan(desired: desired, live: live.reversed(), owned: live.reversed(), watermark: 60)
        #expect(lines(result) == lines(reversed))
        #expect(lines(result) == [
            "create B 30/40 \(rotationA) -",
            "move C 24/30 \(rotationB) Q2 from A 10/20",
            "delete A 50/60 \(rotationB) Q9",
        ])
    }

    @Test("no move where the schedule cannot change objects in place, or where the override or the new piece has begun")
    func movesNotPaired() {
        let notInPlace = plan(desired: [piece(24, 48, "C")], live: [record("Q1", 24, 48, "A")], owned: [record("Q1", 24, 48, "A")], watermark: 48, updatesInPlace: false)
        #expect(lines(notInPlace) == ["create C 24/48 \(rotationB) -", "delete A 24/48 \(rotationB) Q1"])
        // Ana's override is in progress: the new piece starts now; neither may be moved.
        let started = plan(desired: [piece(-5, 48, "C")], live: [record("Q1", -5, 48, "A")], owned: [record("Q1", -5, 48, "A")], watermark: 48)
        #expect(lines(started) == ["create C 0/48 \(rotationB) -", "delete A -5/48 \(rotationB) Q1"])
        // The override has not begun, but the piece replacing it starts now.
        let newStarted = plan(desired: [piece(0, 48, "C")], live: [record("Q1", 1, 48, "A")], owned: [record("Q1", 1, 48, "A")], watermark: 48)
        #expect(lines(newStarted) == ["create C 0/48 \(rotationB) -", "delete A 1/48 \(rotationB) Q1"])
        // An override made by hand is never moved.
        let manual = plan(desired: [piece(24, 48, "C")], live: [record("H1", 24, 48, "X")], watermark: 48)
        #expect(!lines(manual).contains { $0.hasPrefix("move") })
    }

    @Test("a started override of a rotation that the same person keeps from now to another end is one move of its end alone; the next piece is a create")
    func startedOverrideCut() {
        // Ana's override began 5 hours ago; she now keeps it only until hour 20, Cho after her.
        let cut = plan(desired: [piece(-5, 20, "A"), piece(20, 48, "C")], live: [record("Q1", -5, 48, "A")], owned: [record("Q1", -5, 48, "A")], watermark: 48)
        #expect(lines(cut) == ["create C 20/48 \(rotationB) -", "move A -5/20 \(rotationB) Q1 from A -5/48"])
        let move = cut.destinations[0].actions(.move)
        #expect(move.first.flatMap(\.reason).map { "\($0)" }?.contains("inProgress: true") == false, "no longer said to be cut to end now")
        // Lengthened the same way; another target or another person is not paired.
        let longer = plan(desired: [piece(-5, 60, "A")], live: [record("Q1", -5, 48, "A")], owned: [record("Q1", -5, 48, "A")], watermark: 48)
        #expect(lines(longer) == ["move A -5/60 \(rotationB) Q1 from A -5/48"])
        let other = plan(desired: [piece(-5, 20, "A", rotationA)], live: [record("Q1", -5, 48, "A")], owned: [record("Q1", -5, 48, "A")], watermark: 48)
        #expect(lines(other).map { String($0.prefix(6)) } == ["create", "delete"])
        let layered = plan(desired: [piece(-5, 20, "A")], live: [record("Q1", -5, 48, "A")], owned: [record("Q1", -5, 48, "A")], watermark: 48, updatesInPlace: false)
        #expect(lines(layered).map { String($0.prefix(6)) } == ["create", "delete"])
    }

    @Test("handovers with covered pieces: where Handoff's override goes and the rotation gives the person back, no false gap")
    func handoversWithCovered() {
        // Ana held Mon-Mon through one override; now her rotation covers the first half, an override the rest.
        let split = plan(
            desired: [piece(24, 48, "A", covered: true), piece(48, 72, "A", rotationA)],
            live: [record("Q1", 24, 72, "A", .schedule)], owned: [record("Q1", 24, 72, "A", .schedule)], watermark: 72
        )
        #expect(lines(split) == ["create A 48/72 \(rotationA) -", "delete A 24/72 schedule Q1"])
        #expect(split.destinations[0].handovers.isEmpty, "\(split.destinations[0].handovers)")
        // Cho's swap over Ana's turn is undone: Cho → Ana, not Cho → nobody.
        let undone = plan(desired: [piece(24, 48, "A", covered: true)], live: [record("Q1", 24, 48, "C", rotationA)], owned: [record("Q1", 24, 48, "C", rotationA)], watermark: 48)
        let handovers = undone.destinations[0].handovers
        #expect(handovers.count == 1)
        #expect(handovers.first?.before?.userID == "C" && handovers.first?.after?.userID == "A")
        #expect(handovers.first?.range == InstantRange(start: t(24), end: t(48)))
    }
}
