import HandoffDestination
import HandoffPlan
import HandoffState
import HandoffTime
import Testing

/// Issue 15 item 3: whether a saved plan is stale is a pure comparison beside the fingerprint.
@Suite("Stale saved plans: a pure comparison of the state and the live overrides")
struct StalePlanTests {
    private let start = Instant(secondsSinceEpoch: 1_795_348_800)
    private var seen: [OverrideRecord] {
        [OverrideRecord(id: "Q1", start: start, end: start.adding(seconds: 3600), userID: "U1")]
    }

    private func plan(lineage: String? = "L1", serial: Int = 3, live: [OverrideRecord]? = nil) -> Plan {
        let window = InstantRange(start: start, end: start.adding(seconds: 86_400))
        let destinations = [
            DestinationPlan(
                name: "a-pd", connection: "acme", destinationSchedule: "PA", timeZone: "UTC", watermarkBefore: nil, watermarkAfter: nil, actions: [],
                observedWindow: window, liveFingerprint: Reconciler.fingerprint(live ?? seen)
            ),
            // Not observed (overrides kept): never listed, never stale.
            DestinationPlan(
                name: "b-pd", connection: "acme", destinationSchedule: "PB", timeZone: "UTC", watermarkBefore: nil, watermarkAfter: nil, actions: [],
                liveFingerprint: "unused"
            ),
        ]
        return Plan(now: start, destinations: destinations, stateLineage: lineage, stateSerial: serial)
    }

    @Test("a plan made from this state, with PagerDuty as it saw it, is fresh")
    func fresh() {
        #expect(plan().staleness(state: HandoffState(lineage: "L1", serial: 3), live: ["a-pd": seen]) == nil)
        #expect(plan().observedDestinations.map(\.destination.name) == ["a-pd"])
    }

    @Test("another serial or another lineage is stale, with the sentence apply prints")
    func otherState() {
        let serial = plan().staleness(state: HandoffState(lineage: "L1", serial: 4), live: ["a-pd": seen])
        #expect(serial == .state(planSerial: 3, stateSerial: 4, otherLineage: false))
        #expect(
            serial?.description
                == "the saved plan is stale: it was made from state serial 3, and the state is now at serial 4; nothing was changed; make a new plan"
        )
        let lineage = plan().staleness(state: HandoffState(lineage: "L2", serial: 3))
        #expect(lineage == .state(planSerial: 3, stateSerial: 3, otherLineage: true))
        #expect(lineage?.description.contains("serial 3 of another lineage; nothing was changed") == true)
        // A plan made before the first apply has no lineage, and any lineage matches it.
        #expect(plan(lineage: nil).staleness(state: HandoffState(lineage: "L9", serial: 3)) == nil)
    }

    @Test("overrides that changed since the plan make it stale, naming the destination and its schedule")
    func otherOverrides() {
        let moved = [OverrideRecord(id: "Q1", start: start, end: start.adding(seconds: 7200), userID: "U1")]
        let stale = plan().staleness(state: HandoffState(lineage: "L1", serial: 3), live: ["a-pd": moved])
        #expect(stale == .overrides(destination: "a-pd", destinationSchedule: "PA"))
        #expect(
            stale?.description
                == "the saved plan is stale: the overrides of PagerDuty schedule PA (destination a-pd) changed since it was made; nothing was changed; make a new plan"
        )
        // The state is compared first.
        #expect(plan().staleness(state: HandoffState(lineage: "L1", serial: 5), live: ["a-pd": moved]) == .state(planSerial: 3, stateSerial: 5, otherLineage: false))
        // A schedule that saw none and has none is fresh; one that saw some and has none is not.
        #expect(plan(live: []).staleness(state: HandoffState(lineage: "L1", serial: 3), live: [:]) == nil)
        #expect(plan().staleness(state: HandoffState(lineage: "L1", serial: 3), live: [:]) != nil)
    }
}
