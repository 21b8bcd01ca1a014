import Foundation
import HandoffTime
import OrderedJSON

// MARK: - Routes under /v3/schedules

/// The paths of PagerDuty's shift-based schedules API (reference section 6).
enum V3Route: Equatable {
    case schedules
    case schedule(String)
    case rotations(String)
    case rotation(String, String)
    case events(String, String)
    case event(String, String, String)
    case customShifts(String)
    case customShift(String, String)
    case overrides(String)
    case override(String, String)
    case auditRecords(String)

    /// From the path segments after `v3`; nil for a path the API does not have.
    init?(parts: [String]) {
        guard parts.first == "schedules" else { return nil }
        let rest = Array(parts.dropFirst())
        switch rest.count {
        case 0: self = .schedules
        case 1: self = .schedule(rest[0])
        case 2 where rest[1] == "rotations": self = .rotations(rest[0])
        case 2 where rest[1] == "custom_shifts": self = .customShifts(rest[0])
        case 2 where rest[1] == "overrides": self = .overrides(rest[0])
        case 3 where rest[1] == "rotations": self = .rotation(rest[0], rest[2])
        case 3 where rest[1] == "custom_shifts": self = .customShift(rest[0], rest[2])
        case 3 where rest[1] == "overrides": self = .override(rest[0], rest[2])
        case 3 where rest[1] == "audit" && rest[2] == "records": self = .auditRecords(rest[0])
        case 4 where rest[1] == "rotations" && rest[3] == "events": self = .events(rest[0], rest[2])
        case 5 where rest[1] == "rotations" && rest[3] == "events": self = .event(rest[0], rest[2], rest[4])
        default: return nil
        }
    }

    /// The route with ids replaced, for the request log.
    var template: String {
        switch self {
        case .schedules: return "/v3/schedules"
        case .schedule: return "/v3/schedules/{id}"
        case .rotations: return "/v3/schedules/{id}/rotations"
        case .rotation: return "/v3/schedules/{id}/rotations/{rotation_id}"
        case .events: return "/v3/schedules/{id}/rotations/{rotation_id}/events"
        case .event: return "/v3/schedules/{id}/rotations/{rotation_id}/events/{event_id}"
        case .customShifts: return "/v3/schedules/{id}/custom_shifts"
        case .customShift: return "/v3/schedules/{id}/custom_shifts/{custom_shift_id}"
        case .overrides: return "/v3/schedules/{id}/overrides"
        case .override: return "/v3/schedules/{id}/overrides/{override_id}"
        case .auditRecords: return "/v3/schedules/{id}/audit/records"
        }
    }
}

/// Validation problems of one request: field paths (`event.name`) and what is wrong with each.
struct V3Problems {
    var items: [(field: String, message: String)] = []

    var isEmpty: Bool { items.isEmpty }

    mutating func add(_ field: String, _ message: String) {
        items.append((field, message))
    }
}

// MARK: - Shared pieces of the v3 endpoints

extension SandboxAPI {
    /// A v3 400: `errors` as a map of field paths to messages, or (quirk) a list of strings.
    func v3Invalid(_ problems: V3Problems, message: String = "Invalid Request") -> SandboxReply {
        if quirks.v3.errorsAsList {
            let list = problems.items.map { JSONValue.string("\($0.field) \($0.message)") }
            return .json(400, .object([("error", .object([("message", .string("Invalid Input Provided")), ("code", .int(2001)), ("errors", .array(list))]))]))
        }
        var map: [(String, JSONValue)] = []
        for item in problems.items {
            if let index = map.firstIndex(where: { $0.0 == item.field }), case .array(let list) = map[index].1 {
                map[index].1 = .array(list + [.string(item.message)])
            } else {
                map.append((item.field, .array([.string(item.message)])))
            }
        }
        return .json(400, .object([("error", .object([("message", .string(message)), ("code", .int(2001)), ("errors", .object(map))]))]))
    }

