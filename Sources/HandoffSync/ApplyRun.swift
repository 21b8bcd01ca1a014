public import HandoffConfig
public import HandoffPlan
public import HandoffState
public import HandoffTime

/// One apply, start to end: takes the state lock (breaking one whose holder is gone), plans from
/// the state under the lock or checks that a saved plan is still fresh, lets the caller review and
/// confirm, applies, folds what was recorded into one new serial, and gives the lock up. It owns
/// the lock and the connections: both are let go on every path, errors included. The terminal
/// (the plan shown, the question asked, progress, Ctrl-C) is the caller's, through `Callbacks`.
public struct ApplyRun: Sendable {
    /// What the caller does at each step; every callback has a default that does nothing.
    public struct Callbacks: Sendable {
        /// A lock whose holder is gone (`StateError.holderIsGone`) is about to be broken.
        public var breakingLock: @Sendable (LockHolder) -> Void = { _ in }
        /// The lock is held; the session is released when the run ends (an interruption guard
        /// may release it earlier).
        public var locked: @Sendable (any StateSession) -> Void = { _ in }
        /// Checks the state read under the lock against the configuration before anything else
        /// (a connection the state still needs must not be gone); throwing ends the run.
        public var checkState: @Sendable (HandoffState) throws -> Void = { _ in }
        /// Shows the plan and answers whether to apply it; asked for every plan, and not heeded
        /// when the plan changes nothing.
        public var review: @Sendable (Plan) async -> Bool = { _ in true }

        public init() {}
    }

    /// How a run that did not fail ended.
    public enum Outcome: Sendable {
        /// Nothing to change; the state was finished (nothing written when nothing moved).
        case unchanged(Plan)
        /// `review` declined; nothing was changed.
        case cancelled(Plan)
        /// The plan was carried out; the report lists what failed, a failed final write included.
        case applied(Plan, Applier.Report)

        public var plan: Plan {
            switch self {
            case .unchanged(let plan), .cancelled(let plan), .applied(let plan, _): return plan
            }
        }

        /// What was applied; an empty report when nothing was (no changes, or cancelled).
        public var report: Applier.Report {
            guard case .applied(_, let report) = self else { return Applier.Report() }
            return report
        }
    }

    public var configuration: Configuration
    public var store: any StateStore
    public var holder: LockHolder
    /// Seconds to wait for another run's lock.
    public var lockTimeout: Double
    /// The plan to carry out as reviewed, instead of planning anew.
    public var savedPlan: Plan?
    /// When the plan is made (ignored with a saved plan, which carries its own).
    public var now: Instant
    public var only: Set<String>?
    public var allowFirstExportDeletes = false
    public var allowFrozenChanges = false
    public var connectionOptions: ConnectionOptions
    public var applyOptions = Applier.Options()
    public var hooks = ConnectionHooks()
    public var callbacks = Callbacks()

    public init(configuration: Configuration, store: any StateStore, holder: LockHolder, lockTimeout: Double, savedPlan: Plan? = nil, now: Instant, connectionOptions: ConnectionOptions) {
        self.configuration = configuration
        self.store = store
        self.holder = holder
        self.lockTimeout = lockTimeout
        self.savedPlan = savedPlan
        self.now = savedPlan?.now ?? now
        self.connectionOptions = connectionOptions
    }

    public func run() async throws -> Outcome {
        let session = try await acquireLock()
        callbacks.locked(session)
        do {
            let outcome = try await apply(session: session)
            await session.release()
            return outcome
        } catch {
            await session.release()
            throw error
        }
    }

    /// Takes the state lock; a lock whose holder was a process of this machine that no longer
    /// runs (killed, crashed) is broken, since nothing can write through it.
    private func acquireLock() async throws -> any StateSession {
        do {
            return try await store.acquire(holder, timeout: lockTimeout)
        } catch let error as StateError where error.kind == .locked && error.holderIsGone {
            guard let stale = error.holder else { throw error }
            callbacks.breakingLock(stale)
            _ = try? await store.forceUnlock(id: stale.id)
            return try await store.acquire(holder, timeout: lockTimeout)
        }
    }

    /// The request a fresh plan is made from.
    private func request(_ state: HandoffState) -> PlanBuilder.Request {
        PlanBuilder.Request(
            configuration: configuration, state: state, now: now, only: only, allowFirstExportDeletes: allowFirstExportDeletes,
            allowFrozenChanges: allowFrozenChanges
        )
    }

    private func apply(session: any StateSession) async throws -> Outcome {
        let initial = await session.initialState
        try callbacks.checkState(initial)
        let request = request(initial)
        let connections: Set<String>
        if let savedPlan {
            // A destination let go of with its overrides kept makes no call.
            connections = Set(savedPlan.destinations.filter { !($0.removed && $0.keepsOverrides) }.map(\.connection))
        } else {
            connections = try PlanBuilder.connections(request)
        }
        var outcome = try await ConnectionHub.using(connections, configuration: configuration, options: connectionOptions, hooks: hooks) { hub -> Outcome in
            let plan: Plan
            if let savedPlan {
                try await Self.checkFresh(savedPlan, state: initial, hub: hub)
                plan = savedPlan
            } else {
                plan = try await PlanBuilder.build(request, hub: hub)
            }
            let approved = await callbacks.review(plan)
            guard plan.hasChanges else {
                try await session.finish()
                return .unchanged(plan)
            }
            guard approved else { return .cancelled(plan) }
            return .applied(plan, await Applier.apply(plan, session: session, hub: hub, options: applyOptions))
        }
        // What PagerDuty confirmed is in the journal whatever happens to the final write (a full
        // disk): its failure joins the report, and the next run folds the journal in.
        if case .applied(let plan, var report) = outcome {
            do { try await session.finish() } catch {
                report.failures.append("\(error); the changes recorded before it stay in the journal, and the next run folds them in")
            }
            outcome = .applied(plan, report)
        }
        return outcome
    }

    /// Refuses a saved plan made from another state, or from PagerDuty as it no longer is: each
    /// schedule the plan saw is listed again (as planning lists it) and compared with
    /// `Plan.staleness`, in the plan's order, stopping at the first that moved.
    static func checkFresh(_ plan: Plan, state: HandoffState, hub: ConnectionHub) async throws {
        if let stale = plan.staleness(state: state) { throw stale }
        for (destination, window) in plan.observedDestinations {
            let key = ScheduleKey(connection: destination.connection, destinationSchedule: destination.destinationSchedule)
            let listed = try await PlanBuilder.listOverrides(windows: [key: window.end], now: window.start, hub: hub)
            if let stale = plan.staleness(of: destination, live: listed[key]?.overrides ?? []) { throw stale }
        }
    }
}
