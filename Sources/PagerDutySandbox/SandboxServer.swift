import Foundation
import HandoffTime
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The simulated PagerDuty: the endpoints of `reference/pagerduty-api.md` over real HTTP on
/// loopback, with an injectable clock, faults on request and its data in a JSON file. Tests talk
/// to it, and `type: sandbox` connections start one inside `handoff`.
public final class SandboxServer: Sendable {
    public let store: SandboxStore
    public let clock: SandboxClock
    public let log = RequestLog()
    let options: SandboxOptions
    private let faultState: Mutex<FaultState>
    private let quirkState: Mutex<SandboxQuirks>
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let runState = Mutex<RunState>(RunState())

    private struct RunState {
        var task: Task<Void, any Error>?
        var group: ServiceGroup?
        var port: Int?
    }

    struct FaultState {
        var faults: SandboxFaults
        var random: SandboxRandom
    }

    /// Loads (or creates) the account; call `start()` to serve it.
    public init(options: SandboxOptions) async throws {
        self.options = options
        clock = options.clock
        store = try await SandboxStore(dataPath: options.dataPath, seed: options.seed)
        faultState = Mutex(FaultState(faults: options.faults, random: SandboxRandom(seed: options.faults.seed)))
        quirkState = Mutex(options.quirks)
    }

    /// Starts serving on `options.host` and returns the base URL (`http://127.0.0.1:PORT`).
    @discardableResult
    public func start() async throws -> String {
        if let port = runState.withLock({ $0.port }) { return "http://\(options.host):\(port)" }
        let (stream, continuation) = AsyncStream<Int?>.makeStream()
        let logger = Self.logger
        let application = self.application { channel in
            continuation.yield(channel.localAddress?.port)
            continuation.finish()
        }
        // A service group, so `stop()` is a graceful shutdown: cancelling the server's task instead
        // traps in NIO when a connection was accepted but not yet handed to the server.
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            do {
                try await group.run()
            } catch {
                continuation.finish()
                throw error
            }
        }
        var port: Int?
        for await value in stream {
            port = value
            break
        }
        guard let port else {
            task.cancel()
            let failure = await task.result
            if case .failure(let error) = failure {
                throw SandboxStore.LoadError(description: "the sandbox could not listen on \(options.host):\(options.port): \(error)")
            }
            throw SandboxStore.LoadError(description: "the sandbox could not listen on \(options.host):\(options.port)")
        }
        runState.withLock {
            $0.task = task
            $0.group = group
            $0.port = port
        }
        return "http://\(options.host):\(port)"
    }

    /// The logger of the server: quiet, the tests and `handoff` say what matters.
    private static var logger: Logger {
        var logger = Logger(label: "handoff.sandbox")
        logger.logLevel = .critical
        return logger
    }

    /// The application `start()` runs, built without binding a port, so that tests can drive its
    /// routes in memory (HummingbirdTesting's `.router`) where the socket adds nothing.
    func application(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> Application<SandboxResponder> {
        Application(
            responder: SandboxResponder(server: self),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: onServerRunning,
            logger: Self.logger
        )
    }

    /// Stops accepting, lets the requests in progress finish, and waits until the port is closed.
    public func stop() async {
        let (task, group) = runState.withLock { state -> (Task<Void, any Error>?, ServiceGroup?) in
            let running = (state.task, state.group)
            state.task = nil
            state.group = nil
            state.port = nil
            return running
        }
        await group?.triggerGracefulShutdown()
        _ = await task?.result
    }

    public var port: Int? { runState.withLock { $0.port } }

    public var baseURL: String {
        "http://\(options.host):\(port ?? options.port)"
    }

    // MARK: - Faults and quirks

    public var faults: SandboxFaults { faultState.withLock { $0.faults } }

    public func updateFaults(_ change: (inout SandboxFaults) -> Void) {
        faultState.withLock { state in
            let seed = state.faults.seed
            change(&state.faults)
            if state.faults.seed != seed { state.random = SandboxRandom(seed: state.faults.seed) }
        }
    }

    public var quirks: SandboxQuirks { quirkState.withLock { $0 } }

    public func updateQuirks(_ change: (inout SandboxQuirks) -> Void) {
        quirkState.withLock { change(&$0) }
    }

    /// Decides, under one lock, which faults hit this request.
    func faultDecision(method: String) -> FaultDecision {
        faultState.withLock { state in
            var decision = FaultDecision()
            switch state.faults.latency {
            case .none: break
            case .fixed(let milliseconds): decision.latencyMilliseconds = milliseconds
            case .random(let range): decision.latencyMilliseconds = state.random.int(in: range)
            }
            if state.faults.rateLimitBurst > 0 {
                state.faults.rateLimitBurst -= 1
                decision.rateLimited = true
                return decision
            }
            if state.faults.serverErrorBurst > 0, state.faults.serverErrorMethods.contains(method) {
                state.faults.serverErrorBurst -= 1
                decision.serverError = true
                return decision
            }
            if state.faults.serverErrorRate > 0, state.faults.serverErrorMethods.contains(method),
                state.random.double() < state.faults.serverErrorRate
            {
                decision.serverError = true
                return decision
            }
            if method == "POST" {
                if state.faults.dropNextPosts > 0 {
                    state.faults.dropNextPosts -= 1
                    decision.dropAfterProcessing = true
                } else if state.faults.dropAfterPostRate > 0, state.random.double() < state.faults.dropAfterPostRate {
                    decision.dropAfterProcessing = true
                }
            }
            return decision
        }
    }

    /// Takes a token from the key's bucket when the limit is enforced.
    func takeToken(for key: String) -> TokenBucket.Outcome? {
        let faults = self.faults
        guard faults.enforceRateLimit else { return nil }
        let now = SandboxServer.monotonicSeconds()
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? TokenBucket(perMinute: faults.requestsPerMinute, now: now)
            let outcome = bucket.take(now: now)
            buckets[key] = bucket
            return outcome
        }
    }

    static func monotonicSeconds() -> Double {
        let now = ContinuousClock.now - Self.origin
        return Double(now.components.seconds) + Double(now.components.attoseconds) / 1e18
    }

    private static let origin = ContinuousClock.now
}

