import HandoffConfig
import HandoffDestination
import HandoffPlan
import HandoffRota
import HandoffState
import HandoffTestSupport
import HandoffTime
import OrderedJSON
import Testing

private func t(_ hours: Int64) -> Instant { ReconcilerFixture.t(hours) }

private let now = t(0)
private let rotation = "R1"

/// R1's own members: Ben for the first two days, Cho for the next two, then nobody (a gap).
private let ownMembers = [
    UnderlyingOnCall(range: InstantRange(start: t(-24), end: t(48)), userID: "B", rotationID: rotation),
    UnderlyingOnCall(range: InstantRange(start: t(48), end: t(96)), userID: "C", rotationID: rotation),
]

private func piece(_ start: Int64, _ end: Int64, _ user: String, replacing: String) -> DesiredOverride {
    DesiredOverride(start: t(start), end: t(end), userID: user, person: user.lowercased(), reason: .rotation, target: .rotation(id: rotation, replacing: replacing))
}

/// One destination `d` writing the shift-based schedule P1, whose rotation has `underlying` on call.
private func plan(desired: [DesiredOverride], owned: [OverrideRecord] = [], watermark: Int64? = nil, underlying: [UnderlyingOnCall]) -> Plan {
    var destinations: [String: DestinationState] = [:]
    if !owned.isEmpty || watermark != nil {
        destinations["d"] = DestinationState(
            connection: "acme", destinationSchedule: "P1", watermark: watermark.map(t), overrides: owned, scheduleKind: .shiftBased
        )
    }
    var input = DestinationInput(
        name: "d", connection: "acme", destinationSchedule: "P1", timeZone: "UTC", manualChanges: .keep, desired: desired,
        members: ["a", "b", "c"], horizonEnd: t(24 * 28), scheduleKind: .shiftBased, updatesInPlace: true
    )
    input.underlying = underlying
    return Reconciler.plan(
        Reconciler.Input(
            now: now,
            destinations: [input],
            live: [ScheduleKey(connection: "acme", destinationSchedule: "P1"): ObservedSchedule(window: InstantRange(start: now, end: t(24 * 60)), overrides: owned)],
            state: HandoffState(lineage: "L", serial: 3, destinations: destinations),
            directory: ReconcilerFixture.directory
        )
    )
}

/// Each handover as `start/end before → after why`, hours from now, a rotation's own member
/// marked `@R1`.
private func handovers(_ plan: Plan) -> [String] {
    func who(_ holder: Handover.Holder?) -> String { holder.map { $0.userID + ($0.rotationID.map { "@" + $0 } ?? "") } ?? "nobody" }
    return plan.destinations[0].handovers.map { handover in
        let hours = [handover.range.start, handover.range.end].map { ($0.secondsSinceEpoch - now.secondsSinceEpoch) / 3600 }
        return "\(hours[0])/\(hours[1]) \(who(handover.before)) → \(who(handover.after)) \(handover.why.code)"
    }
}

@Suite("Handovers over a shift-based schedule's own rotation members (pure)")
struct ReconcilerUnderlyingTests {
    @Test("a first export names the rotation's member before each piece, not nobody, and is still newly exported; unknown members read as before")
    func firstExport() {
        let desired = [piece(24, 48, "A", replacing: "B"), piece(48, 72, "A", replacing: "C")]
        let result = plan(desired: desired, underlying: ownMembers)
        #expect(handovers(result) == ["24/48 B@R1 → A exported", "48/72 C@R1 → A exported"])
        let text = PlanRenderer.text(result)
        #expect(text.contains("  Ben (rotation) → Ana  (newly exported)\n"), "\(text)")
        #expect(text.contains("  Cho (rotation) → Ana  (newly exported)\n"), "\(text)")
        #expect(PlanRenderer.markdown(result).contains("  Ben (rotation) → Ana  (newly exported)\n"))
        let json = PlanRenderer.json(result).serialized(pretty: false)
        #expect(json.contains(#""before":{"person":"b","name":"Ben","email":"ben@example.com","pagerduty_user":"B","rotation_id":"R1"}"#), "\(json)")
        // Where the destination does not know who the schedule has on call (a layer-based one), nobody.
        #expect(handovers(plan(desired: desired, underlying: [])) == ["24/72 nobody → A exported"])
    }

    @Test("where an override of Handoff's goes, the rotation's member comes back; only time the rotation leaves open says nobody")
    func removedOverride() {
        let owned = [
            OverrideRecord(id: "O1", start: t(24), end: t(72), userID: "A", target: .rotation(id: rotation, replacing: "B")),
            OverrideRecord(id: "O2", start: t(84), end: t(120), userID: "A", target: .customShift),
        ]
        let result = plan(desired: [], owned: owned, watermark: 24 * 14, underlying: ownMembers)
        #expect(
            handovers(result) == [
                "24/48 A → B@R1 coverage_changed", "48/72 A → C@R1 coverage_changed",
                "84/96 A → C@R1 coverage_changed", "96/120 A → nobody coverage_changed",
            ]
        )
        #expect(PlanRenderer.text(result).contains("  Ana → Cho (rotation)  (coverage changed)\n"))
        #expect(handovers(plan(desired: [], owned: owned, watermark: 24 * 14, underlying: [])) == ["24/72 A → nobody coverage_changed", "84/120 A → nobody coverage_changed"])
    }

    @Test("where the override that goes was of the rotation's own member there, nobody changes hands")
    func sameMemberNoHandover() {
        let owned = [OverrideRecord(id: "O1", start: t(48), end: t(72), userID: "C", target: .rotation(id: rotation, replacing: "B"))]
        let result = plan(desired: [], owned: owned, watermark: 24 * 14, underlying: ownMembers)
        #expect(result.destinations[0].actions.map(\.kind) == [.delete])
        #expect(handovers(result).isEmpty)
        #expect(handovers(plan(desired: [], owned: owned, watermark: 24 * 14, underlying: [])) == ["48/72 C → nobody coverage_changed"])
    }
}
