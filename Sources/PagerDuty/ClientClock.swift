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
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }
}
