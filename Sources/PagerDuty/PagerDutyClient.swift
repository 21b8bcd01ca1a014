import Foundation
public import HandoffTime
public import Logging
import HostRules
import OrderedJSON

/// A typed client for the PagerDuty REST API endpoints Handoff uses (users, schedules,
/// overrides), spending as few requests as it can and keeping under the rate limit by itself.
///
/// Call `shutdown()` when done (or use `withClient`): it owns HTTP connections.
public final class PagerDutyClient: Sendable {
    /// Where and how to talk to PagerDuty.
    public struct Configuration: Sendable {
        /// `https://api.pagerduty.com`, or `http://127.0.0.1:PORT` for the simulated PagerDuty.
        public var baseURL: String
        public var key: APIKey
        /// The connection's name in the configuration, for messages ("connection \"acme\"").
        public var connectionName: String
        /// Where the key came from, for messages ("PAGERDUTY_TOKEN").
        public var keySource: String?
        /// Requests allowed in any 60 seconds; PagerDuty allows 960 per key.
        public var requestsPerMinute: Int = 960
        /// Requests in flight at once.
        public var maxConcurrentRequests: Int = 8
        /// Seconds to establish a connection. A connection that cannot be opened on the first
        /// request fails at once (no retries), so this bounds how long a wrong `api_url` takes.
        public var connectTimeout: Double = 5
        /// Seconds for a whole request and its response.
        public var requestTimeout: Double = 30
        /// Attempts for a request that fails with 5xx, 408, a timeout or a network fault (GET and
        /// DELETE; a POST only when it certainly never left).
        public var maxAttempts: Int = 5
        /// Waits after 429 before giving up.
        public var maxRateLimitWaits: Int = 10
        /// First backoff in seconds; doubles per attempt up to `backoffCap`.
        public var backoffBase: Double = 0.5
        public var backoffCap: Double = 8
        public var clock: any ClientClock = SystemClientClock()
        public var userAgent = "handoff"
        /// Receives a line whenever the client is about to wait longer than
        /// `WaitAnnouncer.threshold` seconds (after a 429, before a retry, under the rate limit),
        /// so a run never looks hung; the command line prints it on standard error.
        public var progress: (@Sendable (String) -> Void)?

        public init(baseURL: String, key: APIKey, connectionName: String, keySource: String? = nil) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.key = key
            self.connectionName = connectionName
            self.keySource = keySource
        }

        /// `connection "acme" (https://api.pagerduty.com)`: where a failure happened, as messages
        /// name it. The address is shown without any user name or password it may hold.
        public var connectionDescription: String {
            "connection \"\(connectionName)\" (\(Self.displayURL(baseURL)))"
        }

