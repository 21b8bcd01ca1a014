import Foundation
public import HandoffConfig
public import HandoffTime
import HandoffDestination
public import PagerDuty

/// Opens `type: pagerduty` connections: the key read from the environment (never from a file),
/// the host checked against where keys may go before any client exists, a malformed key refused
/// before any request, so that no error can quote it.
public enum PagerDutyConnection {
    /// How clients are set up, the same for every connection of a run.
    public struct Settings: Sendable {
        /// Requests in flight at once per connection.
        public var parallelism = 8
        /// Receives a line, naming the connection, whenever a client is about to wait more than
        /// two seconds (after a 429, before a retry).
        public var progress: (@Sendable (String) -> Void)?
        /// Adjusts each client's configuration (tests: a virtual clock, fast retries).
        public var configure: @Sendable (inout PagerDutyClient.Configuration) -> Void = { _ in }
        /// The run's time, for what a shift-based schedule's deletes are judged by (tests and
        /// `--now`: the simulated PagerDuty's clock); the system's by default.
        public var now: @Sendable () -> Instant = PagerDutyDestination.systemNow

        public init() {}
    }

    /// Opens `connection`, whose kind must be `.pagerDuty`. Every problem a person fixes in the
    /// configuration or the environment is a `SyncError` with its location; a failure to
    /// make the client names the connection, with the key redacted from it.
    public static func open(
        _ connection: Connection,
        environment: [String: String],
        apiHosts: APIHostPolicy,
        settings: Settings
    ) throws -> PagerDutyDestination {
        let name = connection.name
        guard case .pagerDuty(let variable, let apiURL) = connection.kind else {
            throw SyncError("connection \"\(name)\" is not a PagerDuty connection (\(connection.location))")
        }
        if let problem = apiHosts.problem(connection) {
            throw SyncError("\(problem) (\(connection.apiURLLocation ?? connection.location))")
        }
        guard let text = environment[variable], !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw SyncError(
                "connection \"\(name)\" reads its PagerDuty key from the environment variable \(variable), which is not set (\(connection.location))"
            )
        }
        // Known once read, so that no error quoting it can show it.
        let key = APIKey(text)
        guard key.isWellFormed else {
            throw SyncError("\(PagerDutyError.malformedKey(connection: name, keySource: variable)) (\(connection.location))")
        }
        return try open(name: name, baseURL: apiURL, key: key, keySource: variable, settings: settings)
    }

    /// A destination for a PagerDuty (or a simulated one) at `baseURL` with `key`.
    public static func open(name: String, baseURL: String, key: APIKey, keySource: String? = nil, settings: Settings) throws -> PagerDutyDestination {
        var client = PagerDutyClient.Configuration(baseURL: baseURL, key: key, connectionName: name, keySource: keySource)
        client.maxConcurrentRequests = settings.parallelism
        client.progress = settings.progress
        settings.configure(&client)
        do {
            return PagerDutyDestination(client: try PagerDutyClient(configuration: client), now: settings.now)
        } catch {
            throw SyncError("connection \"\(name)\" cannot be opened: \(key.redacted("\(error)"))")
        }
    }
}
