import Foundation
import HandoffConnectionKinds
import HandoffDestination
import PagerDuty
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTestSupport
import HandoffTime
import PagerDutySandbox
import Synchronization
import Testing

private let now = Instant(rfc3339: "2026-11-23T10:00:00Z") ?? Instant(secondsSinceEpoch: 0)

private let seed = SandboxSeed(
    users: [.init(name: "Alice Archer", email: "alice@example.com"), .init(name: "Bob Brown", email: "bob@example.com")],
    schedules: [.init(name: "Primary", timeZone: "Europe/Berlin", id: "PPRIMAR")]
)

/// `stranger` has no PagerDuty user: planning fails after the connections are open.
private func team(members: String = "alice, bob") -> String {
    "version: 1\n" + Scenario.connection + """
        people:
          alice: { name: Alice Archer, email: alice@example.com }
          bob:   { name: Bob Brown, email: bob@example.com }
          stranger: { name: Sam Stranger, email: stranger@example.com }
        schedules:
          primary:
            time_zone: Europe/Berlin
            rotation: { members: [\(members)], start: 2026-11-02T09:00, turn: 1w }
            horizon: 2w
        destinations:
          primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PPRIMAR }

        """
}

/// Counts what a run does with its connections, through its hooks.
private final class ConnectionCount: Sendable {
    private let counts = Mutex((opened: 0, closing: 0, closed: 0))

    var hooks: ConnectionHooks {
        var hooks = ConnectionHooks()
        hooks.opened = { _ in self.counts.withLock { $0.opened += 1 } }
        hooks.closing = { self.counts.withLock { $0.closing += 1 } }
        hooks.closed = { self.counts.withLock { $0.closed += 1 } }
        return hooks
    }

    var value: (opened: Int, closing: Int, closed: Int) { counts.withLock { $0 } }
}

private func options() -> ConnectionOptions {
    var options = ConnectionOptions()
    options.environment = ["SCENARIO_TOKEN": SandboxHarness.key]
    options.sandboxNow = now
    options.kinds = .standard {
        $0.backoffBase = 0.01
        $0.backoffCap = 0.05
    }
    return options
}

/// Runs `body` against a fresh scenario, stopped afterwards whatever happens.
private func withScenario(_ configuration: String = team(), _ body: (Scenario) async throws -> Void) async throws {
    let scenario = try await Scenario.start(configuration, seed: seed, now: now)
    do {
        try await body(scenario)
        await scenario.stop()
    } catch {
        await scenario.stop()
        throw error
    }
}

private func applyRun(_ scenario: Scenario, savedPlan: Plan? = nil, count: ConnectionCount) -> ApplyRun {
    var run = ApplyRun(
        configuration: scenario.configuration, store: scenario.store, holder: LockHolder.current(operation: "apply", now: now), lockTimeout: 0,
        savedPlan: savedPlan, now: now, connectionOptions: options()
    )
    run.hooks = count.hooks
    return run
}

/// Issue 15 item 3: a plan run and an apply run own their connections and the lock, and let both
/// go on every path, errors included.
@Suite("Plan and apply runs: connections and lock let go on every path")
struct RunLifecycleTests {
    @Test("a plan run that fails after opening its connections still closes them")
    func planFailureCloses() async throws {
        try await withScenario(team(members: "alice, stranger")) { (scenario: Scenario) async throws in
            let count = ConnectionCount()
            var run = PlanRun(PlanBuilder.Request(configuration: scenario.configuration, state: .empty, now: now), options: options())
            run.hooks = count.hooks
            let error = await #expect(throws: SyncError.self) { try await run.run() }
            #expect(error?.messages.first?.contains("stranger") == true)
            #expect(count.value == (1, 1, 1))
        }
    }

    @Test("a plan run that succeeds closes its connections once")
    func planSuccessCloses() async throws {
        try await withScenario { (scenario: Scenario) async throws in
            let count = ConnectionCount()
            var run = PlanRun(PlanBuilder.Request(configuration: scenario.configuration, state: .empty, now: now), options: options())
            run.hooks = count.hooks
            let plan = try await run.run()
            #expect(plan.summary.create > 0)
            #expect(count.value == (1, 1, 1))
        }
    }

    @Test("an apply run whose planning fails closes its connections and releases the lock")
    func applyFailureReleases() async throws {
        try await withScenario(team(members: "alice, stranger")) { (scenario: Scenario) async throws in
            let count = ConnectionCount()
            let locked = Mutex(0)
            var run = applyRun(scenario, count: count)
            run.callbacks.locked = { _ in locked.withLock { $0 += 1 } }
            await #expect(throws: SyncError.self) { try await run.run() }
            #expect(count.value == (1, 1, 1))
            #expect(locked.withLock { $0 } == 1)
            #expect(try await scenario.store.currentLock() == nil)
            #expect(await scenario.overrides("PPRIMAR").isEmpty)
        }
    }

