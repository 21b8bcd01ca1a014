import Foundation
public import HandoffConfig
public import HandoffDestination
public import HandoffTime

/// Options for talking to destinations during one run.
public struct ConnectionOptions: Sendable {
    /// Requests in flight at once per connection.
    public var parallelism = 8
    /// The clock of in-process simulators (`--now`); real time when nil.
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
    /// How each kind of connection is opened; the caller registers the kinds it offers (the
    /// command line: `pagerduty` and `sandbox`). A connection of a kind not registered cannot
    /// be opened.
    public var kinds = ConnectionKinds()

    public init() {}
}

/// The kinds of connection a caller can open, by the name of the kind (`Connection.kind.name`):
/// the library knows no destination itself, so the composition root (the command line, the test
/// support, the benchmarks) registers what it links.
public struct ConnectionKinds: Sendable {
    /// What an opener is given: the connection, the configuration it is part of (for paths and
    /// the people a simulator is seeded with) and the run's options.
    public struct Request: Sendable {
        public var connection: Connection
        public var configuration: Configuration
        public var options: ConnectionOptions
    }

    /// An open connection: its destination, and how to close it (clients shut down, in-process
    /// simulators stopped). `close` is called exactly once, on every path.
    public struct Opened: Sendable {
        public var destination: any OverrideDestination
        public var close: @Sendable () async -> Void

        public init(destination: any OverrideDestination, close: @escaping @Sendable () async -> Void) {
            self.destination = destination
            self.close = close
        }
    }

    /// Opens one connection. Throws `SyncError` for sentences shown as they are; any other
    /// error is shown as the reason the connection cannot be opened (it must hold no secret).
    public typealias Opener = @Sendable (Request) async throws -> Opened

    private var openers: [String: Opener] = [:]

    public init() {}

    /// Registers (or replaces) how connections of `kind` are opened.
    public mutating func register(_ kind: String, _ opener: @escaping Opener) {
        openers[kind] = opener
    }

    /// The kinds registered, sorted.
    public var names: [String] { openers.keys.sorted() }

    func opener(_ kind: String) -> Opener? { openers[kind] }
}

extension Connection.Kind {
    /// The name of the kind, as `type:` is written in the configuration.
    public var name: String {
        switch self {
        case .pagerDuty: "pagerduty"
        case .sandbox: "sandbox"
        }
    }
}

/// The destinations of one run, one per connection used, opened through the kinds the caller
/// registered.
public final class ConnectionHub: Sendable {
    private let opened: [String: ConnectionKinds.Opened]

    private init(opened: [String: ConnectionKinds.Opened]) {
        self.opened = opened
    }

    /// Opens the connections named; every problem (a missing key, an unreadable seed) at once.
    public static func open(_ names: Set<String>, configuration: Configuration, options: ConnectionOptions) async throws -> ConnectionHub {
        var opened: [String: ConnectionKinds.Opened] = [:]
        var problems: [String] = []
        for name in names.sorted() {
            guard let connection = configuration.connection(named: name) else {
                problems.append("connection \"\(name)\" is not in the configuration")
                continue
            }
            let kind = connection.kind.name
            guard let opener = options.kinds.opener(kind) else {
                problems.append("connection \"\(name)\" is of type \(kind), which this program cannot open (\(connection.location))")
                continue
            }
            do {
                opened[name] = try await opener(ConnectionKinds.Request(connection: connection, configuration: configuration, options: options))
            } catch let problem as SyncError {
                problems += problem.messages
            } catch {
                problems.append("connection \"\(name)\" cannot be opened: \(error)")
            }
        }
        let hub = ConnectionHub(opened: opened)
        if !problems.isEmpty {
            await hub.close()
            throw SyncError(problems)
        }
        return hub
    }

    /// The destination of an open connection.
    public func destination(_ connection: String) throws -> any OverrideDestination {
        guard let opened = opened[connection] else { throw SyncError("connection \"\(connection)\" is not open") }
        return opened.destination
    }

    /// Closes every connection (clients shut down, in-process simulators stopped).
    public func close() async {
        // By name, so that runs close in the same order; each connection's close shuts its client
        // down before it stops an in-process simulator.
        for name in opened.keys.sorted() { await opened[name]?.close() }
    }
}
