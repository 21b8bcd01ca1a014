public import HandoffTime

extension Schedule {
    /// The stretch a time-off entry takes from its person, in whole minutes. An end written as a
    /// date is handed over at the rota's own handoff times, never at midnight: the absence starts
    /// at the last handoff (a turn start, or the handoff time of day) at or before the first day off
    /// begins, and ends at the first one at or after the last day off ends, so nobody gets a stub
    /// (a 09:00 rota hands back at 09:00, not at midnight; a weekly one hands a day off over at 09:00
    /// the day before, not for the whole week). An end written with a time of day is exact.
    public func absence(_ entry: TimeOff, in zone: some ZoneOffsets) -> InstantRange {
        var start = zone.instant(for: entry.from).flooredToMinute
        var end = zone.instant(for: entry.until).flooredToMinute
        if entry.fromIsDate {
            start = max(rotation.handoff(atOrBefore: start, in: zone), rotation.handoffTimeOfDay(atOrBefore: start, in: zone))
        }
        if entry.untilIsDate {
            end = min(rotation.handoff(atOrAfter: end, in: zone), rotation.handoffTimeOfDay(atOrAfter: end, in: zone))
        }
        return InstantRange(start: start, end: end)
    }

    /// The covered parts of `window` in absolute time, sorted and disjoint (adjacent windows
    /// joined); the whole window when the schedule covers the clock around.
    public func coveredRanges(in window: InstantRange, zone offsets: some ZoneOffsets) -> [InstantRange] {
        guard !coverage.isEmpty else { return window.isEmpty ? [] : [window] }
        return WeeklyWindow.openRanges(coverage.map(\.weekly), in: window, zone: offsets)
    }
}
