import HandoffTime

// MARK: - RRULE expansion of v3 events

/// The part of RFC 5545 a rota needs: `FREQ=DAILY|WEEKLY` with `INTERVAL`, `BYDAY`, `COUNT` or
/// `UNTIL` (and `WKST=MO`), plus `EXDATE` lines. Anything else is refused (a 400), never guessed.
struct V3Recurrence: Sendable, Hashable {
    enum Frequency: Sendable, Hashable { case daily, weekly }

    var frequency: Frequency
    var interval: Int
    /// Days the rule selects, Monday first; nil when the rule names none.
    var byDay: [Weekday]?
    var count: Int?
    var until: Instant?
    /// Excluded occurrence starts.
    var exdates: Set<Instant>

    /// Longest accepted recurrence: lines, characters per line, and `EXDATE` values.
    static let maximumLines = 100
    static let maximumLineLength = 2000
    static let maximumExdates = 1000
    static let maximumInterval = 1000
    static let maximumCount = 100_000

    /// Parses `lines` (an event's `recurrence`), reading local times in `zone`; the problems
    /// found, all of them, when it cannot.
    static func parse(_ lines: [String], zone: Zone) -> Result<V3Recurrence, V3RuleProblems> {
        guard !lines.isEmpty, lines.count <= maximumLines else {
            return .failure(V3RuleProblems(messages: ["must hold one RRULE line and at most \(maximumLines - 1) EXDATE lines"]))
        }
        var problems: [String] = []
        var rules: [String] = []
        var exdates: Set<Instant> = []
        for line in lines {
            guard line.utf8.count <= maximumLineLength else {
                problems.append("a line is longer than \(maximumLineLength) characters")
                continue
            }
            let upper = line.uppercased()
            if upper.hasPrefix("RRULE:") {
                rules.append(String(upper.dropFirst(6)))
            } else if upper.hasPrefix("EXDATE:") || upper.hasPrefix("EXDATE;") {
                switch exdateValues(String(line.dropFirst(6)), zone: zone) {
                case .success(let values):
                    let before = exdates.count
                    exdates.formUnion(values)
                    if exdates.count > maximumExdates, before <= maximumExdates { problems.append("has more than \(maximumExdates) EXDATE values") }
                case .failure(let problem): problems += problem.messages
                }
            } else {
                let name = upper.prefix { $0.isLetter }
                problems.append("\(name.isEmpty ? "a line" : "the \(name) line") is not supported by the simulated PagerDuty (RRULE and EXDATE are)")
            }
        }
        guard rules.count == 1 else {
            problems.append("must hold exactly one RRULE line, not \(rules.count)")
            return .failure(V3RuleProblems(messages: problems))
        }
        var recurrence = V3Recurrence(frequency: .weekly, interval: 1, byDay: nil, count: nil, until: nil, exdates: exdates)
        var frequency: Frequency?
        for part in rules[0].split(separator: ";", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2 else {
                problems.append("RRULE part \(part.prefix(40)) is not NAME=VALUE")
                continue
            }
            let value = String(pieces[1])
            switch pieces[0] {
            case "FREQ":
                switch value {
                case "DAILY": frequency = .daily
                case "WEEKLY": frequency = .weekly
                default: problems.append("RRULE FREQ=\(value.prefix(20)) is not supported by the simulated PagerDuty (DAILY and WEEKLY are)")
                }
            case "INTERVAL":
                if let number = Int(value), (1...maximumInterval).contains(number) {
                    recurrence.interval = number
                } else {
                    problems.append("RRULE INTERVAL must be a whole number from 1 to \(maximumInterval)")
                }
            case "COUNT":
                if let number = Int(value), (1...maximumCount).contains(number) {
                    recurrence.count = number
                } else {
                    problems.append("RRULE COUNT must be a whole number from 1 to \(maximumCount)")
                }
            case "UNTIL":
                if let instant = basicTime(value, zone: zone) { recurrence.until = instant } else { problems.append("RRULE UNTIL is not a date-time") }
            case "BYDAY":
                var days: [Weekday] = []
                for code in value.split(separator: ",") {
                    if let day = Weekday.allCases.first(where: { $0.twoLetterCode == code }) {
                        if !days.contains(day) { days.append(day) }
                    } else {
                        problems.append("RRULE BYDAY value \(code.prefix(10)) is not a two-letter day code")
                    }
                }
                recurrence.byDay = days.isEmpty ? nil : days.sorted()
            case "WKST":
                if value != "MO" { problems.append("RRULE WKST=\(value.prefix(10)) is not supported by the simulated PagerDuty (MO is)") }
            default:
                problems.append("RRULE part \(pieces[0].prefix(20)) is not supported by the simulated PagerDuty")
            }
        }
        if frequency == nil, !problems.contains(where: { $0.contains("FREQ") }) { problems.append("RRULE must name FREQ") }
        if recurrence.count != nil, recurrence.until != nil { problems.append("RRULE must not have both COUNT and UNTIL") }
        guard problems.isEmpty, let frequency else { return .failure(V3RuleProblems(messages: problems)) }
        recurrence.frequency = frequency
        return .success(recurrence)
    }

