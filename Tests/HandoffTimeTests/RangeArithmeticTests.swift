import HandoffTime
import Testing

/// The one union of instant ranges and the one reading of weekly windows (issue 15 item 5): the
/// coverage of schedules, time off, the on-call report's weekends and the simulated PagerDuty's
/// restrictions all come from these two functions.
@Suite("HandoffTime: merging ranges and weekly windows")
struct RangeArithmeticTests {
    /// 2026-11-02 (a Monday) 00:00 UTC plus `hours`.
    static func at(_ hours: Int64) -> Instant { Instant(secondsSinceEpoch: 1_793_577_600 + hours * 3600) }
    static func range(_ from: Int64, _ to: Int64) -> InstantRange { InstantRange(start: at(from), end: at(to)) }

    @Test("the first instant used here is a Monday at midnight UTC")
    func origin() {
        #expect(Self.at(0).description == "2026-11-02T00:00:00Z")
        #expect(Zone.utc.local(at: Self.at(0)).date.weekday == .monday)
    }

    @Test("merged: sorted, overlapping and touching ranges joined, contained ones absorbed, empty ones dropped")
    func merged() {
        let input = [
            Self.range(10, 12),
            Self.range(0, 2),
            Self.range(2, 3),  // touches the one before: joined
            Self.range(11, 15),  // overlaps: joined
            Self.range(12, 13),  // inside: absorbed
            Self.range(20, 20),  // empty: dropped
            Self.range(30, 25),  // reversed, so empty: dropped
            Self.range(5, 6),
        ]
        #expect(input.merged() == [Self.range(0, 3), Self.range(5, 6), Self.range(10, 15)])
        #expect([InstantRange]().merged().isEmpty)
        #expect([Self.range(4, 4)].merged().isEmpty)
    }

    @Test("a working-day window opens on its days only, clipped to the range asked for")
    func workingDays() {
        let days: [Weekday] = [.monday, .tuesday, .wednesday, .thursday, .friday]
        let window = WeeklyWindow(days: days, opensAtSecond: 9 * 3600, seconds: 8 * 3600)
        // Monday 12:00 to the next Monday 10:00.
        let ranges = WeeklyWindow.openRanges([window], in: Self.range(12, 7 * 24 + 10), zone: Zone.utc)
        #expect(ranges == [
            Self.range(12, 17),
            Self.range(24 + 9, 24 + 17),
            Self.range(48 + 9, 48 + 17),
            Self.range(72 + 9, 72 + 17),
            Self.range(96 + 9, 96 + 17),
            Self.range(168 + 9, 168 + 10),
        ])
    }

    @Test("a window past midnight that opened before the range counts; touching openings are one range")
    func pastMidnight() {
        // Every day 22:00 for 8 hours: open Sunday 22:00 to Monday 06:00.
        let night = WeeklyWindow.daily(opensAtSecond: 22 * 3600, seconds: 8 * 3600)
        #expect(WeeklyWindow.openRanges([night], in: Self.range(1, 23), zone: Zone.utc) == [Self.range(1, 6), Self.range(22, 23)])
        // Two windows that touch (18:00–22:00 and 22:00–06:00) read as one.
        let evening = WeeklyWindow.daily(opensAtSecond: 18 * 3600, seconds: 4 * 3600)
        #expect(WeeklyWindow.openRanges([night, evening], in: Self.range(12, 36), zone: Zone.utc) == [Self.range(18, 30)])
    }

    @Test("a week-long window that opened six days before the range still holds it")
    func longWindow() {
        // Opens on Tuesdays at 09:00 for 7 days less an hour: from Tuesday 2026-10-27 09:00 to
        // Tuesday 2026-11-03 08:00.
        let window = WeeklyWindow(days: [.tuesday], opensAtSecond: 9 * 3600, seconds: 7 * 86_400 - 3600)
        #expect(WeeklyWindow.openRanges([window], in: Self.range(0, 48), zone: Zone.utc) == [Self.range(0, 32), Self.range(33, 48)])
    }

    @Test("opening and closing are read on the wall clock: a night across the spring-forward gap is an hour short")
    func daylightSaving() throws {
        let berlin = try #require(Zone(identifier: "Europe/Berlin"))
        // Clocks in Berlin go from 02:00 to 03:00 on Sunday 2026-03-29.
        let night = WeeklyWindow(days: [.saturday], opensAtSecond: 22 * 3600, seconds: 8 * 3600)
        let saturday = try #require(LocalDate(year: 2026, month: 3, day: 28))
        let opens = berlin.instant(for: LocalDateTime(date: saturday, time: LocalTime(minutesSinceMidnight: 22 * 60)))
        let asked = InstantRange(start: opens.adding(seconds: -86_400), end: opens.adding(seconds: 2 * 86_400))
        let ranges = WeeklyWindow.openRanges([night], in: asked, zone: berlin)
        #expect(ranges == [InstantRange(start: opens, end: opens.adding(seconds: 7 * 3600))])
    }

    @Test("windows that never open (no days, no length) give nothing, and so does an empty range")
    func nothing() {
        let none = WeeklyWindow(days: [], opensAtSecond: 0, seconds: 3600)
        let zero = WeeklyWindow.daily(opensAtSecond: 0, seconds: 0)
        #expect(WeeklyWindow.openRanges([none, zero], in: Self.range(0, 100), zone: Zone.utc).isEmpty)
        #expect(WeeklyWindow.openRanges([WeeklyWindow.daily(opensAtSecond: 0, seconds: 86_400)], in: Self.range(5, 5), zone: Zone.utc).isEmpty)
    }
}
