import HandoffConfig
import HandoffDestination
import HandoffPlan
import HandoffRota
import HandoffState
import HandoffTime
import Testing
import YAMLNodes

/// The freeze check as a pure function: what it compares, and how far.
@Suite("FreezeCheck")
struct FreezeCheckTests {
    private static let place = SourceLocation(path: "t.yaml", line: 3, column: 5)
    private static let now = Instant(rfc3339: "2026-11-23T10:00:00Z")!
    private static let schedule = Schedule(
        name: "s", zone: .utc,
        rotation: Rotation(eras: [RotationEra(from: LocalDateTime(parsing: "2026-11-02T09:00")!, members: ["a", "b"], turn: CalendarDuration(1, .weeks), location: place)]),
        location: place
    )
    private static let users = ["a": "UA", "b": "UB"]

    private func at(_ text: String) -> Instant { Instant(rfc3339: text)! }

    private func check(_ overrides: [OverrideRecord], watermark: Instant?, shifts: [Shift], covered: [DesiredOverride] = []) -> FreezeCheck.Finding? {
        var input = FreezeCheck.Input(
            destination: "d", schedule: Self.schedule, now: Self.now,
            state: watermark.map { DestinationState(connection: "c", destinationSchedule: "P", watermark: $0, overrides: overrides) },
            shifts: shifts, userIDs: Self.users, directory: PeopleDirectory()
        )
        input.covered = covered
        return FreezeCheck.check(input)
    }

    @Test("on a shift-based schedule, a piece the rotation already gives the wanted person is no change, though no override records it")
    func coveredPieces() {
        // Bob's turn; PagerDuty's rotation has Bob until 12:00 (nothing written), then Alice, whom
        // an owned override replaces by Bob.
        let shifts = [Shift(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-30T09:00:00Z"), person: "b", reason: .rotation, era: 0, turn: 3)]
        let override = OverrideRecord(
            id: "O1", start: at("2026-11-23T12:00:00Z"), end: at("2026-11-30T09:00:00Z"), userID: "UB", target: .rotation(id: "R1", replacing: "UA")
        )
        var piece = DesiredOverride(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-23T12:00:00Z"), userID: "UB", person: "b", reason: .rotation)
        piece.covered = true
        let covered = [piece]
        #expect(check([override], watermark: at("2026-11-30T09:00:00Z"), shifts: shifts, covered: covered) == nil)
        // Without the covered piece the morning looks handed from nobody to Bob.
        #expect(check([override], watermark: at("2026-11-30T09:00:00Z"), shifts: shifts)?.changes.map(\.range) == [
            InstantRange(start: Self.now, end: at("2026-11-23T12:00:00Z"))
        ])
        // A piece of the rotation's that the configuration now gives Alice is a change all the same.
        let alice = [Shift(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-30T09:00:00Z"), person: "a", reason: .rotation, era: 0, turn: 3)]
        #expect(check([override], watermark: at("2026-11-30T09:00:00Z"), shifts: alice, covered: []) != nil)
    }

    @Test("a first export, and a freeze past the watermark, compare nothing beyond what was exported")
    func bounds() {
        let bob = [Shift(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-30T09:00:00Z"), person: "b", reason: .rotation, era: 0, turn: 3)]
        #expect(check([], watermark: nil, shifts: bob) == nil)
        // Exported to 12:00 only: the change is found there, and no further.
        let alice = [OverrideRecord(id: "1", start: at("2026-11-23T09:00:00Z"), end: at("2026-11-23T12:00:00Z"), userID: "UA")]
        let finding = check(alice, watermark: at("2026-11-23T12:00:00Z"), shifts: bob)
        #expect(finding?.changes.map(\.range) == [InstantRange(start: Self.now, end: at("2026-11-23T12:00:00Z"))])
        #expect(finding?.rotationLocation == "t.yaml:3")
        #expect(finding?.suggestedChange == "- { from: 2026-12-07T09:00, members: [a, b], turn: 1w }")
    }

    @Test("after an apply that created a replacement and failed before deleting the old override, the replacement is what is announced")
    func interruptedReplacement() {
        // A turn that starts inside the freeze: both overrides start with it, and the state keeps
        // them sorted by start and id, the old one last.
        let start = at("2026-11-30T09:00:00Z")
        let end = at("2026-12-07T09:00:00Z")
        let shifts = [Shift(start: start, end: end, person: "b", reason: .rotation, era: 0, turn: 4)]
        let replacement = OverrideRecord(id: "A2", start: start, end: end, userID: "UB")
        let old = OverrideRecord(id: "Z1", start: start, end: end, userID: "UA")
        #expect(check([replacement, old], watermark: end, shifts: shifts) == nil)
        #expect(check([old], watermark: end, shifts: shifts) != nil)
    }
}
