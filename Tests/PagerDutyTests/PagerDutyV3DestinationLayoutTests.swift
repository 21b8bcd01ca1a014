import HandoffDestination
import HandoffPagerDuty
import HandoffTime
import PagerDuty
import Testing

private func at(_ text: String) -> Instant {
    guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
    return instant
}

/// `V3Layout`, the pure half of the v3 export (reference section 12): a rotation's own timeline
/// from PagerDuty's final schedule, and the pieces each exported shift becomes.
@Suite("PagerDuty v3 destination: the layout of shifts on a shift-based schedule")
struct PagerDutyV3DestinationLayoutTests {
    static let rotation = "AROTATION0000000000000001"
    static let other = "AROTATION0000000000000002"

    static func entry(_ start: String, _ end: String, _ user: String?, rotation: String = rotation, override: String? = nil) -> PagerDutyComputedShift {
        PagerDutyComputedShift(
            start: at(start), end: at(end), member: user.map { .user(id: $0) } ?? .empty,
            source: override.map { PagerDutyShiftSource(kind: .rotationOverride, rotationID: rotation, overrideID: $0) }
                ?? PagerDutyShiftSource(kind: .rotation, rotationID: rotation)
        )
    }

    static func shift(_ start: String, _ end: String, _ user: String) -> PlannedOverride {
        PlannedOverride(start: at(start), end: at(end), userID: user)
    }

    static func piece(_ start: String, _ end: String, _ user: String, _ target: OverrideTarget?) -> LayoutPiece {
        LayoutPiece(start: at(start), end: at(end), write: target.map { PlannedOverride(start: at(start), end: at(end), userID: user, target: $0) })
    }

    static func layout(
        _ assignments: [PagerDutyComputedShift], _ shifts: [PlannedOverride], overrides: [PagerDutyOverrideShift] = [],
        rotations: [V3Layout.Rotation] = [V3Layout.Rotation(id: rotation, names: ["Weekly"])], requested: String? = nil
    ) throws -> DestinationLayout {
        try V3Layout.layout(schedule: "PSHIFT1", requested: requested, rotations: rotations, assignments: assignments, overrides: overrides, shifts: shifts)
    }

    static func replacing(_ user: String) -> OverrideTarget { .rotation(id: rotation, replacing: user) }

