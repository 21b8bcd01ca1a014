/// A calendar day with no time zone, as people write dates in a schedule (`2026-12-21`).
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Validates the day against the month (and leap years); nil for `2026-02-30`.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...9999).contains(year), day >= 1,
            day <= LocalDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day a number of days after 1970-01-01 (negative before it).
    public init(daysSinceEpoch days: Int) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// Days since 1970-01-01; the basis of all date arithmetic here.
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public var weekday: Weekday { Weekday(daysSinceEpoch: daysSinceEpoch) }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + days) }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses `YYYY-MM-DD` exactly.
    public init?(parsing text: Substring) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = Digits.parse(bytes[0..<4]), let month = Digits.parse(bytes[5..<7]),
            let day = Digits.parse(bytes[8..<10])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public init?(parsing text: String) { self.init(parsing: Substring(text)) }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        "\(Digits.pad(year, 4))-\(Digits.pad(month, 2))-\(Digits.pad(day, 2))"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = LocalDate(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A day of the week, numbered as ISO 8601 and PagerDuty's restrictions do (Monday = 1).
public enum Weekday: Int, Sendable, Hashable, CaseIterable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    public init(daysSinceEpoch days: Int) {
        // 1970-01-01 was a Thursday.
        let index = ((days % 7) + 7 + 3) % 7
        self = Weekday(rawValue: index + 1) ?? .monday
    }

    /// The three-letter name used in configuration and output (`mon`).
    public var shortName: String {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][rawValue - 1]
    }

    /// `Mon`, as plans print it.
    public var abbreviation: String {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][rawValue - 1]
    }

    public init?(shortName: String) {
        guard let index = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].firstIndex(of: shortName.lowercased())
        else { return nil }
        self.init(rawValue: index + 1)
    }

    public var isWeekend: Bool { self == .saturday || self == .sunday }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A wall-clock time of day in whole minutes; `24:00` is allowed as the end of a day.
public struct LocalTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Minutes since midnight, 0...1440.
    public var minutes: Int

    public init?(hour: Int, minute: Int) {
        guard (0...24).contains(hour), (0...59).contains(minute), hour < 24 || minute == 0 else { return nil }
        self.minutes = hour * 60 + minute
    }

    public init(minutesSinceMidnight: Int) {
        self.minutes = minutesSinceMidnight
    }

    public static let midnight = LocalTime(minutesSinceMidnight: 0)

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }

    /// Parses `HH:MM` (one-digit hours allowed) and `HH:MM:SS` with zero seconds.
    public init?(parsing text: Substring) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, (1...2).contains(parts[0].count), parts[1].count == 2,
            let hour = Digits.parse(parts[0].utf8[...]), let minute = Digits.parse(parts[1].utf8[...])
        else { return nil }
        if parts.count == 3 {
            guard parts[2].count == 2, Digits.parse(parts[2].utf8[...]) == 0 else { return nil }
        }
        self.init(hour: hour, minute: minute)
    }

    public init?(parsing text: String) { self.init(parsing: Substring(text)) }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.minutes < rhs.minutes }

    public var description: String { "\(Digits.pad(hour, 2)):\(Digits.pad(minute, 2))" }
}

/// A date and a wall-clock time with no zone (`2026-11-02T09:00`): what a schedule's author writes,
/// read in the schedule's time zone.
public struct LocalDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var date: LocalDate
    /// Minutes since midnight, 0..<1440.
    public var minuteOfDay: Int

    public init(date: LocalDate, time: LocalTime) {
        // 24:00 is the next day's midnight.
        let days = time.minutes / 1440
        self.date = days == 0 ? date : date.adding(days: days)
        self.minuteOfDay = time.minutes % 1440
    }

    /// From seconds on the "local timeline" (wall-clock time counted as if it were UTC).
    public init(localSeconds: Int64) {
        let days = Int(localSeconds.floorDivided(by: 86_400))
        let seconds = Int(localSeconds - Int64(days) * 86_400)
        self.date = LocalDate(daysSinceEpoch: days)
        self.minuteOfDay = seconds / 60
    }

    public var time: LocalTime { LocalTime(minutesSinceMidnight: minuteOfDay) }

    /// Seconds on the local timeline: wall-clock arithmetic without any zone.
    public var localSeconds: Int64 {
        Int64(date.daysSinceEpoch) * 86_400 + Int64(minuteOfDay) * 60
    }

    public func adding(days: Int) -> LocalDateTime {
        var copy = self
        copy.date = date.adding(days: days)
        return copy
    }

    /// Parses `YYYY-MM-DDTHH:MM` (also with `:00` seconds, or a space instead of `T`).
    public init?(parsing text: Substring) {
        guard text.count >= 16 else { return nil }
        let separator = text.index(text.startIndex, offsetBy: 10)
        guard text[separator] == "T" || text[separator] == " " || text[separator] == "t",
            let date = LocalDate(parsing: text[..<separator]),
            let time = LocalTime(parsing: text[text.index(after: separator)...]), time.minutes < 1440
        else { return nil }
        self.init(date: date, time: time)
    }

    public init?(parsing text: String) { self.init(parsing: Substring(text)) }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        (lhs.date, lhs.minuteOfDay) < (rhs.date, rhs.minuteOfDay)
    }

    public var description: String { "\(date)T\(time)" }
}

extension Int64 {
    /// Division rounding toward negative infinity, which calendar arithmetic before 1970 needs.
    public func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

enum Digits {
    static func parse(_ bytes: some Collection<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
