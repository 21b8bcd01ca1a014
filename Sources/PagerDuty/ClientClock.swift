/// Time as the client's waiting logic sees it: "now" and "sleep". Tests substitute a virtual clock
/// so that a 20-second `ratelimit-reset` is checked without waiting 20 seconds.
public protocol ClientClock: Sendable {
    /// Seconds on a monotonic scale (only differences matter).
    func now() -> Double
    func sleep(seconds: Double) async throws
}

/// The real, monotonic clock.
public struct SystemClientClock: ClientClock {
    private let origin = ContinuousClock.now

    public init() {}

    public func now() -> Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    public func sleep(seconds: Double) async throws {
        let seconds = ClientWait.bounded(seconds)
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }
}

/// The longest the client waits on anyone's word: a `ratelimit-reset` is the server's to name,
/// and a hostile or broken server may name `inf`, `nan`, `-5` or `1e9` seconds.
enum ClientWait {
    /// Five minutes, far above PagerDuty's one-minute window; a server that asks for more gets
    /// asked again after this (and `maxRateLimitWaits` ends the run).
    static let longest: Double = 300

    /// `seconds` within 0 and `longest` (infinity is `longest`); `nan` is no wait at all.
    static func bounded(_ seconds: Double) -> Double {
        guard !seconds.isNaN, seconds > 0 else { return 0 }
        return min(seconds, longest)
    }
}
