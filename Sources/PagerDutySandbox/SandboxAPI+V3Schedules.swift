import Foundation
import HandoffTime
import OrderedJSON

/// `/v3/schedules` and `/v3/schedules/{id}`: shift-based schedules, with their final schedule
/// when asked (reference sections 6.1 and 6.6, checklist rows 4, 8-10, 19).
extension SandboxAPI {

    func handleV3(method: String, route: V3Route, query: QueryParameters, body: [UInt8], contentType: String?) async -> SandboxReply {
        if quirks.v3.strictAccept, !Self.acceptableV3(accept) { return notAcceptable() }
        if method == "POST" || method == "PUT", !v3ContentTypeOK(contentType, body: body) {
            return v3Invalid("content_type", "must be application/json")
        }
        guard method == "GET" else {
            return await server.v3Writes.run {
                let reply = await dispatchV3(method: method, route: route, query: query, body: body)
                await recordV3Audit(method: method, route: route, reply: reply)
                return reply
            }
        }
        return await dispatchV3(method: method, route: route, query: query, body: body)
    }

    private func dispatchV3(method: String, route: V3Route, query: QueryParameters, body: [UInt8]) async -> SandboxReply {
        switch (method, route) {
        case ("GET", .schedules): return await listV3Schedules(query)
        case ("POST", .schedules): return await createV3Schedule(body)
        case ("GET", .schedule(let id)): return await getV3Schedule(id, query)
        case ("PUT", .schedule(let id)): return await updateV3Schedule(id, body)
        case ("DELETE", .schedule(let id)): return await deleteV3Schedule(id)
        case ("GET", .rotations(let id)): return await listV3Rotations(id, query)
        case ("POST", .rotations(let id)): return await createV3Rotation(id, body)
        case ("GET", .rotation(let id, let rotation)): return await getV3Rotation(id, rotation)
        case ("DELETE", .rotation(let id, let rotation)): return await deleteV3Rotation(id, rotation)
        case ("GET", .events(let id, let rotation)): return await listV3Events(id, rotation, query)
        case ("POST", .events(let id, let rotation)): return await createV3Event(id, rotation, body)
        case ("GET", .event(let id, let rotation, let event)): return await getV3Event(id, rotation, event)
        case ("PUT", .event(let id, let rotation, let event)): return await updateV3Event(id, rotation, event, body)
        case ("DELETE", .event(let id, let rotation, let event)): return await deleteV3Event(id, rotation, event)
        case ("GET", .customShifts(let id)): return await listV3CustomShifts(id, query)
        case ("POST", .customShifts(let id)): return await createV3CustomShifts(id, body)
        case ("GET", .customShift(let id, let shift)): return await getV3CustomShift(id, shift)
        case ("PUT", .customShift(let id, let shift)): return await updateV3CustomShift(id, shift, body)
        case ("DELETE", .customShift(let id, let shift)): return await deleteV3CustomShift(id, shift)
        case ("GET", .overrides(let id)): return await listV3Overrides(id, query)
        case ("POST", .overrides(let id)): return await createV3Overrides(id, body)
        case ("GET", .override(let id, let override)): return await getV3Override(id, override)
        case ("PUT", .override(let id, let override)): return await updateV3Override(id, override, body)
        case ("DELETE", .override(let id, let override)): return await deleteV3Override(id, override)
        case ("GET", .auditRecords(let id)): return await listV3AuditRecords(id, query)
        default: return notFound()
        }
    }

    // MARK: - Schedules

    func listV3Schedules(_ query: QueryParameters) async -> SandboxReply {
        var schedules = await store.allSchedules().filter(\.isV3)
        if let text = query["query"]?.lowercased(), !text.isEmpty {
            schedules = schedules.filter { $0.name.lowercased().contains(text) }
        }
        let teams = Set(query.all("team_ids"))
        if !teams.isEmpty {
            schedules = schedules.filter { !teams.isDisjoint(with: $0.v3?.teamIDs ?? []) }
        }
        let items = schedules.map { schedule in
            JSONValue.object([
                ("id", .string(schedule.id)),
                ("type", .string("schedule_v3_reference")),
                ("summary", .string(schedule.name)),
                ("self", v3Self(schedule.id)),
                ("html_url", .string("\(Self.webBase)/schedules/\(schedule.id)")),
            ])
        }
        return v3Page(items, query, key: "schedules", defaultLimit: 100, maximumLimit: 1000, totalAllowed: true)
    }

