import HandoffDestination
import HandoffPlan
import HandoffSync
import HandoffTime
import Testing

private let now = Instant(secondsSinceEpoch: 1_795_000_000)
private func hours(_ count: Int64) -> Instant { now.adding(seconds: count * 3600) }

private let carols = OverrideTarget.rotation(id: "PROT1", replacing: "UC")
private let bobs = OverrideTarget.rotation(id: "PROT1", replacing: "UB")

private func create(_ start: Int64, _ end: Int64, _ user: String, _ target: OverrideTarget = carols) -> PlanAction {
    PlanAction(kind: .create, start: hours(start), end: hours(end), userID: user, person: user, email: "", target: target)
}

private func delete(_ id: String, _ start: Int64, _ end: Int64, _ user: String, _ target: OverrideTarget = carols) -> PlanAction {
    PlanAction(kind: .delete, start: hours(start), end: hours(end), userID: user, person: user, email: "", overrideID: id, target: target)
}

private func move(_ id: String, from: (Int64, Int64), to: (Int64, Int64), _ user: String, _ target: OverrideTarget = carols) -> PlanAction {
    PlanAction(
        kind: .move, start: hours(to.0), end: hours(to.1), userID: user, person: user, email: "", overrideID: id, target: target,
        previous: OverrideRecord(id: id, start: hours(from.0), end: hours(from.1), userID: user, target: target)
    )
}

/// The steps as `kind ids-or-users`, one string per step.
private func shape(_ steps: [Applier.WriteStep]) -> [String] {
    steps.map { step in "\(step.kind.rawValue) " + step.actions.map { $0.overrideID ?? $0.userID }.joined(separator: ",") }
}

/// Runs `steps` over `live` (what the destination holds before) and answers every moment at which
/// two objects of one rotation target would be live over the same time: within a step, any of its
/// writes may land before or after the others, so each new span must clear every span that is
/// live before the step (its own old one aside) and every other new span of the step.
private func overlaps(_ steps: [Applier.WriteStep], live initial: [PlanAction]) -> [String] {
    var live: [String: (OverrideTarget, InstantRange)] = [:]
    for action in initial {
        guard let id = action.overrideID, action.kind != .create else { continue }
        live[id] = (action.target, action.previous.map { InstantRange(start: $0.start, end: $0.end) } ?? action.range)
    }
    var problems: [String] = []
    var made = 0
    for (number, step) in steps.enumerated() {
        var added: [(id: String, target: OverrideTarget, span: InstantRange)] = []
        for action in step.actions where action.kind != .delete {
            let id = action.overrideID ?? "new\(made)"
            made += 1
            added.append((id, action.target, action.range))
        }
        for item in added {
            guard case .rotation = item.target else { continue }
            for (id, other) in live where id != item.id && other.0 == item.target && other.1.overlaps(item.span) {
                problems.append("step \(number): \(item.id) over live \(id)")
            }
            for other in added where other.id != item.id && other.target == item.target && other.span.overlaps(item.span) {
                problems.append("step \(number): \(item.id) over \(other.id) of the same step")
            }
        }
        for action in step.actions where action.kind == .delete {
            if let id = action.overrideID { live[id] = nil }
        }
        for item in added { live[item.id] = (item.target, item.span) }
    }
    return problems
}

private extension InstantRange {
    func overlaps(_ other: InstantRange) -> Bool { start < other.end && other.start < end }
}

@Suite("The applier's write order: no two overrides of one rotation member overlap; creates before deletes elsewhere")
struct WriteOrderTests {
    @Test("with no overlap on a rotation target the order is today's: creates, then moves, then deletes")
    func todaysOrder() {
        let actions = [
            delete("D1", 48, 60, "UA"),
            create(0, 12, "UA"),
            move("M1", from: (24, 36), to: (25, 36), "UC"),
            create(12, 24, "UA", .customShift),
            PlanAction(kind: .adopt, start: hours(60), end: hours(70), userID: "UA", person: "UA", email: "", overrideID: "A1", target: carols),
        ]
        #expect(shape(Applier.writeSteps(actions)) == ["create UA,UA", "move M1", "delete D1"])
    }

    @Test("a whole schedule's overrides and custom shifts keep creates before deletes even where they overlap: the newest wins, no hole")
    func layerBasedKeepsCreatesFirst() {
        for target in [OverrideTarget.schedule, .customShift] {
            let actions = [delete("D1", -2, 10, "UA", target), create(0, 10, "UB", target), move("M1", from: (10, 20), to: (5, 20), "UC", target)]
            #expect(shape(Applier.writeSteps(actions)) == ["create UB", "move M1", "delete D1"], "\(target)")
        }
    }

