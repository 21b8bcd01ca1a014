import Foundation
import HandoffTime
import OrderedJSON

/// Rotations and their events under `/v3/schedules/{id}/rotations` (reference sections 6.2 and
/// 6.3, checklist rows 11-13).
extension SandboxAPI {

    // MARK: - Rotations

    func listV3Rotations(_ id: String, _ query: QueryParameters) async -> SandboxReply {
        let schedule: SandboxSchedule
        switch await v3Schedule(id) {
        case .success(let found): schedule = found
        case .failure(let refusal): return refusal.reply
        }
        let items = (schedule.v3?.rotations ?? []).filter { !$0.deleted }.map { v3RotationJSON(id, $0) }
        return v3Page(items, query, key: "rotations", defaultLimit: 25, maximumLimit: 100)
    }

    func createV3Rotation(_ id: String, _ body: [UInt8]) async -> SandboxReply {
        if case .failure(let refusal) = await v3Schedule(id) { return refusal.reply }
        if !body.isEmpty, v3Body(body) == nil { return v3Invalid("rotation", "the body must be empty or a JSON object") }
        let created: SandboxV3Rotation??
        do {
            created = try await store.updateSchedule(id: id) { schedule, ids -> (result: SandboxV3Rotation?, changed: Bool) in
                guard (schedule.v3?.rotations.count ?? 0) < Self.v3MaximumRotations else { return (nil, false) }
                let rotation = SandboxV3Rotation(id: ids.next())
                schedule.v3 = schedule.v3 ?? SandboxV3Details()
                schedule.v3?.rotations.append(rotation)
                return (rotation, true)
            }
        } catch { return v3StoreFailure() }
        guard let found = created else { return notFound() }
        guard let rotation = found else { return v3Invalid("rotation", "cannot be added: a schedule holds at most \(Self.v3MaximumRotations) rotations") }
        return .json(201, .object([("rotation", v3RotationJSON(id, rotation))]))
    }

    func getV3Rotation(_ id: String, _ rotationID: String) async -> SandboxReply {
        switch await v3Rotation(id, rotationID) {
        case .success(let rotation): return .json(200, .object([("rotation", v3RotationJSON(id, rotation))]))
        case .failure(let refusal): return refusal.reply
        }
    }

    /// Past events stay (with their shifts), the active one ends now, future ones go.
    func deleteV3Rotation(_ id: String, _ rotationID: String) async -> SandboxReply {
        if case .failure(let refusal) = await v3Rotation(id, rotationID) { return refusal.reply }
        let now = self.now
        do {
            _ = try await store.updateSchedule(id: id) { schedule, _ in
                guard let index = schedule.v3?.rotations.firstIndex(where: { $0.id == rotationID }), var rotation = schedule.v3?.rotations[index] else {
                    return (false, false)
                }
                rotation.events = rotation.events.compactMap { event in
                    var event = event
                    switch event.timing(at: now) {
                    case .past: return event
                    case .active:
                        event.effectiveUntil = now
                        return event
                    case .future: return nil
                    }
                }
                rotation.deleted = true
                schedule.v3?.rotations[index] = rotation
                return (true, true)
            }
        } catch { return v3StoreFailure() }
        return SandboxReply(status: 204, body: nil)
    }

    /// A rotation of a shift-based schedule that is not deleted, or the reply that refuses.
    func v3Rotation(_ id: String, _ rotationID: String) async -> Result<SandboxV3Rotation, Refusal> {
        switch await v3Schedule(id) {
        case .success(let schedule):
            guard let rotation = schedule.v3?.rotations.first(where: { $0.id == rotationID && !$0.deleted }) else { return .failure(Refusal(reply: notFound())) }
            return .success(rotation)
        case .failure(let refusal): return .failure(refusal)
        }
    }

    // MARK: - Events

    func listV3Events(_ id: String, _ rotationID: String, _ query: QueryParameters) async -> SandboxReply {
        switch await v3Rotation(id, rotationID) {
        case .success(let rotation):
            let events = rotation.events.filter { !$0.deleted }.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
            return v3Page(events.map { v3EventJSON(id, rotationID, $0) }, query, key: "events", defaultLimit: 25, maximumLimit: 100)
        case .failure(let refusal): return refusal.reply
        }
    }

    func getV3Event(_ id: String, _ rotationID: String, _ eventID: String) async -> SandboxReply {
        switch await v3Rotation(id, rotationID) {
        case .success(let rotation):
            guard let event = rotation.events.first(where: { $0.id == eventID && !$0.deleted }) else { return notFound() }
            return .json(200, .object([("event", v3EventJSON(id, rotationID, event))]))
        case .failure(let refusal): return refusal.reply
        }
    }

