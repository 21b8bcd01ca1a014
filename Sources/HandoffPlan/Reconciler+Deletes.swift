import HandoffDestination
import HandoffConfig
import HandoffRota
import HandoffState
import HandoffTime

/// Why an owned override nothing wants any more is deleted, in the words of the plan.
extension Reconciler {
    /// Deletes of overrides nothing wants any more say why in the words of the handovers in which
    /// their person loses the pager to someone, so that an override line never disagrees with the
    /// handovers above it ("swap" only where a swap changes who is on call). A delete that hands
    /// nothing to anyone (an override cut in two for the same person, hours that go to nobody)
    /// keeps the planner's own reason. Reasons that read the same in the destination's zone are
    /// one (`PlanRenderer` says each once).
    static func explained(_ actions: [PlanAction], by handovers: [Handover]) -> [PlanAction] {
        guard !handovers.isEmpty else { return actions }
        return actions.map { action in
            guard action.kind == .delete, case .noLongerDesired(_, let inProgress)? = action.reason else { return action }
            // Handovers are in order and disjoint: the first that ends after the start, by bisection.
            var low = 0
            var high = handovers.count
            while low < high {
                let middle = low + (high - low) / 2
                if handovers[middle].range.end <= action.start { low = middle + 1 } else { high = middle }
            }
            var reasons: [Handover.Reason] = []
            // The periods this override's person loses to someone else; a period that goes to
            // nobody keeps the planner's own reason ("nobody is scheduled then").
            for handover in handovers[low...].prefix(while: { $0.range.start < action.end })
            where handover.before?.userID == action.userID && handover.after != nil && !reasons.contains(handover.why) {
                reasons.append(handover.why)
            }
            guard !reasons.isEmpty else { return action }
            var explained = action
            explained.reason = .noLongerDesired(.handovers(reasons), inProgress: inProgress)
            return explained
        }
    }

    /// Why an owned override is no longer wanted, in the words of the plan.
    static func deletionReason(
        _ override: OverrideRecord,
        destination: DestinationInput,
        watermark: Instant?,
        directory: PeopleDirectory,
        scheduled: Set<String>,
        inProgress: Bool
    ) -> PlanAction.Reason {
        // An owned override's user was configured when it was made: gone from the rotation (or from
        // the configuration altogether) means they left, unless they still hold a shift (an
        // explicit cover of someone outside the rotation).
        let person = directory.users[override.userID]?.person
        if person.map({ key in !destination.members.contains(key) && !scheduled.contains(key) }) ?? true {
            return .memberLeft(inProgress: inProgress)
        }
        // Before the watermark, the desired overrides still cover it (a shorter horizon deletes
        // nothing): only past both is an override beyond the window.
        if override.start >= max(destination.horizonEnd, watermark ?? destination.horizonEnd) { return .noLongerDesired(.beyondHorizon, inProgress: inProgress) }
        // Desired overrides are sorted and disjoint: find the overlapping ones by binary search.
        var low = 0
        var high = destination.desired.count
        while low < high {
            let middle = (low + high) / 2
            if destination.desired[middle].end <= override.start { low = middle + 1 } else { high = middle }
        }
        let overlapping = destination.desired[low...].prefix { $0.start < override.end }
        guard !overlapping.isEmpty else { return .noLongerDesired(.nobodyScheduled, inProgress: inProgress) }
        for desired in overlapping {
            switch desired.reason {
            case .swap: return .noLongerDesired(.swap, inProgress: inProgress)
            case .timeOffCover: return .noLongerDesired(.timeOff, inProgress: inProgress)
            case .assignment: return .noLongerDesired(.explicitCover, inProgress: inProgress)
            case .rotation: continue
            }
        }
        return .noLongerDesired(.rotationChanged, inProgress: inProgress)
    }
}