    func v3Invalid(_ field: String, _ message: String) -> SandboxReply {
        var problems = V3Problems()
        problems.add(field, message)
        return v3Invalid(problems)
    }

    /// The answer of a v3 route for a layered schedule's id.
    func v3WrongKind() -> SandboxReply {
        v3Invalid("schedule", "this schedule is layer-based; use the v2 Schedules API (/schedules) to manage it")
    }

    /// The shift-based schedule `id`, or the reply that refuses: 404 unknown, 400 layered.
    func v3Schedule(_ id: String) async -> Result<SandboxSchedule, Refusal> {
        guard let schedule = await store.schedule(id: id) else { return .failure(Refusal(reply: notFound())) }
        guard schedule.isV3 else { return .failure(Refusal(reply: v3WrongKind())) }
        return .success(schedule)
    }

    /// A shift-based schedule and the zone a read renders it in (`time_zone`, by default the
    /// schedule's own): how every v3 read that renders times begins.
    func v3ScheduleInZone(_ id: String, _ query: QueryParameters) async -> Result<(schedule: SandboxSchedule, zone: Zone), Refusal> {
        let schedule: SandboxSchedule
        switch await v3Schedule(id) {
        case .success(let found): schedule = found
        case .failure(let refusal): return .failure(refusal)
        }
        guard case .success(let zone) = requestedZone(query, default: Zone(identifier: schedule.timeZone) ?? .utc) else {
            return .failure(Refusal(reply: v3Invalid("time_zone", "must be an IANA time zone")))
        }
        return .success((schedule, zone))
    }

    /// A shift-based schedule and one of its custom shifts or overrides (404 when either is unknown):
    /// how every change of one item begins.
    func v3Item<Item: V3Item>(_ id: String, _ itemID: String, in list: KeyPath<SandboxV3Details, [Item]> & Sendable) async -> Result<(schedule: SandboxSchedule, item: Item), Refusal> {
        switch await v3Schedule(id) {
        case .success(let schedule):
            guard let item = schedule.v3?[keyPath: list].first(where: { $0.id == itemID }) else { return .failure(Refusal(reply: notFound())) }
            return .success((schedule, item))
        case .failure(let refusal):
            return .failure(refusal)
        }
    }

    /// Gives each of `drafts` its ids (`naming`) and appends them to the list at `list`, in one
    /// store step: the items made, or the answer to give when the store failed.
    func v3Append<Item: V3Item>(
        _ drafts: [Item], in list: WritableKeyPath<SandboxV3Details, [Item]> & Sendable, of id: String,
        naming: @escaping @Sendable (inout Item, inout V3IDSource) -> Void
    ) async -> Result<[Item], Refusal> {
        do {
            let made = try await store.updateSchedule(id: id) { schedule, ids -> (result: [Item], changed: Bool) in
                var details = schedule.v3 ?? SandboxV3Details()
                var made: [Item] = []
                for draft in drafts {
                    var item = draft
                    naming(&item, &ids)
                    made.append(item)
                }
                details[keyPath: list] += made
                schedule.v3 = details
                return (made, true)
            }
            return .success(made ?? [])
        } catch {
            return .failure(Refusal(reply: v3StoreFailure()))
        }
    }

    /// The list of custom shifts or overrides over `since`–`until` (both required), a page of
    /// 25 by default and 100 at most. Without `overflow=true` an item crossing the window is cut
    /// to it, or (`dropCrossing`) left out.
    func v3List<Item: V3Item>(
        _ id: String, _ query: QueryParameters, in list: KeyPath<SandboxV3Details, [Item]> & Sendable, key: String, dropCrossing: Bool,
        order: (Item, Item) -> Bool, json: (String, Item, Zone) -> JSONValue
    ) async -> SandboxReply {
        let (schedule, zone): (SandboxSchedule, Zone)
        switch await v3ScheduleInZone(id, query) {
        case .success(let found): (schedule, zone) = found
        case .failure(let refusal): return refusal.reply
        }
        let window: InstantRange
        switch v3Window(query, zone: zone) {
        case .success(let found): window = found
        case .failure(let refusal): return refusal.reply
        }
        var items = (schedule.v3?[keyPath: list] ?? []).filter { $0.start < window.end && window.start < $0.end }
        if !query.flag("overflow") {
            if dropCrossing {
                items = items.filter { window.start <= $0.start && $0.end <= window.end }
            } else {
                items = items.map { item in
                    var clipped = item
                    clipped.start = max(item.start, window.start)
                    clipped.end = min(item.end, window.end)
                    return clipped
                }
            }
        }
        return v3Page(items.sorted(by: order).map { json(id, $0, zone) }, query, key: key, defaultLimit: 25, maximumLimit: 100)
    }