    /// The fields of a schedule create or update, checked; `creating` makes `name` and
    /// `time_zone` required.
    private func v3ScheduleFields(_ fields: JSONValue, creating: Bool, problems: inout V3Problems) -> (name: String?, zone: String?, description: String?, teams: [String]?) {
        var name: String?
        var zone: String?
        var description: String?
        var teams: [String]?
        if let value = fields["name"] {
            if let text = value.stringValue, (1...Self.v3MaximumName).contains(text.count) { name = text } else {
                problems.add("schedule.name", "must be 1 to \(Self.v3MaximumName) characters")
            }
        } else if creating || quirks.v3.requireNameAndTimeZoneOnUpdate {
            problems.add("schedule.name", "is required")
        }
        if let value = fields["time_zone"] {
            if let text = value.stringValue, text.utf8.count <= 64, Zone(identifier: text) != nil { zone = text == "UTC" ? "Etc/UTC" : text } else {
                problems.add("schedule.time_zone", "must be an IANA time zone")
            }
        } else if creating || quirks.v3.requireNameAndTimeZoneOnUpdate {
            problems.add("schedule.time_zone", "time zone cannot be empty")
        }
        if let value = fields["description"], !value.isNull {
            if let text = value.stringValue, text.count <= Self.v3MaximumDescription { description = text } else {
                problems.add("schedule.description", "must be at most \(Self.v3MaximumDescription) characters")
            }
        }
        if let value = fields["teams"], !value.isNull {
            let list = value.arrayValue ?? []
            let ids = list.compactMap { $0["id"]?.stringValue }.filter { !$0.isEmpty && $0.utf8.count <= 64 }
            if value.arrayValue == nil || ids.count != list.count || list.count > 100 {
                problems.add("schedule.teams", "must be a list of at most 100 team references with ids")
            } else {
                teams = ids
            }
        }
        if let rotations = fields["rotations"], !(quirks.v3.tolerateEmptyRotations && rotations.arrayValue?.isEmpty == true) {
            problems.add("schedule.rotations", "must not be given; add rotations with their own requests")
        }
        if fields["escalation_policies"] != nil {
            problems.add("schedule.escalation_policies", "must not be given")
        }
        return (name, zone, description, teams)
    }

    func createV3Schedule(_ body: [UInt8]) async -> SandboxReply {
        guard let fields = v3Body(body)?["schedule"], fields.objectValue != nil else { return v3Invalid("schedule", "is required") }
        var problems = V3Problems()
        let parsed = v3ScheduleFields(fields, creating: true, problems: &problems)
        guard problems.isEmpty, let name = parsed.name, let zone = parsed.zone else { return v3Invalid(problems) }
        var schedule = SandboxSchedule(id: await store.nextID(), name: name, timeZone: zone, description: parsed.description, type: SandboxSchedule.v3Type)
        var details = SandboxV3Details()
        details.teamIDs = parsed.teams ?? []
        schedule.v3 = details
        guard let added = try? await store.addSchedule(schedule) else { return v3StoreFailure() }
        return .json(201, .object([("schedule", v3ScheduleJSON(added, zone: Zone(identifier: zone) ?? .utc, finalSchedule: nil, policies: []))]))
    }

    func getV3Schedule(_ id: String, _ query: QueryParameters) async -> SandboxReply {
        let (schedule, zone): (SandboxSchedule, Zone)
        switch await v3ScheduleInZone(id, query) {
        case .success(let found): (schedule, zone) = found
        case .failure(let refusal): return refusal.reply
        }
        var finalSchedule: JSONValue?
        if query.all("include").contains("final_schedule") {
            if query["since"] == nil, query["until"] == nil {
                if quirks.v3.rejectIncludeWithoutWindow { return v3Invalid("since", "is required with include[]=final_schedule") }
            } else {
                switch v3Window(query, zone: zone) {
                case .success(let window): finalSchedule = v3FinalScheduleJSON(schedule, window: window, zone: zone, overflow: query.flag("overflow"))
                case .failure(let refusal): return refusal.reply
                }
            }
        }
        return .json(200, .object([("schedule", v3ScheduleJSON(schedule, zone: zone, finalSchedule: finalSchedule, policies: await escalationPolicies(using: id).map(\.policy)))]))
    }

    func updateV3Schedule(_ id: String, _ body: [UInt8]) async -> SandboxReply {
        if case .failure(let refusal) = await v3Schedule(id) { return refusal.reply }
        guard let fields = v3Body(body)?["schedule"], fields.objectValue != nil else { return v3Invalid("schedule", "is required") }
        var problems = V3Problems()
        let parsed = v3ScheduleFields(fields, creating: false, problems: &problems)
        guard problems.isEmpty else { return v3Invalid(problems) }
        let updated: SandboxSchedule?
        do {
            updated = try await store.updateSchedule(id: id) { schedule, _ in
                if let name = parsed.name { schedule.name = name }
                if let zone = parsed.zone { schedule.timeZone = zone }
                if fields["description"] != nil { schedule.description = parsed.description }
                return (schedule, true)
            }
        } catch { return v3StoreFailure() }
        guard let updated else { return notFound() }
        return .json(200, .object([("schedule", v3ScheduleJSON(updated, zone: Zone(identifier: updated.timeZone) ?? .utc, finalSchedule: nil, policies: await escalationPolicies(using: id).map(\.policy)))]))
    }