    @Test("an apply run the review declines changes nothing, closes and releases")
    func applyCancelled() async throws {
        try await withScenario { (scenario: Scenario) async throws in
            let count = ConnectionCount()
            var run = applyRun(scenario, count: count)
            run.callbacks.review = { _ in false }
            guard case .cancelled(let plan) = try await run.run() else {
                Issue.record("the run was not cancelled")
                return
            }
            #expect(plan.hasChanges)
            #expect(count.value == (1, 1, 1))
            #expect(try await scenario.store.currentLock() == nil)
            #expect(await scenario.overrides("PPRIMAR").isEmpty)
            #expect(try await scenario.store.read().serial == 0)
        }
    }

    @Test("an apply run applies, records one serial, and a second finds nothing to change")
    func applyThenUnchanged() async throws {
        try await withScenario { (scenario: Scenario) async throws in
            let count = ConnectionCount()
            guard case .applied(let plan, let report) = try await applyRun(scenario, count: count).run() else {
                Issue.record("the run did not apply")
                return
            }
            #expect(report.succeeded && report.created == plan.summary.create)
            #expect(try await scenario.store.read().serial == 1)
            guard case .unchanged = try await applyRun(scenario, count: count).run() else {
                Issue.record("the second run found changes")
                return
            }
            #expect(count.value == (2, 2, 2))
            #expect(try await scenario.store.currentLock() == nil)
        }
    }

    @Test("a saved plan made from another state is refused as stale, before anything is written, lock released")
    func stalePlanRefused() async throws {
        try await withScenario { (scenario: Scenario) async throws in
            let saved = try await scenario.plan(at: now)
            try await scenario.apply(at: now)
            let count = ConnectionCount()
            let error = await #expect(throws: StalePlan.self) { try await applyRun(scenario, savedPlan: saved, count: count).run() }
            #expect(error == .state(planSerial: 0, stateSerial: 1, otherLineage: false))
            #expect(count.value == (1, 1, 1))
            #expect(try await scenario.store.currentLock() == nil)
        }
    }

    @Test("a saved plan is refused when PagerDuty's overrides changed since, and applied when they did not")
    func savedPlanAgainstPagerDuty() async throws {
        try await withScenario { (scenario: Scenario) async throws in
            let saved = try await scenario.plan(at: now)
            try await scenario.addManualOverride(schedule: "PPRIMAR", start: now.adding(seconds: 86_400), end: now.adding(seconds: 90_000), email: "bob@example.com")
            let count = ConnectionCount()
            let error = await #expect(throws: StalePlan.self) { try await applyRun(scenario, savedPlan: saved, count: count).run() }
            #expect(error == .overrides(destination: "primary-pd", destinationSchedule: "PPRIMAR"))
            #expect(try await scenario.store.currentLock() == nil)
            let fresh = try await scenario.plan(at: now)
            guard case .applied(_, let report) = try await applyRun(scenario, savedPlan: fresh, count: count).run() else {
                Issue.record("the fresh saved plan was not applied")
                return
            }
            #expect(report.succeeded)
            #expect(count.value == (2, 2, 2))
        }
    }

    @Test("an apply run breaks a lock whose holder is gone (a typed error, not its text) and says so")
    func breaksGoneLock() async throws {
        try await withScenario { (scenario: Scenario) async throws in
            var gone = LockHolder.current(operation: "apply", now: now)
            gone.id = "GONE"
            gone.pid = 999_999
            _ = try await scenario.store.acquire(gone, timeout: 0)
            let broken = Mutex<[String]>([])
            var run = applyRun(scenario, count: ConnectionCount())
            run.callbacks.breakingLock = { holder in broken.withLock { $0.append(holder.id) } }
            guard case .applied = try await run.run() else {
                Issue.record("the run did not apply")
                return
            }
            #expect(broken.withLock { $0 } == ["GONE"])
            #expect(try await scenario.store.currentLock() == nil)
        }
    }
}

/// Issue 15 item 4: one registry maps `state.backend` to a store.
@Suite("State backends: one registry from a backend's settings to its store")
struct StateBackendsTests {
    private enum Settings: Sendable {
        case file(String), other
        var kind: String {
            switch self {
            case .file: return "file"
            case .other: return "other"
            }
        }
    }

    @Test("a registered backend makes its store; an unregistered one is an unavailable state error naming what is known")
    func registry() throws {
        var backends = StateBackends<Settings>(kind: \.kind)
        backends.register("file") { settings, context in
            guard case .file(let name) = settings else { throw StateError(.unavailable, "not a file") }
            return LocalStateStore(path: context.directory + "/" + name)
        }
        #expect(backends.names == ["file"])
        let store = try backends.store(for: .file("state.json"), context: .init(directory: "/tmp/x", environment: [:]))
        #expect(store is LocalStateStore)
        let error = #expect(throws: StateError.self) { try backends.store(for: .other, context: .init(directory: ".", environment: [:])) }
        #expect(error?.kind == .unavailable)
        #expect(error?.message == "no state backend \"other\" is available; known: file")
    }
}
