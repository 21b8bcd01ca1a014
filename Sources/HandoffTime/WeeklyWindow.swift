/// A stretch of wall-clock time that opens on some days of every week at the same time of day
/// and lasts a fixed length of wall-clock time (it may run past midnight): a schedule's coverage
/// window, a PagerDuty daily or weekly restriction, a weekend.
///
/// The one place weekly windows become absolute time, so that Handoff's coverage and the
/// simulated PagerDuty's restrictions agree on daylight-saving days: each opening and closing is
/// read on the wall clock of the zone (`ZoneOffsets.instant(forLocalSeconds:)`).
public struct WeeklyWindow: Sendable, Hashable {
    /// The days on which the window opens.
    public var days: Set<Weekday>
    /// Seconds after local midnight at which it opens.
    public var opensAtSecond: Int
    /// How long it stays open, in seconds of wall-clock time; zero or less: never open.
    public var seconds: Int64

    public init(days: some Sequence<Weekday>, opensAtSecond: Int, seconds: Int64) {
        self.days = Set(days)
        self.opensAtSecond = opensAtSecond
        self.seconds = seconds
    }

    /// Open on the days listed from `opensAtSecond` for `seconds`; every day when `days` is all.
    public static func daily(opensAtSecond: Int, seconds: Int64) -> WeeklyWindow {
        WeeklyWindow(days: Weekday.allCases, opensAtSecond: opensAtSecond, seconds: seconds)
    }

    /// The parts of `range` in which any of `windows` is open, sorted, disjoint and with touching
    /// parts joined (`merged()`). Openings up to a week before `range` are read, as a window that
    /// opened earlier still is open when it lasts long enough; one that opened more than a week
    /// before is overtaken by the same window's next opening. Costs one step per day of `range`.
    public static func openRanges(_ windows: [WeeklyWindow], in range: InstantRange, zone: some ZoneOffsets) -> [InstantRange] {
        let open = windows.filter { $0.seconds > 0 && !$0.days.isEmpty }
        guard !range.isEmpty, let longest = open.map(\.seconds).max() else { return [] }
        // Whole days a window may reach back over, and one more for the time of day it opens at.
        let reach = longest >= 6 * 86_400 ? 7 : 1 + Int((longest + 86_399) / 86_400)
        var ranges: [InstantRange] = []
        var day = zone.local(at: range.start).date.adding(days: -reach)
        let last = zone.local(at: range.end).date
        while day <= last {
            let weekday = day.weekday
            for window in open where window.days.contains(weekday) {
                let opens = Int64(day.daysSinceEpoch) * 86_400 + Int64(window.opensAtSecond)
                let (closes, overflow) = opens.addingReportingOverflow(window.seconds)
                let part = InstantRange(start: zone.instant(forLocalSeconds: opens), end: zone.instant(forLocalSeconds: overflow ? .max / 4 : closes))
                if let clipped = part.clamped(to: range) { ranges.append(clipped) }
            }
            day = day.adding(days: 1)
        }
        return ranges.merged()
    }
}