    /// `:20261109T080000Z,…` or `;TZID=Europe/Berlin:20261109T090000,…`.
    private static func exdateValues(_ rest: String, zone: Zone) -> Result<[Instant], V3RuleProblems> {
        guard let colon = rest.firstIndex(of: ":") else { return .failure(V3RuleProblems(messages: ["an EXDATE line has no values"])) }
        var valueZone = zone
        for parameter in rest[..<colon].split(separator: ";") {
            let pieces = parameter.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2 else { continue }
            if pieces[0].uppercased() == "TZID" {
                guard let named = Zone(identifier: String(pieces[1])) else { return .failure(V3RuleProblems(messages: ["an EXDATE line names an unknown TZID"])) }
                valueZone = named
            } else if pieces[0].uppercased() == "VALUE", pieces[1].uppercased() != "DATE-TIME" {
                return .failure(V3RuleProblems(messages: ["EXDATE values must be date-times"]))
            }
        }
        var values: [Instant] = []
        for text in rest[rest.index(after: colon)...].split(separator: ",") {
            // A date alone (VALUE=DATE) would match no occurrence that starts at another time of
            // day, so it is refused rather than ignored.
            guard values.count < maximumExdates, text.utf8.count > 8, let instant = basicTime(String(text), zone: valueZone) else {
                return .failure(V3RuleProblems(messages: ["an EXDATE value is not a date-time (YYYYMMDDTHHMMSS, optionally with Z)"]))
            }
            values.append(instant)
        }
        return .success(values)
    }

    /// RFC 5545's basic form: `YYYYMMDDTHHMMSS` (local, read in `zone`) or with `Z` (UTC), or a
    /// date `YYYYMMDD` (midnight in `zone`).
    static func basicTime(_ text: String, zone: Zone) -> Instant? {
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 84 || $0 == 90 }) else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        guard bytes.count >= 8, let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let date = LocalDate(year: year, month: month, day: day)
        else { return nil }
        if bytes.count == 8 { return zone.instant(for: LocalDateTime(date: date, time: .midnight)) }
        guard bytes.count == 15 || (bytes.count == 16 && bytes[15] == 90), bytes[8] == 84,
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15), hour < 24, minute < 60, second < 60
        else { return nil }
        let local = LocalDateTime(date: date, time: LocalTime(minutesSinceMidnight: hour * 60 + minute)).localSeconds + Int64(second)
        return bytes.count == 16 ? Instant(secondsSinceEpoch: local) : zone.instant(forLocalSeconds: local)
    }
}

/// Why a recurrence is refused: every reason found.
struct V3RuleProblems: Error {
    var messages: [String]
}

extension Weekday {
    /// RFC 5545's day code: `MO` … `SU`.
    var twoLetterCode: String { String(shortName.uppercased().prefix(2)) }
}

/// One occurrence of an event: its place in the rule's sequence (for rotating members) and its
/// interval.
struct V3Occurrence: Sendable, Hashable {
    var index: Int
    var range: InstantRange
}

