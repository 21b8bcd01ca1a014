public import HandoffPlan
public import HandoffState

/// One plan, start to end: opens the connections the request uses, builds the plan, and closes
/// them again on every path. What `handoff plan`, the test scenarios and the benchmarks call.
public struct PlanRun: Sendable {
    public var request: PlanBuilder.Request
    public var options: ConnectionOptions
    public var hooks = ConnectionHooks()

    public init(_ request: PlanBuilder.Request, options: ConnectionOptions) {
        self.request = request
        self.options = options
    }

    /// The plan; reads PagerDuty, writes nothing.
    public func run() async throws -> Plan {
        let request = request
        return try await ConnectionHub.using(try PlanBuilder.connections(request), configuration: request.configuration, options: options, hooks: hooks) {
            try await PlanBuilder.build(request, hub: $0)
        }
    }

    /// How often a plan looks again whether the lock it waits for is gone.
    static let lockPollInterval: Duration = .milliseconds(200)

    /// Reads the state once, after waiting up to `timeout` seconds for a lock held by an apply to
    /// go, so that the plan is not made from a state in motion. Past the deadline the plan goes on
    /// from what is recorded: the state is read and `check`ed first (an unreadable state or a
    /// failed check ends the command before any warning), then `warn` says the plan may change.
    public static func readState(
        _ store: any StateStore, lockTimeout timeout: Double, check: (HandoffState) throws -> Void, warn: (String) -> Void
    ) async throws -> HandoffState {
        let deadline = ContinuousClock.now + .milliseconds(Int64(min(max(timeout, 0), 86_400) * 1000))
        func read() async throws -> HandoffState {
            let state = try await store.read()
            try check(state)
            return state
        }
        while true {
            let holder: LockHolder?
            do { holder = try await store.currentLock() } catch {
                // A lock nobody can read may still be a run's: say so, and plan from what is recorded.
                if ContinuousClock.now >= deadline {
                    let state = try await read()
                    warn("\(error); this plan may change once the run holding it finishes")
                    return state
                }
                try await Task.sleep(for: lockPollInterval)
                continue
            }
            guard let holder else { return try await read() }
            if ContinuousClock.now >= deadline {
                let state = try await read()
                warn("the state is locked by \(holder.summary); this plan may change once it finishes")
                return state
            }
            try await Task.sleep(for: lockPollInterval)
        }
    }
}
