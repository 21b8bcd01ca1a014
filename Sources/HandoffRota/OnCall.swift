public import HandoffConfig
public import HandoffTime

/// One entry of `handoff who`: a person on call from one handoff to the next. Their shifts in it
/// are back to back (a cover running into their own turn, a swapped turn next to theirs), or apart
/// only where the schedule needs nobody (outside coverage): nobody else takes the pager in between,
/// so there is no handoff there. The export keeps one override per shift.
public struct OnCallStretch: Sendable, Hashable, CustomStringConvertible {
    public var person: String
    /// From the start of the first shift to the end of the last.
    public var start: Instant
    public var end: Instant
    /// The stretches in which the person is really on call: the shifts, touching ones joined.
    /// More than one when coverage leaves hours between them.
    public var pieces: [InstantRange]
    /// How many shifts (overrides) the entry holds.
    public var shifts: Int

    public init(person: String, start: Instant, end: Instant, pieces: [InstantRange], shifts: Int) {
        self.person = person
        self.start = start
        self.end = end
        self.pieces = pieces
        self.shifts = shifts
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }

    /// Whether the person is on call at `instant` (in one of the pieces, not between them).
    public func isOnCall(at instant: Instant) -> Bool { pieces.contains { $0.contains(instant) } }

    public var description: String { "\(start)–\(end) \(person) (\(shifts) shifts)" }
}

/// Who is on call for a schedule at an instant, and the handoffs that follow.
///
/// Entries are handoffs, not shifts: consecutive shifts of one person are one entry, since nobody
/// hands over between them, whether they touch or are apart outside coverage (`OnCallStretch`).
/// A gap nobody can cover ends an entry. The export keeps one override per shift.
public struct OnCallStatus: Sendable {
    public var schedule: String
    /// The entry whose person is on call at the instant, whole (not cut at the instant); nil
    /// outside coverage or in a gap.
    public var current: OnCallStretch?
    /// The entries after the current one (or, outside coverage, from the instant on), in order,
    /// each ending in a handoff, a gap nobody can cover, or the end of the looked-at span.
    public var upcoming: [OnCallStretch]
    /// Gaps nobody can cover, from the instant on, within the looked-at span.
    public var gaps: [CoverageGap]

    /// Looks up to two years ahead for `next` entries.
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
            let entries = stretches(expansion.shifts, gaps: expansion.gaps)
            let currentIndex = entries.firstIndex { $0.isOnCall(at: instant) }
            // Outside coverage, the entry in progress continues with its shifts still to come.
            let later = currentIndex.map { Array(entries[($0 + 1)...]) }
                ?? stretches(expansion.shifts.filter { $0.start >= instant }, gaps: expansion.gaps)
            // The last entry of the window may go on after it: it is known whole only once
            // another follows, or the window reaches the limit.
            let complete = end >= limit
            let known = complete ? later : Array(later.dropLast())
            let currentKnown = complete || currentIndex.map { $0 < entries.count - 1 } ?? true
            if (known.count >= next && currentKnown) || complete {
                return OnCallStatus(
                    schedule: schedule.name,
                    current: currentIndex.map { entries[$0] },
                    upcoming: Array(known.prefix(next)),
                    gaps: expansion.gaps.filter { $0.range.end > instant }
                )
            }
            span *= 2
        }
    }

    /// Shifts in order grouped into entries: consecutive shifts of one person are one entry unless
    /// a gap nobody can cover lies between them; touching shifts are joined into one piece.
    static func stretches(_ shifts: [Shift], gaps: [CoverageGap]) -> [OnCallStretch] {
        let gapStarts = gaps.map(\.range.start).sorted()
        var gapCursor = 0
        var result: [OnCallStretch] = []
        for shift in shifts {
            // Gaps that begin before this shift; one at or after the previous entry's end splits.
            var splits = false
            while gapCursor < gapStarts.count, gapStarts[gapCursor] < shift.start {
                if let last = result.last, gapStarts[gapCursor] >= last.end { splits = true }
                gapCursor += 1
            }
            if !splits, let last = result.last, last.person == shift.person {
                var entry = last
                if let piece = entry.pieces.last, piece.end == shift.start {
                    entry.pieces[entry.pieces.count - 1].end = shift.end
                } else {
                    entry.pieces.append(shift.range)
                }
                entry.end = shift.end
                entry.shifts += 1
                result[result.count - 1] = entry
            } else {
                result.append(OnCallStretch(person: shift.person, start: shift.start, end: shift.end, pieces: [shift.range], shifts: 1))
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
        WeeklyWindow.openRanges([weekend], in: range, zone: zone).reduce(0) { $0 + $1.seconds }
    }

    /// Saturday and Sunday, midnight to midnight on the wall clock.
    private static let weekend = WeeklyWindow(days: [.saturday, .sunday], opensAtSecond: 0, seconds: 86_400)
}