    @Test("the reference's worked example (12.7): split at the handoff, a gap between two events becomes a custom shift, no merge across it")
    func workedExample() throws {
        let final = [
            Self.entry("2026-09-07T08:00:00Z", "2026-09-14T08:00:00Z", "PALICE1"),
            Self.entry("2026-09-14T08:00:00Z", "2026-09-15T00:00:00Z", "PCAROL1"),
            Self.entry("2026-09-15T08:00:00Z", "2026-09-21T08:00:00Z", "PCAROL1"),
        ]
        let layout = try Self.layout(final, [Self.shift("2026-09-12T00:00:00Z", "2026-09-16T00:00:00Z", "PBOB001")])
        #expect(layout.kind == .shiftBased && layout.updatesInPlace && layout.notes.isEmpty)
        #expect(layout.pieces == [[
            Self.piece("2026-09-12T00:00:00Z", "2026-09-14T08:00:00Z", "PBOB001", Self.replacing("PALICE1")),
            Self.piece("2026-09-14T08:00:00Z", "2026-09-15T00:00:00Z", "PBOB001", Self.replacing("PCAROL1")),
            Self.piece("2026-09-15T00:00:00Z", "2026-09-15T08:00:00Z", "PBOB001", .customShift),
            Self.piece("2026-09-15T08:00:00Z", "2026-09-16T00:00:00Z", "PBOB001", Self.replacing("PCAROL1")),
        ]])
    }

    @Test("a swap: the part in the person's own turn is written as nothing, the part in another's turn an override of that member")
    func swap() throws {
        let final = [
            Self.entry("2026-11-16T08:00:00Z", "2026-11-23T08:00:00Z", "PALICE1"),
            Self.entry("2026-11-23T08:00:00Z", "2026-11-30T08:00:00Z", "PBOB001"),
        ]
        let layout = try Self.layout(final, [
            Self.shift("2026-11-20T09:00:00Z", "2026-11-27T09:00:00Z", "PBOB001"),
            Self.shift("2026-11-24T09:00:00Z", "2026-11-25T09:00:00Z", "PALICE1"),
        ])
        #expect(layout.pieces == [
            [
                Self.piece("2026-11-20T09:00:00Z", "2026-11-23T08:00:00Z", "PBOB001", Self.replacing("PALICE1")),
                Self.piece("2026-11-23T08:00:00Z", "2026-11-27T09:00:00Z", "PBOB001", nil),
            ],
            [Self.piece("2026-11-24T09:00:00Z", "2026-11-25T09:00:00Z", "PALICE1", Self.replacing("PBOB001"))],
        ])
    }

    @Test("a shift wholly inside the person's own turn is one piece with nothing to write")
    func ownTurn() throws {
        let final = [Self.entry("2026-11-16T08:00:00Z", "2026-11-23T08:00:00Z", "PALICE1")]
        let layout = try Self.layout(final, [Self.shift("2026-11-17T00:00:00Z", "2026-11-18T00:00:00Z", "PALICE1")])
        #expect(layout.pieces == [[Self.piece("2026-11-17T00:00:00Z", "2026-11-18T00:00:00Z", "PALICE1", nil)]])
    }

    @Test("overrides on the rotation count as the member they hide (Handoff's own from the last run, a person's), so the pieces do not change")
    func overriddenMember() throws {
        let final = [
            Self.entry("2026-11-16T08:00:00Z", "2026-11-20T09:00:00Z", "PALICE1"),
            Self.entry("2026-11-20T09:00:00Z", "2026-11-23T08:00:00Z", "PBOB001", override: "OVR1"),
            Self.entry("2026-11-23T08:00:00Z", "2026-11-30T08:00:00Z", "PBOB001"),
        ]
        let overrides = [
            PagerDutyOverrideShift(
                id: "OVR1", target: .rotation(id: Self.rotation), start: at("2026-11-20T09:00:00Z"), end: at("2026-11-23T08:00:00Z"),
                overriddenMember: .user(id: "PALICE1"), overridingMember: .user(id: "PBOB001")
            )
        ]
        let layout = try Self.layout(final, [Self.shift("2026-11-20T09:00:00Z", "2026-11-27T09:00:00Z", "PBOB001")], overrides: overrides)
        #expect(layout.pieces == [[
            Self.piece("2026-11-20T09:00:00Z", "2026-11-23T08:00:00Z", "PBOB001", Self.replacing("PALICE1")),
            Self.piece("2026-11-23T08:00:00Z", "2026-11-27T09:00:00Z", "PBOB001", nil),
        ]])
        // Back-to-back pieces of the same member merge, even where the final schedule cut them.
        let merged = try Self.layout(final, [Self.shift("2026-11-18T00:00:00Z", "2026-11-23T00:00:00Z", "PCAROL1")], overrides: overrides)
        #expect(merged.pieces == [[Self.piece("2026-11-18T00:00:00Z", "2026-11-23T00:00:00Z", "PCAROL1", Self.replacing("PALICE1"))]])
        // An override entry whose override is not listed (or says not whom it replaces) is an error, not a guess.
        let unknown = #expect(throws: DestinationError.self) {
            try Self.layout(final, [Self.shift("2026-11-20T09:00:00Z", "2026-11-27T09:00:00Z", "PBOB001")])
        }
        #expect(unknown?.message.contains("shows an override OVR1 on rotation \(Self.rotation) that its override list does not hold") == true)
    }

    @Test("a vacant seat and time the rotation does not cover become one custom shift; other rotations' entries and custom shifts are not the rotation")
    func vacantAndGap() throws {
        let final = [
            Self.entry("2026-11-16T08:00:00Z", "2026-11-17T08:00:00Z", "PALICE1"),
            Self.entry("2026-11-17T08:00:00Z", "2026-11-18T08:00:00Z", nil),
            Self.entry("2026-11-18T08:00:00Z", "2026-11-25T08:00:00Z", "PCAROL1", rotation: Self.other),
            PagerDutyComputedShift(
                start: at("2026-11-18T08:00:00Z"), end: at("2026-11-19T08:00:00Z"), member: .user(id: "PDAVE01"),
                source: PagerDutyShiftSource(kind: .customShift, shiftID: "CS1")
            ),
            Self.entry("2026-11-19T08:00:00Z", "2026-11-20T08:00:00Z", "PALICE1"),
        ]
        let layout = try Self.layout(final, [Self.shift("2026-11-17T00:00:00Z", "2026-11-20T00:00:00Z", "PBOB001")])
        #expect(layout.pieces == [[
            Self.piece("2026-11-17T00:00:00Z", "2026-11-17T08:00:00Z", "PBOB001", Self.replacing("PALICE1")),
            Self.piece("2026-11-17T08:00:00Z", "2026-11-19T08:00:00Z", "PBOB001", .customShift),
            Self.piece("2026-11-19T08:00:00Z", "2026-11-20T00:00:00Z", "PBOB001", Self.replacing("PALICE1")),
        ]])
    }

    @Test("several seats of the rotation at once (every_member): nothing where the person holds one, else a custom shift beside them, with a note")
    func concurrentSeats() throws {
        let final = [
            Self.entry("2026-11-16T08:00:00Z", "2026-11-17T08:00:00Z", "PALICE1"),
            Self.entry("2026-11-16T08:00:00Z", "2026-11-17T08:00:00Z", "PCAROL1"),
            Self.entry("2026-11-17T08:00:00Z", "2026-11-18T08:00:00Z", "PALICE1"),
        ]
        let layout = try Self.layout(final, [
            Self.shift("2026-11-16T12:00:00Z", "2026-11-17T12:00:00Z", "PBOB001"),
            Self.shift("2026-11-16T12:00:00Z", "2026-11-17T12:00:00Z", "PCAROL1"),
        ])
        #expect(layout.pieces == [
            [
                Self.piece("2026-11-16T12:00:00Z", "2026-11-17T08:00:00Z", "PBOB001", .customShift),
                Self.piece("2026-11-17T08:00:00Z", "2026-11-17T12:00:00Z", "PBOB001", Self.replacing("PALICE1")),
            ],
            [
                Self.piece("2026-11-16T12:00:00Z", "2026-11-17T08:00:00Z", "PCAROL1", nil),
                Self.piece("2026-11-17T08:00:00Z", "2026-11-17T12:00:00Z", "PCAROL1", Self.replacing("PALICE1")),
            ],
        ])
        #expect(layout.notes == [
            "rotation \(Self.rotation) has several people on call at once during parts of the exported shifts; "
                + "there the exported person is added with a custom shift beside them, and nobody is taken off call"
        ])
    }

    @Test("several rotations: none named is an error naming the choices; one named by id or event name is used, with a note on the others")
    func severalRotations() throws {
        let rotations = [
            V3Layout.Rotation(id: Self.rotation, names: ["Weekly"]),
            V3Layout.Rotation(id: Self.other, names: ["Nights \u{1B}[31m"]),
        ]
        let final = [
            Self.entry("2026-11-16T08:00:00Z", "2026-11-23T08:00:00Z", "PALICE1"),
            Self.entry("2026-11-16T08:00:00Z", "2026-11-23T08:00:00Z", "PCAROL1", rotation: Self.other),
        ]
        let shifts = [Self.shift("2026-11-17T00:00:00Z", "2026-11-18T00:00:00Z", "PBOB001")]
        let unnamed = #expect(throws: DestinationError.self) { try Self.layout(final, shifts, rotations: rotations) }
        #expect(unnamed?.message == "PagerDuty schedule PSHIFT1 is shift-based and has 2 rotations (\(Self.rotation) (\"Weekly\"), \(Self.other) (\"Nights \\u{1B}[31m\")); "
            + "name the one whose on-call the export replaces with pagerduty_rotation")
        let unknown = #expect(throws: DestinationError.self) { try Self.layout(final, shifts, rotations: rotations, requested: "Days\n") }
        #expect(unknown?.message == "PagerDuty schedule PSHIFT1 has no rotation \"Days\\u{A}\" (by id or event name); its rotations are "
            + "\(Self.rotation) (\"Weekly\"), \(Self.other) (\"Nights \\u{1B}[31m\")")

        for requested in [Self.other, "nights \u{1B}[31m"] {
            let layout = try Self.layout(final, shifts, rotations: rotations, requested: requested)
            #expect(layout.pieces == [[Self.piece("2026-11-17T00:00:00Z", "2026-11-18T00:00:00Z", "PBOB001", .rotation(id: Self.other, replacing: "PCAROL1"))]])
            #expect(layout.notes == [
                "the exported person is on call beside the members of the schedule's other rotations (\(Self.rotation) (\"Weekly\")), who stay on call: "
                    + "on a shift-based schedule Handoff overrides only rotation \(Self.other), and PagerDuty cannot make one person the only one on call"
            ])
        }
        let twice = [V3Layout.Rotation(id: "R1", names: ["Weekly"]), V3Layout.Rotation(id: "R2", names: ["weekly"])]
        let ambiguous = #expect(throws: DestinationError.self) { try Self.layout(final, shifts, rotations: twice, requested: "Weekly") }
        #expect(ambiguous?.message == "pagerduty_rotation \"Weekly\" names 2 rotations of PagerDuty schedule PSHIFT1 (R1 (\"Weekly\"), R2 (\"weekly\")); name one by its id")
    }

    @Test("one rotation and none named: that one; no rotation at all: every piece a custom shift")
    func oneOrNoRotation() throws {
        let final = [Self.entry("2026-11-16T08:00:00Z", "2026-11-23T08:00:00Z", "PALICE1")]
        let shifts = [Self.shift("2026-11-17T00:00:00Z", "2026-11-18T00:00:00Z", "PBOB001")]
        #expect(try Self.layout(final, shifts).pieces == [[Self.piece("2026-11-17T00:00:00Z", "2026-11-18T00:00:00Z", "PBOB001", Self.replacing("PALICE1"))]])
        let none = try Self.layout([], shifts, rotations: [])
        #expect(none.pieces == [[Self.piece("2026-11-17T00:00:00Z", "2026-11-18T00:00:00Z", "PBOB001", .customShift)]] && none.notes.isEmpty)
        #expect(throws: DestinationError.self) { try Self.layout([], shifts, rotations: [], requested: "Weekly") }
    }
}
