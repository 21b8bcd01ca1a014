// MARK: - The stepping budget of one request

/// How many periods (hours, days, weeks or months) one request may step through while it
/// expands events, shared by every event of every rotation it looks at, as the occurrence limit
/// is: a hostile seed (many rotations of many events from the year 1) then costs at most this
/// many steps per request, not `V3Expansion.maximumPeriods` per event. Each step does work
/// bounded by a constant (at most a month's days or a day's hours). When it runs out, expansion
/// stops and the answer is what was computed, as with the occurrence limit.
struct V3StepBudget: Sendable, Hashable {
    /// The steps one request may take.
    static let perRequest = 1_000_000

    /// Steps left.
    private(set) var remaining: Int
    /// Steps taken so far (what a test checks, never a clock).
    private(set) var used = 0

    init(steps: Int = perRequest) {
        remaining = max(0, steps)
    }

    var isExhausted: Bool { remaining == 0 }

    /// Takes one step; false (and nothing taken) when none is left.
    mutating func take() -> Bool {
        guard remaining > 0 else { return false }
        remaining -= 1
        used += 1
        return true
    }
}
