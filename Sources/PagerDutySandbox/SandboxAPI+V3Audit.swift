import Foundation
import HandoffTime
import OrderedJSON

/// `GET /v3/schedules/{id}/audit/records` (reference section 6.7, checklist row 1): the writes
/// the simulator performed on a shift-based schedule, newest first, with cursor pagination.
/// A record names its caller by the authentication method and at most the last four characters
/// of the key (`SandboxCaller`); the key itself is never stored or sent.
extension SandboxAPI {

    // MARK: - Recording

    /// Records what a successful v3 write did (called under the v3 write gate, after the write).
    /// Overrides and custom shifts only while `auditShiftWrites` is on; a deleted schedule takes
    /// its records with it.
    func recordV3Audit(method: String, route: V3Route, reply: SandboxReply) async {
        guard (200..<300).contains(reply.status) else { return }
        let shifts = quirks.v3.auditShiftWrites
        let action = method == "POST" ? "create" : method == "PUT" ? "update" : "delete"
        let created: (String, String) -> [String] = { key, inner in
            let value = reply.body?[key]
            if let list = value?.arrayValue { return list.compactMap { $0[inner]?.stringValue } }
            return value?[inner]?.stringValue.map { [$0] } ?? []
        }
        let scheduleID: String
        var changes: [(type: String, id: String)] = []
        switch (method, route) {
        case ("POST", .schedules):
            guard let id = reply.body?["schedule"]?["id"]?.stringValue else { return }
            scheduleID = id
            changes = [("schedule", id)]
        case ("PUT", .schedule(let id)):
            scheduleID = id
            changes = [("schedule", id)]
        case ("POST", .rotations(let id)):
            scheduleID = id
            changes = created("rotation", "id").map { ("schedule_rotation", $0) }
        case ("DELETE", .rotation(let id, let rotation)):
            scheduleID = id
            changes = [("schedule_rotation", rotation)]
        case ("POST", .events(let id, _)):
            scheduleID = id
            changes = created("event", "id").map { ("schedule_event", $0) }
        case ("PUT", .event(let id, _, let event)), ("DELETE", .event(let id, _, let event)):
            scheduleID = id
            changes = [("schedule_event", event)]
        case ("POST", .customShifts(let id)) where shifts:
            scheduleID = id
            changes = created("custom_shifts", "id").map { ("custom_shift", $0) }
        case ("PUT", .customShift(let id, let shift)) where shifts, ("DELETE", .customShift(let id, let shift)) where shifts:
            scheduleID = id
            changes = [("custom_shift", shift)]
        case ("POST", .overrides(let id)) where shifts:
            scheduleID = id
            changes = created("overrides", "id").map { ("override_shift", $0) }
        case ("PUT", .override(let id, let override)) where shifts, ("DELETE", .override(let id, let override)) where shifts:
            scheduleID = id
            changes = [("override_shift", override)]
        default:
            return
        }
        guard !changes.isEmpty else { return }
        let caller = self.caller ?? SandboxCaller(method: "other", truncatedToken: "")
        let now = self.now
        let recorded = changes
        // A failure to write the data file loses the records, not the write they describe.
        // Numbered per schedule, not from the account's id counter: recording must not change the
        // ids the simulator gives to objects (tests and goldens rely on them).
        _ = try? await store.updateSchedule(id: scheduleID) { schedule, _ -> (result: Bool, changed: Bool) in
            guard var details = schedule.v3 else { return (false, false) }
            var records = details.auditRecords ?? []
            var sequence = records.last?.sequence ?? 0
            for change in recorded {
                sequence += 1
                let id = "R" + schedule.id.dropFirst() + SandboxID.make(prefix: "R", counter: sequence, length: 7).dropFirst()
                records.append(
                    SandboxV3AuditRecord(
                        id: id, sequence: sequence, executionTime: now, action: action, resourceType: change.type, resourceID: change.id, caller: caller
                    )
                )
            }
            if records.count > Self.v3MaximumAuditRecords { records.removeFirst(records.count - Self.v3MaximumAuditRecords) }
            details.auditRecords = records
            schedule.v3 = details
            return (true, true)
        }
    }

