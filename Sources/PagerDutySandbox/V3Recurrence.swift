import HandoffTime

// MARK: - The recurrence of a v3 event (RFC 5545 lines)

/// The part of RFC 5545 a rota needs, as far as the simulator can expand it exactly:
/// `FREQ=HOURLY|DAILY|WEEKLY|MONTHLY` (the frequencies PagerDuty's specification allows) with
/// `INTERVAL`, `COUNT` or `UNTIL`, `WKST=MO`, `BYDAY` where RFC 5545 allows it for the frequency
/// (a limit for HOURLY and DAILY, an expansion for WEEKLY and MONTHLY, with an ordinal such as
/// `-1FR` for MONTHLY only), `BYMONTHDAY` with MONTHLY, plus `EXDATE` and `RDATE` lines of
/// date-times. Anything else is refused (a 400 naming the part), never guessed.
struct V3Recurrence: Sendable, Hashable {
    enum Frequency: String, Sendable, Hashable { case hourly = "HOURLY", daily = "DAILY", weekly = "WEEKLY", monthly = "MONTHLY" }

    /// One `BYDAY` value: a day, and for MONTHLY optionally which of its kind in the month
    /// (1 the first, -1 the last).
    struct DaySelector: Sendable, Hashable {
        var ordinal: Int?
        var day: Weekday
    }

    var frequency: Frequency
    var interval: Int
    /// `BYDAY`, in the order written; nil when the rule names none.
    var byDay: [DaySelector]?
    /// `BYMONTHDAY` (1…31 or -31…-1, counted from the month's end); MONTHLY only.
    var byMonthDay: [Int]?
    var count: Int?
    var until: Instant?
    /// Excluded occurrence starts.
    var exdates: Set<Instant>
    /// Extra occurrence starts (`RDATE`), sorted, without repeats.
    var rdates: [Instant] = []

    /// The days `BYDAY` names, without ordinals; nil when it names none.
    var byWeekday: Set<Weekday>? { byDay.map { Set($0.map(\.day)) } }

    /// Longest accepted recurrence: lines, characters per line, `EXDATE` and `RDATE` values.
    static let maximumLines = 100
    static let maximumLineLength = 2000
    static let maximumExdates = 1000
    static let maximumRdates = 1000
    static let maximumInterval = 1000
    static let maximumCount = 100_000

    /// Parses `lines` (an event's `recurrence`), reading local times in `zone`; the problems
    /// found, all of them, when it cannot.
    static func parse(_ lines: [String], zone: Zone) -> Result<V3Recurrence, V3RuleProblems> {
        guard !lines.isEmpty, lines.count <= maximumLines else {
            return .failure(V3RuleProblems(messages: ["must hold one RRULE line and at most \(maximumLines - 1) EXDATE or RDATE lines"]))
        }
        var problems: [String] = []
        var rules: [String] = []
        var exdates: Set<Instant> = []
        var rdates: Set<Instant> = []
        for line in lines {
            guard line.utf8.count <= maximumLineLength else {
                problems.append("a line is longer than \(maximumLineLength) characters")
                continue
            }
            let upper = line.uppercased()
            if upper.hasPrefix("RRULE:") {
                rules.append(String(upper.dropFirst(6)))
            } else if let name = ["EXDATE", "RDATE"].first(where: { upper.hasPrefix($0 + ":") || upper.hasPrefix($0 + ";") }) {
                let exclude = name == "EXDATE"
                switch dateTimeValues(String(line.dropFirst(name.count)), name: name, zone: zone) {
                case .success(let values):
                    let before = exclude ? exdates.count : rdates.count
                    if exclude { exdates.formUnion(values) } else { rdates.formUnion(values) }
                    let limit = exclude ? maximumExdates : maximumRdates
                    let after = exclude ? exdates.count : rdates.count
                    if after > limit, before <= limit { problems.append("has more than \(limit) \(name) values") }
                case .failure(let problem): problems += problem.messages
                }
            } else {
                let name = upper.prefix { $0.isLetter }
                problems.append("\(name.isEmpty ? "a line" : "the \(name) line") is not supported by the simulated PagerDuty (RRULE, EXDATE and RDATE are)")
            }
        }
        guard rules.count == 1 else {
            problems.append("must hold exactly one RRULE line, not \(rules.count)")
            return .failure(V3RuleProblems(messages: problems))
        }
        var recurrence = V3Recurrence(frequency: .weekly, interval: 1, byDay: nil, byMonthDay: nil, count: nil, until: nil, exdates: exdates)
        recurrence.rdates = rdates.sorted()
        var frequency: Frequency?
        var seen: Set<Substring> = []
        for part in rules[0].split(separator: ";", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2 else {
                problems.append("RRULE part \(part.prefix(40)) is not NAME=VALUE")
                continue
            }
            guard seen.insert(pieces[0]).inserted else {
                problems.append("RRULE part \(pieces[0].prefix(20)) appears more than once")
                continue
            }
            let value = String(pieces[1])
            switch pieces[0] {
            case "FREQ":
                frequency = Frequency(rawValue: value)
                if frequency == nil { problems.append("RRULE FREQ=\(value.prefix(20)) is not supported by the simulated PagerDuty (HOURLY, DAILY, WEEKLY and MONTHLY are)") }
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
                var days: [DaySelector] = []
                for code in value.split(separator: ",").prefix(60) {
                    if let selector = daySelector(code) {
                        if !days.contains(selector) { days.append(selector) }
                    } else {
                        problems.append("RRULE BYDAY value \(code.prefix(10)) is not a two-letter day code (with an ordinal from 1 to 5 or -5 to -1 for MONTHLY)")
                    }
                }
                recurrence.byDay = days.isEmpty ? nil : days
            case "BYMONTHDAY":
                var days: [Int] = []
                for text in value.split(separator: ",").prefix(62) {
                    if let number = Int(text), (1...31).contains(number) || (-31 ... -1).contains(number) {
                        if !days.contains(number) { days.append(number) }
                    } else {
                        problems.append("RRULE BYMONTHDAY value \(text.prefix(10)) is not a day of the month (1 to 31, or -31 to -1)")
                    }
                }
                recurrence.byMonthDay = days.isEmpty ? nil : days
            case "WKST":
                if value != "MO" { problems.append("RRULE WKST=\(value.prefix(10)) is not supported by the simulated PagerDuty (MO is)") }
            default:
                problems.append("RRULE part \(pieces[0].prefix(20)) is not supported by the simulated PagerDuty")
            }
        }
        if frequency == nil, !problems.contains(where: { $0.contains("FREQ") }) { problems.append("RRULE must name FREQ") }
        if recurrence.count != nil, recurrence.until != nil { problems.append("RRULE must not have both COUNT and UNTIL") }
        if let frequency {
            problems += frequencyProblems(frequency, recurrence)
        }
        guard problems.isEmpty, let frequency else { return .failure(V3RuleProblems(messages: problems)) }
        recurrence.frequency = frequency
        return .success(recurrence)
    }

