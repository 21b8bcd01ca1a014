import Synchronization

/// Waits for the first of several events (a request logged by the simulated PagerDuty, a process
/// ending, …) instead of polling for them: tests synchronise on signals, not on sleeps.
public enum FirstEvent {
    /// The value of whichever of `events` finishes first, or nil when none has within `bound`
    /// (a bound against a hang, never the way a test waits). The others are cancelled; one that
    /// ignores cancellation (a process being waited for) finishes later on its own.
    public static func first<Event: Sendable>(of events: [@Sendable () async -> Event], within bound: Duration) async -> Event? {
        let decided = Decision()
        let tasks = Mutex<[Task<Void, Never>]>([])
        let event = await withCheckedContinuation { (continuation: CheckedContinuation<Event?, Never>) in
            var started: [Task<Void, Never>] = []
            for event in events {
                started.append(Task {
                    let value = await event()
                    if decided.take() { continuation.resume(returning: value) }
                })
            }
            started.append(Task {
                try? await Task.sleep(for: bound)
                if decided.take() { continuation.resume(returning: nil) }
            })
            tasks.withLock { $0 = started }
        }
        for task in tasks.withLock({ $0 }) { task.cancel() }
        return event
    }

    /// True for the first caller only.
    private final class Decision: Sendable {
        private let taken = Mutex(false)

        func take() -> Bool {
            taken.withLock { taken in
                defer { taken = true }
                return !taken
            }
        }
    }
}