    /// `GET` of one custom shift or override: `{key: item}` in the schedule's zone.
    func v3Get<Item: V3Item>(
        _ id: String, _ itemID: String, in list: KeyPath<SandboxV3Details, [Item]> & Sendable, key: String,
        json: (String, Item, Zone) -> JSONValue
    ) async -> SandboxReply {
        switch await v3Item(id, itemID, in: list) {
        case .success(let found): return .json(200, .object([(key, json(id, found.item, Zone(identifier: found.schedule.timeZone) ?? .utc))]))
        case .failure(let refusal): return refusal.reply
        }
    }

    /// Puts `item` back in place of the one with its id, in one store step; nil when done, the
    /// answer to give when the store failed.
    func v3Store<Item: V3Item>(_ item: Item, in list: WritableKeyPath<SandboxV3Details, [Item]> & Sendable, of id: String) async -> SandboxReply? {
        do {
            _ = try await store.updateSchedule(id: id) { schedule, _ in
                guard var details = schedule.v3, let index = details[keyPath: list].firstIndex(where: { $0.id == item.id }) else { return (false, false) }
                details[keyPath: list][index] = item
                schedule.v3 = details
                return (true, true)
            }
            return nil
        } catch {
            return v3StoreFailure()
        }
    }

    /// Offset pagination with v3's limits: `{key, limit, offset, more}`; `total` only when
    /// `totalAllowed` and asked.
    func v3Page(_ items: [JSONValue], _ query: QueryParameters, key: String, defaultLimit: Int, maximumLimit: Int, totalAllowed: Bool = false) -> SandboxReply {
        let limitText = query["limit"]
        let offsetText = query["offset"]
        var problems = V3Problems()
        var limit = defaultLimit
        if let limitText {
            if let number = Int(limitText) {
                if (1...maximumLimit).contains(number) {
                    limit = number
                } else if quirks.v3.rejectOutOfRangeLimit {
                    problems.add("limit", "must be between 1 and \(maximumLimit)")
                } else {
                    limit = min(max(number, 1), maximumLimit)
                }
            } else {
                problems.add("limit", "must be a whole number")
            }
        }
        var offset = 0
        if let offsetText {
            if let number = Int(offsetText), number >= 0 { offset = number } else { problems.add("offset", "must be a whole number, 0 or more") }
        }
        guard problems.isEmpty else { return v3Invalid(problems) }
        let page = offset < items.count ? Array(items[offset..<min(items.count, offset + min(limit, items.count - offset))]) : []
        var pairs: [(String, JSONValue)] = [(key, .array(page)), ("limit", .int(limit)), ("offset", .int(offset)), ("more", .bool(offset < items.count && items.count - offset > limit))]
        if totalAllowed, quirks.v3.totalWhenAsked, query.flag("total") { pairs.append(("total", .int(items.count))) }
        return .json(200, .object(pairs))
    }

    /// The parsed body's object, or nil (not JSON, or not an object).
    func v3Body(_ body: [UInt8]) -> JSONValue? {
        guard !body.isEmpty, let value = try? JSONValue.parse(body), value.objectValue != nil else { return nil }
        return value
    }