    @Test("a swap of the turn in progress: the started override is cut before its replacement from now is made; other deletes stay last")
    func inProgressSwap() {
        let actions = [
            create(0, 70, "UB"),
            delete("O", -20, 70, "UA"),
            delete("LATER", 100, 120, "UA", bobs),
            delete("SHIFT", 0, 5, "UA", .customShift),
        ]
        let steps = Applier.writeSteps(actions)
        #expect(shape(steps) == ["delete O", "create UB", "delete LATER,SHIFT"])
        #expect(overlaps(steps, live: actions).isEmpty)
    }

    @Test("a cut (a started override's end moved in place) goes before the create that follows it")
    func cutBeforeSuccessor() {
        let actions = [create(20, 70, "UB"), move("O", from: (-20, 70), to: (-20, 20), "UA")]
        let steps = Applier.writeSteps(actions)
        #expect(shape(steps) == ["move O", "create UB"])
        #expect(overlaps(steps, live: actions).isEmpty)
    }

    @Test("every handoff a day later: each move waits for the neighbour whose hours it takes, the last first; creates wait too; another member's target is not in the way")
    func chainOfMoves() {
        let actions = [
            move("A", from: (0, 168), to: (24, 192), "UA"),
            move("B", from: (168, 336), to: (192, 360), "UB"),
            move("C", from: (336, 504), to: (360, 528), "UA"),
            create(528, 600, "UB"),
            delete("D", 528, 540, "UC"),
            create(0, 24, "UC", bobs),
        ]
        let steps = Applier.writeSteps(actions)
        #expect(shape(steps) == ["create UC", "move C", "delete D", "create UB", "move B", "move A"])
        #expect(overlaps(steps, live: actions).isEmpty)
        #expect(Applier.requestCount(plan(actions), batchSize: 50) == 6)
    }

    @Test("moves that wait for each other in a circle: one becomes a delete and a create, and nothing ever overlaps")
    func circleFallsBack() {
        // X and Y exchange their hours, each over the other's.
        let actions = [move("X", from: (0, 10), to: (10, 20), "UA"), move("Y", from: (10, 20), to: (0, 10), "UB")]
        let steps = Applier.writeSteps(actions)
        #expect(shape(steps) == ["delete X", "move Y", "create UA"])
        #expect(overlaps(steps, live: actions).isEmpty)
        #expect(steps.flatMap(\.actions).filter { $0.kind == .delete }.map(\.range) == [InstantRange(start: hours(0), end: hours(10))], "the delete is of the object as it is")
        #expect(Applier.requestCount(plan(actions), batchSize: 50) == 3)

        // Three in a circle, with a create waiting behind them.
        let three = [
            move("P", from: (0, 10), to: (10, 20), "UA"),
            move("Q", from: (10, 20), to: (20, 30), "UB"),
            move("R", from: (20, 30), to: (0, 10), "UA"),
            create(5, 6, "UC", bobs),
        ]
        let threeSteps = Applier.writeSteps(three)
        #expect(overlaps(threeSteps, live: three).isEmpty, "\(shape(threeSteps))")
        #expect(threeSteps.flatMap(\.actions).filter { $0.kind == .move }.count == 2)
        #expect(threeSteps.flatMap(\.actions).count == 5)
    }

    @Test("objects of one member piled over each other beyond the bound of waits: every rotation delete first, moves as delete and create, nothing followed further")
    func tooManyWaits() {
        let piled = (0..<1001).map { delete("D\($0)", 0, 10, "UA") } + (0..<1000).map { _ in create(0, 10, "UB") }
            + [move("M", from: (20, 30), to: (25, 35), "UA"), delete("S", 0, 10, "UA", .customShift)]
        let steps = Applier.writeSteps(piled)
        #expect(steps.map(\.kind) == [.delete, .create, .delete])
        #expect(steps.map(\.actions.count) == [1002, 1001, 1])
        #expect(steps[0].actions.last?.overrideID == "M" && steps[0].actions.last?.range == InstantRange(start: hours(20), end: hours(30)))
        #expect(steps[2].actions.map(\.overrideID) == ["S"])
    }

    private func plan(_ actions: [PlanAction]) -> Plan {
        let destination = DestinationPlan(
            name: "primary-pd", connection: "acme", destinationSchedule: "PPRIMAR", timeZone: "UTC", watermarkBefore: nil, watermarkAfter: nil, actions: actions,
            liveFingerprint: ""
        )
        return Plan(now: now, destinations: [destination], stateLineage: nil, stateSerial: 0)
    }
}
