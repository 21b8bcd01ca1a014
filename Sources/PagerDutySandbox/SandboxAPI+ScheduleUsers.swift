import Foundation
import HandoffTime
import OrderedJSON

/// `GET /schedules/{id}/users` (v2 reference, section 6; v3 checklist row 6): the users on call
/// in the layered schedule's final schedule over `since`–`until`, as full user objects, in the
/// order they first come on call; not paginated. A shift-based schedule's id gets the answer of
/// the other v2 routes (`v3Refusal`).
extension SandboxAPI {
    func listScheduleUsers(_ id: String, _ query: QueryParameters) async -> SandboxReply {
        guard let schedule = await store.schedule(id: id) else { return notFound() }
        if schedule.isV3 { return v3Refusal() }
        let zone = Zone(identifier: schedule.timeZone) ?? .utc
        guard let times = parseWindowParameters(query, zone: zone) else {
            return .error(400, "Invalid time values in 'since' and/or 'until' parameters", code: 2004, quirks: quirks)
        }
        // PagerDuty documents no defaults: the simulator reads two weeks from now, or from the
        // one end given (as a schedule read does).
        let since = times.since ?? times.until.map { $0.adding(seconds: -14 * 86_400) } ?? now
        let until = times.until ?? since.adding(seconds: 14 * 86_400)
        guard since <= until, until - since <= Self.maximumRenderSeconds else {
            return .error(400, "Invalid Query Date Range", code: 2005, quirks: quirks)
        }
        let window = InstantRange(start: since, end: until)
        let layers = schedule.layers.enumerated().map { ScheduleRenderer.layerEntries($1, index: $0, zone: zone, window: window) }
        let overrides = ScheduleRenderer.overrideEntries(await store.overrides(scheduleID: schedule.id), window: window)
        var seen: Set<String> = []
        var users: [JSONValue] = []
        for entry in ScheduleRenderer.finalEntries(layers: layers, overrides: overrides, window: window) where entry.start < until && since < entry.end {
            guard seen.insert(entry.userID).inserted, let user = await store.user(id: entry.userID) else { continue }
            users.append(userJSON(user))
        }
        return .json(200, .object([("users", .array(users))]))
    }
}
