import Foundation
public import HandoffTime
import OrderedJSON

/// `GET /v3/schedules`, `GET /v3/schedules/{id}` and its rotations: reading shift-based
/// schedules, and what every v3 request shares (envelopes, pagination, the wrong-kind answer).
extension PagerDutyClient {

    /// Page size of `GET /v3/schedules`: its documented maximum (the default is 100).
    public static let v3SchedulePageSize = 1_000
    /// Page size of the lists under a schedule (rotations, events, overrides, custom shifts): their
    /// documented maximum (the default is 25).
    public static let v3ItemPageSize = 100
    /// The most items read from one v3 list. PagerDuty caps offset + limit at 10,000 on v2 (on v3
    /// this is unconfirmed), so a list that goes on past it is refused rather than cut silently.
    public static let v3ListLimit = paginationLimit

    // MARK: - Schedules

    /// A shift-based schedule with its rotations and their events, and, over `range`, PagerDuty's
    /// final schedule (`include[]=final_schedule`, `time_zone=UTC`; with `overflow`, shifts that
    /// reach past the window keep their real start and end).
    public func v3Schedule(id: String, rendering range: InstantRange? = nil, overflow: Bool = true) async throws -> PagerDutyV3Schedule {
        let purpose = "read shift-based schedule \(id)"
        let response = try await transport.send(
            APIRequest(method: .get, path: Self.v3SchedulePath(id), query: Self.v3ScheduleQuery(rendering: range, overflow: overflow), purpose: purpose)
        )
        try checkV3(response, purpose: purpose, write: false, scheduleID: id)
        let schedule = try decode(V3Single<PagerDutyV3Schedule>.self, response, purpose: purpose).value
        guard schedule.type != "schedule" else {
            throw PagerDutyError(
                .wrongScheduleKind,
                "PagerDuty schedule \(id) on \(connection) is layer-based (v2), not shift-based: the v3 API answered with a layered schedule",
                status: response.status,
                scheduleKind: .layerBased
            )
        }
        return schedule
    }

    /// Every shift-based schedule the key can see (PagerDuty lists no layered ones here), or
    /// those whose name holds `query`: only ids and names; `v3Schedule(id:)` has the rest.
    public func listV3Schedules(query: String? = nil, pageSize: Int = v3SchedulePageSize) async throws -> [PagerDutyV3ScheduleReference] {
        var extra: [(String, String)] = []
        if let query { extra.append(("query", query)) }
        return try await v3List(
            V3Page<PagerDutyV3ScheduleReference>.self,
            path: "/v3/schedules",
            query: extra,
            pageSize: pageSize,
            whatListed: "shift-based schedules",
            purpose: "list shift-based schedules",
            scheduleID: nil,
            pastTheLimit: .stop
        )
    }

    /// The rotations of a shift-based schedule, with their events, every page.
    public func v3Rotations(scheduleID: String, pageSize: Int = v3ItemPageSize) async throws -> [PagerDutyRotation] {
        try await v3List(
            V3Page<PagerDutyRotation>.self,
            path: Self.v3SchedulePath(scheduleID) + "/rotations",
            query: [],
            pageSize: pageSize,
            whatListed: "rotations",
            purpose: "list the rotations of shift-based schedule \(scheduleID)",
            scheduleID: scheduleID,
            pastTheLimit: .fail
        )
    }

    /// The events of one rotation, every page.
    public func v3Events(scheduleID: String, rotationID: String, pageSize: Int = v3ItemPageSize) async throws -> [PagerDutyRotationEvent] {
        try await v3List(
            V3Page<PagerDutyRotationEvent>.self,
            path: Self.v3SchedulePath(scheduleID) + "/rotations/\(QueryString.escape(rotationID))/events",
            query: [],
            pageSize: pageSize,
            whatListed: "events",
            purpose: "list the events of rotation \(rotationID) of shift-based schedule \(scheduleID)",
            scheduleID: scheduleID,
            pastTheLimit: .fail
        )
    }

    // MARK: - Shared by every v3 request

    static func v3SchedulePath(_ id: String) -> String { "/v3/schedules/\(QueryString.escape(id))" }

    static func v3ScheduleQuery(rendering range: InstantRange?, overflow: Bool) -> [(String, String)] {
        guard let range else { return [] }
        return [
            ("since", range.start.description), ("until", range.end.description),
            ("include[]", "final_schedule"), ("overflow", overflow ? "true" : "false"), ("time_zone", "UTC"),
        ]
    }

    /// `since`, `until`, `overflow=true` and `time_zone=UTC` for the override and custom-shift
    /// lists: `overflow=true` because whether `false` drops or clips what crosses the window is
    /// unconfirmed, and times in UTC because the default is the schedule's zone (any offset is
    /// read anyway).
    static func v3WindowQuery(_ range: InstantRange) -> [(String, String)] {
        [("since", range.start.description), ("until", range.end.description), ("overflow", "true"), ("time_zone", "UTC")]
    }

    /// `check` for a request of the v3 API: a 400 whose message or details name the layered API
    /// (PagerDuty's answer to a v3 route on a v2 id) is `wrongScheduleKind`.
    /// With `itemRequest`, the request names an object under the schedule (an override, a custom
    /// shift), so a 404 is that object not found rather than the schedule.
    func checkV3(_ response: APIResponse, purpose: String, write: Bool, scheduleID: String?, itemRequest: Bool = false) throws {
        if itemRequest, response.status == 404 {
            try check(response, purpose: purpose, write: write)
        }
        try check(response, purpose: purpose, write: write, scheduleID: scheduleID, api: .shiftBased)
    }

