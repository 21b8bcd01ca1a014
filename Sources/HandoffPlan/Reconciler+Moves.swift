import HandoffDestination
import HandoffTime

/// Moves: where a schedule changes its objects in place, a delete and a create become one request.
extension Reconciler {
    /// Pairs, per target, each delete of an override of Handoff's with a create, both starting after
    /// the plan's minute (`PlanMinute`), into one `.move` of the deleted override to the created one's start, end and person
    /// (PUT: one request instead of two). Pairing is by start order on both sides (then end, person
    /// and id), so the same plan always pairs the same way; what is left over stays a delete or a
    /// create. A move keeps the delete's reason: why the override as it was goes. Overrides made by
    /// hand, ones an interrupted apply marked for deletion and ones that have begun are never moved.
    static func paired(_ actions: [PlanAction], going: [OverrideRecord], now: Instant, directory: PeopleDirectory) -> [PlanAction] {
        let actions = cut(actions, going: going, now: now, directory: directory)
        var movable: [String: OverrideRecord] = [:]
        let minute = PlanMinute(now)
        for override in going where !minute.hasBegun(override.start) && !override.deletePending { movable[override.id] = override }
        guard !movable.isEmpty else { return actions }
        var deletes: [OverrideTarget: [Int]] = [:]
        var creates: [OverrideTarget: [Int]] = [:]
        for (index, action) in actions.enumerated() {
            switch action.kind {
            case .delete:
                if let id = action.overrideID, movable[id] != nil { deletes[action.target, default: []].append(index) }
            case .create:
                if !minute.hasBegun(action.start) { creates[action.target, default: []].append(index) }
            default:
                break
            }
        }
        func byStart(_ left: Int, _ right: Int) -> Bool {
            let lhs = actions[left]
            let rhs = actions[right]
            return (lhs.start, lhs.end, lhs.userID, lhs.overrideID ?? "") < (rhs.start, rhs.end, rhs.userID, rhs.overrideID ?? "")
        }
        var result = actions
        var dropped: Set<Int> = []
        for (target, createIndices) in creates {
            guard let deleteIndices = deletes[target] else { continue }
            for (create, delete) in zip(createIndices.sorted(by: byStart), deleteIndices.sorted(by: byStart)) {
                guard let id = actions[delete].overrideID, let previous = movable[id] else { continue }
                var move = actions[create]
                move.kind = .move
                move.overrideID = id
                move.previous = previous
                move.previousPerson = directory.entry(previous.userID).name
                move.reason = actions[delete].reason
                result[create] = move
                dropped.insert(delete)
            }
        }
        return result.indices.filter { !dropped.contains($0) }.map { result[$0] }
    }

    /// Pairs the delete of a started override of a rotation with the create that carries on the
    /// same person on the same target from `now` to another end, into one `.move` that changes
    /// only its end (PUT of `end_time`, the one field PagerDuty takes once an override has
    /// started; reference 7.7 and 12.6): the override keeps its id and past, and is cut (or
    /// lengthened) to where its successor begins, instead of being cut to end now and made again
    /// from now over the same minute, which PagerDuty may refuse as an overlap. The move shows
    /// the override's whole span before and after; its reason is the delete's, no longer "cut to
    /// end now". Where nobody carries the person on (a swap of the turn in progress), the started
    /// override stays a delete, which the applier sends before the create that replaces it.
    static func cut(_ actions: [PlanAction], going: [OverrideRecord], now: Instant, directory: PeopleDirectory) -> [PlanAction] {
        var started: [String: OverrideRecord] = [:]
        let minute = PlanMinute(now)
        for override in going where minute.hasBegun(override.start) && minute.outlasts(override.end) && !override.deletePending {
            if case .rotation = override.target { started[override.id] = override }
        }
        guard !started.isEmpty else { return actions }
        // The creates from now, by target and person (at most one each: wanted pieces do not overlap).
        var continuing: [OverrideTarget: [String: Int]] = [:]
        for (index, action) in actions.enumerated() where action.kind == .create && action.start == now {
            if case .rotation = action.target, continuing[action.target]?[action.userID] == nil { continuing[action.target, default: [:]][action.userID] = index }
        }
        var result = actions
        var dropped: Set<Int> = []
        for (index, action) in actions.enumerated() where action.kind == .delete {
            guard let id = action.overrideID, let previous = started[id], let create = continuing[action.target]?[previous.userID], !dropped.contains(create) else {
                continue
            }
            var move = actions[create]
            move.kind = .move
            move.start = previous.start
            move.overrideID = id
            move.previous = previous
            move.previousPerson = directory.entry(previous.userID).name
            move.reason = action.reason.map(notCutNow)
            result[index] = move
            dropped.insert(create)
        }
        return result.indices.filter { !dropped.contains($0) }.map { result[$0] }
    }

    /// A delete's reason without "in progress, it is cut to end now", for an override whose end
    /// moves instead.
    private static func notCutNow(_ reason: PlanAction.Reason) -> PlanAction.Reason {
        switch reason {
        case .memberLeft: .memberLeft(inProgress: false)
        case .noLongerDesired(let unwanted, _): .noLongerDesired(unwanted, inProgress: false)
        case .destinationRemoved: .destinationRemoved(inProgress: false)
        default: reason
        }
    }
}
