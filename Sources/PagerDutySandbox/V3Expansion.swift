import HandoffTime

// MARK: - Expanding a v3 event into occurrences

/// One occurrence of an event: its place in the recurrence set (for rotating members) and its
/// interval.
struct V3Occurrence: Sendable, Hashable {
    var index: Int
    var range: InstantRange
}

/// Expands events only over the window asked about, within fixed bounds: a hostile rule
/// (`FREQ=HOURLY;INTERVAL=1` without an end, from the year 1) costs at most `maximumPeriods`
/// steps of counting and `maximumOccurrences` occurrences, never a loop or an allocation that
/// the input sizes; a request's events share one `V3StepBudget` of steps. DAILY and WEEKLY
/// without `BYDAY` count the periods before the window by arithmetic, one step for the jump.
///
/// What the simulator picks where PagerDuty documents nothing (docs/pagerduty-fidelity.md):
/// - DAILY, WEEKLY and MONTHLY step on the wall clock of the event's zone (the `expandInFixedUTC`
///   switch: of UTC), and each occurrence lasts the first one's wall-clock length, so turns stay
///   back to back across a DST change. A start in a skipped hour is read as RFC 5545 §3.3.5 says
///   (with the offset before the gap), one in a repeated hour is the earlier instant.
/// - HOURLY steps in hours of absolute time from the first start and each occurrence lasts the
///   first one's exact length (RFC 5545 §3.8.5.3: with an end time, every instance has the same
///   exact duration). Every computed start is then a real instant: none falls into a skipped
///   local hour, so neither of RFC 5545 §3.3.10's two readings of a non-existent local time
///   (ignore the instance, or read it as §3.3.5 does) comes into play, and a repeated local hour
///   gets its occurrences twice, once per real hour. `BYDAY` limits by the local date of each start.
/// - The occurrence index that rotates members is the position in the recurrence set: the first
///   start, the rule's starts and the `RDATE`s in time order (one that equals a rule start
///   counts once), before `EXDATE` removes any (an excluded occurrence keeps its turn). An RDATE
///   lasts as long as the rule's occurrences.
enum V3Expansion {
    /// The most periods (hours, days, weeks or months) stepped through from an event's first
    /// occurrence, and the most occurrences one request gets: an event from the year 1 asked
    /// about the year 9999 stops here.
    static let maximumPeriods = 200_000
    static let maximumOccurrences = 50_000

    /// The occurrences of an event that overlap `window`, clipped to the event's effective range
    /// (not to the window), at most `limit` of them. `fixedUTC` steps in exact UTC periods
    /// instead of the event zone's wall clock. A budget of its own: for one event alone.
    static func occurrences(of event: SandboxV3Event, rule: V3Recurrence, window: InstantRange, fixedUTC: Bool, limit: Int = maximumOccurrences) -> [V3Occurrence] {
        var steps = V3StepBudget()
        return occurrences(of: event, rule: rule, window: window, fixedUTC: fixedUTC, limit: limit, steps: &steps)
    }

    /// As above, taking its steps from `steps`, the request's budget shared by all its events.
    static func occurrences(
        of event: SandboxV3Event, rule: V3Recurrence, window: InstantRange, fixedUTC: Bool, limit: Int = maximumOccurrences, steps: inout V3StepBudget
    ) -> [V3Occurrence] {
        let zone = fixedUTC ? Zone.utc : (Zone(identifier: event.timeZone) ?? .utc)
        let effective = (since: event.effectiveSince, until: event.effectiveUntil)
        guard limit > 0, !steps.isExhausted, !window.isEmpty, effective.since < window.end, effective.until.map({ window.start < $0 && effective.since < $0 }) ?? true else { return [] }
        var walk = V3RecurrenceWalk(event: event, rule: rule, zone: zone, window: window, limit: min(limit, maximumOccurrences), steps: steps)
        switch rule.frequency {
        case .hourly: walk.walkHours()
        case .daily, .weekly, .monthly: walk.walkCalendar()
        }
        walk.finish()
        steps = walk.steps
        return walk.result
    }

    /// The member seats an occurrence fills: every member, or the one whose turn it is.
    static func members(of event: SandboxV3Event, occurrence index: Int) -> [SandboxV3Member] {
        guard !event.members.isEmpty else { return [] }
        if event.everyMember { return event.members }
        let perMember = max(1, event.shiftsPerMember ?? 1)
        return [event.members[(index / perMember) % event.members.count]]
    }
}

