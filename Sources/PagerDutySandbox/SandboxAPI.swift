import Foundation
import HandoffTime
import OrderedJSON

/// The endpoints of the simulated PagerDuty, with the field names, statuses and error bodies of
/// `reference/pagerduty-api.md`.
struct SandboxAPI {
    let server: SandboxServer
    let quirks: SandboxQuirks
    let now: Instant

    private var store: SandboxStore { server.store }
    private var base: String { server.baseURL }
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
        default: return notFound()
        }
    }

    // MARK: - Users

    private func listUsers(_ query: QueryParameters) async -> SandboxReply {
        var users = await store.allUsers()
        if let text = query["query"]?.lowercased(), !text.isEmpty {
            users = users.filter { $0.name.lowercased().contains(text) || $0.email.lowercased().contains(text) }
        }
        return paginate(users, query, key: "users") { userJSON($0) }
    }

    private func getUser(_ id: String) async -> SandboxReply {
        guard let user = await store.user(id: id) else { return notFound() }
        return .json(200, .object([("user", userJSON(user))]))
    }

    // MARK: - Schedules

    private func listSchedules(_ query: QueryParameters) async -> SandboxReply {
        var schedules = await store.allSchedules().filter { $0.type == "schedule" }
        if let text = query["query"]?.lowercased(), !text.isEmpty {
            schedules = schedules.filter { $0.name.lowercased().contains(text) }
        }
        let includeLayers = query.all("include").contains("schedule_layers")
        var rendered: [String: JSONValue] = [:]
        if includeLayers {
            let window = renderWindow(query, zone: Zone.utc)
            if let window, window.end < window.start || window.end - window.start > Self.maximumRenderSeconds {
                return .error(400, "Invalid Query Date Range", code: 2005, quirks: quirks)
            }
            for schedule in schedules {
                let zone = (query["time_zone"].flatMap(Zone.init(identifier:))) ?? Zone(identifier: schedule.timeZone) ?? .utc
                rendered[schedule.id] = await scheduleJSON(schedule, window: window, zone: zone, overflow: query.flag("overflow"), full: false, layers: true)
            }
        }
        var items: [JSONValue] = []
        for schedule in schedules {
            if let json = rendered[schedule.id] {
                items.append(json)
            } else {
                items.append(await scheduleJSON(schedule, window: nil, zone: .utc, overflow: false, full: false, layers: false))
            }
        }
        return paginate(items, query, key: "schedules") { $0 }
    }

    private func getSchedule(_ id: String, _ query: QueryParameters) async -> SandboxReply {
        guard let schedule = await store.schedule(id: id) else { return notFound() }
        let scheduleZone = Zone(identifier: schedule.timeZone) ?? .utc
        var zone = scheduleZone
        if let name = query["time_zone"] {
            guard let requested = Zone(identifier: name) else {
                return .error(400, "Invalid Input Provided", code: 2001, errors: ["Invalid time_zone \(name)"], quirks: quirks)
            }
            zone = requested
        }
        guard let times = parseWindowParameters(query, zone: zone) else {
            return .error(400, "Invalid time values in 'since' and/or 'until' parameters", code: 2004, quirks: quirks)
        }
        var window: InstantRange?
        switch times {
        case (let since?, let until?): window = InstantRange(start: since, end: until)
        case (let since?, nil): window = InstantRange(start: since, end: since.adding(seconds: 14 * 86_400))
        case (nil, let until?): window = InstantRange(start: until.adding(seconds: -14 * 86_400), end: until)
        case (nil, nil): window = nil
        }
        if let window, window.end < window.start || window.end - window.start > Self.maximumRenderSeconds {
            return .error(400, "Invalid Query Date Range", code: 2005, quirks: quirks)
        }
        let json = await scheduleJSON(schedule, window: window, zone: zone, overflow: query.flag("overflow"), full: true, layers: true)
        return .json(200, .object([("schedule", json)]))
    }

    /// A schedule object; layers and the rendered schedules when asked.
    private func scheduleJSON(_ schedule: SandboxSchedule, window: InstantRange?, zone: Zone, overflow: Bool, full: Bool, layers includeLayers: Bool) async -> JSONValue {
        let scheduleZone = Zone(identifier: schedule.timeZone) ?? .utc
        var memberIDs: [String] = []
        for layer in schedule.layers { for id in layer.userIDs where !memberIDs.contains(id) { memberIDs.append(id) } }
        var userRefs: [JSONValue] = []
        for id in memberIDs {
            if let user = await store.user(id: id) { userRefs.append(userReference(user)) }
        }
        var pairs: [(String, JSONValue)] = [
            ("id", .string(schedule.id)),
            ("type", .string(schedule.type)),
            ("summary", .string(schedule.name)),
            ("self", .string("\(base)/schedules/\(schedule.id)")),
            ("html_url", .string("\(Self.webBase)/schedules/\(schedule.id)")),
            ("name", .string(schedule.name)),
            ("time_zone", .string(schedule.timeZone)),
            ("description", schedule.description.map(JSONValue.string) ?? .null),
            ("escalation_policies", .array([escalationPolicyReference(schedule)])),
            ("users", .array(userRefs)),
            ("teams", .array([])),
        ]
        guard includeLayers else { return .object(pairs) }

        // Render a little beyond the window so that entries crossing its edges are whole when
        // `overflow=true`, then clip unless asked not to.
        var renderedLayers: [[ScheduleRenderer.Entry]] = []
        var finalEntries: [ScheduleRenderer.Entry] = []
        var overrideEntries: [ScheduleRenderer.Entry] = []
        if let window {
            let longest = Int64(schedule.layers.map(\.rotationTurnLengthSeconds).max() ?? 0)
            let margin = max(8 * 86_400, longest + 86_400)
            let wide = InstantRange(start: window.start.adding(seconds: -margin), end: window.end.adding(seconds: margin))
            for (index, layer) in schedule.layers.enumerated() {
                renderedLayers.append(ScheduleRenderer.layerEntries(layer, index: index, zone: scheduleZone, window: wide))
            }
            overrideEntries = ScheduleRenderer.overrideEntries(await store.overrides(scheduleID: schedule.id), window: wide)
            finalEntries = ScheduleRenderer.finalEntries(layers: renderedLayers, overrides: overrideEntries, window: wide)
            let cut: ([ScheduleRenderer.Entry]) -> [ScheduleRenderer.Entry] = { entries in
                entries.compactMap { entry in
                    guard entry.start < window.end, window.start < entry.end else { return nil }
                    if overflow { return entry }
                    var clipped = entry
                    clipped.start = max(entry.start, window.start)
                    clipped.end = min(entry.end, window.end)
                    return clipped
                }
            }
            renderedLayers = renderedLayers.map(cut)
            overrideEntries = cut(overrideEntries)
            finalEntries = cut(finalEntries)
        }

        var layerObjects: [JSONValue] = []
        for (index, layer) in schedule.layers.enumerated() {
            var members: [JSONValue] = []
            for id in layer.userIDs {
                if let user = await store.user(id: id) { members.append(.object([("user", userReference(user))])) }
            }
            let entries = window == nil ? [] : renderedLayers[index]
            layerObjects.append(
                .object([
                    ("id", .string(layer.id)),
                    ("name", .string(layer.name)),
                    ("start", time(layer.start, zone)),
                    ("end", layer.end.map { time($0, zone) } ?? .null),
                    ("rotation_virtual_start", time(layer.rotationVirtualStart, zone)),
                    ("rotation_turn_length_seconds", .int(layer.rotationTurnLengthSeconds)),
                    ("users", .array(members)),
                    ("restrictions", .array(layer.restrictions.map(restrictionJSON))),
                    ("rendered_schedule_entries", .array(await entriesJSON(entries, zone))),
                    ("rendered_coverage_percentage", window.map { .number(ScheduleRenderer.coveragePercentage(entries, window: $0)) } ?? .null),
                ])
            )
        }
        if !quirks.layersInPostOrder { layerObjects.reverse() }
        pairs.append(("schedule_layers", .array(layerObjects)))
        guard full else { return .object(pairs) }
        pairs.append(("overrides_subschedule", await subSchedule("Overrides", overrideEntries, window: window, zone: zone)))
        pairs.append(("final_schedule", await subSchedule("Final Schedule", finalEntries, window: window, zone: zone)))
        return .object(pairs)
    }

    private func subSchedule(_ name: String, _ entries: [ScheduleRenderer.Entry], window: InstantRange?, zone: Zone) async -> JSONValue {
        .object([
            ("name", .string(name)),
            ("rendered_schedule_entries", .array(await entriesJSON(entries, zone))),
            ("rendered_coverage_percentage", window.map { .number(ScheduleRenderer.coveragePercentage(entries, window: $0)) } ?? .null),
        ])
    }

    private func entriesJSON(_ entries: [ScheduleRenderer.Entry], _ zone: Zone) async -> [JSONValue] {
        var result: [JSONValue] = []
        for entry in entries {
            let user = await store.user(id: entry.userID)
            result.append(
                .object([
                    ("start", time(entry.start, zone)),
                    ("end", time(entry.end, zone)),
                    ("user", user.map(userReference) ?? .object([("id", .string(entry.userID)), ("type", .string("user_reference"))])),
                ])
            )
        }
        return result
    }

    private func restrictionJSON(_ restriction: SandboxRestriction) -> JSONValue {
        let seconds = restriction.startTimeOfDay
        let text = String(format: "%02d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60)
        var pairs: [(String, JSONValue)] = [
            ("type", .string(restriction.kind.rawValue)),
            ("start_time_of_day", .string(text)),
            ("duration_seconds", .int(restriction.durationSeconds)),
        ]
        if restriction.kind == .weekly { pairs.append(("start_day_of_week", .int(restriction.startDayOfWeek ?? 1))) }
        return .object(pairs)
    }

    // MARK: - Overrides

    private func listOverrides(_ scheduleID: String, _ query: QueryParameters) async -> SandboxReply {
        guard let schedule = await store.schedule(id: scheduleID) else { return notFound() }
        if schedule.type != "schedule" { return v3Refusal() }
        let zone = Zone(identifier: schedule.timeZone) ?? .utc
        guard query["since"] != nil, query["until"] != nil else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["since and until are required"], quirks: quirks)
        }
        guard case (let since?, let until?) = parseWindowParameters(query, zone: zone) ?? (nil, nil) else {
            return .error(400, "Invalid time values in 'since' and/or 'until' parameters", code: 2004, quirks: quirks)
        }
        guard since <= until else { return .error(400, "Invalid Query Date Range", code: 2005, quirks: quirks) }
        let window = InstantRange(start: since, end: until)
        var overrides = await store.overrides(scheduleID: scheduleID).filter { $0.start < window.end && window.start < $0.end }
        var items: [JSONValue]
        if query.flag("editable") {
            overrides = overrides.filter { $0.start > now }
            items = overrides.map { .object([("id", .string($0.id))]) }
        } else {
            items = []
            for override in overrides {
                var shown = override
                if !query.flag("overflow") {
                    shown.start = max(override.start, window.start)
                    shown.end = min(override.end, window.end)
                }
                items.append(await overrideJSON(shown, zone: zone, includeID: true))
            }
        }
        var pairs: [(String, JSONValue)] = [("overrides", .array(items))]
        if quirks.paginateOverrideListing {
            pairs += [("limit", .int(items.count)), ("offset", .int(0)), ("more", .bool(false)), ("total", .null)]
        }
        return .json(quirks.overrideListingStatus, .object(pairs))
    }

    private func createOverrides(_ scheduleID: String, body: [UInt8], contentType: String?) async -> SandboxReply {
        guard contentType?.lowercased().hasPrefix("application/json") == true else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["Content-Type must be application/json"], quirks: quirks)
        }
        guard let schedule = await store.schedule(id: scheduleID) else { return notFound() }
        if schedule.type != "schedule" { return v3Refusal() }
        let zone = Zone(identifier: schedule.timeZone) ?? .utc
        let dictionary = (try? JSONValue.parse(body)).flatMap { $0.objectValue == nil ? nil : $0 }
        if let single = dictionary?["override"], single.objectValue != nil {
            return await createSingle(single, schedule: schedule, zone: zone)
        }
        guard let items = dictionary?["overrides"]?.arrayValue, !items.isEmpty else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["overrides must be a non-empty list"], quirks: quirks)
        }
        guard items.count <= quirks.maxOverridesPerRequest else {
            return .error(
                400, "Invalid Input Provided", code: 2001,
                errors: ["overrides should have at most \(quirks.maxOverridesPerRequest) item(s)"], quirks: quirks
            )
        }
        var results: [JSONValue] = []
        var allErrors: [String] = []
        var created = 0
        for item in items {
            let fields = item.objectValue == nil ? JSONValue.object([]) : item
            let candidate = await validate(fields, zone: zone)
            switch candidate {
            case .valid(let start, let end, let user):
                guard let override = try? await store.createOverride(scheduleID: scheduleID, start: start, end: end, userID: user.id) else {
                    return .error(500, "An internal error has occurred. PagerDuty team has been notified.", code: 2000, quirks: quirks)
                }
                created += 1
                results.append(.object([("status", .int(201)), ("override", await overrideJSON(override, zone: zone, includeID: true))]))
            case .invalid(let errors, let echo):
                allErrors += errors
                results.append(.object([("status", .int(400)), ("errors", .array(errors.map(JSONValue.string))), ("override", echo)]))
            }
        }
        if created > 0 {
            do { try await store.persistNow() } catch {
                return .error(500, "An internal error has occurred. PagerDuty team has been notified.", code: 2000, quirks: quirks)
            }
        }
        if created == 0, quirks.allFailedStatus == 400 {
            return .error(400, "Invalid Input Provided", code: 2001, errors: allErrors, quirks: quirks)
        }
        return .json(201, quirks.wrapBulkResponse ? .object([("overrides", .array(results))]) : .array(results))
    }

    private func createSingle(_ fields: JSONValue, schedule: SandboxSchedule, zone: Zone) async -> SandboxReply {
        switch await validate(fields, zone: zone) {
        case .valid(let start, let end, let user):
            guard let override = try? await store.createOverride(scheduleID: schedule.id, start: start, end: end, userID: user.id),
                (try? await store.persistNow()) != nil
            else {
                return .error(500, "An internal error has occurred. PagerDuty team has been notified.", code: 2000, quirks: quirks)
            }
            return .json(201, .object([("override", await overrideJSON(override, zone: zone, includeID: true))]))
        case .invalid(let errors, _):
            // The deprecated form answers with `errors` as one comma-joined string (go-pagerduty #339).
            return .json(
                400,
                .object([
                    ("error", .object([("message", .string("Invalid Override")), ("code", .int(2001)), ("errors", .string(errors.joined(separator: ", ")))]))
                ])
            )
        }
    }

    private enum Candidate {
        case valid(Instant, Instant, SandboxUser)
        case invalid([String], JSONValue)
    }

    /// Checks one requested override as PagerDuty does, collecting every reason it fails.
    private func validate(_ fields: JSONValue, zone defaultZone: Zone) async -> Candidate {
        let zone = fields["time_zone"]?.stringValue.flatMap(Zone.init(identifier:)) ?? defaultZone
        let start = fields["start"]?.stringValue.flatMap { parseTime($0, zone: zone) }
        let end = fields["end"]?.stringValue.flatMap { parseTime($0, zone: zone) }
        let userID = fields["user"]?["id"]?.stringValue
        let user: SandboxUser?
        if let userID { user = await store.user(id: userID) } else { user = nil }
        var errors: [String] = []
        if start == nil { errors.append("Start must be a valid date and time") }
        if end == nil { errors.append("End must be a valid date and time") }
        if let start, let end {
            if end <= now { errors.append("Override must end in the future") }
            if end <= start { errors.append("Override must end after its start") }
            if quirks.rejectPastStart, start < now { errors.append("Override must start in the future") }
        }
        if user == nil { errors.append(userID == nil ? "User must be specified" : "User not found") }
        guard errors.isEmpty, let start, let end, let user else {
            var echo: [(String, JSONValue)] = []
            if let text = fields["start"]?.stringValue { echo.append(("start", .string(start.map { formatted($0, zone) } ?? text))) }
            if let text = fields["end"]?.stringValue { echo.append(("end", .string(end.map { formatted($0, zone) } ?? text))) }
            if let user {
                echo.append(("user", userReference(user)))
            } else if let userID {
                echo.append(("user", .object([("id", .string(userID)), ("type", .string("user_reference"))])))
            }
            return .invalid(errors, .object(echo))
        }
        return .valid(start, end, user)
    }

    private func deleteOverride(_ scheduleID: String, _ id: String) async -> SandboxReply {
        guard let schedule = await store.schedule(id: scheduleID) else { return notFound() }
        if schedule.type != "schedule" { return v3Refusal() }
        guard let override = await store.overrides(scheduleID: scheduleID).first(where: { $0.id == id }) else {
            return .error(
                404, quirks.unknownOverrideCode == 4004 ? "Override Not Found" : "Not Found", code: quirks.unknownOverrideCode, quirks: quirks
            )
        }
        if override.end <= now {
            return .error(
                quirks.pastDeleteStatus, "Invalid Input Provided", code: 2001,
                errors: ["Cannot remove an override that has already ended"], quirks: quirks
            )
        }
        let status: Int
        if override.start > now {
            await store.deleteOverride(scheduleID: scheduleID, id: id)
            status = 204
        } else {
            await store.truncateOverride(scheduleID: scheduleID, id: id, end: now)
            status = 200
        }
        do { try await store.persistNow() } catch {
            return .error(500, "An internal error has occurred. PagerDuty team has been notified.", code: 2000, quirks: quirks)
        }
        return SandboxReply(status: status, body: nil)
    }

    private func overrideJSON(_ override: SandboxOverride, zone: Zone, includeID: Bool) async -> JSONValue {
        let user = await store.user(id: override.userID)
        var pairs: [(String, JSONValue)] = []
        if includeID { pairs.append(("id", .string(override.id))) }
        pairs += [
            ("start", .string(formatted(override.start, quirks.overridesInUTC ? .utc : zone))),
            ("end", .string(formatted(override.end, quirks.overridesInUTC ? .utc : zone))),
            ("user", user.map(userReference) ?? .object([("id", .string(override.userID)), ("type", .string("user_reference"))])),
        ]
        return .object(pairs)
    }

    // MARK: - On-calls

    private func listOnCalls(_ query: QueryParameters) async -> SandboxReply {
        var zone = Zone.utc
        if let name = query["time_zone"] {
            guard let requested = Zone(identifier: name) else {
                return .error(400, "Invalid Input Provided", code: 2001, errors: ["Invalid time_zone \(name)"], quirks: quirks)
            }
            zone = requested
        }
        guard let times = parseWindowParameters(query, zone: zone) else {
            return .error(400, "Invalid time values in 'since' and/or 'until' parameters", code: 2004, quirks: quirks)
        }
        let since = times.since ?? now
        let until = times.until ?? since
        guard since <= until, until - since <= 90 * 86_400 else {
            return .error(400, "Invalid Query Date Range", code: 2005, errors: ["On-call shifts are limited to 90 days"], quirks: quirks)
        }
        let scheduleFilter = Set(query.all("schedule_ids"))
        let userFilter = Set(query.all("user_ids"))
        var items: [(Instant, String, JSONValue)] = []
        var earliestSeen: Set<String> = []
        for schedule in await store.allSchedules() where schedule.type == "schedule" {
            if !scheduleFilter.isEmpty, !scheduleFilter.contains(schedule.id) { continue }
            let scheduleZone = Zone(identifier: schedule.timeZone) ?? .utc
            let wide = InstantRange(start: since.adding(seconds: -35 * 86_400), end: until.adding(seconds: 35 * 86_400))
            let layers = schedule.layers.enumerated().map { ScheduleRenderer.layerEntries($1, index: $0, zone: scheduleZone, window: wide) }
            let overrides = ScheduleRenderer.overrideEntries(await store.overrides(scheduleID: schedule.id), window: wide)
            let merged = Self.joinSameUser(ScheduleRenderer.finalEntries(layers: layers, overrides: overrides, window: wide))
            for entry in merged where entry.start <= until && since < entry.end {
                if !userFilter.isEmpty, !userFilter.contains(entry.userID) { continue }
                if query.flag("earliest") {
                    guard earliestSeen.insert("\(schedule.id)/\(entry.userID)").inserted else { continue }
                }
                guard let user = await store.user(id: entry.userID) else { continue }
                let json = JSONValue.object([
                    ("user", userReference(user)),
                    ("schedule", .object([
                        ("id", .string(schedule.id)), ("type", .string("schedule_reference")), ("summary", .string(schedule.name)),
                        ("self", .string("\(base)/schedules/\(schedule.id)")), ("html_url", .string("\(Self.webBase)/schedules/\(schedule.id)")),
                    ])),
                    ("escalation_policy", escalationPolicyReference(schedule)),
                    ("escalation_level", .int(1)),
                    ("start", time(entry.start, zone)),
                    ("end", time(entry.end, zone)),
                ])
                items.append((entry.start, schedule.id, json))
            }
        }
        items.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        return paginate(items.map(\.2), query, key: "oncalls") { $0 }
    }

    /// On-call periods are continuous stretches of one person, whatever turns or overrides make them.
    private static func joinSameUser(_ entries: [ScheduleRenderer.Entry]) -> [ScheduleRenderer.Entry] {
        var joined: [ScheduleRenderer.Entry] = []
        for entry in entries {
            if let last = joined.last, last.end == entry.start, last.userID == entry.userID {
                joined[joined.count - 1].end = entry.end
            } else {
                joined.append(entry)
            }
        }
        return joined
    }

    // MARK: - Shared pieces

    /// Classic pagination: `limit` (default 25, at most 100), `offset`, `more`, and `total` only
    /// when `total=true`; offset + limit beyond 10,000 is refused.
    private func paginate<T>(_ items: [T], _ query: QueryParameters, key: String, _ render: (T) -> JSONValue) -> SandboxReply {
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

    private func userJSON(_ user: SandboxUser) -> JSONValue {
        .object([
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
            ("job_title", .null),
            ("created_via_sso", .bool(false)),
            ("teams", .array([])),
            ("contact_methods", .array([])),
            ("notification_rules", .array([])),
        ])
    }

    private func userReference(_ user: SandboxUser) -> JSONValue {
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
    private func escalationPolicyReference(_ schedule: SandboxSchedule) -> JSONValue {
        let id = "E" + schedule.id.dropFirst()
        return .object([
            ("id", .string(id)),
            ("type", .string("escalation_policy_reference")),
            ("summary", .string("\(schedule.name) policy")),
            ("self", .string("\(base)/escalation_policies/\(id)")),
            ("html_url", .string("\(Self.webBase)/escalation_policies/\(id)")),
        ])
    }

    private func time(_ instant: Instant, _ zone: Zone) -> JSONValue {
        .string(formatted(instant, zone))
    }

    private func formatted(_ instant: Instant, _ zone: Zone) -> String {
        instant.rfc3339(offsetSeconds: zone.offset(at: instant))
    }

    private func notFound() -> SandboxReply {
        .error(404, "Not Found", code: 2100, quirks: quirks)
    }

    private func v3Refusal() -> SandboxReply {
        .error(400, "Invalid Schedule", code: 3001, errors: ["This schedule is shift-based; use the v3 schedules API"], quirks: quirks)
    }

    /// `since` and `until`, each nil when absent; nil as a whole when one is present but not a time.
    private func parseWindowParameters(_ query: QueryParameters, zone: Zone) -> (since: Instant?, until: Instant?)? {
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

    private func renderWindow(_ query: QueryParameters, zone: Zone) -> InstantRange? {
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
}
