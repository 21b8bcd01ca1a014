import Foundation
public import HandoffTime
import OrderedJSON

/// `GET /schedules` and `GET /schedules/{id}`: what `import` and `who --source pagerduty` read.
extension PagerDutyClient {

    /// A layer-based schedule, with its layers, final schedule and overrides rendered over
    /// `range` when given. A shift-based (v3) schedule is an error: Handoff cannot write to it.
    public func schedule(id: String, rendering range: InstantRange? = nil, timeZone: String? = nil) async throws -> PagerDutySchedule {
        let purpose = "read schedule \(id)"
        var items: [(String, String)] = []
        if let range {
            items += [("since", range.start.description), ("until", range.end.description)]
        }
        if let timeZone { items.append(("time_zone", timeZone)) }
        let response = try await transport.send(APIRequest(method: .get, path: "/schedules/\(QueryString.escape(id))", query: items, purpose: purpose))
        // PagerDuty answers a shift-based id here with a 400 naming the v3 API (reference v3
        // section 9.2); older answers gave the schedule with its v3 type. Both are one sentence.
        if let wrong = wrongKind(response, purpose: purpose, scheduleID: id, api: .layerBased) {
            throw PagerDutyError(
                .unsupportedSchedule,
                unsupportedSentence(id: id, type: "schedule_v3"),
                status: wrong.status,
                apiCode: wrong.apiCode,
                apiErrors: wrong.apiErrors,
                apiMessage: wrong.apiMessage,
                scheduleKind: .shiftBased
            )
        }
        try check(response, purpose: purpose, write: false, scheduleID: id)
        let schedule = try decode(ScheduleResponse.self, response, purpose: purpose).schedule
        guard schedule.type == "schedule" else {
            throw PagerDutyError(.unsupportedSchedule, unsupportedSentence(id: id, type: schedule.type), scheduleKind: .shiftBased)
        }
        return schedule
    }

    private func unsupportedSentence(id: String, type: String) -> String {
        "PagerDuty schedule \(id) on \(connection) is of type \(ErrorBody.visible(type)) (a shift-based schedule); "
            + "Handoff writes overrides to layer-based schedules only"
    }

    /// Every schedule the key can see (layer-based ones: PagerDuty lists no others here), with
    /// their layers when asked (`include[]=schedule_layers`).
    public func listSchedules(query: String? = nil, includeLayers: Bool = false) async throws -> [PagerDutySchedule] {
        var schedules: [PagerDutySchedule] = []
        var offset = 0
        while offset + Self.pageSize <= Self.paginationLimit {
            var items = [("limit", String(Self.pageSize)), ("offset", String(offset))]
            if let query { items.append(("query", query)) }
            if includeLayers { items.append(("include[]", "schedule_layers")) }
            let response = try await transport.send(APIRequest(method: .get, path: "/schedules", query: items, purpose: "list schedules"))
            try check(response, purpose: "list schedules", write: false)
            let page = try decode(SchedulesResponse.self, response, purpose: "list schedules")
            schedules += page.schedules
            offset += page.schedules.count
            if !(page.more ?? false) || page.schedules.isEmpty { break }
        }
        return schedules
    }
}
