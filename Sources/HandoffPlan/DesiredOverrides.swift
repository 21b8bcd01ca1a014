public import HandoffConfig
public import HandoffRota
public import HandoffTime

/// What a destination wants exported (DESIGN section 4): its schedule's shifts that end after
/// `now` and begin before the end of its window, whole, with the start of the shift in progress
/// clipped to `now`.
public enum DesiredOverrides {
    /// The end of the horizon: `now` plus the schedule's horizon.
    public static func horizonEnd(_ schedule: Schedule, now: Instant) -> Instant {
        now.adding(seconds: schedule.horizon.nominalSeconds)
    }

    /// The end of the window the desired overrides cover, `max(exported, now + horizon)` (DESIGN 5):
    /// overrides already exported beyond a horizon made shorter are still compared, so they stay
    /// while right and follow a later configuration change, and nothing further is exported.
    /// `exported` comes from the state, so it is bounded by the longest horizon (and turn) any
    /// configuration could have exported: a state file cannot make the expansion unbounded.
    public static func windowEnd(_ schedule: Schedule, now: Instant, exported: Instant?) -> Instant {
        let horizon = horizonEnd(schedule, now: now)
        guard let exported, exported > horizon else { return horizon }
        let bound = now.adding(seconds: Int64(Schedule.maximumHorizonDays) * 86_400 + longestTurn(schedule) + 2 * 86_400)
        return min(exported, max(bound, horizon))
    }

    /// The window to expand so that every wanted shift comes out whole: a shift belongs to one
    /// turn, so it ends at most a turn (and a daylight-saving hour) after the window's end.
    public static func expansionWindow(_ schedule: Schedule, now: Instant, end: Instant? = nil) -> InstantRange {
        InstantRange(start: now, end: (end ?? horizonEnd(schedule, now: now)).adding(seconds: longestTurn(schedule) + 2 * 86_400))
    }

    /// The shifts of an expansion that a window ending at `end` (the horizon when nil) wants.
    public static func wanted(_ shifts: [Shift], schedule: Schedule, now: Instant, end: Instant? = nil) -> [Shift] {
        let end = end ?? horizonEnd(schedule, now: now)
        return shifts.filter { $0.end > now && $0.start < end }
    }

    /// Desired overrides for shifts, with each person's PagerDuty user; given the schedule, each
    /// also says where its shift comes from (its turn and era), so a plan can say why it changes.
    public static func make(_ shifts: [Shift], schedule: Schedule? = nil, now: Instant, userIDs: [String: String]) -> [DesiredOverride] {
        shifts.compactMap { shift in
            guard let userID = userIDs[shift.person] else { return nil }
            return DesiredOverride(
                start: max(shift.start, now), end: shift.end, userID: userID, person: shift.person, reason: shift.reason,
                origin: schedule.flatMap { origin(of: shift, in: $0) }
            )
        }
    }

    /// The whole turn a shift belongs to (cut to its era) and when its era takes effect.
    static func origin(of shift: Shift, in schedule: Schedule) -> DesiredOverride.Origin? {
        let eras = schedule.rotation.eras
        guard eras.indices.contains(shift.era) else { return nil }
        let era = eras[shift.era]
        let zone = schedule.zone
        let eraRange = schedule.rotation.range(ofEra: shift.era, in: zone)
        let turn = InstantRange(start: era.turnStart(shift.turn, in: zone).flooredToMinute, end: era.turnStart(shift.turn + 1, in: zone).flooredToMinute)
        return DesiredOverride.Origin(
            shift: shift.range,
            turn: turn.clamped(to: eraRange) ?? turn,
            eraStart: shift.era > 0 ? eraRange.start : nil,
            partialCoverage: !schedule.coverage.isEmpty
        )
    }

    private static func longestTurn(_ schedule: Schedule) -> Int64 {
        schedule.rotation.eras.map(\.turn.nominalSeconds).max() ?? 0
    }
}