    /// The most audit records one schedule keeps (the oldest go first): the simulator's bound.
    static let v3MaximumAuditRecords = 10_000
    /// The longest window one listing covers (PagerDuty's 31 days).
    static let v3AuditWindowSeconds: Int64 = 31 * 86_400

    // MARK: - Listing

    func listV3AuditRecords(_ id: String, _ query: QueryParameters) async -> SandboxReply {
        let schedule: SandboxSchedule
        switch await v3Schedule(id) {
        case .success(let found): schedule = found
        case .failure(let refusal): return refusal.reply
        }
        var problems = V3Problems()
        let since = query["since"].map { parseTime($0, zone: .utc) } ?? now.adding(seconds: -86_400)
        let until = query["until"].map { parseTime($0, zone: .utc) } ?? now
        if since == nil { problems.add("since", "must be a date-time") }
        if until == nil { problems.add("until", "must be a date-time") }
        if let since, let until {
            if until < since { problems.add("until", "must not be before since") }
            if until - since > Self.v3AuditWindowSeconds { problems.add("until", "must be at most 31 days after since") }
        }
        var limit = 25
        if let text = query["limit"] {
            if let number = Int(text), (1...100).contains(number) {
                limit = number
            } else if let number = Int(text), !quirks.v3.rejectOutOfRangeLimit {
                limit = min(max(number, 1), 100)
            } else {
                problems.add("limit", "must be a whole number between 1 and 100")
            }
        }
        var before = Int.max
        if let text = query["cursor"] {
            if let sequence = Self.auditCursorSequence(text) { before = sequence } else { problems.add("cursor", "is not a cursor this listing gave") }
        }
        guard problems.isEmpty, let since, let until else { return v3Invalid(problems) }
        let matching = (schedule.v3?.auditRecords ?? []).reversed().filter {
            $0.sequence < before && since <= $0.executionTime && $0.executionTime <= until
        }
        let page = Array(matching.prefix(limit))
        let next: JSONValue = matching.count > limit ? page.last.map { .string(Self.auditCursor($0.sequence)) } ?? .null : .null
        return .json(200, .object([
            ("records", .array(page.map { auditRecordJSON($0, schedule: schedule) })),
            ("limit", .int(limit)),
            ("next_cursor", next),
        ]))
    }

    /// An opaque cursor: the records after it are those older than `sequence`.
    static func auditCursor(_ sequence: Int) -> String {
        Data("before:\(sequence)".utf8).base64EncodedString()
    }

    static func auditCursorSequence(_ cursor: String) -> Int? {
        guard cursor.utf8.count <= 64, let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("before:"), let sequence = Int(text.dropFirst("before:".count)), sequence > 0
        else { return nil }
        return sequence
    }

    func auditRecordJSON(_ record: SandboxV3AuditRecord, schedule: SandboxSchedule) -> JSONValue {
        let oauth = record.caller.method == "oauth"
        var method: [(String, JSONValue)] = [("type", .string(record.caller.method))]
        if record.caller.method == "api_token" || oauth { method.append(("truncated_token", .string(record.caller.truncatedToken))) }
        let actor = JSONValue.object([
            ("type", .string(oauth ? "app_reference" : "api_key_reference")),
            ("summary", .string(oauth ? "OAuth token ending in \(record.caller.truncatedToken)" : "API key ending in \(record.caller.truncatedToken)")),
        ])
        return .object([
            ("id", .string(record.id)),
            ("execution_time", time(record.executionTime, .utc)),
            ("actors", .array([actor])),
            ("method", .object(method)),
            ("root_resource", .object([
                ("id", .string(schedule.id)), ("type", .string("schedule_reference")), ("summary", .string(schedule.name)),
                ("self", v3Self(schedule.id)), ("html_url", .string("\(Self.webBase)/schedules/\(schedule.id)")),
            ])),
            ("action", .string(record.action)),
            ("details", .object([("resource", .object([("id", .string(record.resourceID)), ("type", .string(record.resourceType))]))])),
        ])
    }
}