/// One expansion in progress: counts the rule's occurrences from the first, places `RDATE`s
/// among them, and keeps those that overlap the window.
struct V3RecurrenceWalk {
    let event: SandboxV3Event
    let rule: V3Recurrence
    let zone: Zone
    let window: InstantRange
    let limit: Int
    /// The first occurrence's start on the wall clock (seconds as if the zone were UTC).
    let localStart: Int64
    let nominalDuration: Int64
    let exactDuration: Int64
    /// `BYDAY`'s days, worked out once rather than once per period.
    let selectedDays: Set<Weekday>?
    /// WEEKLY: the selected days as offsets from Monday, in order.
    let weekOffsets: [Int]
    private(set) var result: [V3Occurrence] = []
    /// The request's steps left, handed back when the walk is done.
    private(set) var steps: V3StepBudget
    /// Rule occurrences counted so far (the first start included).
    private var ruleCount = 0
    /// RDATEs placed so far that are not also rule occurrences.
    private var extraCount = 0
    private var nextRdate = 0
    private var full = false

    init(event: SandboxV3Event, rule: V3Recurrence, zone: Zone, window: InstantRange, limit: Int, steps: V3StepBudget) {
        self.event = event
        self.steps = steps
        self.rule = rule
        self.zone = zone
        self.window = window
        self.limit = limit
        localStart = event.start.secondsSinceEpoch + Int64(zone.offset(at: event.start))
        let localEnd = event.end.secondsSinceEpoch + Int64(zone.offset(at: event.end))
        nominalDuration = max(0, localEnd - localStart)
        exactDuration = max(0, event.end - event.start)
        selectedDays = rule.byWeekday
        let startWeekday = LocalDate(daysSinceEpoch: Int(localStart.floorDivided(by: 86_400))).weekday
        weekOffsets = (selectedDays.map { $0.sorted() } ?? [startWeekday]).map { $0.rawValue - 1 }
    }

    // MARK: Counting and keeping

    /// The rule's next occurrence, starting at `start` (`local` on the wall clock when known);
    /// false when the rule or the walk ends before it.
    mutating func ruleOccurrence(_ start: Instant, local: Int64?) -> Bool {
        if let count = rule.count, ruleCount >= count { return false }
        // The first start is always an occurrence (RFC 5545), even after UNTIL.
        if let until = rule.until, start > until, ruleCount > 0 { return false }
        if start >= window.end || full { return false }
        placeRdates(before: start)
        if nextRdate < rule.rdates.count, rule.rdates[nextRdate] == start { nextRdate += 1 }
        keep(start, local: local, index: ruleCount + extraCount)
        ruleCount += 1
        return !full
    }

    /// Counts an occurrence that ends well before the window without computing its instant;
    /// false when COUNT has ended the rule.
    mutating func countOnly() -> Bool {
        if let count = rule.count, ruleCount >= count { return false }
        ruleCount += 1
        return true
    }

    /// Whether an occurrence starting at wall-clock `local` may be counted without being looked
    /// at: it ends before the window, and neither UNTIL nor an RDATE needs its instant.
    func mayCountOnly(local: Int64) -> Bool {
        guard rule.until == nil, local < window.start.secondsSinceEpoch - 15 * 3600 - nominalDuration else { return false }
        return nextRdate >= rule.rdates.count || local + 15 * 3600 < rule.rdates[nextRdate].secondsSinceEpoch
    }

    /// Places the RDATEs that start before `start`, each after the rule occurrences counted so far.
    private mutating func placeRdates(before start: Instant) {
        while nextRdate < rule.rdates.count, rule.rdates[nextRdate] < start, !full {
            keep(rule.rdates[nextRdate], local: nil, index: ruleCount + extraCount)
            extraCount += 1
            nextRdate += 1
        }
    }

    /// The RDATEs after the rule's last occurrence (or the window's end).
    mutating func finish() {
        placeRdates(before: window.end)
    }

    private mutating func keep(_ start: Instant, local: Int64?, index: Int) {
        guard !full else { return }
        if rule.exdates.contains(start) { return }
        let end: Instant
        if rule.frequency == .hourly {
            end = start.adding(seconds: exactDuration)
        } else {
            end = zone.instant(forLocalSeconds: (local ?? start.secondsSinceEpoch + Int64(zone.offset(at: start))) + nominalDuration)
        }
        let clipped = InstantRange(start: max(start, event.effectiveSince), end: min(end, event.effectiveUntil ?? end))
        guard !clipped.isEmpty, clipped.overlaps(window) else { return }
        result.append(V3Occurrence(index: index, range: clipped))
        if result.count >= limit { full = true }
    }

    // MARK: DAILY, WEEKLY, MONTHLY: the wall clock

