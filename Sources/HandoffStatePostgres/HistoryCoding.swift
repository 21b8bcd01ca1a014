import Foundation
import HandoffDestination
import HandoffState
import HandoffTime
import OrderedJSON

/// History entries: each change with what undoing it needs (the records it removed, the
/// watermark and destination before it), so an operator can restore an earlier serial.
enum HistoryCoding {
    static func entry(
        _ change: StateChange,
        before: DestinationState?,
        removedRecords: [OverrideRecord],
        truncated: [(String, Instant, Instant)],
        pending: (marked: [String], cleared: [String]) = ([], []),
        updated: [OverrideRecord] = []
    ) -> JSONValue {
        .object([
            "destination": .string(change.destination),
            "destination_before": before.map { before in
                .object([
                    "connection": .string(before.connection),
                    "pagerduty_schedule": .string(before.destinationSchedule),
                    "watermark": before.watermark.map { .string($0.description) } ?? .null,
                    // Always written (null: none remembered), so an entry from before kinds were
                    // remembered, which has no such key, leaves the kind alone when undone.
                    "schedule_kind": before.scheduleKind.map { .string($0.rawValue) } ?? .null,
                ])
            } ?? .null,
            "created": .array(change.created.map { .string($0.id) }),
            "removed": .array(removedRecords.map(record)),
            "updated_from": updated.isEmpty ? nil : .array(updated.map(record)),
            "truncated": .array(truncated.map { .object(["id": .string($0.0), "from": .string($0.1.description), "to": .string($0.2.description)]) }),
            "delete_pending_marked": pending.marked.isEmpty ? nil : .array(pending.marked.map(JSONValue.string)),
            "delete_pending_cleared": pending.cleared.isEmpty ? nil : .array(pending.cleared.map(JSONValue.string)),
            "watermark": change.watermark.map { .string($0.description) },
            "removed_destination": change.removeDestination ? .bool(true) : nil,
            "moved_to": change.movedTo.map(JSONValue.string),
        ])
    }

    static func record(_ override: OverrideRecord) -> JSONValue {
        .object([
            "id": .string(override.id), "start": .string(override.start.description),
            "end": .string(override.end.description), "user": .string(override.userID),
            "delete_pending": override.deletePending ? .bool(true) : nil,
            "target": StateCoding.json(override.target),
        ])
    }

    /// A short line for `handoff state history`.
    static func summary(_ change: StateChange) -> String {
        if let newName = change.movedTo { return "\(change.destination): destination moved to \(newName)" }
        if change.removeDestination { return "\(change.destination): destination removed" }
        var parts: [String] = []
        if !change.created.isEmpty { parts.append("\(change.created.count) owned") }
        if !change.deleted.isEmpty { parts.append("\(change.deleted.count) deleted") }
        if !change.updated.isEmpty { parts.append("\(change.updated.count) moved") }
        if !change.truncated.isEmpty { parts.append("\(change.truncated.count) cut short") }
        if !change.markDeletePending.isEmpty { parts.append("\(change.markDeletePending.count) delete pending") }
        if !change.clearDeletePending.isEmpty { parts.append("\(change.clearDeletePending.count) no longer delete pending") }
        if let watermark = change.watermark { parts.append("watermark \(watermark)") }
        if change.dropEndedBefore != nil { parts.append("ended records dropped") }
        if let kind = change.scheduleKind { parts.append("schedule kind \(kind)") }
        return "\(change.destination): " + (parts.isEmpty ? "no change" : parts.joined(separator: ", "))
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Undoes one history entry on `state`.
    static func undo(_ text: String, on state: inout HandoffState) throws {
        guard let entry = try? JSONValue.parse(text), entry.objectValue != nil,
            let destination = entry["destination"]?.stringValue
        else { throw Failure(description: "a history entry cannot be read") }
        if entry["restore_of_state"] != nil {
            throw Failure(description: "a restore or migration lies in between; restore to a serial after it")
        }
        if let newName = entry["moved_to"]?.stringValue {
            // The record goes back to its old name.
            if state.destinations[destination] == nil, let moved = state.destinations.removeValue(forKey: newName) {
                state.destinations[destination] = moved
            }
            return
        }
        let before = entry["destination_before"].flatMap { $0.objectValue == nil ? nil : $0 }
        let removed = objects(entry["removed"]).compactMap(overrideRecord)
        guard let before else {
            // The change created the destination: before it, there was none.
            state.destinations[destination] = nil
            return
        }
        var current = state.destinations[destination]
            ?? DestinationState(connection: before["connection"]?.stringValue ?? "", destinationSchedule: before["pagerduty_schedule"]?.stringValue ?? "")
        current.connection = before["connection"]?.stringValue ?? current.connection
        current.destinationSchedule = before["pagerduty_schedule"]?.stringValue ?? current.destinationSchedule
        current.watermark = before["watermark"]?.stringValue.flatMap(Instant.init(rfc3339:))
        if let kind = before["schedule_kind"] {
            current.scheduleKind = kind.stringValue.map(DestinationScheduleKind.init(rawValue:))
        }
        let created = Set(strings(entry["created"]))
        current.overrides.removeAll { created.contains($0.id) }
        // Moved records go back to how they were.
        for previous in objects(entry["updated_from"]).compactMap(overrideRecord) {
            if let index = current.overrides.firstIndex(where: { $0.id == previous.id }) { current.overrides[index] = previous }
        }
        for truncation in objects(entry["truncated"]) {
            guard let id = truncation["id"]?.stringValue, let from = truncation["from"]?.stringValue.flatMap(Instant.init(rfc3339:)),
                let index = current.overrides.firstIndex(where: { $0.id == id })
            else { continue }
            current.overrides[index].end = from
        }
        // Marks set by the change are cleared, marks it cleared come back.
        let marked = Set(strings(entry["delete_pending_marked"]))
        let cleared = Set(strings(entry["delete_pending_cleared"]))
        for index in current.overrides.indices {
            if marked.contains(current.overrides[index].id) { current.overrides[index].deletePending = false }
            if cleared.contains(current.overrides[index].id) { current.overrides[index].deletePending = true }
        }
        let present = Set(current.overrides.map(\.id))
        current.overrides += removed.filter { !present.contains($0.id) }
        current.overrides.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        state.destinations[destination] = current
    }

    /// A record of a history entry; nil when it cannot be read.
    private static func overrideRecord(_ object: JSONValue) -> OverrideRecord? {
        guard let id = object["id"]?.stringValue, let start = object["start"]?.stringValue.flatMap(Instant.init(rfc3339:)),
            let end = object["end"]?.stringValue.flatMap(Instant.init(rfc3339:)), let user = object["user"]?.stringValue,
            let target = try? StateCoding.target(from: object["target"])
        else { return nil }
        return OverrideRecord(id: id, start: start, end: end, userID: user, deletePending: object["delete_pending"]?.boolValue ?? false, target: target)
    }

    /// A list of strings, or nothing when it is absent or holds anything else (as Foundation's
    /// `as? [String]` read it).
    private static func strings(_ value: JSONValue?) -> [String] {
        guard let items = value?.arrayValue else { return [] }
        var result: [String] = []
        for item in items {
            guard let text = item.stringValue else { return [] }
            result.append(text)
        }
        return result
    }

    /// A list of objects, or nothing when it is absent or holds anything else.
    private static func objects(_ value: JSONValue?) -> [JSONValue] {
        guard let items = value?.arrayValue, items.allSatisfy({ $0.objectValue != nil }) else { return [] }
        return items
    }
}
