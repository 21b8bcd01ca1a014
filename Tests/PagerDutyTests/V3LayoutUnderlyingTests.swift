import HandoffDestination
import HandoffPagerDuty
import HandoffTime
import PagerDuty
import Testing

private typealias Fixture = PagerDutyV3DestinationLayoutTests

private func range(_ start: String, _ end: String) -> InstantRange {
    InstantRange(start: Fixture.entry(start, end, nil).start, end: Fixture.entry(start, end, nil).end)
}

/// What the layout tells the plan's handovers: who the chosen rotation itself has on call
/// (reference section 12.2), so that a period no override holds names that member, not nobody.
@Suite("PagerDuty v3 destination: the rotation's own members for the handovers")
struct V3LayoutUnderlyingTests {
    @Test("the layout carries the rotation's own timeline: its entries, the member an override on it hides; no vacant seat, other rotation or custom shift")
    func ownTimeline() throws {
        let final = [
            Fixture.entry("2026-11-16T08:00:00Z", "2026-11-20T09:00:00Z", "PALICE1"),
            Fixture.entry("2026-11-20T09:00:00Z", "2026-11-23T08:00:00Z", "PBOB001", override: "OVR1"),
            Fixture.entry("2026-11-23T08:00:00Z", "2026-11-24T08:00:00Z", nil),
            Fixture.entry("2026-11-23T08:00:00Z", "2026-11-30T08:00:00Z", "PCAROL1", rotation: Fixture.other),
            PagerDutyComputedShift(
                start: Fixture.shift("2026-11-24T08:00:00Z", "2026-11-25T08:00:00Z", "PDAVE01").start,
                end: Fixture.shift("2026-11-24T08:00:00Z", "2026-11-25T08:00:00Z", "PDAVE01").end,
                member: .user(id: "PDAVE01"), source: PagerDutyShiftSource(kind: .customShift, shiftID: "CS1")
            ),
            Fixture.entry("2026-11-25T08:00:00Z", "2026-11-30T08:00:00Z", "PBOB001"),
        ]
        let overrides = [
            PagerDutyOverrideShift(
                id: "OVR1", target: .rotation(id: Fixture.rotation), start: range("2026-11-20T09:00:00Z", "2026-11-23T08:00:00Z").start,
                end: range("2026-11-20T09:00:00Z", "2026-11-23T08:00:00Z").end, overriddenMember: .user(id: "PALICE1"), overridingMember: .user(id: "PBOB001")
            )
        ]
        let rotations = [V3Layout.Rotation(id: Fixture.rotation, names: ["Weekly"]), V3Layout.Rotation(id: Fixture.other, names: ["Daily"])]
        let shifts = [Fixture.shift("2026-11-21T00:00:00Z", "2026-11-27T00:00:00Z", "PCAROL1")]
        let layout = try Fixture.layout(final, shifts, overrides: overrides, rotations: rotations, requested: Fixture.rotation)
        #expect(
            layout.underlying == [
                UnderlyingOnCall(range: range("2026-11-16T08:00:00Z", "2026-11-20T09:00:00Z"), userID: "PALICE1", rotationID: Fixture.rotation),
                UnderlyingOnCall(range: range("2026-11-20T09:00:00Z", "2026-11-23T08:00:00Z"), userID: "PALICE1", rotationID: Fixture.rotation),
                UnderlyingOnCall(range: range("2026-11-25T08:00:00Z", "2026-11-30T08:00:00Z"), userID: "PBOB001", rotationID: Fixture.rotation),
            ]
        )
        // The other rotation's timeline when it is the one named.
        let other = try Fixture.layout(final, shifts, overrides: overrides, rotations: rotations, requested: Fixture.other)
        #expect(other.underlying == [UnderlyingOnCall(range: range("2026-11-23T08:00:00Z", "2026-11-30T08:00:00Z"), userID: "PCAROL1", rotationID: Fixture.other)])
    }

    @Test("a schedule with no rotation has no own members: every period no override holds says nobody; a layer-based layout knows none")
    func noRotation() throws {
        let layout = try Fixture.layout([], [Fixture.shift("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z", "PCAROL1")], rotations: [])
        #expect(layout.underlying.isEmpty)
        #expect(DestinationLayout.whole([Fixture.shift("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z", "PCAROL1")], kind: .layerBased).underlying.isEmpty)
    }
}
