import Foundation
import HandoffTime
import OrderedJSON

/// Custom shifts under `/v3/schedules/{id}/custom_shifts` (reference section 6.4, checklist
/// row 14): one-off coverage that adds one person.
extension SandboxAPI {

    /// Crossing shifts are always cut to the window without `overflow=true` (no switch: only the
    /// override list's behaviour is in question, checklist row 17).
    func listV3CustomShifts(_ id: String, _ query: QueryParameters) async -> SandboxReply {
        await v3List(
            id, query, in: \.customShifts, key: "custom_shifts", dropCrossing: false,
            order: { ($0.start, $0.id) < ($1.start, $1.id) }, json: v3CustomShiftJSON
        )
    }

    /// All or nothing: one invalid item refuses the batch.
    func createV3CustomShifts(_ id: String, _ body: [UInt8]) async -> SandboxReply {
        let schedule: SandboxSchedule
        switch await v3Schedule(id) {
        case .success(let found): schedule = found
        case .failure(let refusal): return refusal.reply
        }
        guard let items = v3Body(body)?["custom_shifts"]?.arrayValue, !items.isEmpty else {
            return v3Invalid("custom_shifts", "must be a non-empty list")
        }
        guard items.count <= Self.v3MaximumBatch else { return v3Invalid("custom_shifts", "must hold at most \(Self.v3MaximumBatch) items") }
        guard (schedule.v3?.customShifts.count ?? 0) + items.count <= Self.v3MaximumPerSchedule else {
            return v3Invalid("custom_shifts", "would make more than \(Self.v3MaximumPerSchedule) custom shifts on this schedule")
        }
        let users = await v3UserIDs()
        var problems = V3Problems()
        var drafts: [(start: Instant, end: Instant, member: SandboxV3Member)] = []
        for (index, item) in items.enumerated() {
            let field = "custom_shifts[\(index)]"
            if let type = item["type"], type.stringValue != "custom_shift" { problems.add("\(field).type", "must be custom_shift") }
            let start = v3Time(item["start_time"])
            let end = v3Time(item["end_time"])
            if start == nil { problems.add("\(field).start_time", "must be a date-time") }
            if end == nil { problems.add("\(field).end_time", "must be a date-time") }
            if let start, let end, end <= start { problems.add("\(field).end_time", "must be after start_time") }
            let assignments = item["assignments"]?.arrayValue ?? []
            guard assignments.count == 1 else {
                problems.add("\(field).assignments", "must hold exactly one assignment")
                continue
            }
            if let type = assignments[0]["type"], type.stringValue != "shift_assignment" {
                problems.add("\(field).assignments[0].type", "must be shift_assignment")
            }
            let member = v3Member(assignments[0]["member"], field: "\(field).assignments[0].member", users: users, problems: &problems)
            if let start, let end, let member { drafts.append((start, end, member)) }
        }
        guard problems.isEmpty else { return v3Invalid(problems) }
        let toCreate = drafts.map { SandboxV3CustomShift(id: "", assignmentID: "", start: $0.start, end: $0.end, member: $0.member) }
        let created: [SandboxV3CustomShift]
        switch await v3Append(toCreate, in: \.customShifts, of: id, naming: { shift, ids in
            shift.id = ids.next()
            shift.assignmentID = ids.next()
        }) {
        case .success(let made): created = made
        case .failure(let refusal): return refusal.reply
        }
        let zone = Zone(identifier: schedule.timeZone) ?? .utc
        return .json(201, .object([("custom_shifts", .array(created.map { v3CustomShiftJSON(id, $0, zone: zone) }))]))
    }

    func getV3CustomShift(_ id: String, _ shiftID: String) async -> SandboxReply {
        await v3Get(id, shiftID, in: \.customShifts, key: "custom_shift", json: v3CustomShiftJSON)
    }

