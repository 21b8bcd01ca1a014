import HandoffConfig
import HandoffDestination
public import HandoffPagerDuty
public import HandoffSync
import HandoffTime
public import PagerDuty
import PagerDutySandbox

extension ConnectionKinds {
    /// The key an in-process sandbox accepts: it listens on loopback for this process only.
    static let sandboxKey = "handoff-in-process-sandbox"

    /// `type: sandbox`: the simulated PagerDuty started inside this process, on loopback, and a
    /// client of it; closing stops both.
    public mutating func registerSandbox(configure: @escaping @Sendable (inout PagerDutyClient.Configuration) -> Void = { _ in }) {
        register("sandbox") { request in
            guard case .sandbox(let dataPath, let seedPath) = request.connection.kind else {
                throw SyncError("connection \"\(request.connection.name)\" is not a sandbox connection (\(request.connection.location))")
            }
            let server = try await Self.startSandbox(request, dataPath: dataPath, seedPath: seedPath)
            let destination: PagerDutyDestination
            do {
                destination = try PagerDutyConnection.open(
                    name: request.connection.name,
                    baseURL: server.baseURL,
                    key: APIKey(Self.sandboxKey),
                    settings: {
                        var settings = PagerDutyConnection.Settings(request.options, configure: configure)
                        // Deletes on a shift-based schedule are judged by the time of the
                        // simulated PagerDuty (`--now`), as a real one judges by its own.
                        settings.now = { [clock = server.clock] in clock.now() }
                        return settings
                    }()
                )
            } catch {
                await server.stop()
                throw error
            }
            return Opened(
                destination: destination,
                close: {
                    await destination.close()
                    await server.stop()
                }
            )
        }
    }

    /// Seeds the sandbox from the configuration itself (a user per person, a schedule per
    /// destination using it) plus the optional seed file; later runs add only what is missing.
    private static func startSandbox(_ request: Request, dataPath: String, seedPath: String?) async throws -> SandboxServer {
        let connection = request.connection
        let configuration = request.configuration
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
        sandbox.clock = request.options.sandboxNow.map { SandboxClock(startingAt: $0) } ?? SandboxClock()
        let server = try await SandboxServer(options: sandbox)
        try await server.start()
        return server
    }

    /// The full path of a file the configuration names, refused when it leads out of the
    /// configuration directory (`ContainedPath`).
    private static func contained(_ path: String, in directory: String, role: String) throws -> String {
        do {
            return try ContainedPath.resolve(path, in: directory, role: role)
        } catch {
            throw SyncError(error.description)
        }
    }
}