    mutating func walkCalendar() {
        guard ruleOccurrence(event.start, local: localStart) else { return }
        let startDay = Int(localStart.floorDivided(by: 86_400))
        let secondOfDay = localStart - Int64(startDay) * 86_400
        let latestLocal = window.end.secondsSinceEpoch + 15 * 3600
        var period = 0
        while period < V3Expansion.maximumPeriods {
            guard steps.take() else { return }
            if period > 0, let skipped = countOnlyPeriods(from: period) {
                // As many periods as stepping one by one would count, capped at the same bound.
                let counted = min(skipped, V3Expansion.maximumPeriods - period)
                if let count = rule.count, ruleCount + counted > count { return }
                ruleCount += counted
                period += counted
                continue
            }
            defer { period += 1 }
            guard let days = candidateDays(period: period, startDay: startDay) else { return }
            for day in days {
                let local = Int64(day) * 86_400 + secondOfDay
                if local <= localStart { continue }
                if local > latestLocal { return }
                if mayCountOnly(local: local) {
                    guard countOnly() else { return }
                    continue
                }
                guard ruleOccurrence(zone.instant(forLocalSeconds: local), local: local) else { return }
            }
        }
    }

    /// DAILY and WEEKLY without `BYDAY` (one occurrence per period, `period` days or weeks
    /// after the first start): how many periods from `period` on `mayCountOnly` would count one
    /// by one, worked out by arithmetic; nil when none or for other rules.
    private func countOnlyPeriods(from period: Int) -> Int? {
        guard rule.byDay == nil, rule.until == nil else { return nil }
        let stride: Int64
        switch rule.frequency {
        case .daily: stride = Int64(rule.interval) * 86_400
        case .weekly: stride = Int64(rule.interval) * 7 * 86_400
        case .hourly, .monthly: return nil
        }
        // mayCountOnly: local < window.start - 15 h - nominalDuration, and local + 15 h before
        // the next RDATE; the last period meeting both is floor((bound - 1 - localStart) / stride).
        var bound = window.start.secondsSinceEpoch - 15 * 3600 - nominalDuration
        if nextRdate < rule.rdates.count { bound = min(bound, rule.rdates[nextRdate].secondsSinceEpoch - 15 * 3600) }
        let last = (bound - 1 - localStart).floorDivided(by: stride)
        guard last >= Int64(period) else { return nil }
        return Int(min(last - Int64(period) + 1, Int64(V3Expansion.maximumPeriods)))
    }

    /// The days (since 1970-01-01) period `period` selects, in order; nil past the calendar's end.
    private func candidateDays(period: Int, startDay: Int) -> [Int]? {
        let startDate = LocalDate(daysSinceEpoch: startDay)
        switch rule.frequency {
        case .daily, .hourly:
            let day = startDay + period * rule.interval
            if let days = selectedDays, !days.contains(LocalDate(daysSinceEpoch: day).weekday) { return [] }
            return [day]
        case .weekly:
            let monday = startDay - (startDate.weekday.rawValue - 1) + period * 7 * rule.interval
            return weekOffsets.map { monday + $0 }
        case .monthly:
            let monthIndex = startDate.year * 12 + (startDate.month - 1) + period * rule.interval
            let year = monthIndex / 12
            let month = monthIndex % 12 + 1
            guard let first = LocalDate(year: year, month: month, day: 1) else { return nil }
            return monthDays(year: year, month: month, startDayOfMonth: startDate.day).map { first.daysSinceEpoch + $0 - 1 }
        }
    }

    /// The days of a month a MONTHLY rule selects: `BYMONTHDAY` (negative from the end), else
    /// every day `BYDAY` names (its ordinal counting within the month), else the first start's
    /// day of the month; with both, `BYDAY` limits `BYMONTHDAY`. A month without the day has no
    /// occurrence (RFC 5545: an invalid date is ignored, not moved).
    func monthDays(year: Int, month: Int, startDayOfMonth: Int) -> [Int] {
        let length = LocalDate.daysIn(month: month, year: year)
        var days: [Int]
        if let byMonthDay = rule.byMonthDay {
            days = byMonthDay.map { $0 > 0 ? $0 : length + 1 + $0 }.filter { (1...length).contains($0) }
        } else if rule.byDay == nil {
            days = startDayOfMonth <= length ? [startDayOfMonth] : []
        } else {
            days = Array(1...length)
        }
        if let selectors = rule.byDay, let first = LocalDate(year: year, month: month, day: 1) {
            days = days.filter { day in
                let weekday = first.adding(days: day - 1).weekday
                return selectors.contains { selector in
                    guard selector.day == weekday else { return false }
                    guard let ordinal = selector.ordinal else { return true }
                    return ordinal > 0 ? (day - 1) / 7 + 1 == ordinal : (length - day) / 7 + 1 == -ordinal
                }
            }
        }
        return Set(days).sorted()
    }

