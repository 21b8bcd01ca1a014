import Foundation
public import HandoffConfig
public import HandoffTime
public import PagerDuty
import PagerDutySandbox

/// A failure of planning or applying, as sentences: several can be reported at once (every person
/// without a PagerDuty user, every unreadable schedule).
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public var messages: [String]

    public init(_ messages: [String]) {
        self.messages = messages
    }

    public init(_ message: String) {
        self.messages = [message]
    }

    public var description: String { messages.joined(separator: "\n") }
}

/// Options for talking to PagerDuty during one run.
public struct ConnectionOptions: Sendable {
    /// Requests in flight at once per connection.
    public var parallelism = 8
    /// The clock of in-process sandboxes (`--now`); real time when nil.
    public var sandboxNow: Instant?
    /// Environment variables (for keys); the process environment by default.
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// Where keys may be sent: PagerDuty and loopback unless the caller passes the pipeline's
    /// `HANDOFF_ALLOWED_API_HOSTS`. Checked before any client exists, so even a configuration
    /// that skipped validation cannot send a key elsewhere.
    public var apiHosts = APIHostPolicy()
    /// Receives a line, naming the connection, whenever a client is about to wait more than two
    /// seconds (after a 429, before a retry); the command line prints it on standard error.
    public var progress: (@Sendable (String) -> Void)?
    /// Adjusts each client's configuration (tests: a virtual clock, fast retries).
    public var configure: @Sendable (inout PagerDutyClient.Configuration) -> Void = { _ in }

    public init() {}
}

/// The PagerDuty clients of one run, one per connection used: a real account through its key, or
/// the simulated PagerDuty started inside this process for a `sandbox` connection.
public final class ConnectionHub: Sendable {
    public let clients: [String: PagerDutyClient]
    private let sandboxes: [SandboxServer]

    /// The key an in-process sandbox accepts: it listens on loopback for this process only.
    static let sandboxKey = "handoff-in-process-sandbox"

    private init(clients: [String: PagerDutyClient], sandboxes: [SandboxServer]) {
        self.clients = clients
        self.sandboxes = sandboxes
    }

    /// Opens the connections named; every problem (a missing key, an unreadable seed) at once.
    public static func open(_ names: Set<String>, configuration: Configuration, options: ConnectionOptions) async throws -> ConnectionHub {
        var clients: [String: PagerDutyClient] = [:]
        var sandboxes: [SandboxServer] = []
        var problems: [String] = []
        for name in names.sorted() {
            guard let connection = configuration.connection(named: name) else {
                problems.append("connection \"\(name)\" is not in the configuration")
                continue
            }
            // Known once read, so that no error quoting it can show it.
            var key: APIKey?
            do {
                switch connection.kind {
                case .pagerDuty(let variable, let apiURL):
                    if let problem = options.apiHosts.problem(connection) {
                        problems.append("\(problem) (\(connection.apiURLLocation ?? connection.location))")
                        continue
                    }
                    guard let text = options.environment[variable], !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                        problems.append(
                            "connection \"\(name)\" reads its PagerDuty key from the environment variable \(variable), which is not set (\(connection.location))"
                        )
                        continue
                    }
                    let read = APIKey(text)
                    key = read
                    guard read.isWellFormed else {
                        problems.append("\(PagerDutyError.malformedKey(connection: name, keySource: variable)) (\(connection.location))")
                        continue
                    }
                    var client = PagerDutyClient.Configuration(baseURL: apiURL, key: read, connectionName: name, keySource: variable)
                    client.maxConcurrentRequests = options.parallelism
                    client.progress = options.progress
                    options.configure(&client)
                    clients[name] = try PagerDutyClient(configuration: client)
                case .sandbox(let dataPath, let seedPath):
                    let server = try await startSandbox(connection, dataPath: dataPath, seedPath: seedPath, configuration: configuration, options: options)
                    sandboxes.append(server)
                    var client = PagerDutyClient.Configuration(baseURL: server.baseURL, key: APIKey(sandboxKey), connectionName: name)
                    client.maxConcurrentRequests = options.parallelism
                    client.progress = options.progress
                    options.configure(&client)
                    clients[name] = try PagerDutyClient(configuration: client)
                }
            } catch {
                let cause = key.map { $0.redacted("\(error)") } ?? "\(error)"
                problems.append("connection \"\(name)\" cannot be opened: \(cause)")
            }
        }
        let hub = ConnectionHub(clients: clients, sandboxes: sandboxes)
        if !problems.isEmpty {
            await hub.close()
            throw SyncError(problems)
        }
        return hub
    }

    /// Seeds the sandbox from the configuration itself (a user per person, a schedule per
    /// destination using it) plus the optional seed file; later runs add only what is missing.
    private static func startSandbox(
        _ connection: Connection,
        dataPath: String,
        seedPath: String?,
        configuration: Configuration,
        options: ConnectionOptions
    ) async throws -> SandboxServer {
        var seed = SandboxSeed()
        if let seedPath {
            seed = try SandboxSeed.load(path: contained(seedPath, in: configuration.directory, role: "the seed file of connection \"\(connection.name)\""))
        }
        seed.users += configuration.people.map { SandboxSeed.User(name: $0.name ?? $0.key, email: $0.email) }
        for destination in configuration.destinations where destination.connection == connection.name {
            let zone = configuration.schedule(named: destination.schedule)?.zone.identifier ?? "UTC"
            seed.schedules.append(SandboxSeed.Schedule(name: destination.name, timeZone: zone, id: destination.pagerDutySchedule))
        }
        seed.tokens.append(SandboxSeed.Token(token: sandboxKey, readOnly: false))
        var sandbox = SandboxOptions()
        sandbox.dataPath = try contained(dataPath, in: configuration.directory, role: "the data file of connection \"\(connection.name)\"")
        sandbox.seed = seed
        sandbox.clock = options.sandboxNow.map { SandboxClock(startingAt: $0) } ?? SandboxClock()
        let server = try await SandboxServer(options: sandbox)
        try await server.start()
        return server
    }

    /// A path of the configuration, relative to its directory unless absolute.
    /// The full path of a file the configuration names, refused when it leads out of the
    /// configuration directory (`ContainedPath`).
    public static func contained(_ path: String, in directory: String, role: String) throws -> String {
        do {
            return try ContainedPath.resolve(path, in: directory, role: role)
        } catch {
            throw SyncError(error.description)
        }
    }

    public func client(_ connection: String) throws -> PagerDutyClient {
        guard let client = clients[connection] else { throw SyncError("connection \"\(connection)\" is not open") }
        return client
    }

    /// Shuts every client down and stops in-process sandboxes.
    public func close() async {
        for client in clients.values { try? await client.shutdown() }
        for server in sandboxes { await server.stop() }
    }

    /// Requests sent so far, over all connections.
    public func statistics() async -> RequestStatistics {
        var total = RequestStatistics()
        for client in clients.values {
            let statistics = await client.statistics()
            for (method, count) in statistics.sent { total.sent[method, default: 0] += count }
            total.rateLimited += statistics.rateLimited
            total.retried += statistics.retried
        }
        return total
    }
}
