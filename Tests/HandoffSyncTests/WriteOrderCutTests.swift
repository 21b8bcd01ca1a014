import HandoffDestination
import HandoffPlan
@testable import HandoffSync
import HandoffTime
import Testing

/// The cut of a started override (its end alone moved in place) is never turned into a delete and
/// a create: deleting a started override only ends it now, so a create from its old start would
/// overlap what is left of it, on the same rotation member.
@Suite("Write order: the cut of a started override stays one move")
struct WriteOrderCutTests {
    private let now = Instant(secondsSinceEpoch: 1_795_000_000)
    private let target = OverrideTarget.rotation(id: "PROT1", replacing: "UC")

    private func hours(_ count: Int64) -> Instant { now.adding(seconds: count * 3600) }

    private func move(_ id: String, from: (Int64, Int64), to: (Int64, Int64), _ user: String, previousUser: String? = nil) -> PlanAction {
        PlanAction(
            kind: .move, start: hours(to.0), end: hours(to.1), userID: user, person: user, email: "", overrideID: id, target: target,
            previous: OverrideRecord(id: id, start: hours(from.0), end: hours(from.1), userID: previousUser ?? user, target: target)
        )
    }

    @Test("split keeps a move of the end alone whole, and splits one that changes the start or the person")
    func splitKeepsCuts() {
        #expect(Applier.split(move("CUT", from: (-5, 10), to: (-5, 0), "UA")) == nil)
        #expect(Applier.split(move("LATER", from: (5, 10), to: (6, 10), "UA")) != nil)
        #expect(Applier.split(move("HANDED", from: (5, 10), to: (5, 12), "UB", previousUser: "UA")) != nil)
    }

    @Test("the order that needs no waits sends the cut after the rotation deletes and before the creates, as a move")
    func untangledSendsCutsAsMoves() {
        let cut = move("CUT", from: (-5, 10), to: (-5, 0), "UA")
        let later = move("LATER", from: (20, 30), to: (22, 30), "UA")
        let create = PlanAction(kind: .create, start: hours(0), end: hours(10), userID: "UB", person: "UB", email: "", target: target)
        let steps = Applier.untangled([create, cut, later])
        #expect(steps.map(\.kind) == [.delete, .move, .create])
        #expect(steps.first?.actions.map(\.overrideID) == ["LATER"], "the move of a start is split: its delete goes first")
        #expect(steps.dropFirst().first?.actions.map(\.overrideID) == ["CUT"])
        #expect(steps.last?.actions.map(\.userID) == ["UB", "UA"], "the replacement, then LATER as wanted")
    }
}
