import Foundation
public import HandoffConfig
import HandoffConnectionKinds
import HandoffDestination
public import HandoffPlan
public import HandoffState
public import HandoffSync
public import HandoffTime
import PagerDuty
public import PagerDutySandbox

/// A team's configuration against a simulated PagerDuty and a state in a temporary folder, moved
/// through plan and apply at chosen instants: how the planner's rules are tested end to end.
public final class Scenario: @unchecked Sendable {
    public let server: SandboxServer
    public let directory: String
    public private(set) var configuration: Configuration
    public let store: LocalStateStore

    /// `{{URL}}` in the text becomes the sandbox's address; the key comes from `SCENARIO_TOKEN`.
    public static let connection = """
        connections:
          acme: { type: pagerduty, token_env: SCENARIO_TOKEN, api_url: "{{URL}}" }

        """

    private init(server: SandboxServer, directory: String, configuration: Configuration) {
        self.server = server
        self.directory = directory
        self.configuration = configuration
        self.store = LocalStateStore(path: directory + "/.handoff/state.json", displayPath: ".handoff/state.json")
    }

    /// Starts a sandbox seeded with `seed` (users and schedules), and loads `configuration`.
    public static func start(_ configuration: String, seed: SandboxSeed, now: Instant) async throws -> Scenario {
        var options = SandboxOptions()
        options.clock = SandboxClock(fixed: now)
        var seed = seed
        seed.tokens.append(SandboxSeed.Token(token: SandboxHarness.key, readOnly: false))
        options.seed = seed
        let server = try await SandboxServer(options: options)
        let url = try await server.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-scenario-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let scenario = Scenario(server: server, directory: directory, configuration: try Self.load(configuration, url: url, directory: directory))
        return scenario
    }

    private static func load(_ text: String, url: String, directory: String) throws -> Configuration {
        let loaded = ConfigurationLoader.load(
            files: [("handoff.yaml", Array(text.replacingOccurrences(of: "{{URL}}", with: url).utf8))],
            directory: directory
        )
        guard let configuration = loaded.configuration else {
            throw SyncError(loaded.diagnostics.map(\.description))
        }
        return configuration
    }

    /// Replaces the configuration, as a merged pull request would.
    public func reconfigure(_ text: String) throws {
        configuration = try Self.load(text, url: server.baseURL, directory: directory)
    }

    public func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The connection options of a run at `now`: the scenario's key, and fast backoff.
    public func options(_ now: Instant) -> ConnectionOptions {
        var options = ConnectionOptions()
        options.environment = ["SCENARIO_TOKEN": SandboxHarness.key]
        options.sandboxNow = now
        options.kinds = .standard {
            $0.backoffBase = 0.01
            $0.backoffCap = 0.05
        }
        return options
    }

    public func plan(at now: Instant, only: Set<String>? = nil, allowFrozenChanges: Bool = false) async throws -> Plan {
        server.clock.set(now)
        let request = PlanBuilder.Request(configuration: configuration, state: try await store.read(), now: now, only: only, allowFrozenChanges: allowFrozenChanges)
        return try await PlanRun(request, options: options(now)).run()
    }

    /// Plans and applies at `now`, as `handoff apply --auto-approve` does.
    @discardableResult
    public func apply(at now: Instant, batchSize: Int = 50, allowFrozenChanges: Bool = false) async throws -> (Plan, Applier.Report) {
        server.clock.set(now)
        var run = ApplyRun(
            configuration: configuration, store: store, holder: LockHolder.current(operation: "apply", now: now), lockTimeout: 0, now: now,
            connectionOptions: options(now)
        )
        run.allowFrozenChanges = allowFrozenChanges
        run.applyOptions.batchSize = batchSize
        let outcome = try await run.run()
        return (outcome.plan, outcome.report)
    }

    /// Plans and applies at `now` as `handoff apply --auto-approve` does, through the session
    /// `wrap` makes of the one holding the lock (one that dies like a process under `kill -9`);
    /// `check` sees the plan before it is applied. Nothing is finished: what the dead process's
    /// journal held is folded by the next run, and the lock is let go as a broken stale lock is.
    public func applyKilled(
        at now: Instant, wrap: (any StateSession) -> any StateSession, check: (Plan) -> Void = { _ in }
    ) async throws -> Applier.Report {
        server.clock.set(now)
        let inner = try await store.acquire(LockHolder.current(operation: "apply", now: now), timeout: 0)
        let session = wrap(inner)
        let request = PlanBuilder.Request(configuration: configuration, state: await session.initialState, now: now)
        let hub = try await ConnectionHub.open(try PlanBuilder.connections(request), configuration: configuration, options: options(now))
        let plan: Plan
        do {
            plan = try await PlanBuilder.build(request, hub: hub)
        } catch {
            await hub.close()
            await inner.release()
            throw error
        }
        check(plan)
        let report = await Applier.apply(plan, session: session, hub: hub)
        await hub.close()
        await inner.release()
        return report
    }

    /// The overrides of a PagerDuty schedule as the sandbox holds them.
    public func overrides(_ schedule: String) async -> [SandboxOverride] {
        await server.store.overrides(scheduleID: schedule)
    }

    /// Adds an override as a person would in PagerDuty's web interface.
    @discardableResult
    public func addManualOverride(schedule: String, start: Instant, end: Instant, email: String) async throws -> SandboxOverride {
        guard let user = await server.store.snapshot().users.first(where: { $0.email == email }) else {
            throw SyncError("no sandbox user \(email)")
        }
        let override = try await server.store.createOverride(scheduleID: schedule, start: start, end: end, userID: user.id)
        try await server.store.persistNow()
        return override
    }

    /// Deletes an override as a person would.
    public func deleteManually(schedule: String, id: String) async {
        await server.store.deleteOverride(scheduleID: schedule, id: id)
    }
}
