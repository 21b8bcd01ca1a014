import Foundation
import HandoffTime
import OrderedJSON

/// `GET /oncalls`.
extension SandboxAPI {

    func listOnCalls(_ query: QueryParameters) async -> SandboxReply {
        let zone: Zone
        switch requestedZone(query, default: .utc) {
        case .success(let requested): zone = requested
        case .failure(let refusal): return refusal.reply
        }
        guard let times = parseWindowParameters(query, zone: zone) else {
            return .error(400, "Invalid time values in 'since' and/or 'until' parameters", code: 2004, quirks: quirks)
        }
        let since = times.since ?? now
        let until: Instant
        switch onCallWindowEnd(since: since, until: times.until ?? since) {
        case .success(let end): until = end
        case .failure(let refusal): return refusal.reply
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
        items += await v3OnCalls(since: since, until: until, zone: zone, query: query, earliestSeen: &earliestSeen)
        items.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        return paginate(items.map(\.2), query, key: "oncalls") { $0 }
    }

    /// The end on-calls are selected up to, after the 90-day rule of the `onCallLimit` quirk; a
    /// refusal when the window breaks it. Every position refuses an end before the start, and a
    /// window longer than the longest rendering (the horizon rules bound only its far end).
    func onCallWindowEnd(since: Instant, until: Instant) -> Result<Instant, Refusal> {
        let refusal = Refusal(reply: .error(400, "Invalid Query Date Range", code: 2005, errors: ["On-call shifts are limited to 90 days"], quirks: quirks))
        guard since <= until else { return .failure(refusal) }
        let horizon = now.adding(seconds: Self.onCallHorizonSeconds)
        switch quirks.onCallLimit {
        case .windowLength:
            return until - since <= Self.onCallHorizonSeconds ? .success(until) : .failure(refusal)
        case .horizon, .horizonStrict:
            guard since <= horizon else { return .failure(refusal) }
            if until > horizon, quirks.onCallLimit == .horizonStrict { return .failure(refusal) }
            let end = min(until, horizon)
            return end - since <= Self.maximumRenderSeconds ? .success(end) : .failure(refusal)
        }
    }

    /// 90 days: how far ahead PagerDuty computes on-call shifts.
    static let onCallHorizonSeconds: Int64 = 90 * 86_400

    /// On-call periods are continuous stretches of one person, whatever turns or overrides make them.
    static func joinSameUser(_ entries: [ScheduleRenderer.Entry]) -> [ScheduleRenderer.Entry] {
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
}
