public import HandoffTime

/// Who holds the pager over a stretch of time: one piece of an on-call timeline.
///
/// `Holder` is whatever names a person where the timeline comes from: a PagerDuty user id for the
/// overrides a plan creates and deletes, a configuration key for shifts.
public struct Holding<Holder: Hashable & Sendable>: Sendable, Hashable {
    public var range: InstantRange
    public var holder: Holder

    public init(_ range: InstantRange, _ holder: Holder) {
        self.range = range
        self.holder = holder
    }
}

/// A maximal period in which two timelines name different holders: who is on call before a change
/// and who after it (`nil`: nobody of the timeline, e.g. the schedule's own layers).
public struct HolderChange<Holder: Hashable & Sendable>: Sendable, Hashable {
    public var range: InstantRange
    public var before: Holder?
    public var after: Holder?

    public init(range: InstantRange, before: Holder?, after: Holder?) {
        self.range = range
        self.before = before
        self.after = after
    }
}

/// Compares who is on call in two timelines, the way people read a rota: "from Monday 09:00 to
/// the next Monday 09:00, Frank instead of Dave", not as the overrides that make it so.
///
/// An override that only ends earlier, with someone else taking the rest, is one change (the rest)
/// rather than a delete and a create. Pure and bounded: `O(n log n)` in the number of pieces,
/// whatever PagerDuty returns.
public enum OnCallTimeline {
    /// The maximal periods, in order, in which `before` and `after` disagree about who is on call,
    /// clipped to `window` when one is given. Touching periods with the same pair of holders are one
    /// period.
    ///
    /// Where pieces of one timeline overlap (overrides made by hand over others), the piece that
    /// comes later in the array holds the pager, as the override made last does in PagerDuty.
    public static func changes<Holder>(
        before: [Holding<Holder>],
        after: [Holding<Holder>],
        within window: InstantRange? = nil
    ) -> [HolderChange<Holder>] {
        changes(flatBefore: flatten(before, within: window), flatAfter: flatten(after, within: window))
    }

    /// `changes(before:after:within:)` of two timelines already flat: disjoint and sorted by start,
    /// as `flatten` returns them (touching pieces of one holder need not be joined).
    static func changes<Holder>(flatBefore old: [Holding<Holder>], flatAfter new: [Holding<Holder>]) -> [HolderChange<Holder>] {
        var boundaries: [Instant] = []
        boundaries.reserveCapacity(2 * (old.count + new.count))
        for piece in old { boundaries.append(piece.range.start); boundaries.append(piece.range.end) }
        for piece in new { boundaries.append(piece.range.start); boundaries.append(piece.range.end) }
        boundaries.sort()

        var result: [HolderChange<Holder>] = []
        var oldIndex = 0
        var newIndex = 0
        var previous: Instant?
        for boundary in boundaries {
            defer { previous = boundary }
            guard let start = previous, start < boundary else { continue }
            // Both timelines are disjoint and sorted: advance past the pieces that ended.
            while oldIndex < old.count, old[oldIndex].range.end <= start { oldIndex += 1 }
            while newIndex < new.count, new[newIndex].range.end <= start { newIndex += 1 }
            let was = oldIndex < old.count && old[oldIndex].range.start <= start ? old[oldIndex].holder : nil
            let will = newIndex < new.count && new[newIndex].range.start <= start ? new[newIndex].holder : nil
            guard was != will else { continue }
            if var last = result.last, last.range.end == start, last.before == was, last.after == will {
                last.range.end = boundary
                result[result.count - 1] = last
            } else {
                result.append(HolderChange(range: InstantRange(start: start, end: boundary), before: was, after: will))
            }
        }
        return result
    }

    /// The timeline as disjoint pieces sorted by start, clipped to `window`; where pieces overlap,
    /// the one later in `pieces` wins, and touching pieces of one holder are joined.
    public static func flatten<Holder>(_ pieces: [Holding<Holder>], within window: InstantRange? = nil) -> [Holding<Holder>] {
        var clipped: [(index: Int, piece: Holding<Holder>)] = []
        clipped.reserveCapacity(pieces.count)
        for (index, piece) in pieces.enumerated() {
            let range = window.map { piece.range.clamped(to: $0) } ?? (piece.range.isEmpty ? nil : piece.range)
            guard let range else { continue }
            clipped.append((index, Holding(range, piece.holder)))
        }
        guard !clipped.isEmpty else { return [] }
        let byStart = clipped.sorted { ($0.piece.range.start, $0.index) < ($1.piece.range.start, $1.index) }
        var boundaries = clipped.flatMap { [$0.piece.range.start, $0.piece.range.end] }
        boundaries.sort()

        // Pieces that have started, highest priority (latest in `pieces`) on top; ended ones are
        // dropped lazily when they reach the top.
        var active = PriorityHeap()
        var next = 0
        var result: [Holding<Holder>] = []
        var previous: Instant?
        for boundary in boundaries {
            defer { previous = boundary }
            guard let start = previous, start < boundary else { continue }
            while next < byStart.count, byStart[next].piece.range.start <= start {
                active.push(priority: byStart[next].index, position: next)
                next += 1
            }
            while let top = active.top, byStart[top].piece.range.end <= start { active.pop() }
            guard let top = active.top else { continue }
            let holder = byStart[top].piece.holder
            if var last = result.last, last.range.end == start, last.holder == holder {
                last.range.end = boundary
                result[result.count - 1] = last
            } else {
                result.append(Holding(InstantRange(start: start, end: boundary), holder))
            }
        }
        return result
    }
}

/// A binary max-heap of positions ordered by priority: enough for the sweep above without a package.
private struct PriorityHeap {
    private var items: [(priority: Int, position: Int)] = []

    var top: Int? { items.first?.position }

    mutating func push(priority: Int, position: Int) {
        items.append((priority, position))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent].priority < items[child].priority else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var largest = parent
            if left < items.count, items[left].priority > items[largest].priority { largest = left }
            if right < items.count, items[right].priority > items[largest].priority { largest = right }
            guard largest != parent else { return }
            items.swapAt(parent, largest)
            parent = largest
        }
    }
}
