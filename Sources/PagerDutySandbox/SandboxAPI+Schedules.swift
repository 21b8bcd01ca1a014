import Foundation
import HandoffTime
import OrderedJSON

/// `GET /schedules` and `GET /schedules/{id}`: layers, restrictions and the rendered final schedule.
extension SandboxAPI {

    /// The parts of a schedule object beyond its plain fields.
    struct ScheduleParts: OptionSet {
        let rawValue: Int
        static let layers = ScheduleParts(rawValue: 1)
        static let overrides = ScheduleParts(rawValue: 2)
        static let final = ScheduleParts(rawValue: 4)
        static let all: ScheduleParts = [.layers, .overrides, .final]
    }

    /// `GET /schedules`: layer-based schedules only (PagerDuty lists shift-based ones under
    /// `/v3/schedules`). `include[]=schedule_layers` renders layers; the two subschedule includes
    /// only under `listIncludesSubschedules`; other `include[]` values are ignored (what PagerDuty
    /// does with them is not known). The sandbox has no teams, so any `team_ids[]` finds nothing.
    func listSchedules(_ query: QueryParameters) async -> SandboxReply {
        var schedules = await store.allSchedules().filter { $0.type == "schedule" }
        if let text = query["query"]?.lowercased(), !text.isEmpty {
            schedules = schedules.filter { $0.name.lowercased().contains(text) }
        }
        if query.all("team_ids").contains(where: { !$0.isEmpty }) { schedules = [] }
        let includes = Set(query.all("include"))
        var parts: ScheduleParts = includes.contains("schedule_layers") ? [.layers] : []
        if quirks.listIncludesSubschedules {
            if includes.contains("overrides_subschedule") { parts.insert(.overrides) }
            if includes.contains("final_schedule") { parts.insert(.final) }
        }
        let requested: Zone?
        if query["time_zone"] == nil {
            requested = nil
        } else {
            switch requestedZone(query, default: .utc) {
            case .success(let zone): requested = zone
            case .failure(let refusal): return refusal.reply
            }
        }
        let account = quirks.accountTimeZone.flatMap(Zone.init(identifier:))
        // The window is read in the zone the answer is rendered in (the account's without one).
        guard let times = parseWindowParameters(query, zone: requested ?? account ?? .utc) else {
            return .error(400, "Invalid time values in 'since' and/or 'until' parameters", code: 2004, quirks: quirks)
        }
        let window = Self.window(times)
        if let window, window.end < window.start || window.end - window.start > Self.maximumRenderSeconds {
            return .error(400, "Invalid Query Date Range", code: 2005, quirks: quirks)
        }
        var items: [JSONValue] = []
        for schedule in schedules {
            let own = Zone(identifier: schedule.timeZone) ?? .utc
            guard !parts.isEmpty else {
                items.append(await scheduleJSON(schedule, window: nil, zone: .utc, parts: []))
                continue
            }
            items.append(
                await scheduleJSON(
                    schedule, window: window, zone: requested ?? account ?? own, restrictionZone: restrictionZone(requested, own),
                    overflow: query.flag("overflow"), parts: parts
                )
            )
        }
        return paginate(items, query, key: "schedules") { $0 }
    }

    func getSchedule(_ id: String, _ query: QueryParameters) async -> SandboxReply {
        guard let schedule = await store.schedule(id: id) else { return notFound() }
        if schedule.isV3 { return v3Refusal() }
        let scheduleZone = Zone(identifier: schedule.timeZone) ?? .utc
        let zone: Zone
        switch requestedZone(query, default: scheduleZone) {
        case .success(let requested): zone = requested
        case .failure(let refusal): return refusal.reply
        }
        guard let times = parseWindowParameters(query, zone: zone) else {
            return .error(400, "Invalid time values in 'since' and/or 'until' parameters", code: 2004, quirks: quirks)
        }
        let window = Self.window(times)
        if let window, window.end < window.start || window.end - window.start > Self.maximumRenderSeconds {
            return .error(400, "Invalid Query Date Range", code: 2005, quirks: quirks)
        }
        let json = await scheduleJSON(
            schedule, window: window, zone: zone, restrictionZone: restrictionZone(query["time_zone"] == nil ? nil : zone, scheduleZone),
            overflow: query.flag("overflow"), parts: .all
        )
        return .json(200, .object([("schedule", json)]))
    }

    /// The rendering window of `since`/`until`: a missing end is two weeks from the other.
    static func window(_ times: (since: Instant?, until: Instant?)) -> InstantRange? {
        switch times {
        case (let since?, let until?): return InstantRange(start: since, end: until)
        case (let since?, nil): return InstantRange(start: since, end: since.adding(seconds: 14 * 86_400))
        case (nil, let until?): return InstantRange(start: until.adding(seconds: -14 * 86_400), end: until)
        case (nil, nil): return nil
        }
    }

    /// The zone restrictions are read in: the one the request names (`restrictionZone` quirk
    /// `.request`), else the schedule's own.
    func restrictionZone(_ requested: Zone?, _ scheduleZone: Zone) -> Zone {
        quirks.restrictionZone == .request ? requested ?? scheduleZone : scheduleZone
    }

    /// A schedule object; layers and the rendered schedules when asked.
    func scheduleJSON(
        _ schedule: SandboxSchedule, window: InstantRange?, zone: Zone, restrictionZone: Zone? = nil, overflow: Bool = false, parts: ScheduleParts
    ) async -> JSONValue {
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
        ]
        pairs += optionalString("description", schedule.description)
        pairs += [
            ("escalation_policies", .array([escalationPolicyReference(schedule)])),
            ("users", .array(userRefs)),
            ("teams", .array([])),
        ]
        guard !parts.isEmpty else { return .object(pairs) }

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
                renderedLayers.append(
                    ScheduleRenderer.layerEntries(layer, index: index, zone: scheduleZone, restrictionZone: restrictionZone ?? scheduleZone, window: wide)
                )
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
        for (index, layer) in schedule.layers.enumerated() where parts.contains(.layers) {
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
        if parts.contains(.layers) { pairs.append(("schedule_layers", .array(layerObjects))) }
        if parts.contains(.overrides) {
            pairs.append(("overrides_subschedule", await subSchedule("Overrides", overrideEntries, window: window, zone: zone)))
        }
        if parts.contains(.final) { pairs.append(("final_schedule", await subSchedule("Final Schedule", finalEntries, window: window, zone: zone))) }
        return .object(pairs)
    }

    func subSchedule(_ name: String, _ entries: [ScheduleRenderer.Entry], window: InstantRange?, zone: Zone) async -> JSONValue {
        .object([
            ("name", .string(name)),
            ("rendered_schedule_entries", .array(await entriesJSON(entries, zone))),
            ("rendered_coverage_percentage", window.map { .number(ScheduleRenderer.coveragePercentage(entries, window: $0)) } ?? .null),
        ])
    }

    func entriesJSON(_ entries: [ScheduleRenderer.Entry], _ zone: Zone) async -> [JSONValue] {
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

    func restrictionJSON(_ restriction: SandboxRestriction) -> JSONValue {
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
}
