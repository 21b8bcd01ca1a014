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
        /// Attempts for a request that fails with 5xx, 408, a timeout or a network fault (GET, PUT
        /// and DELETE; a POST only when it certainly never left).
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

    var connection: String { "connection \"\(configuration.connectionName)\"" }

    // MARK: - Responses

    /// Turns a response that is not a success into the sentence for its status. `api` is the
    /// schedule API the request went to, for `wrongKind`.
    func check(_ response: APIResponse, purpose: String, write: Bool, scheduleID: String? = nil, api: ScheduleKind = .layerBased) throws {
        guard !(200..<300).contains(response.status) else { return }
        if let scheduleID, let wrong = wrongKind(response, purpose: purpose, scheduleID: scheduleID, api: api) { throw wrong }
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

    /// A 400 about a schedule whose message or details name the other API than `api` (the one
    /// the request went to): `wrongScheduleKind`, saying what the schedule is. On v2 routes the
    /// sentence is the one any refusal has, as before v3 was known.
    func wrongKind(_ response: APIResponse, purpose: String, scheduleID: String, api: ScheduleKind) -> PagerDutyError? {
        guard response.status == 400 else { return nil }
        let body = ErrorBody(bytes: response.body, key: configuration.key)
        let other: ScheduleKind = api == .layerBased ? .shiftBased : .layerBased
        guard other.isNamed(in: [body.message ?? ""] + body.errors) else { return nil }
        let refused = "PagerDuty refused to \(purpose) (\(response.status)\(body.summary.map { ": \($0)" } ?? ""))"
        let sentence =
            api == .layerBased
            ? refused
            : "PagerDuty schedule \(scheduleID) on \(connection) is \(other.displayName) (\(other.rawValue)), not \(api.displayName): \(refused)"
        return transport.failure(.wrongScheduleKind, sentence, response: response, scheduleKind: other)
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: APIResponse, purpose: String) throws -> T {
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

    static func describe(_ error: any Error) -> String {
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

    static func path(_ keys: [any CodingKey]) -> String {
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

struct UsersResponse: Decodable {
    var users: [PagerDutyUser]
    var more: Bool?
    var total: Int?
}

struct UserResponse: Decodable {
    var user: PagerDutyUser
}

struct ScheduleResponse: Decodable {
    var schedule: PagerDutySchedule
}

struct SchedulesResponse: Decodable {
    var schedules: [PagerDutySchedule]
    var more: Bool?
}

struct OverridesResponse: Decodable {
    var overrides: [PagerDutyOverride]
}