    /// `{"type": "user_member", "user_id": …}` or `{"type": "empty_member"}`.
    static func memberJSON(_ member: PagerDutyShiftMember) -> JSONValue {
        switch member {
        case .user(let id): .object([("type", .string("user_member")), ("user_id", .string(id))])
        case .empty: .object([("type", .string("empty_member"))])
        case .unknown(let type): .object([("type", .string(type))])
        }
    }

    /// What to do when a list still says `more` at `v3ListLimit` items.
    enum PastTheLimit {
        /// Return what was read (a listing shown to a person, as v2's schedule list does).
        case stop
        /// Refuse: a list the exporter matches against must be whole.
        case fail
    }

    /// Reads every page of a classic offset-paginated v3 list: `limit` = `pageSize`, `offset`
    /// advanced by the items received (not by the limit), until `more` is false. At most
    /// `v3ListLimit` items, so the number of requests is bounded whatever PagerDuty says; a page
    /// that is empty yet says `more` is refused, since reading on would repeat it forever.
    func v3List<Page: V3PageResponse>(
        _ type: Page.Type,
        path: String,
        query: [(String, String)],
        pageSize: Int,
        whatListed: String,
        purpose: String,
        scheduleID: String?,
        pastTheLimit: PastTheLimit
    ) async throws -> [Page.Item] {
        let limit = min(max(pageSize, 1), Self.v3ListLimit)
        var items: [Page.Item] = []
        var offset = 0
        while true {
            let response = try await transport.send(
                APIRequest(method: .get, path: path, query: query + [("limit", String(limit)), ("offset", String(offset))], purpose: purpose)
            )
            try checkV3(response, purpose: purpose, write: false, scheduleID: scheduleID)
            let page = try decode(Page.self, response, purpose: purpose)
            items += page.items.prefix(Self.v3ListLimit - items.count)
            offset += page.items.count
            guard page.more ?? false else { return items }
            guard !page.items.isEmpty else {
                throw PagerDutyError(
                    .invalidResponse,
                    "PagerDuty's answer to \(purpose) on \(connection) said there were more \(whatListed) but sent an empty page at offset \(offset)",
                    status: response.status
                )
            }
            guard items.count < Self.v3ListLimit else {
                if pastTheLimit == .stop { return items }
                throw PagerDutyError(
                    .invalidResponse,
                    "PagerDuty has more than \(Self.v3ListLimit) \(whatListed) to \(purpose) on \(connection); Handoff reads at most \(Self.v3ListLimit), so narrow the window",
                    status: response.status
                )
            }
        }
    }

    /// A v3 request body as one line of JSON, keys in the order written.
    static func v3Body(_ value: JSONValue) -> [UInt8] {
        Array(value.serialized(pretty: false).utf8)
    }
}

// MARK: - Envelopes

/// A v3 object with the keys PagerDuty wraps it in: `override` for one, `overrides` for a list.
protocol V3Object: Decodable, Sendable {
    static var singularKey: String { get }
    static var pluralKey: String { get }
}

extension PagerDutyV3Schedule: V3Object {
    static var singularKey: String { "schedule" }
    static var pluralKey: String { "schedules" }
}

extension PagerDutyV3ScheduleReference: V3Object {
    static var singularKey: String { "schedule" }
    static var pluralKey: String { "schedules" }
}

extension PagerDutyRotation: V3Object {
    static var singularKey: String { "rotation" }
    static var pluralKey: String { "rotations" }
}

extension PagerDutyRotationEvent: V3Object {
    static var singularKey: String { "event" }
    static var pluralKey: String { "events" }
}

extension PagerDutyOverrideShift: V3Object {
    static var singularKey: String { "override" }
    static var pluralKey: String { "overrides" }
}

extension PagerDutyCustomShift: V3Object {
    static var singularKey: String { "custom_shift" }
    static var pluralKey: String { "custom_shifts" }
}

struct V3Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// One object, wrapped in its singular key as documented, or bare (PagerDuty's MCP client
/// accepts both, so an answer of either shape is read).
struct V3Single<Value: V3Object>: Decodable {
    var value: Value

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: V3Key.self)
        let key = V3Key(Value.singularKey)
        value = container.contains(key) ? try container.decode(Value.self, forKey: key) : try Value(from: decoder)
    }
}

/// A page of a list, or the answer to a bulk create: the items under the plural key, `more`.
protocol V3PageResponse: Decodable {
    associatedtype Item: Sendable
    var items: [Item] { get }
    var more: Bool? { get }
}

struct V3Page<Item: V3Object>: V3PageResponse {
    var items: [Item]
    var more: Bool?

    /// The documented object (`{"overrides": [...], "more": false}`), or a bare array.
    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: V3Key.self) {
            items = try container.decode([Item].self, forKey: V3Key(Item.pluralKey))
            more = try container.decodeIfPresent(Bool.self, forKey: V3Key("more"))
        } else {
            items = try decoder.singleValueContainer().decode([Item].self)
            more = nil
        }
    }
}
