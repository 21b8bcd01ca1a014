import Foundation
public import HandoffTime

/// The two kinds of PagerDuty schedule. They share one id space, and a schedule can change kind
/// under the same id (PagerDuty's upgrade of a layer-based schedule), so the kind is found out,
/// remembered and checked again, never assumed.
public enum ScheduleKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A layered schedule of the `/schedules` API, the one v2 overrides are written to.
    case layerBased = "v2"
    /// A shift-based schedule of the `/v3/schedules` API (rotations, events, custom shifts).
    case shiftBased = "v3"

    /// `layer-based` or `shift-based`, as PagerDuty's own pages name them.
    public var displayName: String {
        switch self {
        case .layerBased: "layer-based"
        case .shiftBased: "shift-based"
        }
    }

    /// Whether a refusal of PagerDuty (its message and details), given to a request of the
    /// *other* API, says the schedule is of this kind. PagerDuty points at the API to use instead:
    /// a v2 route on a shift-based id names the v3 Schedules API ("shift-based", "/v3/schedules");
    /// a v3 route on a layered id names the v2 one ("layer-based"). The words are the ones
    /// PagerDuty's own MCP client matches; the answers themselves are secondary evidence.
    func isNamed(in texts: [String]) -> Bool {
        let markers: [String] =
            switch self {
            case .shiftBased: ["shift-based", "shift based", "v3 schedules api", "/v3/schedules", "v3 api"]
            case .layerBased: ["layer-based", "layer based", "layered", "v2 schedules api", "v2 api"]
            }
        return texts.contains { text in
            let lowered = text.lowercased()
            return markers.contains { lowered.contains($0) }
        }
    }
}

/// What an id turned out to be, with the schedule itself when the answer that told carried it.
public enum DetectedSchedule: Sendable, Hashable {
    /// A layered schedule; nil when PagerDuty's refusal on the v3 route named the v2 API, so the
    /// schedule was never read.
    case layerBased(PagerDutySchedule?)
    /// A shift-based schedule; nil when PagerDuty's refusal on the v2 route named the v3 API.
    case shiftBased(PagerDutyV3Schedule?)
    /// Neither API knows the id.
    case missing

    public var kind: ScheduleKind? {
        switch self {
        case .layerBased: .layerBased
        case .shiftBased: .shiftBased
        case .missing: nil
        }
    }
}

extension PagerDutyClient {

    /// Finds out whether schedule `id` is layer-based (v2), shift-based (v3) or missing, in as
    /// few requests as the answers allow (reference sheet section 9.1).
    ///
    /// It asks the API of `expected` first (the kind remembered from the last run), else the v3
    /// one, as PagerDuty's upgrade guide does: `GET /v3/schedules/{id}` (with the final schedule
    /// over `rendering`, so that the v3 exporter's baseline read is this same request), or
    /// `GET /schedules/{id}`. One request settles it when the schedule is of the kind asked
    /// first, or when the refusal names the other API (400 "…layer-based…" from v3, 400
    /// "…shift-based, use the v3 Schedules API" from v2). A second request, to the other API, is
    /// sent only when the first answer does not say: a bare 400, a 404 (v2 routes have answered
    /// 404 code 2100 for shift-based ids, and a v3 404 is not proof that no layered schedule has
    /// the id), or a 200 of the wrong type. Missing therefore costs two requests: both APIs must
    /// say 404. A refusal of the request itself (a 400 with other reasons) is an error that gives
    /// PagerDuty's reasons, with the kind when the other API named it; answers that contradict
    /// each other are an error, never a guess.
    public func detectScheduleKind(id: String, expected: ScheduleKind? = nil, rendering range: InstantRange? = nil) async throws -> DetectedSchedule {
        let first = expected ?? .shiftBased
        let second: ScheduleKind = first == .shiftBased ? .layerBased : .shiftBased
        let firstAnswer = try await probe(id: id, on: first, rendering: range)
        if let settled = firstAnswer.settled { return settled }
        let secondAnswer = try await probe(id: id, on: second, rendering: range)
        switch (firstAnswer, secondAnswer) {
        case (_, .found(let detected)):
            return detected
        case (.notFound, .notFound):
            // Only both APIs saying 404 means that no schedule has the id (reference 9.1): a 400
            // on one side may be about the request (a window too long), not about the id.
            return .missing
        case (.refused(let reasons), .namesOther(let kind)) where kind == first:
            // The other API says the schedule is of the kind asked first, which refused the
            // request itself (a window it does not take, say): its reasons are the news.
            throw PagerDutyError(
                .rejected,
                "schedule \(id) on \(connection) is \(kind.displayName), but PagerDuty refused to read it: "
                    + (reasons.isEmpty ? "no reason given" : reasons.prefix(5).joined(separator: "; ")),
                status: 400
            )
        default:
            // Among them: the second API naming the first as the right one, which did not know
            // the id; a 404 and a bare refusal; or two bare refusals.
            throw PagerDutyError(
                .invalidResponse,
                "PagerDuty's answers about schedule \(id) on \(connection) contradict each other "
                    + "(\(firstAnswer.words) from the \(first.displayName) API, \(secondAnswer.words) from the \(second.displayName) API); "
                    + "Handoff cannot tell which kind of schedule it is"
            )
        }
    }

