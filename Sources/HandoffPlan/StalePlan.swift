public import HandoffDestination
public import HandoffState
public import HandoffTime

/// Why a saved plan can no longer be applied as reviewed: it was made from another state, or
/// PagerDuty's overrides of one of its schedules changed since. Kept beside the fingerprint that
/// records what the plan saw (`Reconciler.fingerprint`), so the check is a pure comparison.
public enum StalePlan: Error, Sendable, Hashable, CustomStringConvertible {
    /// The state moved on (another serial, or another lineage) since the plan was made.
    case state(planSerial: Int, stateSerial: Int, otherLineage: Bool)
    /// The live overrides of a destination's schedule differ from those the plan saw.
    case overrides(destination: String, destinationSchedule: String)

    public var description: String {
        switch self {
        case .state(let planSerial, let stateSerial, let otherLineage):
            return "the saved plan is stale: it was made from state serial \(planSerial), and the state is now at serial \(stateSerial)"
                + (otherLineage ? " of another lineage" : "") + "; nothing was changed; make a new plan"
        case .overrides(let destination, let destinationSchedule):
            return "the saved plan is stale: the overrides of PagerDuty schedule \(destinationSchedule) (destination \(destination)) "
                + "changed since it was made; nothing was changed; make a new plan"
        }
    }
}

extension Plan {
    /// Why this plan was not made from `state`; nil when it was.
    public func staleness(state: HandoffState) -> StalePlan? {
        // A plan made before the first apply has no lineage; any later state has one.
        let lineageDiffers = stateLineage != nil && stateLineage != state.lineage
        guard !lineageDiffers, stateSerial == state.serial else {
            return .state(planSerial: stateSerial, stateSerial: state.serial, otherLineage: lineageDiffers)
        }
        return nil
    }

    /// The destinations whose live overrides the plan saw, in the plan's order, with the window
    /// it listed them over: what must be listed again to tell whether PagerDuty moved on.
    public var observedDestinations: [(destination: DestinationPlan, window: InstantRange)] {
        destinations.compactMap { destination in destination.observedWindow.map { (destination, $0) } }
    }

    /// Why `destination` of this plan no longer matches PagerDuty, given its overrides listed
    /// again over its observed window; nil when they are those the plan saw.
    public func staleness(of destination: DestinationPlan, live: [OverrideRecord]) -> StalePlan? {
        guard Reconciler.fingerprint(live) == destination.liveFingerprint else {
            return .overrides(destination: destination.name, destinationSchedule: destination.destinationSchedule)
        }
        return nil
    }

    /// The whole check at once: the state first, then every observed destination in the plan's
    /// order against `live` (its overrides by destination name; a destination missing there counts
    /// as one with none). The first reason found, or nil when the plan can be applied as reviewed.
    public func staleness(state: HandoffState, live: [String: [OverrideRecord]]) -> StalePlan? {
        if let stale = staleness(state: state) { return stale }
        for (destination, _) in observedDestinations {
            if let stale = staleness(of: destination, live: live[destination.name] ?? []) { return stale }
        }
        return nil
    }
}
