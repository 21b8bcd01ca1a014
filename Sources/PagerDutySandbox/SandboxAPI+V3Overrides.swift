import Foundation
import HandoffTime
import OrderedJSON

/// Overrides under `/v3/schedules/{id}/overrides` (reference sections 6.5 and 7, checklist rows
/// 15-18): each replaces one member of one rotation or custom shift for a while.
extension SandboxAPI {

    func listV3Overrides(_ id: String, _ query: QueryParameters) async -> SandboxReply {
        await v3List(
            id, query, in: \.overrides, key: "overrides", dropCrossing: quirks.v3.dropCrossingOverrides,
            order: { ($0.start, $0.sequence) < ($1.start, $1.sequence) }, json: v3OverrideJSON
        )
    }

    func createV3Overrides(_ id: String, _ body: [UInt8]) async -> SandboxReply {
        let schedule: SandboxSchedule
        switch await v3Schedule(id) {
        case .success(let found): schedule = found
        case .failure(let refusal): return refusal.reply
        }
        guard let items = v3Body(body)?["overrides"]?.arrayValue, !items.isEmpty else { return v3Invalid("overrides", "must be a non-empty list") }
        guard items.count <= Self.v3MaximumBatch else { return v3Invalid("overrides", "must hold at most \(Self.v3MaximumBatch) items") }
        guard (schedule.v3?.overrides.count ?? 0) + items.count <= Self.v3MaximumPerSchedule else {
            return v3Invalid("overrides", "would make more than \(Self.v3MaximumPerSchedule) overrides on this schedule")
        }
        let details = schedule.v3 ?? SandboxV3Details()
        let users = await v3UserIDs()
        var problems = V3Problems()
        var accepted: [SandboxV3Override] = []
        for (index, item) in items.enumerated() {
            var itemProblems = V3Problems()
            let candidate = v3OverrideItem(item, field: "overrides[\(index)]", details: details, users: users, earlier: accepted, problems: &itemProblems)
            if let candidate, itemProblems.isEmpty { accepted.append(candidate) }
            problems.items += itemProblems.items
        }
        guard !accepted.isEmpty, problems.isEmpty || quirks.v3.partialOverrideBatches else { return v3Invalid(problems) }
        let toCreate = accepted
        let created: [SandboxV3Override]
        switch await v3Append(toCreate, in: \.overrides, of: id, naming: { override, ids in
            override.id = ids.next()
            override.sequence = ids.sequence()
        }) {
        case .success(let made): created = made
        case .failure(let refusal): return refusal.reply
        }
        let zone = Zone(identifier: schedule.timeZone) ?? .utc
        return .json(201, .object([("overrides", .array(created.map { v3OverrideJSON(id, $0, zone: zone) }))]))
    }

    /// One requested override checked against the schedule and the overrides before it in the
    /// batch; nil with problems added when it fails.
    private func v3OverrideItem(
        _ item: JSONValue, field: String, details: SandboxV3Details, users: Set<String>, earlier: [SandboxV3Override], problems: inout V3Problems
    ) -> SandboxV3Override? {
        if item["type"]?.stringValue != "override_shift" { problems.add("\(field).type", "must be override_shift") }
        let rotationID = item["rotation_id"]?.stringValue
        let shiftID = item["custom_shift_id"]?.stringValue
        switch (rotationID, shiftID) {
        case (nil, nil): problems.add(field, "must name exactly one of rotation_id and custom_shift_id")
        case (.some, .some): problems.add(field, "must name exactly one of rotation_id and custom_shift_id, not both")
        case (let rotation?, nil):
            if !details.rotations.contains(where: { $0.id == rotation && !$0.deleted }) { problems.add("\(field).rotation_id", "must name a rotation of this schedule") }
        case (nil, let shift?):
            if !details.customShifts.contains(where: { $0.id == shift }) { problems.add("\(field).custom_shift_id", "must name a custom shift of this schedule") }
        }
        let start = v3Time(item["start_time"])
        let end = v3Time(item["end_time"])
        if start == nil { problems.add("\(field).start_time", "must be a date-time") }
        if end == nil { problems.add("\(field).end_time", "must be a date-time") }
        if let start, let end {
            if end <= start { problems.add("\(field).end_time", "must be after start_time") }
            if quirks.v3.rejectOverrideEndingInPast, end <= now { problems.add("\(field).end_time", "must be in the future") }
        }
        let allowEmpty = quirks.v3.allowEmptyMemberInOverrides
        let overridden = v3Member(item["overridden_member"], field: "\(field).overridden_member", users: users, allowEmpty: allowEmpty, problems: &problems)
        let overriding = v3Member(item["overriding_member"], field: "\(field).overriding_member", users: users, allowEmpty: allowEmpty, problems: &problems)
        guard problems.isEmpty, let start, let end, let overridden, let overriding else { return nil }
        let override = SandboxV3Override(
            id: "", rotationID: rotationID, customShiftID: shiftID, start: start, end: end, overridden: overridden, overriding: overriding, sequence: 0
        )
        v3CheckAgainstSource(override, field: field, details: details, others: details.overrides + earlier, problems: &problems)
        return problems.isEmpty ? override : nil
    }

