import HandoffDestination
import HandoffTime
import OrderedJSON
import SafeText

// MARK: - Shift-based schedules in a saved plan

extension PlanFile {
    /// The version of a file that holds anything of a shift-based schedule (a target other than the
    /// whole schedule, a move, a kind, notes): a Handoff that reads only version 2 refuses it
    /// instead of applying it to the whole schedule. Other plans keep version 2, byte for byte.
    public static let shiftBasedFileVersion: Int64 = 3

    static func version(of plan: Plan) -> Int64 {
        let shiftBased = plan.destinations.contains { destination in
            destination.scheduleKind == .shiftBased || !destination.notes.isEmpty
                || destination.actions.contains { $0.target != .schedule || $0.kind == .move || $0.previous != nil }
        }
        return shiftBased ? shiftBasedFileVersion : fileVersion
    }

    /// `schedule_kind` and `notes` of a destination, when it has them.
    static func encodeKind(_ destination: DestinationPlan) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = []
        if let kind = destination.scheduleKind { pairs.append(("schedule_kind", .string(kind.rawValue))) }
        if !destination.notes.isEmpty { pairs.append(("notes", .array(destination.notes.map(JSONValue.string)))) }
        return pairs
    }

    static func decodeKind(_ object: JSONValue, into destination: inout DestinationPlan, _ what: String) throws {
        let reader = Reader()
        let kind = try reader.optionalString(object["schedule_kind"], "the schedule kind of \(what)").map(DestinationScheduleKind.init(rawValue:))
        if let kind, kind != .shiftBased, kind != .layerBased {
            throw Failure(description: "the schedule kind of \(what) is \"\(SafeText.excerpt(kind.rawValue))\", not \"layer-based\" or \"shift-based\"")
        }
        destination.scheduleKind = kind
        if let notes = object["notes"] { destination.notes = try reader.strings(notes, "the notes of \(what)") }
    }

    /// `target` (as the JSON plan writes it), and for a move `previous`, when the action has them.
    static func encodeTarget(_ action: PlanAction) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = []
        if let target = targetJSON(action) { pairs.append(("target", target)) }
        if let previous = action.previous {
            var fields: [(String, JSONValue)] = [
                ("override_id", .string(previous.id)), ("start", .string(previous.start.description)), ("end", .string(previous.end.description)),
                ("pagerduty_user", .string(previous.userID)),
            ]
            if let person = action.previousPerson { fields.append(("person", .string(person))) }
            if previous.deletePending { fields.append(("delete_pending", .bool(true))) }
            if previous.target != action.target { fields.append(("target", encode(previous.target))) }
            pairs.append(("previous", .object(fields)))
        }
        return pairs
    }

    private static func encode(_ target: OverrideTarget) -> JSONValue {
        targetJSON(PlanAction(kind: .delete, start: Instant(secondsSinceEpoch: 0), end: Instant(secondsSinceEpoch: 0), userID: "", person: "", email: "", target: target))
            ?? .object([("kind", .string("schedule"))])
    }

    static func decodeTarget(_ object: JSONValue, into action: inout PlanAction, _ what: String) throws {
        let reader = Reader()
        if let value = object["target"], !value.isNull {
            action.target = try decodeTarget(value, "the target of an action of \(what)")
            action.replacedPerson = try reader.optionalString(value["replacing_person"], "the target of an action of \(what)")
        }
        guard let value = object["previous"], !value.isNull else { return }
        let previous = try reader.object(value, "the previous override of an action of \(what)")
        let context = "the previous override of an action of \(what)"
        action.previous = OverrideRecord(
            id: try reader.string(previous["override_id"], context),
            start: try reader.instant(previous["start"], context),
            end: try reader.instant(previous["end"], context),
            userID: try reader.string(previous["pagerduty_user"], context),
            deletePending: try reader.flag(previous["delete_pending"], context),
            target: try previous["target"].map { try decodeTarget($0, context) } ?? action.target
        )
        action.previousPerson = try reader.optionalString(previous["person"], context)
    }

    private static func decodeTarget(_ value: JSONValue, _ what: String) throws -> OverrideTarget {
        let reader = Reader()
        let object = try reader.object(value, what)
        switch try reader.string(object["kind"], what) {
        case "schedule": return .schedule
        case "rotation":
            return .rotation(id: try reader.string(object["rotation_id"], what), replacing: try reader.optionalString(object["replacing_user_id"], what))
        case "custom_shift": return .customShift
        case "custom_shift_override":
            return .customShiftOverride(id: try reader.string(object["custom_shift_id"], what), replacing: try reader.optionalString(object["replacing_user_id"], what))
        default: throw Failure(description: "\(what) has no known kind")
        }
    }
}
