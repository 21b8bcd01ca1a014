import Foundation
import HandoffTime
import OrderedJSON

/// The endpoints of the simulated PagerDuty, with the field names, statuses and error bodies of
/// `reference/pagerduty-api.md`.
struct SandboxAPI {
    let server: SandboxServer
    let quirks: SandboxQuirks
    let now: Instant
    /// The request's `Accept` header (checked on v3 routes under `strictAccept`).
    var accept: String? = nil
    /// Who made the request, for the audit records of v3 writes.
    var caller: SandboxCaller? = nil

    var store: SandboxStore { server.store }
    var base: String { server.baseURL }
    static let webBase = "https://handoff-sandbox.pagerduty.example"
    /// The longest window a schedule is rendered over (five years): its entries are built in
    /// memory, so a request for ten thousand years is refused, not attempted.
    static let maximumRenderSeconds: Int64 = 5 * 366 * 86_400

    func handle(method: String, route: SandboxRoute, query: QueryParameters, body: [UInt8], contentType: String?) async -> SandboxReply {
        switch (method, route) {
        case ("GET", .users): return await listUsers(query)
        case ("GET", .user(let id)): return await getUser(id)
        case ("GET", .schedules): return await listSchedules(query)
        case ("GET", .schedule(let id)): return await getSchedule(id, query)
        case ("GET", .overrides(let schedule)): return await listOverrides(schedule, query)
        case ("POST", .overrides(let schedule)): return await createOverrides(schedule, body: body, contentType: contentType)
        case ("DELETE", .override(let schedule, let id)): return await deleteOverride(schedule, id)
        case ("GET", .oncalls): return await listOnCalls(query)
        case ("GET", .scheduleUsers(let id)): return await listScheduleUsers(id, query)
        case ("GET", .escalationPolicies): return await listEscalationPolicies(query)
        case ("POST", .escalationPolicies): return await createEscalationPolicy(body: body, contentType: contentType)
        case ("GET", .escalationPolicy(let id)): return await getEscalationPolicy(id)
        case ("PUT", .escalationPolicy(let id)): return await updateEscalationPolicy(id, body: body, contentType: contentType)
        case (_, .v3(let route)): return await handleV3(method: method, route: route, query: query, body: body, contentType: contentType)
        default: return notFound()
        }
    }

    // MARK: - Users

    func listUsers(_ query: QueryParameters) async -> SandboxReply {
        var users = await store.allUsers()
        if let text = query["query"]?.lowercased(), !text.isEmpty {
            users = users.filter { $0.name.lowercased().contains(text) || $0.email.lowercased().contains(text) }
        }
        return paginate(users, query, key: "users") { userJSON($0) }
    }

    func getUser(_ id: String) async -> SandboxReply {
        guard let user = await store.user(id: id) else { return notFound() }
        return .json(200, .object([("user", userJSON(user))]))
    }

    // MARK: - Shared pieces