    /// What RFC 5545 (its table of BYxxx parts per frequency) or the simulator does not allow
    /// together with `frequency`.
    private static func frequencyProblems(_ frequency: Frequency, _ recurrence: V3Recurrence) -> [String] {
        var problems: [String] = []
        if frequency != .monthly, recurrence.byDay?.contains(where: { $0.ordinal != nil }) == true {
            problems.append("RRULE BYDAY values with an ordinal (such as 1MO) are allowed only with FREQ=MONTHLY here (RFC 5545 allows them with MONTHLY and YEARLY)")
        }
        if recurrence.byMonthDay != nil, frequency != .monthly {
            problems.append(
                frequency == .weekly
                    ? "RRULE BYMONTHDAY must not be used with FREQ=WEEKLY (RFC 5545)"
                    : "RRULE BYMONTHDAY is not supported by the simulated PagerDuty with FREQ=\(frequency.rawValue) (it is with MONTHLY)")
        }
        return problems
    }

    /// `MO` … `SU`, for MONTHLY optionally after an ordinal: `2TU`, `-1FR`, `+1MO`.
    private static func daySelector(_ code: Substring) -> DaySelector? {
        guard code.count >= 2, code.count <= 4 else { return nil }
        let dayCode = code.suffix(2)
        guard let day = Weekday.allCases.first(where: { $0.twoLetterCode == dayCode }) else { return nil }
        let prefix = code.dropLast(2)
        if prefix.isEmpty { return DaySelector(ordinal: nil, day: day) }
        guard let ordinal = Int(prefix), (1...5).contains(ordinal) || (-5 ... -1).contains(ordinal) else { return nil }
        return DaySelector(ordinal: ordinal, day: day)
    }

    /// The values of an `EXDATE` or `RDATE` line after its name: `:20261109T080000Z,…` or
    /// `;TZID=Europe/Berlin:20261109T090000,…` (`VALUE=DATE-TIME` may be said; `DATE` and
    /// `PERIOD` are refused).
    private static func dateTimeValues(_ rest: String, name: String, zone: Zone) -> Result<[Instant], V3RuleProblems> {
        guard let colon = rest.firstIndex(of: ":") else { return .failure(V3RuleProblems(messages: ["an \(name) line has no values"])) }
        var valueZone = zone
        for parameter in rest[..<colon].split(separator: ";") {
            let pieces = parameter.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2 else { continue }
            if pieces[0].uppercased() == "TZID" {
                guard let named = Zone(identifier: String(pieces[1])) else { return .failure(V3RuleProblems(messages: ["an \(name) line names an unknown TZID"])) }
                valueZone = named
            } else if pieces[0].uppercased() == "VALUE", pieces[1].uppercased() != "DATE-TIME" {
                return .failure(V3RuleProblems(messages: ["\(name) values must be date-times (VALUE=DATE-TIME), not \(pieces[1].prefix(10))"]))
            }
        }
        let limit = name == "EXDATE" ? maximumExdates : maximumRdates
        var values: [Instant] = []
        for text in rest[rest.index(after: colon)...].split(separator: ",") {
            // A date alone (VALUE=DATE) would match no occurrence that starts at another time of
            // day, so it is refused rather than ignored.
            guard values.count < limit, text.utf8.count > 8, let instant = basicTime(String(text), zone: valueZone) else {
                return .failure(V3RuleProblems(messages: ["an \(name) value is not a date-time (YYYYMMDDTHHMMSS, optionally with Z)"]))
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
