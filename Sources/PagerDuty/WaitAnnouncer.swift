import Synchronization

/// Says, once per wait, that the client is about to wait long enough to look hung: after a 429,
/// before a retry, under the rate limit. Requests in flight together often wait for the same
/// reason and until about the same time (a 429 pauses them all), so a wait that ends no later than
/// one already announced (give or take `threshold`) is not announced again.
final class WaitAnnouncer: Sendable {
    /// Waits up to this many seconds pass unannounced.
    static let threshold: Double = 2

    private let clock: any ClientClock
    private let connectionName: String
    private let sink: (@Sendable (String) -> Void)?
    /// When the last announced wait ends, on the clock's scale.
    private let announcedUntil = Mutex<Double>(-.infinity)

    init(clock: any ClientClock, connectionName: String, sink: (@Sendable (String) -> Void)?) {
        self.clock = clock
        self.connectionName = connectionName
        self.sink = sink
    }

    /// Announces a wait of `seconds` (bounded as the clock bounds it) when it is longer than
    /// `threshold`: `waiting 21 s before retrying (PagerDuty answered 429 to list users) for
    /// connection "acme"…`. `why` completes "waiting N s …".
    func waiting(_ seconds: Double, _ why: String) {
        guard let sink else { return }
        let seconds = ClientWait.bounded(seconds)
        guard seconds > Self.threshold else { return }
        let end = clock.now() + seconds
        let announce = announcedUntil.withLock { until in
            guard end > until + Self.threshold else { return false }
            until = end
            return true
        }
        guard announce else { return }
        sink("waiting \(Int(seconds.rounded(.up))) s \(why) for connection \"\(connectionName)\"…")
    }
}
