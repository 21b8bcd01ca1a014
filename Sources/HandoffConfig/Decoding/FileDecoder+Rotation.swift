import HandoffTime
import YAMLNodes
import SafeText

/// A schedule's `rotation` (with its `changes`) and `swaps`: both are checked against the turns
/// of the rotation, in the schedule's time zone.
extension FileDecoder {
    /// The rotation and whether it is complete; placeholders stand in for an invalid start or turn
    /// (already reported) so that its members can still be checked.
    mutating func decodeRotation(_ node: YAMLNode, schedule: String, zone: Zone?) -> (Rotation, Bool)? {
        let context = "the rotation of schedule \"\(schedule)\""
        guard let fields = reader.fields(of: node, allowed: ["members", "start", "turn", "changes"], in: context) else { return nil }
        let members = fields.required("members", in: context, reader: &reader).flatMap { decodeMembers($0, context: context) }
        let start = fields.required("start", in: context, reader: &reader).flatMap { reader.localDateTime($0, "\"start\"") }
        let turn = fields.required("turn", in: context, reader: &reader).flatMap { decodeTurn($0) }
        guard let members else { return nil }
        var complete = start != nil && turn != nil
        let placeholderStart = LocalDateTime(date: LocalDate(daysSinceEpoch: 0), time: .midnight)
        var eras = [
            RotationEra(
                from: start ?? placeholderStart,
                members: members.map(\.0),
                turn: turn ?? CalendarDuration(1, .weeks),
                location: node.location,
                memberLocations: members.map(\.1)
            )
        ]
        guard let changesNode = fields["changes"], let changes = reader.list(changesNode, "\"changes\"") else {
            return (Rotation(eras: eras), complete)
        }
        for change in changes {
            guard let changeFields = reader.fields(of: change, allowed: ["from", "members", "turn"], in: "a rotation change") else {
                complete = false
                continue
            }
            let fromNode = changeFields.required("from", in: "a rotation change", reader: &reader)
            let from = fromNode.flatMap { reader.localDateTime($0, "\"from\"") }
            let previous = eras[eras.count - 1]
            var era = RotationEra(
                from: from ?? previous.from,
                members: previous.members,
                turn: previous.turn,
                location: change.location,
                memberLocations: previous.memberLocations
            )
            if let membersNode = changeFields["members"] {
                if let members = decodeMembers(membersNode, context: "a rotation change") {
                    era.members = members.map(\.0)
                    era.memberLocations = members.map(\.1)
                } else {
                    complete = false
                }
            }
            if let turnNode = changeFields["turn"] {
                if let turn = decodeTurn(turnNode) { era.turn = turn } else { complete = false }
            }
            guard let from, let fromNode else {
                complete = false
                continue
            }
            if complete {
                if from <= previous.from {
                    reader.error(
                        "a rotation change from \(from) must be later than the start of the rotation before it (\(previous.from))",
                        at: fromNode
                    )
                    complete = false
                } else if let zone, previous.turnIndex(startingAt: from, in: zone) == nil {
                    let k = previous.turnIndex(containing: zone.instant(for: from), in: zone)
                    reader.error(
                        "a rotation change from \(from) is not the start of a turn of the rotation before it; "
                            + "the nearest turns start at \(previous.turnStartLocal(k, in: zone)) and \(previous.turnStartLocal(k + 1, in: zone))",
                        at: fromNode,
                        detail: "A change takes effect at a handoff, so that no turn is cut in two."
                    )
                    complete = false
                }
            }
            eras.append(era)
        }
        return (Rotation(eras: eras), complete)
    }

    mutating func decodeMembers(_ node: YAMLNode, context: String) -> [(String, SourceLocation)]? {
        guard let members = reader.stringList(node, "\"members\"", itemName: "a member") else { return nil }
        guard !members.isEmpty else {
            reader.error("\(context) has no members; list at least one person", at: node)
            return nil
        }
        return members
    }

    mutating func decodeTurn(_ node: YAMLNode) -> CalendarDuration? {
        guard let turn = reader.duration(node, "\"turn\"") else { return nil }
        guard turn >= RotationEra.minimumTurn, turn <= RotationEra.maximumTurn else {
            reader.error("a turn must last from \(RotationEra.minimumTurn) to \(RotationEra.maximumTurn), not \(turn)", at: node)
            return nil
        }
        return turn
    }

    mutating func decodeSwaps(_ node: YAMLNode, schedule: String, rotation: Rotation, zone: Zone) -> [Swap] {
        guard let items = reader.list(node, "\"swaps\"") else { return [] }
        var swaps: [Swap] = []
        // Each turn may be swapped once, so that the swaps stay a permutation of the turns: a turn
        // named twice would vanish from one member and be held twice by another.
        var swappedTurns: [LocalDateTime: Int] = [:]
        for item in items {
            guard let pair = item.sequence, pair.count == 2 else {
                reader.error("a swap must be a list of two turn starts, such as [2026-12-07T09:00, 2026-12-14T09:00], not \(item.kindDescription)", at: item)
                continue
            }
            let first = reader.localDateTime(pair[0], "a swapped turn")
            let second = reader.localDateTime(pair[1], "a swapped turn")
            guard let first, let second else { continue }
            let firstIsTurn = checkTurnStart(first, at: pair[0], schedule: schedule, rotation: rotation, zone: zone)
            let secondIsTurn = checkTurnStart(second, at: pair[1], schedule: schedule, rotation: rotation, zone: zone)
            guard firstIsTurn, secondIsTurn else { continue }
            if first == second {
                reader.error("a swap must name two different turns, but both are \(first)", at: pair[1])
                continue
            }
            var repeated = false
            for (turn, node) in [(first, pair[0]), (second, pair[1])] {
                guard let line = swappedTurns[turn] else { continue }
                reader.error("the turn starting \(turn) is already swapped at line \(line); a turn can take part in one swap only", at: node)
                repeated = true
            }
            guard !repeated else { continue }
            swappedTurns[first] = item.location.line
            swappedTurns[second] = item.location.line
            swaps.append(Swap(first: first, second: second, location: item.location))
        }
        return swaps
    }

    /// True when `local` begins a turn of the era in force then; records the error otherwise.
    mutating func checkTurnStart(_ local: LocalDateTime, at node: YAMLNode, schedule: String, rotation: Rotation, zone: Zone) -> Bool {
        guard let era = rotation.eras.last(where: { $0.from <= local }) else {
            reader.error("\(local) is before the rotation of schedule \"\(schedule)\" starts (\(rotation.eras[0].from))", at: node)
            return false
        }
        if era.turnIndex(startingAt: local, in: zone) != nil { return true }
        let k = era.turnIndex(containing: zone.instant(for: local), in: zone)
        reader.error(
            "\(local) is not the start of a turn of schedule \"\(schedule)\"; the nearest turns start at "
                + "\(era.turnStartLocal(k, in: zone)) and \(era.turnStartLocal(k + 1, in: zone))",
            at: node
        )
        return false
    }
}
