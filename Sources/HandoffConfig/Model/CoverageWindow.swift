public import HandoffTime
public import YAMLNodes

/// A weekly window of wall-clock time in which the schedule needs someone on call.
public struct CoverageWindow: Sendable, Hashable {
    /// The days on which the window opens (it may run into the next day).
    public var days: [Weekday]
    public var from: LocalTime
    /// When `to` is not after `from`, the window runs past midnight into the next day.
    public var to: LocalTime
    public var location: SourceLocation

    public init(days: [Weekday], from: LocalTime, to: LocalTime, location: SourceLocation) {
        self.days = days
        self.from = from
        self.to = to
        self.location = location
    }

    /// Minutes the window lasts on the wall clock.
    public var lengthInMinutes: Int {
        to.minutes > from.minutes ? to.minutes - from.minutes : (to.minutes == from.minutes ? 0 : 1440 - from.minutes + to.minutes)
    }

    /// The window as wall-clock arithmetic sees it: open from `from` for `lengthInMinutes`.
    public var weekly: WeeklyWindow {
        WeeklyWindow(days: days, opensAtSecond: from.minutes * 60, seconds: Int64(lengthInMinutes) * 60)
    }
}