struct FaultDecision {
    var latencyMilliseconds = 0
    var rateLimited = false
    var serverError = false
    var dropAfterProcessing = false
}

/// PagerDuty's 960 requests a minute as a token bucket: a full bucket of `perMinute` tokens,
/// refilled evenly (16 a second for 960).
struct TokenBucket {
    struct Outcome {
        var allowed: Bool
        var limit: Int
        var remaining: Int
        /// Seconds until a token is free when none is left, else until the bucket is full.
        var resetSeconds: Int
    }

    let capacity: Double
    let rate: Double
    var tokens: Double
    var updated: Double

    init(perMinute: Int, now: Double) {
        capacity = Double(max(1, perMinute))
        rate = capacity / 60
        tokens = capacity
        updated = now
    }

    mutating func take(now: Double) -> Outcome {
        tokens = min(capacity, tokens + (now - updated) * rate)
        updated = now
        if tokens >= 1 {
            tokens -= 1
            let remaining = Int(tokens.rounded(.down))
            let reset = remaining == 0 ? Int(((1 - tokens) / rate).rounded(.up)) : Int(((capacity - tokens) / rate).rounded(.up))
            return Outcome(allowed: true, limit: Int(capacity), remaining: remaining, resetSeconds: max(remaining == 0 ? 1 : 0, reset))
        }
        return Outcome(allowed: false, limit: Int(capacity), remaining: 0, resetSeconds: max(1, Int(((1 - tokens) / rate).rounded(.up))))
    }
}

/// SplitMix64, so a faulty run can be repeated from its seed.
struct SandboxRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func double() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
}

/// What the simulated PagerDuty was asked, for tests and benchmarks to count.
public final class RequestLog: Sendable {
    public struct Entry: Sendable, Hashable {
        public var method: String
        /// The route with ids replaced: `/schedules/{id}/overrides`.
        public var route: String
        public var status: Int
    }

    private let entries = Mutex<[Entry]>([])

    /// Tasks waiting in `waitFor(_:of:)`: the request each counts (nil: all) and how many it waits
    /// for. Taken before `entries` whenever both are held, so a request logged while a waiter
    /// registers is never missed.
    private let waiters = Mutex<Waiters>(Waiters())

    private struct Waiters {
        var next = 0
        var pending: [(id: Int, request: String?, count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    public init() {}

    func record(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
        let ready = waiters.withLock { waiters -> [(id: Int, request: String?, count: Int, continuation: CheckedContinuation<Void, Never>)] in
            guard !waiters.pending.isEmpty else { return [] }
            let logged = all
            let ready = waiters.pending.filter { Self.count($0.request, in: logged) >= $0.count }
            waiters.pending.removeAll { Self.count($0.request, in: logged) >= $0.count }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// How many of `entries` are `request` (`METHOD route`), or all of them when nil.
    private static func count(_ request: String?, in entries: [Entry]) -> Int {
        guard let request else { return entries.count }
        return entries.lazy.filter { "\($0.method) \($0.route)" == request }.count
    }

    /// Returns once `count` requests are in the log (at once when they already are), or when the
    /// waiting task is cancelled: a signal for tests that must act after the n-th request,
    /// instead of polling `total`.
    public func waitForTotal(_ count: Int) async {
        await waitFor(count, of: nil)
    }

    /// Returns once `count` requests `request` (`METHOD route`, as `counts` names them:
    /// `POST /schedules/{id}/overrides`) are in the log, or when the waiting task is cancelled.
    public func waitFor(_ count: Int, of request: String?) async {
        let id = waiters.withLock { waiters in
            defer { waiters.next += 1 }
            return waiters.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = waiters.withLock { waiters in
                    // A cancellation before this registration finds nothing to resume; it has set
                    // the task's flag already, which is read here.
                    if Self.count(request, in: all) >= count || Task.isCancelled { return true }
                    waiters.pending.append((id, request, count, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = waiters.withLock { waiters in
                waiters.pending.firstIndex { $0.id == id }.map { waiters.pending.remove(at: $0) }
            }
            waiter?.continuation.resume()
        }
    }

    public var all: [Entry] { entries.withLock { $0 } }

    /// Requests by `METHOD route`, e.g. `GET /users`.
    public var counts: [String: Int] {
        entries.withLock { entries in
            entries.reduce(into: [:]) { $0["\($1.method) \($1.route)", default: 0] += 1 }
        }
    }

    public var total: Int { entries.withLock { $0.count } }

    public func reset() {
        entries.withLock { $0.removeAll() }
    }
}