    /// Classic pagination: `limit` (default 25, at most 100), `offset`, `more`, and `total` only
    /// when `total=true`; offset + limit beyond 10,000 is refused.
    func paginate<T>(_ items: [T], _ query: QueryParameters, key: String, _ render: (T) -> JSONValue) -> SandboxReply {
        let requestedLimit = query["limit"].map { Int($0) } ?? 25
        let requestedOffset = query["offset"].map { Int($0) } ?? 0
        guard let requestedLimit, let offset = requestedOffset, offset >= 0 else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["limit and offset must be whole numbers"], quirks: quirks)
        }
        let limit = min(max(requestedLimit, 1), 100)
        // Compared without adding: an offset near Int.max must be a 400, not an overflow.
        guard offset <= 10_000 - limit else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["Offset plus limit must not exceed 10000"], quirks: quirks)
        }
        let page = offset < items.count ? Array(items[offset..<min(items.count, offset + limit)]) : []
        return .json(
            200,
            .object([
                (key, .array(page.map(render))),
                ("limit", .int(limit)),
                ("offset", .int(offset)),
                ("more", .bool(offset + limit < items.count)),
                ("total", query.flag("total") ? .int(items.count) : .null),
            ])
        )
    }

    func userJSON(_ user: SandboxUser) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(user.id)),
            ("type", .string("user")),
            ("summary", .string(user.name)),
            ("self", .string("\(base)/users/\(user.id)")),
            ("html_url", .string("\(Self.webBase)/users/\(user.id)")),
            ("name", .string(user.name)),
            ("email", .string(user.email)),
            ("time_zone", .string(user.timeZone)),
            ("color", .string("purple")),
            ("role", .string("user")),
            ("avatar_url", .string("https://secure.gravatar.com/avatar/\(user.id.lowercased()).png?d=mm&r=PG")),
            ("description", .null),
            ("invitation_sent", .bool(false)),
        ]
        pairs += optionalString("job_title", user.jobTitle)
        pairs += [
            ("created_via_sso", .bool(false)),
            ("teams", .array([])),
            ("contact_methods", .array([])),
            ("notification_rules", .array([])),
        ]
        return .object(pairs)
    }

    /// An optional string field: the string, else null when `nullForUnsetStrings` asks, else
    /// nothing (the description declares these fields strings, not nullable).
    func optionalString(_ key: String, _ value: String?) -> [(String, JSONValue)] {
        if let value { return [(key, .string(value))] }
        return quirks.nullForUnsetStrings ? [(key, .null)] : []
    }

    func userReference(_ user: SandboxUser) -> JSONValue {
        .object([
            ("id", .string(user.id)),
            ("type", .string("user_reference")),
            ("summary", .string(user.name)),
            ("self", .string("\(base)/users/\(user.id)")),
            ("html_url", .string("\(Self.webBase)/users/\(user.id)")),
        ])
    }

    /// Each schedule sits on one escalation policy of its own, at level 1, so that `/oncalls`
    /// (which only knows schedules used by a policy) has something to say about every schedule.
    func escalationPolicyReference(_ schedule: SandboxSchedule) -> JSONValue {
        let id = "E" + schedule.id.dropFirst()
        return .object([
            ("id", .string(id)),
            ("type", .string("escalation_policy_reference")),
            ("summary", .string("\(schedule.name) policy")),
            ("self", .string("\(base)/escalation_policies/\(id)")),
            ("html_url", .string("\(Self.webBase)/escalation_policies/\(id)")),
        ])
    }

    func time(_ instant: Instant, _ zone: Zone) -> JSONValue {
        .string(formatted(instant, zone))
    }

    func formatted(_ instant: Instant, _ zone: Zone) -> String {
        instant.rfc3339(offsetSeconds: zone.offset(at: instant))
    }

    func notFound() -> SandboxReply {
        .error(404, "Not Found", code: 2100, quirks: quirks)
    }

    /// A v2 route's answer for a shift-based schedule: 400 naming the v3 API, or (quirk) 404.
    func v3Refusal() -> SandboxReply {
        if quirks.v3.wrongKindOnV2Status == 404 { return notFound() }
        return .error(400, "Invalid Schedule", code: 3001, errors: ["This schedule is shift-based; use the v3 schedules API"], quirks: quirks)
    }

    /// `since` and `until`, each nil when absent; nil as a whole when one is present but not a time.
    func parseWindowParameters(_ query: QueryParameters, zone: Zone) -> (since: Instant?, until: Instant?)? {
        var since: Instant?
        var until: Instant?
        if let text = query["since"] {
            guard let value = parseTime(text, zone: zone) else { return nil }
            since = value
        }
        if let text = query["until"] {
            guard let value = parseTime(text, zone: zone) else { return nil }
            until = value
        }
        return (since, until)
    }

    func renderWindow(_ query: QueryParameters, zone: Zone) -> InstantRange? {
        guard let times = parseWindowParameters(query, zone: zone) else { return nil }
        switch times {
        case (let since?, let until?): return InstantRange(start: since, end: until)
        case (let since?, nil): return InstantRange(start: since, end: since.adding(seconds: 14 * 86_400))
        case (nil, let until?): return InstantRange(start: until.adding(seconds: -14 * 86_400), end: until)
        case (nil, nil): return nil
        }
    }

    /// ISO 8601 as PagerDuty accepts it: with an offset or `Z`, or without one (read in `zone`),
    /// or a date alone (midnight in `zone`).
    func parseTime(_ text: String, zone: Zone) -> Instant? {
        if let instant = Instant(rfc3339: text) { return instant }
        if let date = LocalDate(parsing: text) { return zone.instant(for: LocalDateTime(date: date, time: .midnight)) }
        if let local = LocalDateTime(parsing: String(text.prefix(16))), text.count == 16 || (text.count == 19 && text.hasSuffix(":00")) {
            return zone.instant(for: local)
        }
        return nil
    }

    /// A refusal to answer, as the reply that says so.
    struct Refusal: Error {
        var reply: SandboxReply
    }

    /// The zone a request's `time_zone` names, or `fallback` without one; a name that is no IANA
    /// zone is PagerDuty's 400.
    func requestedZone(_ query: QueryParameters, default fallback: Zone) -> Result<Zone, Refusal> {
        guard let name = query["time_zone"] else { return .success(fallback) }
        guard let zone = Zone(identifier: name) else {
            return .failure(Refusal(reply: .error(400, "Invalid Input Provided", code: 2001, errors: ["Invalid time_zone \(name)"], quirks: quirks)))
        }
        return .success(zone)
    }
}
