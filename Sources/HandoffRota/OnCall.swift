public import HandoffConfig
public import HandoffTime

/// Who is on call for a schedule at an instant, and the handoffs that follow.
///
/// Entries are handoffs, not shifts: back-to-back shifts of one person (a cover followed by their
/// own turn, a swapped turn next to theirs) are one entry, since nobody hands over between them.
/// The export keeps one override per shift.
public struct OnCallStatus: Sendable {
    public var schedule: String
    /// The stretch in force at the instant, whole (not cut at the instant); nil outside coverage or in a gap.
    public var current: Shift?
    /// The stretches after the current one, in order, each ending in a handoff or a gap in coverage.
    public var upcoming: [Shift]
    /// Gaps nobody can cover, from the instant on, within the looked-at span.
    public var gaps: [CoverageGap]

    /// Looks up to two years ahead for `next` shifts.
    public static func at(_ instant: Instant, schedule: Schedule, next: Int) -> OnCallStatus {
        let eras = schedule.rotation.eras
        let zone = schedule.zone
        // Start at the beginning of the turn in force so that the current shift is whole.
        var start = instant
        if let (_, era) = schedule.rotation.era(at: instant, in: zone) {
            start = min(instant, era.turnStart(era.turnIndex(containing: instant, in: zone), in: zone))
        }
        let longestTurn = eras.map(\.turn.nominalSeconds).max() ?? 86_400
        var span = max(14 * 86_400, 2 * longestTurn + 2 * 86_400)
        let limit = instant.adding(seconds: 731 * 86_400)
        while true {
            let end = min(instant.adding(seconds: span), limit)
            let expansion = RotaExpander.expand(schedule, over: InstantRange(start: start, end: end))
            let handoffs = joined(expansion.shifts)
            let current = handoffs.first { $0.range.contains(instant) }
            // A stretch cut by the end of the window is not known whole yet: count only those before it.
            let later = handoffs.filter { $0.start >= instant && $0 != current && $0.end < end }
            if (later.count >= next && (current.map { $0.end < end } ?? true)) || end >= limit {
                return OnCallStatus(
                    schedule: schedule.name,
                    current: current,
                    upcoming: Array(later.prefix(next)),
                    gaps: expansion.gaps.filter { $0.range.end > instant }
                )
            }
            span *= 2
        }
    }

    /// Shifts in order with back-to-back pieces of one person joined into one (the first piece's
    /// reason and turn kept).
    static func joined(_ shifts: [Shift]) -> [Shift] {
        var result: [Shift] = []
        for shift in shifts {
            if let last = result.last, last.person == shift.person, last.end == shift.start {
                result[result.count - 1].end = shift.end
            } else {
                result.append(shift)
            }
        }
        return result
    }
}

/// How the load of a schedule falls on its people over a period.
public struct FairnessRow: Sendable, Hashable {
    public var person: String
    public var shifts: Int
    public var hours: Double
    /// Hours on a Saturday or Sunday in the schedule's zone.
    public var weekendHours: Double
    /// Hours covered for members who were off.
    public var coverHours: Double

    /// The longest window a report covers (about three years): its work and memory grow with the
    /// window, so a longer one is cut to this (`handoff who --report` refuses it first).
    public static let maximumDays = 1096

    public static func report(for schedule: Schedule, over requested: InstantRange) -> (rows: [FairnessRow], gaps: [CoverageGap]) {
        let longest = Int64(maximumDays) * 86_400
        let window = requested.end - requested.start > longest
            ? InstantRange(start: requested.start, end: requested.start.adding(seconds: longest))
            : requested
        let expansion = RotaExpander.expand(schedule, over: window)
        let zone = schedule.zone.timeline(covering: window)
        var rows: [String: FairnessRow] = [:]
        for person in schedule.members { rows[person] = FairnessRow(person: person, shifts: 0, hours: 0, weekendHours: 0, coverHours: 0) }
        for shift in expansion.shifts {
            var row = rows[shift.person] ?? FairnessRow(person: shift.person, shifts: 0, hours: 0, weekendHours: 0, coverHours: 0)
            let hours = Double(shift.range.seconds) / 3600
            row.shifts += 1
            row.hours += hours
            row.weekendHours += Double(weekendSeconds(shift.range, zone: zone)) / 3600
            if case .timeOffCover = shift.reason { row.coverHours += hours }
            rows[shift.person] = row
        }
        let order = schedule.members
        let sorted = rows.values.sorted { lhs, rhs in
            let left = order.firstIndex(of: lhs.person) ?? Int.max
            let right = order.firstIndex(of: rhs.person) ?? Int.max
            return (left, lhs.person) < (right, rhs.person)
        }
        return (sorted, expansion.gaps)
    }

    /// The part of `range` falling on a local Saturday or Sunday.
    static func weekendSeconds(_ range: InstantRange, zone: some ZoneOffsets) -> Int64 {
        var total: Int64 = 0
        var day = zone.local(at: range.start).date
        while true {
            let dayStart = zone.instant(for: LocalDateTime(date: day, time: .midnight))
            if dayStart >= range.end { break }
            let next = day.adding(days: 1)
            let dayRange = InstantRange(start: dayStart, end: zone.instant(for: LocalDateTime(date: next, time: .midnight)))
            if day.weekday.isWeekend, let part = dayRange.clamped(to: range) { total += part.seconds }
            day = next
        }
        return total
    }
}
