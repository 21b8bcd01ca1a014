import Foundation

/// Keeps a run under PagerDuty's request limit by itself: at most `limit` requests in any window
/// of `window` seconds (a sliding window, which also satisfies fixed-window and token-bucket
/// servers), and a pause whenever the server says its allowance is spent (`ratelimit-remaining: 0`
/// or a 429), for the `ratelimit-reset` seconds it names. Shared by every request of a run.
actor RequestRateLimiter {
    let limit: Int
    let window: Double
    private let clock: any ClientClock
    /// Send times of the last `limit` requests, oldest first.
    private var sent: [Double] = []
    private var head = 0
    private var pausedUntil: Double = 0
    /// Why the current pause was made, completing "waiting N s …" for the announcer.
    private var pauseReason = "until PagerDuty's rate limit resets"
    private let announcer: WaitAnnouncer?

    init(limit: Int, window: Double = 60, clock: any ClientClock, announcer: WaitAnnouncer? = nil) {
        self.limit = max(1, limit)
        self.window = window
        self.clock = clock
        self.announcer = announcer
    }

    /// Waits until one more request may be sent, and counts it as sent.
    func acquire() async throws {
        while true {
            let now = clock.now()
            if pausedUntil > now {
                announcer?.waiting(pausedUntil - now, pauseReason)
                try await clock.sleep(seconds: pausedUntil - now)
                continue
            }
            let inWindow = sent.count - head
            if inWindow < limit {
                record(now)
                return
            }
            let oldest = sent[head]
            if now - oldest >= window {
                head += 1
                record(now)
                return
            }
            announcer?.waiting(oldest + window - now, "to stay under \(limit == 1 ? "1 request" : "\(limit) requests") a minute")
            try await clock.sleep(seconds: oldest + window - now)
        }
    }

    private func record(_ now: Double) {
        sent.append(now)
        // Keep only the last `limit` entries; compact now and then.
        if sent.count - head > limit { head = sent.count - limit }
        if head > 4096 {
            sent.removeFirst(head)
            head = 0
        }
    }

    /// Takes the server's word: with nothing remaining, no request goes out before the reset.
    func observe(remaining: Int?, resetSeconds: Double?) {
        guard let remaining, remaining <= 0 else { return }
        pauseFor(resetSeconds ?? 1, reason: "until PagerDuty's rate limit resets (no requests remain this minute)")
    }

    /// Pauses for at most `ClientWait.longest`, whatever the server said; `reason` completes
    /// "waiting N s …" in the line announcing the wait.
    func pauseFor(_ seconds: Double, reason: String) {
        let until = clock.now() + ClientWait.bounded(seconds)
        guard until > pausedUntil else { return }
        pausedUntil = until
        pauseReason = reason
    }
}

/// Bounds the requests in flight at once (independent requests run concurrently up to this).
actor ConcurrencyLimiter {
    private let limit: Int
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func acquire() async {
        if inFlight < limit {
            inFlight += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            // Hand the slot straight to the next waiter.
            waiters.removeFirst().resume()
        }
    }
}

/// Counts what a client did, for benchmarks, progress and tests.
public struct RequestStatistics: Sendable, Hashable {
    /// Requests sent, by method (`GET`, `POST`, `DELETE`), retries included.
    public var sent: [String: Int] = [:]
    /// 429 responses received.
    public var rateLimited = 0
    /// Attempts repeated after a 5xx, a timeout or a network failure.
    public var retried = 0

    public init() {}

    public var total: Int { sent.values.reduce(0, +) }
}

actor StatisticsRecorder {
    private(set) var statistics = RequestStatistics()

    func sent(_ method: String) { statistics.sent[method, default: 0] += 1 }
    func rateLimited() { statistics.rateLimited += 1 }
    func retried() { statistics.retried += 1 }
}
