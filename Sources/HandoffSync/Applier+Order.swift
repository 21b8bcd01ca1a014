import HandoffDestination
public import HandoffPlan
import HandoffTime

// MARK: - Write order
// In which order one destination's writes are sent. Today's order (creates, then moves, then
// deletes) keeps every moment covered on a whole-schedule override layer, where the newest
// override wins and a delete before its replacement would leave a minute with nobody on call.
// An override of one rotation's member on a shift-based schedule is different: PagerDuty may
// refuse an override that overlaps another of the same rotation and member (reference 7.6,
// unconfirmed), and removing one early never leaves nobody on call, only the rotation's own
// member for that moment. So there, whatever a new span overlaps goes first.

extension Applier {
    /// Requests of one kind that may run side by side; the steps of a destination run one after
    /// the other.
    public struct WriteStep: Sendable, Hashable {
        /// `.create`, `.move` or `.delete`.
        public var kind: PlanAction.Kind
        /// In the plan's order.
        public var actions: [PlanAction]

        public init(kind: PlanAction.Kind, actions: [PlanAction]) {
            self.kind = kind
            self.actions = actions
        }
    }

    /// The steps that write one destination's `actions` (adoptions, kept and drift are left
    /// out: they make no call), so that at no moment two live objects on the same `.rotation`
    /// target (rotation and replaced member) overlap:
    ///
    /// - A create's or a move's new span waits for the delete or move of every other object of
    ///   its target whose current span it overlaps (for a move, the span it has before it). A
    ///   started override that a create replaces from now is therefore cut (deleted, ending now)
    ///   before its replacement is made, and one whose end alone moves (the reconciler's cut)
    ///   before what follows it. Moves wait for each other in that order; the reconciler pairs
    ///   them by start, so neighbours do not wait in a circle, but if some ever do, one move of
    ///   the circle becomes a delete and a create (more requests, never an overlap).
    /// - Everything else keeps today's order: creates first, then moves, then deletes, with the
    ///   deletes of `.schedule` and `.customShift` objects (and rotation deletes nothing waits for)
    ///   after every other write, so that coverage never has a hole where it need not.
    ///
    /// Pure: the same actions always give the same steps. With no overlap on a rotation target it
    /// is one step each of creates, moves and deletes (the order of a layer-based schedule).
    public static func writeSteps(_ actions: [PlanAction]) -> [WriteStep] {
        var writes = actions.filter { [.create, .move, .delete].contains($0.kind) }
        // Each round either orders every write or splits one move of a circle; a plan with more
        // circles than `maximumCircles` (none of Handoff's has one) takes the order that needs none.
        var levels: [Int] = []
        for _ in 0...maximumCircles {
            switch WriteGraph(writes).levels() {
            case .ordered(let found):
                levels = found
            case .circle(let move):
                // A circle through a move that cannot be split (none of Handoff's plans makes
                // one): the order that needs no waits.
                guard case let (delete, create)? = split(writes[move]) else { return untangled(writes) }
                writes[move] = delete
                writes.insert(create, at: move + 1)
                continue
            }
            break
        }
        // Too many waits or circles to follow: the order that needs none.
        guard levels.count == writes.count else { return untangled(writes) }
        var byLevel = Array(repeating: [Int](), count: (levels.max() ?? 0) + 1)
        for (index, level) in levels.enumerated() { byLevel[level].append(index) }
        var steps: [WriteStep] = []
        for indices in byLevel {
            for kind in [PlanAction.Kind.create, .move, .delete] {
                let some = indices.filter { writes[$0].kind == kind }.map { writes[$0] }
                if !some.isEmpty { steps.append(WriteStep(kind: kind, actions: some)) }
            }
        }
        return steps
    }

    /// Circles of moves split before `writeSteps` gives up following them.
    static let maximumCircles = 100

    /// A move as a delete of the object as it is and a create of it as wanted; nil for anything
    /// else, and for a move of an object's end alone (the cut of a started override): deleting
    /// that one only ends it now, so a create from its start would overlap what is left of it.
    static func split(_ move: PlanAction) -> (delete: PlanAction, create: PlanAction)? {
        guard move.kind == .move, let previous = move.previous else { return nil }
        guard previous.start != move.start || previous.userID != move.userID else { return nil }
        let delete = PlanAction(
            kind: .delete, start: previous.start, end: previous.end, userID: previous.userID, person: move.previousPerson ?? previous.userID,
            email: "", overrideID: previous.id, reason: move.reason, target: move.target, replacedPerson: move.replacedPerson
        )
        var create = move
        create.kind = .create
        create.overrideID = nil
        create.previous = nil
        create.previousPerson = nil
        return (delete, create)
    }
}

/// The writes of one destination with, for each, the writes it waits for: on a `.rotation`
/// target, the deletes and moves of other objects whose current span its new span overlaps.
private struct WriteGraph {
    enum Outcome {
        /// A step number per write.
        case ordered([Int])
        /// The index of a move that waits for itself through other moves.
        case circle(Int)
    }

    /// The most waits followed (a bound on memory and time whatever a saved plan holds); beyond
    /// it the graph is `tooDense` and the applier takes the order that needs none.
    static let maximumWaits = 1_000_000

