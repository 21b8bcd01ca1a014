import HandoffDestination
import HandoffTime

/// Moves: where a schedule changes its objects in place, a delete and a create become one request.
extension Reconciler {
    /// Pairs, per target, each delete of an override of Handoff's with a create, both starting after
    /// `now`, into one `.move` of the deleted override to the created one's start, end and person
    /// (PUT: one request instead of two). Pairing is by start order on both sides (then end, person
    /// and id), so the same plan always pairs the same way; what is left over stays a delete or a
    /// create. A move keeps the delete's reason: why the override as it was goes. Overrides made by
    /// hand, ones an interrupted apply marked for deletion and ones that have begun are never moved.
    static func paired(_ actions: [PlanAction], going: [OverrideRecord], now: Instant, directory: PeopleDirectory) -> [PlanAction] {
        var movable: [String: OverrideRecord] = [:]
        for override in going where override.start > now && !override.deletePending { movable[override.id] = override }
        guard !movable.isEmpty else { return actions }
        var deletes: [OverrideTarget: [Int]] = [:]
        var creates: [OverrideTarget: [Int]] = [:]
        for (index, action) in actions.enumerated() {
            switch action.kind {
            case .delete:
                if let id = action.overrideID, movable[id] != nil { deletes[action.target, default: []].append(index) }
            case .create:
                if action.start > now { creates[action.target, default: []].append(index) }
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
}
