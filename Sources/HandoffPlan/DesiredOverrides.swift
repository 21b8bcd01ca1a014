public import HandoffConfig
public import HandoffRota
public import HandoffTime

/// What a destination wants exported (DESIGN section 4): its schedule's shifts that end after
/// `now` and begin before `now + horizon`, whole, with the start of the shift in progress
/// clipped to `now`.
public enum DesiredOverrides {
    /// The end of the horizon: `now` plus the schedule's horizon.
    public static func horizonEnd(_ schedule: Schedule, now: Instant) -> Instant {
        now.adding(seconds: schedule.horizon.nominalSeconds)
    }

    /// The window to expand so that every wanted shift comes out whole: a shift belongs to one
    /// turn, so it ends at most a turn (and a daylight-saving hour) after the horizon.
    public static func expansionWindow(_ schedule: Schedule, now: Instant) -> InstantRange {
        let longestTurn = schedule.rotation.eras.map(\.turn.nominalSeconds).max() ?? 0
        return InstantRange(start: now, end: horizonEnd(schedule, now: now).adding(seconds: longestTurn + 2 * 86_400))
    }

    /// The shifts of an expansion over `expansionWindow` that the horizon wants.
    public static func wanted(_ shifts: [Shift], schedule: Schedule, now: Instant) -> [Shift] {
        let end = horizonEnd(schedule, now: now)
        return shifts.filter { $0.end > now && $0.start < end }
    }

    /// Desired overrides for shifts, with each person's PagerDuty user.
    public static func make(_ shifts: [Shift], now: Instant, userIDs: [String: String]) -> [DesiredOverride] {
        shifts.compactMap { shift in
            guard let userID = userIDs[shift.person] else { return nil }
            return DesiredOverride(start: max(shift.start, now), end: shift.end, userID: userID, person: shift.person, reason: shift.reason)
        }
    }
}