    // MARK: HOURLY: absolute time

    mutating func walkHours() {
        guard ruleOccurrence(event.start, local: nil) else { return }
        let step = Int64(rule.interval) * 3600
        if selectedDays != nil {
            walkHoursByDay(step: step)
            return
        }
        // Starts at or before this instant end before the window: counted, not visited.
        let horizon = window.start.adding(seconds: -exactDuration)
        var k = max(1, index(after: horizon, step: step))
        skipHours(to: k, step: step)
        for _ in 0..<V3Expansion.maximumPeriods {
            guard steps.take() else { return }
            guard ruleOccurrence(point(k, step: step), local: nil) else { return }
            k += 1
        }
    }

    /// `BYDAY` with HOURLY: day by day on the wall clock, the starts of a day counted by
    /// arithmetic where they all end before the window and no clock change, RDATE or end of the
    /// rule falls in the day, else looked at one by one.
    private mutating func walkHoursByDay(step: Int64) {
        guard let selected = selectedDays else { return }
        let horizon = window.start.adding(seconds: -exactDuration)
        var day = localStart.floorDivided(by: 86_400)
        // The zone's offsets over the days this walk may visit, looked up without asking the
        // system for each day.
        let reach = min(window.end, event.start.adding(seconds: Int64(V3Expansion.maximumPeriods + 1) * 86_400))
        let offsets = zone.timeline(covering: InstantRange(start: event.start, end: max(reach, event.start)))
        var dayEnd = offsets.instant(forLocalSeconds: day * 86_400)
        for _ in 0..<V3Expansion.maximumPeriods {
            guard steps.take() else { return }
            let dayStart = dayEnd
            dayEnd = offsets.instant(forLocalSeconds: (day + 1) * 86_400)
            if dayStart >= window.end || full { return }
            let first = max(1, index(atOrAfter: dayStart, step: step))
            let past = max(1, index(atOrAfter: dayEnd, step: step))
            if past > first {
                let starts = Int(past - first)
                let steady = offsets.offset(at: dayStart) == offsets.offset(at: dayEnd.adding(seconds: -1))
                let endsBefore = dayEnd.adding(seconds: -1) <= horizon
                let untilLater = rule.until.map { $0 >= dayEnd } ?? true
                let countLater = rule.count.map { ruleCount + starts < $0 } ?? true
                let noRdate = nextRdate >= rule.rdates.count || rule.rdates[nextRdate] >= dayEnd
                if steady, endsBefore, untilLater, countLater, noRdate {
                    if selected.contains(LocalDate(daysSinceEpoch: Int(day)).weekday) { ruleCount += starts }
                } else {
                    for k in first..<past {
                        let start = point(k, step: step)
                        let local = start.secondsSinceEpoch + Int64(offsets.offset(at: start))
                        guard selected.contains(LocalDate(daysSinceEpoch: Int(local.floorDivided(by: 86_400))).weekday) else { continue }
                        guard ruleOccurrence(start, local: nil) else { return }
                    }
                }
            }
            day += 1
        }
    }

    /// Counts the rule's starts before start `k` without visiting them, placing the RDATEs
    /// among them by arithmetic (HOURLY without BYDAY).
    private mutating func skipHours(to k: Int64, step: Int64) {
        let base = event.start
        let countCap = Int64(rule.count ?? Int.max)
        // Starts up to UNTIL; the first always counts.
        let untilCap = rule.until.map { max(1, ($0 - base).floorDivided(by: step) + 1) } ?? Int64.max
        let cap = min(countCap, untilCap)
        let target = point(k, step: step)
        while nextRdate < rule.rdates.count, rule.rdates[nextRdate] < target, !full {
            let rdate = rule.rdates[nextRdate]
            nextRdate += 1
            let offset = rdate - base
            if offset % step == 0, offset / step < cap { continue }  // a rule start, which ends before the window
            ruleCount = Int(min(index(atOrAfter: rdate, step: step), cap))
            keep(rdate, local: nil, index: ruleCount + extraCount)
            extraCount += 1
        }
        ruleCount = Int(min(k, cap))
    }

    /// Start `k` of an HOURLY rule.
    private func point(_ k: Int64, step: Int64) -> Instant { event.start.adding(seconds: k * step) }

    /// The first `k` whose start is at or after `instant` (0 before the first start).
    private func index(atOrAfter instant: Instant, step: Int64) -> Int64 {
        max(0, -((event.start - instant).floorDivided(by: step)))
    }

    /// The first `k` whose start is after `instant`.
    private func index(after instant: Instant, step: Int64) -> Int64 {
        max(0, (instant - event.start).floorDivided(by: step) + 1)
    }
}