    /// Whether a write's `Content-Type` is JSON (an empty body needs none).
    func v3ContentTypeOK(_ contentType: String?, body: [UInt8]) -> Bool {
        body.isEmpty || contentType?.lowercased().hasPrefix("application/json") == true
    }

    /// A required window (`since`, `until`) of a list, or the 400 that refuses it.
    func v3Window(_ query: QueryParameters, zone: Zone) -> Result<InstantRange, Refusal> {
        var problems = V3Problems()
        let since = query["since"].flatMap { parseTime($0, zone: zone) }
        let until = query["until"].flatMap { parseTime($0, zone: zone) }
        if since == nil { problems.add("since", query["since"] == nil ? "is required" : "must be a date-time") }
        if until == nil { problems.add("until", query["until"] == nil ? "is required" : "must be a date-time") }
        if let since, let until {
            if until < since { problems.add("until", "must not be before since") }
            if until - since > Self.maximumRenderSeconds { problems.add("until", "must be at most five years after since") }
        }
        guard problems.isEmpty, let since, let until else { return .failure(Refusal(reply: v3Invalid(problems))) }
        return .success(InstantRange(start: since, end: until))
    }

    /// A date-time field: RFC 3339 with an offset or `Z`.
    func v3Time(_ value: JSONValue?) -> Instant? {
        value?.stringValue.flatMap { $0.utf8.count <= 64 ? Instant(rfc3339: $0) : nil }
    }

    /// A `ShiftMember`; nil with a problem added when it is not one, names no user of the
    /// account, or is vacant where `allowEmpty` is false.
    func v3Member(_ value: JSONValue?, field: String, users: Set<String>, allowEmpty: Bool = true, problems: inout V3Problems) -> SandboxV3Member? {
        guard let value, value.objectValue != nil else {
            problems.add(field, "is required")
            return nil
        }
        switch value["type"]?.stringValue {
        case "user_member":
            guard let id = value["user_id"]?.stringValue, !id.isEmpty else {
                problems.add("\(field).user_id", "is required for a user_member")
                return nil
            }
            guard users.contains(id) else {
                problems.add("\(field).user_id", "must name a user of the account")
                return nil
            }
            return SandboxV3Member(userID: id)
        case "empty_member":
            guard allowEmpty else {
                problems.add("\(field).type", "empty_member is not allowed here")
                return nil
            }
            return SandboxV3Member(userID: nil)
        default:
            problems.add("\(field).type", "must be user_member or empty_member")
            return nil
        }
    }

    func v3UserIDs() async -> Set<String> {
        Set(await store.allUsers().map(\.id))
    }

    // MARK: - Rendering

    func v3MemberJSON(_ member: SandboxV3Member) -> JSONValue {
        guard let id = member.userID else { return .object([("type", .string("empty_member"))]) }
        return .object([("type", .string("user_member")), ("user_id", .string(id))])
    }

    func v3Self(_ scheduleID: String, _ rest: String = "") -> JSONValue {
        .string("\(base)/v3/schedules/\(scheduleID)\(rest)")
    }

    /// A time of a listed override or custom shift: in `zone`, or UTC when the quirk says so.
    func v3ListTime(_ instant: Instant, _ zone: Zone) -> JSONValue {
        time(instant, quirks.v3.listTimesInUTC ? .utc : zone)
    }

    /// A 500 for a data file that could not be written.
    func v3StoreFailure() -> SandboxReply {
        .error(500, "An internal error has occurred. PagerDuty team has been notified.", code: 2000, quirks: quirks)
    }

    /// The longest name, description and id accepted.
    static let v3MaximumName = 255
    static let v3MaximumDescription = 1024
    /// The most items one bulk create takes (the specification names no maximum).
    static let v3MaximumBatch = 1000
    /// The most custom shifts, and the most overrides, one schedule holds, and the most rotations:
    /// the simulator's own bounds (PagerDuty publishes none), so that the final schedule's work
    /// stays bounded whatever is sent.
    static let v3MaximumPerSchedule = 20_000
    static let v3MaximumRotations = 50
}