        /// `url` without a user name or password.
        static func displayURL(_ url: String) -> String {
            guard var components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
            components.user = nil
            components.password = nil
            return components.string ?? url
        }
    }

    /// Page size for classic pagination; PagerDuty's maximum.
    public static let pageSize = 100
    /// PagerDuty refuses offset + limit beyond this.
    public static let paginationLimit = 10_000

    let transport: Transport
    public var configuration: Configuration { transport.configuration }

    public init(configuration: Configuration, logger: Logger = Logger(label: "handoff.pagerduty")) throws {
        guard configuration.key.isWellFormed || configuration.key.isEmpty else {
            throw PagerDutyError.malformedKey(connection: configuration.connectionName, keySource: configuration.keySource)
        }
        guard Self.isAllowed(baseURL: configuration.baseURL) else {
            throw PagerDutyError(
                .insecureURL,
                "connection \"\(configuration.connectionName)\" uses \(configuration.baseURL); Handoff only talks to https:// addresses, or http:// on a loopback address"
            )
        }
        transport = Transport(configuration: configuration, logger: logger)
    }

    /// Runs `body` with a client and shuts it down afterwards, whatever happens.
    public static func withClient<T: Sendable>(
        configuration: Configuration,
        _ body: (PagerDutyClient) async throws -> T
    ) async throws -> T {
        let client = try PagerDutyClient(configuration: configuration)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    public func shutdown() async throws {
        try await transport.shutdown()
    }

    /// What this client has sent so far.
    public func statistics() async -> RequestStatistics {
        await transport.statistics()
    }

    /// True for `https://` URLs and for `http://` to a loopback address (`KeyTransportRule`).
    public static func isAllowed(baseURL: String) -> Bool {
        guard let components = URLComponents(string: baseURL), let scheme = components.scheme,
            let host = components.host, !host.isEmpty
        else { return false }
        return KeyTransportRule.allows(scheme: scheme, host: host)
    }

    private var connection: String { "connection \"\(configuration.connectionName)\"" }

    // MARK: - Users

    /// One page of `GET /users`.
    public struct UserPage: Sendable {
        public var users: [PagerDutyUser]
        public var more: Bool
        public var total: Int?
    }

    public func usersPage(query: String? = nil, offset: Int, limit: Int = pageSize, total: Bool = false) async throws -> UserPage {
        var items = [("limit", String(limit)), ("offset", String(offset))]
        if total { items.append(("total", "true")) }
        if let query { items.append(("query", query)) }
        let response = try await transport.send(APIRequest(method: .get, path: "/users", query: items, purpose: "list users"))
        try check(response, purpose: "list users", write: false)
        let page = try decode(UsersResponse.self, response, purpose: "list users")
        return UserPage(users: page.users, more: page.more ?? false, total: page.total)
    }

    /// Every user (or every user matching `query`), page by page up to PagerDuty's 10,000 limit.
    public func listUsers(query: String? = nil) async throws -> [PagerDutyUser] {
        var users: [PagerDutyUser] = []
        var offset = 0
        while offset + Self.pageSize <= Self.paginationLimit {
            let page = try await usersPage(query: query, offset: offset)
            users += page.users
            // Advance by what came back, not by the limit echoed (python-pagerduty does the same).
            offset += page.users.count
            if !page.more || page.users.isEmpty { break }
        }
        return users
    }

    /// How a set of e-mail addresses was resolved, for reports and benchmarks.
    public enum ResolutionStrategy: Sendable, Hashable {
        case firstPageOnly, listedAll, queriedEach
    }

    public struct UserResolution: Sendable {
        /// Users by lower-cased e-mail address.
        public var users: [String: PagerDutyUser]
        /// Addresses with no PagerDuty user, lower-cased, sorted.
        public var missing: [String]
        public var strategy: ResolutionStrategy
    }

    /// Finds the users with these e-mail addresses (exact match, ignoring case), listing every user
    /// or querying each address, whichever costs fewer requests: the first page, asked with
    /// `total=true`, tells how many pages a full listing would take.
    public func resolveUsers(emails: some Collection<String>) async throws -> UserResolution {
        let wanted = Set(emails.map { $0.lowercased() })
        guard !wanted.isEmpty else { return UserResolution(users: [:], missing: [], strategy: .firstPageOnly) }
        var found: [String: PagerDutyUser] = [:]
        func keep(_ users: [PagerDutyUser]) {
            for user in users where wanted.contains(user.email.lowercased()) { found[user.email.lowercased()] = user }
        }
        let first = try await usersPage(offset: 0, total: true)
        keep(first.users)
        var remaining = wanted.subtracting(found.keys)
        guard !remaining.isEmpty, first.more else {
            return UserResolution(users: found, missing: remaining.sorted(), strategy: .firstPageOnly)
        }
        let total = first.total ?? Int.max
        let reachable = min(total, Self.paginationLimit)
        let pagesLeft = total == Int.max ? Int.max : (reachable - first.users.count + Self.pageSize - 1) / Self.pageSize
        let strategy: ResolutionStrategy
        if pagesLeft <= remaining.count {
            strategy = .listedAll
            let offsets = Array(stride(from: first.users.count, to: reachable, by: Self.pageSize))
            let pages = try await concurrentMap(offsets) { offset in
                try await self.usersPage(offset: offset, limit: min(Self.pageSize, Self.paginationLimit - offset)).users
            }
            for page in pages { keep(page) }
            remaining = wanted.subtracting(found.keys)
            // Beyond PagerDuty's pagination limit only queries reach the rest.
            if total > Self.paginationLimit, !remaining.isEmpty {
                try await query(remaining, into: &found)
            }
        } else {
            strategy = .queriedEach
            try await query(remaining, into: &found)
        }
        return UserResolution(users: found, missing: wanted.subtracting(found.keys).sorted(), strategy: strategy)
    }

    private func query(_ emails: Set<String>, into found: inout [String: PagerDutyUser]) async throws {
        let results = try await concurrentMap(emails.sorted()) { email -> (String, PagerDutyUser?) in
            // `query` matches substrings of names and addresses: keep the exact address only.
            let users = try await self.listUsers(query: email)
            return (email, users.first { $0.email.lowercased() == email })
        }
        for case (let email, let user?) in results { found[email] = user }
    }

    public func user(id: String) async throws -> PagerDutyUser {
        let purpose = "read user \(id)"
        let response = try await transport.send(APIRequest(method: .get, path: "/users/\(QueryString.escape(id))", purpose: purpose))
        try check(response, purpose: purpose, write: false)
        return try decode(UserResponse.self, response, purpose: purpose).user
    }

    // MARK: - Schedules

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
        try check(response, purpose: purpose, write: false, scheduleID: id)
        let schedule = try decode(ScheduleResponse.self, response, purpose: purpose).schedule
        guard schedule.type == "schedule" else {
            throw PagerDutyError(
                .unsupportedSchedule,
                "PagerDuty schedule \(id) on \(connection) is of type \(schedule.type) (a shift-based schedule); "
                    + "Handoff writes overrides to layer-based schedules only"
            )
        }
        return schedule
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

    // MARK: - Overrides

    /// Overrides of a schedule that overlap `range`, each with its real start and end
    /// (`overflow=true`: PagerDuty would otherwise clip them to the range).
    public func overrides(scheduleID: String, overlapping range: InstantRange) async throws -> [PagerDutyOverride] {
        let purpose = "list the overrides of schedule \(scheduleID)"
        let response = try await transport.send(
            APIRequest(
                method: .get,
                path: "/schedules/\(QueryString.escape(scheduleID))/overrides",
                query: [("since", range.start.description), ("until", range.end.description), ("overflow", "true")],
                purpose: purpose
            )
        )
        try check(response, purpose: purpose, write: false, scheduleID: scheduleID)
        return try decode(OverridesResponse.self, response, purpose: purpose).overrides
    }

    /// Creates overrides in one request and reports each one's fate in request order.
    ///
    /// Throws `outcomeUnknown` when the response was lost or cannot be matched to the request:
    /// some overrides may exist; list and match before creating them again.
    public func createOverrides(scheduleID: String, _ overrides: [NewOverride]) async throws -> [OverrideCreation] {
        guard !overrides.isEmpty else { return [] }
        let purpose = "create \(overrides.count == 1 ? "1 override" : "\(overrides.count) overrides") on schedule \(scheduleID)"
        let items: [[String: Any]] = overrides.map {
            [
                "start": $0.start.description,
                "end": $0.end.description,
                "user": ["id": $0.userID, "type": "user_reference"],
                "time_zone": "UTC",
            ]
        }
        let body = try JSONSerialization.data(withJSONObject: ["overrides": items], options: [.sortedKeys])
        let response = try await transport.send(
            APIRequest(method: .post, path: "/schedules/\(QueryString.escape(scheduleID))/overrides", body: Array(body), purpose: purpose)
        )
        if response.status == 400 {
            // Every item refused at once: PagerDuty's standard error body instead of statuses.
            let error = ErrorBody(bytes: response.body, key: configuration.key)
            let reasons = error.errors.isEmpty ? [error.message ?? "refused"] : error.errors
            return overrides.map { .rejected($0, status: 400, errors: reasons) }
        }
        try check(response, purpose: purpose, write: true, scheduleID: scheduleID)
        guard let results = Self.creationResults(response.body, requested: overrides, key: configuration.key) else {
            throw PagerDutyError(
                .outcomeUnknown,
                "PagerDuty's answer to \(purpose) (\(response.status)) did not say what became of each override; whether they exist is unknown",
                status: response.status
            )
        }
        return results
    }

    /// Reads both response shapes: the bare array of `{status, override, errors}` the
    /// specification documents, and an object holding `overrides` (statuses or plain overrides).
    /// A status that is not a whole number, and anything else unexpected, is nil: unknown.
    /// An item's reasons are redacted, escaped, cut and at most 20, as any error text.
    static func creationResults(_ body: [UInt8], requested: [NewOverride], key: APIKey) -> [OverrideCreation]? {
        guard let object = try? JSONValue.parse(body) else { return nil }
        let items: [JSONValue]
        if let array = object.arrayValue {
            items = array
        } else if let wrapped = object["overrides"]?.arrayValue {
            items = wrapped
        } else if let single = object["override"] {
            items = [single]
        } else {
            return nil
        }
        guard items.count == requested.count else { return nil }
        var results: [OverrideCreation] = []
        for (item, request) in zip(items, requested) {
            guard item.objectValue != nil else { return nil }
            let status = item["status"]?.intValue
            if item["status"] != nil, status == nil { return nil }
            let overrideObject = status == nil ? item : item["override"]
            if let status, !(200..<300).contains(status) {
                let errors: [String]
                switch item["errors"] {
                case .array(let list)?: errors = list.compactMap(\.stringValue)
                case .string(let text)?: errors = [text]
                default: errors = []
                }
                results.append(.rejected(request, status: status, errors: ErrorBody.visible(errors, key: key)))
                continue
            }
            guard let override = overrideObject.flatMap(decodeOverride) else { return nil }
            results.append(.created(override))
        }
        return results
    }

    private static func decodeOverride(_ object: JSONValue) -> PagerDutyOverride? {
        guard object.objectValue != nil else { return nil }
        return try? JSONDecoder().decode(PagerDutyOverride.self, from: Data(object.serialized(pretty: false).utf8))
    }

    /// Deletes an override: a future one disappears (204), one in progress is cut to end now
    /// (200), and one that does not exist is reported as such (404).
    public func deleteOverride(scheduleID: String, overrideID: String) async throws -> OverrideDeletion {
        let purpose = "delete override \(overrideID) of schedule \(scheduleID)"
        let response = try await transport.send(
            APIRequest(
                method: .delete,
                path: "/schedules/\(QueryString.escape(scheduleID))/overrides/\(QueryString.escape(overrideID))",
                purpose: purpose
            )
        )
        switch response.status {
        case 204: return .deleted
        case 200: return .truncated
        case 404: return .notFound
        default:
            try check(response, purpose: purpose, write: true)
            return .deleted
        }
    }

    // MARK: - Responses

    /// Turns a response that is not a success into the sentence for its status.
    private func check(_ response: APIResponse, purpose: String, write: Bool, scheduleID: String? = nil) throws {
        guard !(200..<300).contains(response.status) else { return }
        let detail = ErrorBody(bytes: response.body, key: configuration.key).summary.map { ": \($0)" } ?? ""
        switch response.status {
        case 300..<400:
            // Redirects are never followed (Transport): the key goes to the configured host only.
            throw transport.failure(
                .redirected,
                "PagerDuty answered \(response.status) (a redirect) to \(purpose) on \(connection); Handoff does not follow redirects, so check the connection's api_url",
                response: response
            )
        case 401:
            let source = configuration.keySource.map { "; check the key in \($0)" } ?? ""
            throw transport.failure(
                .unauthorized,
                "PagerDuty rejected the API key of \(connection) (401): the key is not valid for this account\(source)",
                response: response
            )
        case 403 where write:
            throw transport.failure(
                .readOnlyKey,
                "the API key of \(connection) is read-only: PagerDuty refused to \(purpose) (403); apply needs a read-write key",
                response: response
            )
        case 403:
            throw transport.failure(.forbidden, "the API key of \(connection) may not \(purpose) (403\(detail))", response: response)
        case 404 where scheduleID != nil:
            throw transport.failure(
                .scheduleNotFound,
                "no such PagerDuty schedule \(scheduleID ?? "") on \(connection) (404)",
                response: response
            )
        case 404:
            throw transport.failure(.notFound, "PagerDuty found nothing to \(purpose) (404\(detail))", response: response)
        default:
            throw transport.failure(.rejected, "PagerDuty refused to \(purpose) (\(response.status)\(detail))", response: response)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: APIResponse, purpose: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw PagerDutyError(
                .invalidResponse,
                configuration.key.redacted(
                    "PagerDuty's answer to \(purpose) could not be read (\(response.status), \(response.body.count) bytes): \(Self.describe(error))"
                ),
                status: response.status
            )
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "no \"\(key.stringValue)\" at \(path(context.codingPath))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "unexpected value at \(path(context.codingPath))"
        case DecodingError.dataCorrupted(let context):
            return ErrorBody.visible(context.debugDescription)
        default:
            return "not JSON"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    /// Runs `transform` over `items` concurrently (the transport bounds what is in flight) and
    /// returns the results in order.
    func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
        try await withThrowingTaskGroup(of: (Int, R).self) { group in
            for (index, item) in items.enumerated() {
                group.addTask { (index, try await transform(item)) }
            }
            var results = [R?](repeating: nil, count: items.count)
            for try await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }
}

private struct UsersResponse: Decodable {
    var users: [PagerDutyUser]
    var more: Bool?
    var total: Int?
}

private struct UserResponse: Decodable {
    var user: PagerDutyUser
}

private struct ScheduleResponse: Decodable {
    var schedule: PagerDutySchedule
}

private struct SchedulesResponse: Decodable {
    var schedules: [PagerDutySchedule]
    var more: Bool?
}

private struct OverridesResponse: Decodable {
    var overrides: [PagerDutyOverride]
}
