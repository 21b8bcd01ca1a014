public import HandoffTime
import Foundation
import Synchronization

/// "Now" for the simulated PagerDuty: real time, real time shifted, or a fixed instant a test
/// moves by hand. It decides which overrides are past, in progress or future.
public final class SandboxClock: Sendable {
    private enum Mode {
        case offset(seconds: Int64)
        case fixed(Instant)
    }

    private let mode: Mutex<Mode>

    /// Real time.
    public init() {
        mode = Mutex(.offset(seconds: 0))
    }

    /// A fixed instant that moves only when told.
    public init(fixed instant: Instant) {
        mode = Mutex(.fixed(instant))
    }

    /// Real time shifted so that it reads `instant` now, and runs on from there.
    public init(startingAt instant: Instant) {
        mode = Mutex(.offset(seconds: instant.secondsSinceEpoch - SandboxClock.realNow().secondsSinceEpoch))
    }

    public func now() -> Instant {
        mode.withLock { mode in
            switch mode {
            case .fixed(let instant): return instant
            case .offset(let seconds): return SandboxClock.realNow().adding(seconds: seconds)
            }
        }
    }

    /// Fixes the clock at `instant`.
    public func set(_ instant: Instant) {
        mode.withLock { $0 = .fixed(instant) }
    }

    /// Moves the clock forward (a fixed clock stays fixed).
    public func advance(seconds: Int64) {
        mode.withLock { mode in
            switch mode {
            case .fixed(let instant): mode = .fixed(instant.adding(seconds: seconds))
            case .offset(let offset): mode = .offset(seconds: offset + seconds)
            }
        }
    }

    static func realNow() -> Instant {
        Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970.rounded(.down)))
    }
}