    /// What one API said about an id.
    enum KindProbe: Sendable {
        case found(DetectedSchedule)
        /// 400 naming the other API.
        case namesOther(ScheduleKind)
        /// 400 saying nothing about the kind.
        /// Its reasons, as PagerDuty gave them (escaped, no key).
        case refused([String])
        case notFound

        var settled: DetectedSchedule? {
            switch self {
            case .found(let detected): detected
            case .namesOther(.layerBased): .layerBased(nil)
            case .namesOther(.shiftBased): .shiftBased(nil)
            case .refused, .notFound: nil
            }
        }

        var words: String {
            switch self {
            case .found(let detected): "found \(detected.kind?.displayName ?? "nothing")"
            case .namesOther(let kind): "400 naming the \(kind.displayName) API"
            case .refused(let reasons): reasons.isEmpty ? "400" : "400: \(reasons.prefix(3).joined(separator: "; "))"
            case .notFound: "404"
            }
        }
    }

    /// One `GET` of the schedule on the API of `kind`. A 200 is decided by the answer's `type`
    /// (`schedule` is layer-based whichever API sent it, anything else from v3 is shift-based,
    /// `schedule_v3` from v2 too); 401, 403, 5xx and the like are thrown as for any read.
    private func probe(id: String, on kind: ScheduleKind, rendering range: InstantRange?) async throws -> KindProbe {
        let purpose = "read schedule \(id)"
        let request: APIRequest
        switch kind {
        case .shiftBased:
            request = APIRequest(method: .get, path: Self.v3SchedulePath(id), query: Self.v3ScheduleQuery(rendering: range, overflow: true), purpose: purpose)
        case .layerBased:
            var query: [(String, String)] = []
            if let range { query = [("since", range.start.description), ("until", range.end.description), ("time_zone", "UTC")] }
            request = APIRequest(method: .get, path: "/schedules/\(QueryString.escape(id))", query: query, purpose: purpose)
        }
        let response = try await transport.send(request)
        switch response.status {
        case 200..<300:
            switch kind {
            case .shiftBased:
                let schedule = try decode(V3Single<PagerDutyV3Schedule>.self, response, purpose: purpose).value
                return .found(schedule.type == "schedule" ? .layerBased(nil) : .shiftBased(schedule))
            case .layerBased:
                let schedule = try decode(ScheduleResponse.self, response, purpose: purpose).schedule
                return .found(schedule.type == "schedule" ? .layerBased(schedule) : .shiftBased(nil))
            }
        case 400:
            let body = ErrorBody(bytes: response.body, key: configuration.key)
            let other: ScheduleKind = kind == .shiftBased ? .layerBased : .shiftBased
            let reasons = [body.message].compactMap { $0 } + body.errors
            return other.isNamed(in: reasons) ? .namesOther(other) : .refused(reasons)
        case 404:
            return .notFound
        default:
            try check(response, purpose: purpose, write: false, scheduleID: id)
            throw PagerDutyError(.invalidResponse, "PagerDuty answered \(response.status) to \(purpose) on \(connection)", status: response.status)
        }
    }
}