    /// Before the shift starts every field may change; once it has, only `end_time`.
    func updateV3CustomShift(_ id: String, _ shiftID: String, _ body: [UInt8]) async -> SandboxReply {
        let schedule: SandboxSchedule
        var shift: SandboxV3CustomShift
        switch await v3Item(id, shiftID, in: \.customShifts) {
        case .success(let found): (schedule, shift) = found
        case .failure(let refusal): return refusal.reply
        }
        guard let fields = v3Body(body)?["custom_shift"], let pairs = fields.objectValue else { return v3Invalid("custom_shift", "is required") }
        // Like an override (checklist row 18), an ended shift is history: neither revived nor rewritten.
        if shift.end <= now { return v3Invalid("custom_shift", "has ended and cannot be changed") }
        var problems = V3Problems()
        let started = shift.start <= now
        if started {
            for (key, _) in pairs where key != "end_time" && key != "id" && key != "type" {
                problems.add("custom_shift.\(key)", "cannot change once the shift has started; only end_time can")
            }
        }
        if let value = fields["start_time"], !started {
            if let start = v3Time(value) { shift.start = start } else { problems.add("custom_shift.start_time", "must be a date-time") }
        }
        if let value = fields["end_time"] {
            if let end = v3Time(value) { shift.end = end } else { problems.add("custom_shift.end_time", "must be a date-time") }
        }
        if let value = fields["assignments"], !started {
            let list = value.arrayValue ?? []
            if list.count == 1 {
                if let member = v3Member(list[0]["member"], field: "custom_shift.assignments[0].member", users: await v3UserIDs(), problems: &problems) {
                    shift.member = member
                }
            } else {
                problems.add("custom_shift.assignments", "must hold exactly one assignment")
            }
        }
        if shift.end <= shift.start { problems.add("custom_shift.end_time", "must be after start_time") }
        guard problems.isEmpty else { return v3Invalid(problems) }
        if let failure = await v3Store(shift, in: \.customShifts, of: id) { return failure }
        return .json(200, .object([("custom_shift", v3CustomShiftJSON(id, shift, zone: Zone(identifier: schedule.timeZone) ?? .utc))]))
    }

    /// Not started: removed (204). Started: ends now (204). Ended: 400.
    func deleteV3CustomShift(_ id: String, _ shiftID: String) async -> SandboxReply {
        let schedule: SandboxSchedule
        let shift: SandboxV3CustomShift
        switch await v3Item(id, shiftID, in: \.customShifts) {
        case .success(let found): (schedule, shift) = found
        case .failure(let refusal): return refusal.reply
        }
        if shift.end <= now { return v3Invalid("custom_shift", "has already ended and cannot be deleted") }
        let now = self.now
        do {
            _ = try await store.updateSchedule(id: id) { schedule, _ in
                guard let index = schedule.v3?.customShifts.firstIndex(where: { $0.id == shiftID }) else { return (false, false) }
                if shift.start > now {
                    schedule.v3?.customShifts.remove(at: index)
                    // Its overrides have nothing left to override.
                    schedule.v3?.overrides.removeAll { $0.customShiftID == shiftID }
                } else {
                    schedule.v3?.customShifts[index].end = now
                }
                return (true, true)
            }
        } catch { return v3StoreFailure() }
        return SandboxReply(status: 204, body: nil)
    }

    func v3CustomShiftJSON(_ scheduleID: String, _ shift: SandboxV3CustomShift, zone: Zone) -> JSONValue {
        .object([
            ("id", .string(shift.id)),
            ("type", .string("custom_shift")),
            ("start_time", v3ListTime(shift.start, zone)),
            ("end_time", v3ListTime(shift.end, zone)),
            ("assignments", .array(shift.allMembers.enumerated().map { index, member in
                .object([("id", .string(index == 0 ? shift.assignmentID : "\(shift.assignmentID)\(index)")), ("type", .string("shift_assignment")), ("member", v3MemberJSON(member))])
            })),
            ("self", v3Self(scheduleID, "/custom_shifts/\(shift.id)")),
            ("html_url", .string("\(Self.webBase)/schedules/\(scheduleID)")),
        ])
    }
}