    let writes: [PlanAction]
    /// For each write, the writes it waits for.
    var waitsFor: [[Int]]
    /// More waits than `maximumWaits`: the graph is incomplete and must not be used.
    var tooDense = false

    init(_ writes: [PlanAction]) {
        self.writes = writes
        waitsFor = Array(repeating: [], count: writes.count)
        var byTarget: [OverrideTarget: [Int]] = [:]
        var waits = 0
        for (index, write) in writes.enumerated() {
            if case .rotation = write.target { byTarget[write.target, default: []].append(index) }
        }
        for indices in byTarget.values {
            // The current spans that go or change (moves, deletes), by start, with the latest end
            // up to each, so that the search for what a new span overlaps stops early.
            let current = indices.compactMap { index in Self.currentSpan(writes[index]).map { (index: index, span: $0) } }
                .sorted { ($0.span.start, $0.span.end, $0.index) < ($1.span.start, $1.span.end, $1.index) }
            var latestEnd: [Instant] = []
            for item in current { latestEnd.append(max(latestEnd.last ?? item.span.end, item.span.end)) }
            for index in indices where writes[index].kind != .delete {
                let span = writes[index].range
                // The current spans that start before this one ends…
                var low = 0
                var high = current.count
                while low < high {
                    let middle = (low + high) / 2
                    if current[middle].span.start < span.end { low = middle + 1 } else { high = middle }
                }
                // …and end after it starts.
                var position = low - 1
                while position >= 0, latestEnd[position] > span.start {
                    let other = current[position]
                    if other.index != index, other.span.end > span.start {
                        waits += 1
                        if waits > Self.maximumWaits {
                            tooDense = true
                            return
                        }
                        waitsFor[index].append(other.index)
                    }
                    position -= 1
                }
                waitsFor[index].sort()
            }
        }
    }

    /// The span an object has before the write: a delete's, a move's previous one; a create has none.
    static func currentSpan(_ write: PlanAction) -> InstantRange? {
        switch write.kind {
        case .delete: write.range
        case .move: write.previous.map { InstantRange(start: $0.start, end: $0.end) }
        default: nil
        }
    }

    /// Steps by longest wait (a write runs one step after the last it waits for); deletes are
    /// then put as late as what waits for them allows, and those of other targets last.
    func levels() -> Outcome {
        if tooDense { return .ordered([]) }
        var level = Array(repeating: 0, count: writes.count)
        var waiting = waitsFor.map(\.count)
        var waitedBy: [[Int]] = Array(repeating: [], count: writes.count)
        for (index, waits) in waitsFor.enumerated() {
            for other in waits { waitedBy[other].append(index) }
        }
        var ready = writes.indices.filter { waiting[$0] == 0 }
        var done = 0
        while !ready.isEmpty {
            var next: [Int] = []
            for index in ready {
                done += 1
                for follower in waitedBy[index] {
                    level[follower] = max(level[follower], level[index] + 1)
                    waiting[follower] -= 1
                    if waiting[follower] == 0 { next.append(follower) }
                }
            }
            ready = next
        }
        if done < writes.count {
            // Every write left waits for another left: walking back as many times as there are
            // writes lands on a circle, which only moves can make (deletes wait for nothing,
            // nothing waits for creates).
            guard var index = writes.indices.first(where: { waiting[$0] > 0 }) else { return .ordered(level) }
            for _ in 0..<writes.count {
                guard let back = waitsFor[index].first(where: { waiting[$0] > 0 }) else { break }
                index = back
            }
            return .circle(index)
        }
        let last = level.max() ?? 0
        for index in writes.indices where writes[index].kind == .delete {
            guard case .rotation = writes[index].target, let first = waitedBy[index].map({ level[$0] }).min() else {
                level[index] = last
                continue
            }
            level[index] = max(level[index], first - 1)
        }
        return .ordered(level)
    }
}

extension Applier {
    /// Where the waits or circles are too many to follow (more than `WriteGraph.maximumWaits` or
    /// `maximumCircles`: objects of one member piled over each other, which no plan of Handoff's
    /// makes): every rotation move becomes a delete and a create, all rotation deletes go first,
    /// then the rotation moves of an end alone (which `split` keeps whole), then the creates;
    /// nothing can overlap then.
    static func untangled(_ writes: [PlanAction]) -> [WriteStep] {
        var deletes: [PlanAction] = []
        var creates: [PlanAction] = []
        var moves: [PlanAction] = []
        // Rotation moves of an end alone: after the rotation deletes, before the creates.
        var endMoves: [PlanAction] = []
        var lastDeletes: [PlanAction] = []
        for write in writes {
            let onRotation = if case .rotation = write.target { true } else { false }
            switch write.kind {
            case .create: creates.append(write)
            case .delete: if onRotation { deletes.append(write) } else { lastDeletes.append(write) }
            default:
                guard onRotation else {
                    moves.append(write)
                    continue
                }
                guard case let (delete, create)? = split(write) else {
                    endMoves.append(write)
                    continue
                }
                deletes.append(delete)
                creates.append(create)
            }
        }
        return [(PlanAction.Kind.delete, deletes), (.move, endMoves), (.create, creates), (.move, moves), (.delete, lastDeletes)].compactMap { kind, actions in
            actions.isEmpty ? nil : WriteStep(kind: kind, actions: actions)
        }
    }
}