    func createV3Event(_ id: String, _ rotationID: String, _ body: [UInt8]) async -> SandboxReply {
        let rotation: SandboxV3Rotation
        switch await v3Rotation(id, rotationID) {
        case .success(let found): rotation = found
        case .failure(let refusal): return refusal.reply
        }
        guard let fields = v3Body(body)?["event"], fields.objectValue != nil else { return v3Invalid("event", "is required") }
        var problems = V3Problems()
        let live = rotation.events.filter { !$0.deleted && $0.timing(at: now) != .past }
        if live.count >= 5 { problems.add("rotation.events", "a rotation holds at most 5 events") }
        guard let event = v3EventFields(fields, existing: nil, users: await v3UserIDs(), problems: &problems), problems.isEmpty else {
            return v3Invalid(problems)
        }
        if let other = live.first(where: { v3EventsOverlap($0, event) }) {
            return v3Invalid("event", "overlaps event \(other.id) of the rotation")
        }
        let outcome: SandboxV3Event??
        do {
            outcome = try await store.updateSchedule(id: id) { schedule, ids -> (result: SandboxV3Event?, changed: Bool) in
                guard let index = schedule.v3?.rotations.firstIndex(where: { $0.id == rotationID }) else { return (nil, false) }
                var stored = event
                stored.id = ids.next()
                schedule.v3?.rotations[index].events.append(stored)
                return (stored, true)
            }
        } catch { return v3StoreFailure() }
        guard let created = outcome ?? nil else { return notFound() }
        return .json(201, .object([("event", v3EventJSON(id, rotationID, created))]))
    }

    /// PUT: a past event is closed, an active one takes only `effective_until`, a future one
    /// takes every field.
    func updateV3Event(_ id: String, _ rotationID: String, _ eventID: String, _ body: [UInt8]) async -> SandboxReply {
        let rotation: SandboxV3Rotation
        switch await v3Rotation(id, rotationID) {
        case .success(let found): rotation = found
        case .failure(let refusal): return refusal.reply
        }
        guard let existing = rotation.events.first(where: { $0.id == eventID && !$0.deleted }) else { return notFound() }
        guard let fields = v3Body(body)?["event"], let pairs = fields.objectValue else { return v3Invalid("event", "is required") }
        var problems = V3Problems()
        var updated = existing
        switch existing.timing(at: now) {
        case .past:
            return v3Invalid("event", "has ended and cannot be changed")
        case .active:
            for (key, _) in pairs where key != "effective_until" && key != "id" && key != "type" {
                problems.add("event.\(key)", "cannot change once the event is active; only effective_until can")
            }
            if let value = fields["effective_until"] {
                if value.isNull {
                    updated.effectiveUntil = nil
                } else if let until = v3Time(value) {
                    if until < now { problems.add("event.effective_until", "must not be in the past") }
                    updated.effectiveUntil = until
                } else {
                    problems.add("event.effective_until", "must be a date-time or null")
                }
            }
            guard problems.isEmpty else { return v3Invalid(problems) }
        case .future:
            guard let merged = v3EventFields(fields, existing: existing, users: await v3UserIDs(), problems: &problems), problems.isEmpty else {
                return v3Invalid(problems)
            }
            updated = merged
        }
        let others = rotation.events.filter { !$0.deleted && $0.id != eventID && $0.timing(at: now) != .past }
        if let other = others.first(where: { v3EventsOverlap($0, updated) }) {
            return v3Invalid("event", "overlaps event \(other.id) of the rotation")
        }
        let final = updated
        do {
            _ = try await store.updateSchedule(id: id) { schedule, _ in
                guard let r = schedule.v3?.rotations.firstIndex(where: { $0.id == rotationID }),
                    let e = schedule.v3?.rotations[r].events.firstIndex(where: { $0.id == eventID })
                else { return (false, false) }
                schedule.v3?.rotations[r].events[e] = final
                return (true, true)
            }
        } catch { return v3StoreFailure() }
        return .json(200, .object([("event", v3EventJSON(id, rotationID, final))]))
    }