enum V3Expansion {
    /// The most periods (days or weeks) stepped through from an event's first occurrence, and the
    /// most occurrences returned: an event from the year 1 asked about the year 9999 stops here.
    static let maximumPeriods = 200_000
    static let maximumOccurrences = 50_000

    /// The occurrences of an event that overlap `window`, clipped to the event's effective range
    /// (not to the window). `fixedUTC` steps in exact UTC periods instead of the event zone's
    /// wall clock.
    static func occurrences(of event: SandboxV3Event, rule: V3Recurrence, window: InstantRange, fixedUTC: Bool) -> [V3Occurrence] {
        let zone = fixedUTC ? Zone.utc : (Zone(identifier: event.timeZone) ?? .utc)
        let effective = (since: event.effectiveSince, until: event.effectiveUntil)
        guard effective.since < window.end, effective.until.map({ window.start < $0 && effective.since < $0 }) ?? true else { return [] }
        let localStart = event.start.secondsSinceEpoch + Int64(zone.offset(at: event.start))
        let localEnd = event.end.secondsSinceEpoch + Int64(zone.offset(at: event.end))
        let duration = max(0, localEnd - localStart)
        let startDay = Int(localStart.floorDivided(by: 86_400))
        let secondOfDay = localStart - Int64(startDay) * 86_400
        let weekday = LocalDate(daysSinceEpoch: startDay).weekday
        // Candidate days of each period, as offsets from the period's first day.
        let offsets: [Int]
        let periodDays: Int
        let firstDay: Int
        switch rule.frequency {
        case .daily:
            periodDays = rule.interval
            firstDay = startDay
            offsets = [0]
        case .weekly:
            periodDays = 7 * rule.interval
            firstDay = startDay - (weekday.rawValue - 1)
            offsets = (rule.byDay ?? [weekday]).map { $0.rawValue - 1 }
        }
        // No zone is more than 14 hours from UTC: occurrences whose local end is this early end
        // before the window, those whose local start is this late start after it.
        let earliestLocal = window.start.secondsSinceEpoch - 15 * 3600 - duration
        let latestLocal = window.end.secondsSinceEpoch + 15 * 3600
        var result: [V3Occurrence] = []
        var index = 0
        var first = true
        func emit(_ local: Int64) {
            guard local >= earliestLocal else { return }
            let start = zone.instant(forLocalSeconds: local)
            if rule.exdates.contains(start) { return }
            let end = zone.instant(forLocalSeconds: local + duration)
            let clipped = InstantRange(start: max(start, effective.since), end: min(end, effective.until ?? end))
            guard !clipped.isEmpty, clipped.overlaps(window) else { return }
            result.append(V3Occurrence(index: index, range: clipped))
        }
        periods: for period in 0..<maximumPeriods {
            for offset in offsets {
                let day = firstDay + period * periodDays + offset
                let candidateLocal = Int64(day) * 86_400 + secondOfDay
                if candidateLocal < localStart { continue }
                if rule.frequency == .daily, let byDay = rule.byDay, !byDay.contains(LocalDate(daysSinceEpoch: day).weekday) { continue }
                if first, candidateLocal != localStart {
                    // RFC 5545 counts the first occurrence even when the rule would not select it.
                    emit(localStart)
                    index += 1
                }
                first = false
                if let count = rule.count, index >= count { break periods }
                if candidateLocal > latestLocal { break periods }
                if let until = rule.until, zone.instant(forLocalSeconds: candidateLocal) > until { break periods }
                emit(candidateLocal)
                if result.count >= maximumOccurrences { break periods }
                index += 1
            }
        }
        return result
    }

    /// The member seats an occurrence fills: every member, or the one whose turn it is.
    static func members(of event: SandboxV3Event, occurrence index: Int) -> [SandboxV3Member] {
        guard !event.members.isEmpty else { return [] }
        if event.everyMember { return event.members }
        let perMember = max(1, event.shiftsPerMember ?? 1)
        return [event.members[(index / perMember) % event.members.count]]
    }
}