    func deleteV3Schedule(_ id: String) async -> SandboxReply {
        let schedule: SandboxSchedule
        switch await v3Schedule(id) {
        case .success(let found): schedule = found
        case .failure(let refusal): return refusal.reply
        }
        if await escalationPolicyReferences(scheduleID: schedule.id) {
            let status = quirks.v3.deleteReferencedStatus
            return status == 400
                ? v3Invalid("schedule", "is used by an escalation policy and cannot be deleted")
                : .error(status, "Schedule is used by an escalation policy", code: 2001, quirks: quirks)
        }
        do { try await store.removeSchedule(id: id) } catch { return v3StoreFailure() }
        return SandboxReply(status: 204, body: nil)
    }

    // MARK: - Rendering

    /// The schedule object; `policies` are those whose rules target it (`escalation_policies`).
    func v3ScheduleJSON(_ schedule: SandboxSchedule, zone: Zone, finalSchedule: JSONValue?, policies: [SandboxEscalationPolicy]) -> JSONValue {
        let details = schedule.v3 ?? SandboxV3Details()
        var pairs: [(String, JSONValue)] = [
            ("id", .string(schedule.id)),
            ("type", .string(SandboxSchedule.v3Type)),
            ("name", .string(schedule.name)),
            ("time_zone", .string(schedule.timeZone)),
            ("description", .string(schedule.description ?? "")),
            ("teams", .array(details.teamIDs.map { .object([("id", .string($0)), ("type", .string("team_reference"))]) })),
            ("escalation_policies", .array(policies.map(policyReference))),
            ("rotations", .array(details.rotations.filter { !$0.deleted }.map { v3RotationJSON(schedule.id, $0) })),
            ("http_cal_url", .string("\(Self.webBase)/private/schedules/\(schedule.id).ics")),
            ("web_cal_url", .string("webcal://handoff-sandbox.pagerduty.example/private/schedules/\(schedule.id).ics")),
            ("self", v3Self(schedule.id)),
            ("html_url", .string("\(Self.webBase)/schedules/\(schedule.id)")),
        ]
        if let finalSchedule { pairs.append(("final_schedule", finalSchedule)) }
        return .object(pairs)
    }

    func v3FinalScheduleJSON(_ schedule: SandboxSchedule, window: InstantRange, zone: Zone, overflow: Bool) -> JSONValue {
        let details = schedule.v3 ?? SandboxV3Details()
        var assignments = V3FinalSchedule.assignments(details, window: window, fixedUTC: quirks.v3.expandInFixedUTC)
        if !overflow {
            assignments = assignments.compactMap { assignment in
                assignment.range.clamped(to: window).map { range in
                    var clipped = assignment
                    clipped.range = range
                    return clipped
                }
            }
        }
        let coverage = V3FinalSchedule.coveragePercentage(assignments, window: window, countEmpty: quirks.v3.emptyMemberCountsAsCovered)
        return .object([
            ("type", .string("final_schedule")),
            ("rendered_coverage_percentage", .number(coverage)),
            ("computed_shift_assignments", .array(assignments.map { v3AssignmentJSON($0, zone: zone) })),
        ])
    }

    func v3AssignmentJSON(_ assignment: V3Assignment, zone: Zone) -> JSONValue {
        let source: JSONValue
        switch assignment.source {
        case .rotation(let rotation):
            source = .object([("type", .string("schedule_rotation")), ("rotation_id", .string(rotation))])
        case .customShift(let shift):
            source = .object([("type", .string("custom_shift")), ("shift_id", .string(shift))])
        case .rotationOverride(let rotation, let override):
            source = .object([("type", .string("schedule_rotation_override")), ("rotation_id", .string(rotation)), ("override_id", .string(override))])
        case .customShiftOverride(let shift, let override):
            source = .object([("type", .string("custom_shift_override")), ("shift_id", .string(shift)), ("override_id", .string(override))])
        }
        return .object([
            ("type", .string("computed_shift_assignment")),
            ("start_time", time(assignment.range.start, zone)),
            ("end_time", time(assignment.range.end, zone)),
            ("member", v3MemberJSON(assignment.member)),
            ("source", source),
        ])
    }
}
