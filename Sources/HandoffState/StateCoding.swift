import Foundation
public import HandoffDestination
import HandoffTime
public import OrderedJSON

/// The JSON of the state file (documented by `schemas/state.schema.json`) and of the journal's
/// lines, written with keys in a fixed order so that a state file diffs cleanly.
public enum StateCoding {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        /// The file was written by a newer Handoff: nothing is wrong with it, this one is too old.
        public var isNewerFormat = false
        /// The description already says how to recover (a serial out of range).
        public var saysHowToRecover = false
    }

    // MARK: State

    public static func json(_ state: HandoffState) -> JSONValue {
        .object([
            "format_version": .int(state.fileFormatVersion),
            "lineage": state.lineage.map(JSONValue.string) ?? .null,
            "serial": .int(state.serial),
            "destinations": .object(state.destinations.sorted { $0.key < $1.key }.map { name, destination in
                (name, json(destination))
            }),
        ])
    }

    static func json(_ destination: DestinationState) -> JSONValue {
        .object([
            "connection": .string(destination.connection),
            "pagerduty_schedule": .string(destination.destinationSchedule),
            "watermark": destination.watermark.map { .string($0.description) } ?? .null,
            "overrides": .array(destination.overrides.map(json)),
            "schedule_kind": destination.scheduleKind.map { .string($0.rawValue) },
        ])
    }

    static func json(_ override: OverrideRecord) -> JSONValue {
        .object([
            "id": .string(override.id),
            "start": .string(override.start.description),
            "end": .string(override.end.description),
            "user": .string(override.userID),
            "delete_pending": override.deletePending ? .bool(true) : nil,
            "target": json(override.target),
        ])
    }

    /// A target as the state writes it: nothing for the whole schedule, an object otherwise (the
    /// PostgreSQL history writes it the same way).
    public static func json(_ target: OverrideTarget) -> JSONValue? {
        TargetFields(target).map(json)
    }

    /// A target written by `json(_:)`; absent or null is the whole schedule.
    public static func target(from value: JSONValue?) throws -> OverrideTarget {
        try target(value, "the target")
    }

    /// A target other than the whole schedule (which is written as nothing): its type, the
    /// rotation's or custom shift's id, and the member replaced (null: a vacant seat).
    static func json(_ fields: TargetFields) -> JSONValue {
        switch fields.type {
        case TargetFields.customShift:
            return .object(["type": .string(fields.type)])
        case TargetFields.customShiftOverride:
            return .object(["type": .string(fields.type), "custom_shift": fields.id.map(JSONValue.string), "replacing": fields.replacing.map(JSONValue.string) ?? .null])
        default:
            return .object(["type": .string(fields.type), "rotation": fields.id.map(JSONValue.string), "replacing": fields.replacing.map(JSONValue.string) ?? .null])
        }
    }

    /// Reads a state file; every failure names what is wrong, for a message that names the file.
    public static func decodeState(_ bytes: [UInt8]) throws -> HandoffState {
        let root = try object(parse(bytes), "the file")
        let version = try integer(root["format_version"], "format_version")
        guard version == HandoffState.formatVersion || version == HandoffState.shiftBasedFormatVersion else {
            throw Failure(
                description: "it has format_version \(version); this Handoff reads versions \(HandoffState.formatVersion) and \(HandoffState.shiftBasedFormatVersion)",
                isNewerFormat: true
            )
        }
        let lineage = try optionalString(root["lineage"], "lineage")
        let serial = try integer(root["serial"], "serial")
        if let problem = HandoffState.serialProblem(serial) { throw Failure(description: problem, saysHowToRecover: true) }
        var destinations: [String: DestinationState] = [:]
        for (name, value) in try members(root["destinations"], "destinations") {
            let entry = try object(value, "destination \(name)")
            let overrides = try array(entry["overrides"], "the overrides of destination \(name)").map {
                try ownedOverride($0, "an override of destination \(name)")
            }
            destinations[name] = DestinationState(
                connection: try string(entry["connection"], "the connection of destination \(name)"),
                destinationSchedule: try string(entry["pagerduty_schedule"], "the PagerDuty schedule of destination \(name)"),
                watermark: try optionalInstant(entry["watermark"], "the watermark of destination \(name)"),
                overrides: overrides.sorted { ($0.start, $0.id) < ($1.start, $1.id) },
                scheduleKind: try optionalKind(entry["schedule_kind"], "the schedule kind of destination \(name)")
            )
        }
        return HandoffState(lineage: lineage, serial: serial, destinations: destinations)
    }

    // MARK: Journal

    /// One journal line: the change and the state it extends.
    public static func journalLine(_ change: StateChange, lineage: String, baseSerial: Int) -> String {
        JSONValue.object([
            "lineage": .string(lineage),
            "base_serial": .int(baseSerial),
            "destination": .string(change.destination),
            "connection": .string(change.connection),
            "pagerduty_schedule": .string(change.destinationSchedule),
            "created": change.created.isEmpty ? nil : .array(change.created.map(json)),
            "deleted": change.deleted.isEmpty ? nil : .array(change.deleted.map(JSONValue.string)),
            "updated": change.updated.isEmpty ? nil : .array(change.updated.map(json)),
            "truncated": change.truncated.isEmpty ? nil : .array(change.truncated.map {
                .object(["id": .string($0.id), "end": .string($0.end.description)])
            }),
            "mark_delete_pending": change.markDeletePending.isEmpty ? nil : .array(change.markDeletePending.map(JSONValue.string)),
            "clear_delete_pending": change.clearDeletePending.isEmpty ? nil : .array(change.clearDeletePending.map(JSONValue.string)),
            "watermark": change.watermark.map { .string($0.description) },
            "drop_ended_before": change.dropEndedBefore.map { .string($0.description) },
            "schedule_kind": change.scheduleKind.map { .string($0.rawValue) },
            "remove_destination": change.removeDestination ? .bool(true) : nil,
            "moved_to": change.movedTo.map(JSONValue.string),
        ]).serialized(pretty: false)
    }

    public struct JournalEntry: Sendable {
        public var lineage: String
        public var baseSerial: Int
        public var change: StateChange
    }

    public static func decodeJournalLine(_ bytes: some Collection<UInt8>) throws -> JournalEntry {
        let root = try object(parse(Array(bytes)), "the line")
        let created = try (root["created"].map { try array($0, "created") } ?? []).map { try ownedOverride($0, "a created override") }
        let deleted = try (root["deleted"].map { try array($0, "deleted") } ?? []).map { try string($0, "a deleted id") }
        let updated = try (root["updated"].map { try array($0, "updated") } ?? []).map { try ownedOverride($0, "an updated override") }
        let truncated = try (root["truncated"].map { try array($0, "truncated") } ?? []).map { value -> StateChange.Truncation in
            let entry = try object(value, "a truncation")
            return StateChange.Truncation(id: try string(entry["id"], "a truncated id"), end: try instant(entry["end"], "a truncated end"))
        }
        let marked = try (root["mark_delete_pending"].map { try array($0, "mark_delete_pending") } ?? []).map { try string($0, "an id marked delete-pending") }
        let cleared = try (root["clear_delete_pending"].map { try array($0, "clear_delete_pending") } ?? []).map { try string($0, "an id cleared of delete-pending") }
        return JournalEntry(
            lineage: try string(root["lineage"], "lineage"),
            baseSerial: try integer(root["base_serial"], "base_serial"),
            change: StateChange(
                destination: try string(root["destination"], "destination"),
                connection: try string(root["connection"], "connection"),
                destinationSchedule: try string(root["pagerduty_schedule"], "pagerduty_schedule"),
                created: created,
                deleted: deleted,
                updated: updated,
                truncated: truncated,
                markDeletePending: marked,
                clearDeletePending: cleared,
                watermark: try optionalInstant(root["watermark"], "watermark"),
                dropEndedBefore: try optionalInstant(root["drop_ended_before"], "drop_ended_before"),
                scheduleKind: try optionalKind(root["schedule_kind"], "schedule_kind"),
                removeDestination: root["remove_destination"]?.boolValue ?? false,
                movedTo: try optionalString(root["moved_to"], "moved_to")
            )
        )
    }

    // MARK: Reading helpers

    private static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw Failure(description: "it is not valid JSON")
        }
    }

    private static func ownedOverride(_ value: JSONValue?, _ what: String) throws -> OverrideRecord {
        let entry = try object(value, what)
        return OverrideRecord(
            id: try string(entry["id"], "the id of \(what)"),
            start: try instant(entry["start"], "the start of \(what)"),
            end: try instant(entry["end"], "the end of \(what)"),
            userID: try string(entry["user"], "the user of \(what)"),
            deletePending: try optionalBool(entry["delete_pending"], "the delete_pending mark of \(what)"),
            target: try target(entry["target"], "the target of \(what)")
        )
    }

    /// Absent (the whole schedule, and states written before targets existed) reads as `.schedule`.
    private static func target(_ value: JSONValue?, _ what: String) throws -> OverrideTarget {
        if value == nil || value?.isNull == true { return .schedule }
        let entry = try object(value, what)
        let type = try string(entry["type"], "the type of \(what)")
        let id = try optionalString(entry[type == TargetFields.customShiftOverride ? "custom_shift" : "rotation"], "the id in \(what)")
        let replacing = try optionalString(entry["replacing"], "the member replaced in \(what)")
        switch TargetFields(type: type, id: id, replacing: replacing).target() {
        case .success(let target): return target
        case .failure(let problem): throw Failure(description: "\(what) is not understood: \(problem)")
        }
    }

    /// Absent (states written before kinds were remembered) reads as nil; a kind this Handoff does
    /// not know is refused rather than taken for one it knows.
    private static func optionalKind(_ value: JSONValue?, _ what: String) throws -> DestinationScheduleKind? {
        guard let text = try optionalString(value, what) else { return nil }
        let kind = DestinationScheduleKind(rawValue: text)
        guard [.layerBased, .shiftBased].contains(kind) else { throw Failure(description: "\(what) is not layer-based or shift-based") }
        return kind
    }

    /// An object, to read members from with its subscript.
    private static func object(_ value: JSONValue?, _ what: String) throws -> JSONValue {
        guard let value, value.objectValue != nil else { throw Failure(description: "\(what) is not a JSON object") }
        return value
    }

    private static func members(_ value: JSONValue?, _ what: String) throws -> [(String, JSONValue)] {
        guard let pairs = value?.objectValue else { throw Failure(description: "\(what) is not a JSON object") }
        return pairs
    }

    private static func array(_ value: JSONValue?, _ what: String) throws -> [JSONValue] {
        guard let array = value?.arrayValue else { throw Failure(description: "\(what) is not a list") }
        return array
    }

    private static func string(_ value: JSONValue?, _ what: String) throws -> String {
        guard let text = value?.stringValue, !text.isEmpty else { throw Failure(description: "\(what) is missing or not a string") }
        return text
    }

    private static func optionalString(_ value: JSONValue?, _ what: String) throws -> String? {
        if value == nil || value?.isNull == true { return nil }
        return try string(value, what)
    }

    /// Absent (states written before the mark existed) reads as false.
    private static func optionalBool(_ value: JSONValue?, _ what: String) throws -> Bool {
        if value == nil || value?.isNull == true { return false }
        guard let flag = value?.boolValue else { throw Failure(description: "\(what) is not true or false") }
        return flag
    }

    private static func integer(_ value: JSONValue?, _ what: String) throws -> Int {
        guard let number = value?.intValue else { throw Failure(description: "\(what) is missing or not a whole number") }
        return number
    }

    private static func instant(_ value: JSONValue?, _ what: String) throws -> Instant {
        guard let text = value?.stringValue, let instant = Instant(rfc3339: text) else {
            throw Failure(description: "\(what) is missing or not an RFC 3339 time")
        }
        return instant
    }

    private static func optionalInstant(_ value: JSONValue?, _ what: String) throws -> Instant? {
        if value == nil || value?.isNull == true { return nil }
        return try instant(value, what)
    }
}