    /// A future event goes; an active one stops now, its history kept.
    func deleteV3Event(_ id: String, _ rotationID: String, _ eventID: String) async -> SandboxReply {
        if case .failure(let refusal) = await v3Rotation(id, rotationID) { return refusal.reply }
        let now = self.now
        let found: Bool?
        do {
            found = try await store.updateSchedule(id: id) { schedule, _ in
                guard let r = schedule.v3?.rotations.firstIndex(where: { $0.id == rotationID }),
                    let e = schedule.v3?.rotations[r].events.firstIndex(where: { $0.id == eventID && !$0.deleted }),
                    var event = schedule.v3?.rotations[r].events[e]
                else { return (false, false) }
                switch event.timing(at: now) {
                case .future:
                    schedule.v3?.rotations[r].events.remove(at: e)
                    return (true, true)
                case .active:
                    event.effectiveUntil = now
                case .past: break
                }
                event.deleted = true
                schedule.v3?.rotations[r].events[e] = event
                return (true, true)
            }
        } catch { return v3StoreFailure() }
        return found == true ? SandboxReply(status: 204, body: nil) : notFound()
    }

    // MARK: - Checking events

    /// An event from a create or PUT body (merged over `existing` for a PUT), with every problem
    /// added; nil when it has any.
    func v3EventFields(_ fields: JSONValue, existing: SandboxV3Event?, users: Set<String>, problems: inout V3Problems) -> SandboxV3Event? {
        func required(_ key: String) -> Bool {
            if fields[key] == nil, existing == nil { problems.add("event.\(key)", "is required"); return false }
            return fields[key] != nil
        }
        var event = existing ?? SandboxV3Event(
            id: "", name: "", start: now, end: now, timeZone: "UTC", effectiveSince: now, effectiveUntil: nil, recurrence: [], everyMember: false,
            members: [], shiftsPerMember: nil
        )
        if required("name") {
            if let name = fields["name"]?.stringValue, (1...Self.v3MaximumName).contains(name.count) { event.name = name } else {
                problems.add("event.name", "must be 1 to \(Self.v3MaximumName) characters")
            }
        }
        if required("start_time"), let zoned = v3ZonedTime(fields["start_time"], field: "event.start_time", problems: &problems) {
            event.start = zoned.instant
            event.timeZone = zoned.zone
        }
        if required("end_time"), let zoned = v3ZonedTime(fields["end_time"], field: "event.end_time", problems: &problems) {
            event.end = zoned.instant
        }
        if event.end <= event.start, !problems.items.contains(where: { $0.field.hasPrefix("event.start_time") || $0.field.hasPrefix("event.end_time") }) {
            problems.add("event.end_time", "must be after start_time")
        }
        if required("effective_since") {
            if let since = v3Time(fields["effective_since"]) {
                if quirks.v3.rejectEffectiveSinceBeyondYear, since > now.adding(seconds: 365 * 86_400) {
                    problems.add("event.effective_since", "must not be more than 12 months in the future")
                }
                // A past value becomes "now".
                event.effectiveSince = max(since, now)
            } else {
                problems.add("event.effective_since", "must be a date-time")
            }
        }
        if let value = fields["effective_until"] {
            if value.isNull { event.effectiveUntil = nil } else if let until = v3Time(value) { event.effectiveUntil = until } else {
                problems.add("event.effective_until", "must be a date-time or null")
            }
        }
        if let until = event.effectiveUntil, until <= event.effectiveSince { problems.add("event.effective_until", "must be after effective_since") }
        if required("recurrence") {
            let lines = fields["recurrence"]?.arrayValue?.compactMap(\.stringValue)
            if let lines, lines.count == fields["recurrence"]?.arrayValue?.count {
                switch V3Recurrence.parse(lines, zone: Zone(identifier: event.timeZone) ?? .utc) {
                case .success: event.recurrence = lines
                case .failure(let found): for problem in found.messages { problems.add("event.recurrence", problem) }
                }
            } else {
                problems.add("event.recurrence", "must be a list of strings")
            }
        }
        if required("assignment_strategy"), let strategy = fields["assignment_strategy"] {
            switch strategy["type"]?.stringValue {
            case "rotating_member_assignment_strategy": event.everyMember = false
            case "every_member_assignment_strategy": event.everyMember = true
            default: problems.add("event.assignment_strategy.type", "must be rotating_member_assignment_strategy or every_member_assignment_strategy")
            }
            let list = strategy["members"]?.arrayValue ?? []
            if (1...20).contains(list.count) {
                var members: [SandboxV3Member] = []
                for (index, item) in list.enumerated() {
                    if let member = v3Member(item, field: "event.assignment_strategy.members[\(index)]", users: users, problems: &problems) { members.append(member) }
                }
                event.members = members
            } else {
                problems.add("event.assignment_strategy.members", "must hold 1 to 20 members")
            }
            event.shiftsPerMember = nil
            if let value = strategy["shifts_per_member"], !value.isNull {
                if let number = value.intValue, (1...10_000).contains(number) { event.shiftsPerMember = number } else {
                    problems.add("event.assignment_strategy.shifts_per_member", "must be a whole number from 1 to 10000")
                }
            } else if !event.everyMember {
                problems.add("event.assignment_strategy.shifts_per_member", "is required for rotating_member_assignment_strategy")
            }
        }
        return problems.isEmpty ? event : nil
    }

