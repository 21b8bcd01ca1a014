import HandoffPlan
import HandoffTestSupport
import HandoffTime
import Testing

@Suite("on-call timelines: who holds the pager before and after a change")
struct OnCallTimelineTests {
    static func at(_ hour: Int) -> Instant { Instant(secondsSinceEpoch: Int64(hour) * 3600) }
    static func piece(_ start: Int, _ end: Int, _ who: String) -> Holding<String> {
        Holding(InstantRange(start: at(start), end: at(end)), who)
    }
    static func change(_ start: Int, _ end: Int, _ before: String?, _ after: String?) -> HolderChange<String> {
        HolderChange(range: InstantRange(start: at(start), end: at(end)), before: before, after: after)
    }

    @Test("an override that ends earlier, with someone else taking the rest, is one change: the rest")
    func endTimeOnly() {
        let changes = OnCallTimeline.changes(before: [Self.piece(0, 24, "alice")], after: [Self.piece(0, 12, "alice"), Self.piece(12, 24, "bob")])
        #expect(changes == [Self.change(12, 24, "alice", "bob")])
    }

    @Test("a shift deleted with nobody after it, and a new one where nobody was, name nobody")
    func nobody() {
        let changes = OnCallTimeline.changes(before: [Self.piece(0, 10, "alice")], after: [Self.piece(20, 30, "bob")])
        #expect(changes == [Self.change(0, 10, "alice", nil), Self.change(20, 30, nil, "bob")])
    }

    @Test("the same person split into pieces is no change; touching periods of one pair are one period")
    func merging() {
        let same = OnCallTimeline.changes(before: [Self.piece(0, 24, "alice")], after: [Self.piece(0, 9, "alice"), Self.piece(9, 24, "alice")])
        #expect(same.isEmpty)
        let joined = OnCallTimeline.changes(
            before: [Self.piece(0, 10, "frank"), Self.piece(10, 20, "frank")],
            after: [Self.piece(0, 5, "dave"), Self.piece(5, 20, "dave")]
        )
        #expect(joined == [Self.change(0, 20, "frank", "dave")])
    }

    @Test("a window clips the changes to it")
    func window() {
        let changes = OnCallTimeline.changes(
            before: [Self.piece(0, 48, "alice")],
            after: [Self.piece(0, 48, "bob")],
            within: InstantRange(start: Self.at(6), end: Self.at(30))
        )
        #expect(changes == [Self.change(6, 30, "alice", "bob")])
    }

    @Test("overlapping pieces: the one later in the list holds the pager, as the override made last does")
    func overlaps() {
        let flat = OnCallTimeline.flatten([Self.piece(0, 24, "layer"), Self.piece(6, 12, "manual"), Self.piece(8, 10, "later")])
        #expect(flat == [Self.piece(0, 6, "layer"), Self.piece(6, 8, "manual"), Self.piece(8, 10, "later"), Self.piece(10, 12, "manual"), Self.piece(12, 24, "layer")])
    }

    /// Who holds the pager at `hour` by reading the pieces the slow way: the last one containing it.
    static func holder(_ pieces: [Holding<String>], at hour: Int) -> String? {
        pieces.last { $0.range.contains(at(hour)) }?.holder
    }

    @Test("property: for random timelines, the changes are exactly the hours in which the holders differ, maximal and in order")
    func property() {
        var random = SeededRandom(seed: 0x0DD5_EED5)
        let people = ["alice", "bob", "carol"]
        for _ in 0..<500 {
            func timeline() -> [Holding<String>] {
                (0..<random.int(in: 0...6)).map { _ in
                    let start = random.int(in: 0..<40)
                    return Self.piece(start, start + random.int(in: 1...12), random.pick(people))
                }
            }
            let before = timeline()
            let after = timeline()
            let changes = OnCallTimeline.changes(before: before, after: after)
            for hour in -1..<60 {
                let was = Self.holder(before, at: hour)
                let will = Self.holder(after, at: hour)
                let covering = changes.filter { $0.range.contains(Self.at(hour)) }
                if was == will {
                    #expect(covering.isEmpty, "hour \(hour): \(before) → \(after) gave \(changes)")
                } else {
                    #expect(covering.count == 1 && covering.first?.before == was && covering.first?.after == will, "hour \(hour): \(before) → \(after) gave \(changes)")
                }
            }
            // Maximal: no two neighbours touch with the same pair; in order, disjoint.
            for (left, right) in zip(changes, changes.dropFirst()) {
                #expect(left.range.end <= right.range.start)
                #expect(!(left.range.end == right.range.start && left.before == right.before && left.after == right.after))
            }
        }
    }
}