    /// The switches of row 16 (b)-(d): the overridden member must be assigned, the source must
    /// produce a shift, overlapping overrides on the same source and member are refused.
    private func v3CheckAgainstSource(_ override: SandboxV3Override, field: String, details: SandboxV3Details, others: [SandboxV3Override], problems: inout V3Problems) {
        let window = InstantRange(start: override.start, end: override.end)
        if quirks.v3.requireOverriddenMemberAssigned || quirks.v3.requireSourceShiftInWindow {
            let fromSource = V3FinalSchedule.baseAssignments(details, window: window, fixedUTC: quirks.v3.expandInFixedUTC).filter { assignment in
                switch assignment.source {
                case .rotation(let id): return id == override.rotationID
                case .customShift(let id): return id == override.customShiftID
                default: return false
                }
            }
            if quirks.v3.requireSourceShiftInWindow, fromSource.isEmpty {
                problems.add(field, "the source has no shift between start_time and end_time")
            } else if quirks.v3.requireOverriddenMemberAssigned, !fromSource.contains(where: { $0.member == override.overridden }) {
                problems.add("\(field).overridden_member", "is not assigned by the source between start_time and end_time")
            }
        }
        if quirks.v3.rejectOverlappingOverrides,
            others.contains(where: {
                // A new override (id not given yet) meets every other, those earlier in its batch too.
                (override.id.isEmpty || $0.id != override.id) && $0.rotationID == override.rotationID && $0.customShiftID == override.customShiftID
                    && $0.overridden == override.overridden && $0.start < override.end && override.start < $0.end
            })
        {
            problems.add(field, "overlaps another override of the same source and member")
        }
    }

    func getV3Override(_ id: String, _ overrideID: String) async -> SandboxReply {
        await v3Get(id, overrideID, in: \.overrides, key: "override", json: v3OverrideJSON)
    }

    /// `start_time`, `end_time` and `overriding_member` change in place; the source and the
    /// overridden member do not.
    func updateV3Override(_ id: String, _ overrideID: String, _ body: [UInt8]) async -> SandboxReply {
        let schedule: SandboxSchedule
        var override: SandboxV3Override
        switch await v3Item(id, overrideID, in: \.overrides) {
        case .success(let found): (schedule, override) = found
        case .failure(let refusal): return refusal.reply
        }
        let details = schedule.v3 ?? SandboxV3Details()
        guard let fields = v3Body(body)?["override"], fields.objectValue != nil else { return v3Invalid("override", "is required") }
        if override.end <= now { return v3Invalid("override", "has ended and cannot be changed") }
        var problems = V3Problems()
        for key in ["overridden_member", "rotation_id", "custom_shift_id"] where fields[key] != nil && quirks.v3.rejectImmutableOverrideFields {
            problems.add("override.\(key)", "cannot be changed; delete the override and create another")
        }
        let started = override.start <= now
        if started, quirks.v3.onlyEndTimeAfterOverrideStart {
            for key in ["start_time", "overriding_member"] where fields[key] != nil {
                problems.add("override.\(key)", "cannot change once the override has started; only end_time can")
            }
        }
        if let value = fields["start_time"] {
            if let start = v3Time(value) { override.start = start } else { problems.add("override.start_time", "must be a date-time") }
        }
        if let value = fields["end_time"] {
            if let end = v3Time(value) { override.end = end } else { problems.add("override.end_time", "must be a date-time") }
        }
        if let value = fields["overriding_member"],
            let member = v3Member(value, field: "override.overriding_member", users: await v3UserIDs(), allowEmpty: quirks.v3.allowEmptyMemberInOverrides, problems: &problems)
        {
            override.overriding = member
        }
        if override.end <= override.start { problems.add("override.end_time", "must be after start_time") }
        if quirks.v3.rejectOverrideEndingInPast, override.end <= now { problems.add("override.end_time", "must be in the future") }
        if problems.isEmpty { v3CheckAgainstSource(override, field: "override", details: details, others: details.overrides, problems: &problems) }
        guard problems.isEmpty else { return v3Invalid(problems) }
        if let failure = await v3Store(override, in: \.overrides, of: id) { return failure }
        return .json(200, .object([("override", v3OverrideJSON(id, override, zone: Zone(identifier: schedule.timeZone) ?? .utc))]))
    }

    /// Future: removed (204). In progress: ends now (204, or 200 as v2). Ended: 400 or 404.
    func deleteV3Override(_ id: String, _ overrideID: String) async -> SandboxReply {
        let schedule: SandboxSchedule
        let override: SandboxV3Override
        switch await v3Item(id, overrideID, in: \.overrides) {
        case .success(let found): (schedule, override) = found
        case .failure(let refusal): return refusal.reply
        }
        if override.end <= now {
            return quirks.v3.endedOverrideDeleteStatus == 404 ? notFound() : v3Invalid("override", "has already ended and cannot be deleted")
        }
        let now = self.now
        let inProgress = override.start <= now
        do {
            _ = try await store.updateSchedule(id: id) { schedule, _ in
                guard let index = schedule.v3?.overrides.firstIndex(where: { $0.id == overrideID }) else { return (false, false) }
                if inProgress { schedule.v3?.overrides[index].end = now } else { schedule.v3?.overrides.remove(at: index) }
                return (true, true)
            }
        } catch { return v3StoreFailure() }
        return SandboxReply(status: inProgress ? quirks.v3.inProgressOverrideDeleteStatus : 204, body: nil)
    }

    func v3OverrideJSON(_ scheduleID: String, _ override: SandboxV3Override, zone: Zone) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("id", .string(override.id)), ("type", .string("override_shift"))]
        if let rotation = override.rotationID { pairs.append(("rotation_id", .string(rotation))) }
        if let shift = override.customShiftID { pairs.append(("custom_shift_id", .string(shift))) }
        pairs += [
            ("start_time", v3ListTime(override.start, zone)),
            ("end_time", v3ListTime(override.end, zone)),
            ("overridden_member", v3MemberJSON(override.overridden)),
            ("overriding_member", v3MemberJSON(override.overriding)),
            ("self", v3Self(scheduleID, "/overrides/\(override.id)")),
            ("html_url", .string("\(Self.webBase)/schedules/\(scheduleID)")),
        ]
        return .object(pairs)
    }
}