    /// A `ZonedDateTime` (`{date_time, time_zone}`): the instant and the zone's name. A
    /// `date_time` without an offset is read in `time_zone`.
    func v3ZonedTime(_ value: JSONValue?, field: String, problems: inout V3Problems) -> (instant: Instant, zone: String)? {
        guard let value, value.objectValue != nil else {
            problems.add(field, "must be an object with date_time and time_zone")
            return nil
        }
        guard let name = value["time_zone"]?.stringValue, name.utf8.count <= 64, let zone = Zone(identifier: name) else {
            problems.add("\(field).time_zone", "must be an IANA time zone")
            return nil
        }
        guard let text = value["date_time"]?.stringValue, text.utf8.count <= 64, let instant = parseTime(text, zone: zone) else {
            problems.add("\(field).date_time", "must be a date-time")
            return nil
        }
        return (instant, name)
    }

    /// Whether two events put shifts at the same time, over their common first year.
    func v3EventsOverlap(_ a: SandboxV3Event, _ b: SandboxV3Event) -> Bool {
        let start = max(a.effectiveSince, b.effectiveSince)
        var end = start.adding(seconds: 400 * 86_400)
        if let until = a.effectiveUntil { end = min(end, until) }
        if let until = b.effectiveUntil { end = min(end, until) }
        guard start < end else { return false }
        let window = InstantRange(start: start, end: end)
        func ranges(_ event: SandboxV3Event) -> [InstantRange] {
            guard case .success(let rule) = V3Recurrence.parse(event.recurrence, zone: Zone(identifier: event.timeZone) ?? .utc) else { return [] }
            return V3Expansion.occurrences(of: event, rule: rule, window: window, fixedUTC: quirks.v3.expandInFixedUTC).map(\.range).sorted()
        }
        let first = ranges(a)
        let second = ranges(b)
        var i = 0
        var j = 0
        while i < first.count, j < second.count {
            if first[i].overlaps(second[j]) { return true }
            if first[i].end <= second[j].end { i += 1 } else { j += 1 }
        }
        return false
    }

    // MARK: - Rendering

    func v3RotationJSON(_ scheduleID: String, _ rotation: SandboxV3Rotation) -> JSONValue {
        .object([
            ("id", .string(rotation.id)),
            ("type", .string("schedule_rotation")),
            ("events", .array(rotation.events.filter { !$0.deleted }.sorted { $0.start < $1.start }.map { v3EventJSON(scheduleID, rotation.id, $0) })),
            ("self", v3Self(scheduleID, "/rotations/\(rotation.id)")),
            ("html_url", .string("\(Self.webBase)/schedules/\(scheduleID)")),
        ])
    }

    func v3EventJSON(_ scheduleID: String, _ rotationID: String, _ event: SandboxV3Event) -> JSONValue {
        let zone = Zone(identifier: event.timeZone) ?? .utc
        var strategy: [(String, JSONValue)] = [
            ("type", .string(event.everyMember ? "every_member_assignment_strategy" : "rotating_member_assignment_strategy")),
            ("members", .array(event.members.map(v3MemberJSON))),
        ]
        if let perMember = event.shiftsPerMember { strategy.append(("shifts_per_member", .int(perMember))) }
        return .object([
            ("id", .string(event.id)),
            ("type", .string("schedule_event")),
            ("name", .string(event.name)),
            ("start_time", .object([("date_time", time(event.start, zone)), ("time_zone", .string(event.timeZone))])),
            ("end_time", .object([("date_time", time(event.end, zone)), ("time_zone", .string(event.timeZone))])),
            ("effective_since", time(event.effectiveSince, .utc)),
            ("effective_until", event.effectiveUntil.map { time($0, .utc) } ?? .null),
            ("recurrence", .array(event.recurrence.map(JSONValue.string))),
            ("assignment_strategy", .object(strategy)),
            ("self", v3Self(scheduleID, "/rotations/\(rotationID)/events/\(event.id)")),
        ])
    }
}
