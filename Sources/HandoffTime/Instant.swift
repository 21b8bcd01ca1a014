/// A point in absolute time, in whole seconds since 1970-01-01T00:00:00Z.
///
/// Shifts, overrides, watermarks and `now` are all instants: comparing them never depends on a
/// time zone or on how a timestamp was written.
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }

    public func adding(seconds: Int64) -> Instant { Instant(secondsSinceEpoch: secondsSinceEpoch + seconds) }

    public static func - (lhs: Instant, rhs: Instant) -> Int64 { lhs.secondsSinceEpoch - rhs.secondsSinceEpoch }

    /// Rounded down to a whole minute.
    public var flooredToMinute: Instant {
        Instant(secondsSinceEpoch: secondsSinceEpoch.floorDivided(by: 60) * 60)
    }

    /// Rounded up to the next whole minute (unchanged when already whole). Plans round `now` down
    /// instead (DESIGN 4), so that a replacement is in force before the override it replaces is cut.
    public var ceiledToMinute: Instant {
        let floored = flooredToMinute
        return floored == self ? self : floored.adding(seconds: 60)
    }

    public var isWholeMinute: Bool { secondsSinceEpoch % 60 == 0 }

    /// RFC 3339 in UTC with a `Z`, the form sent to PagerDuty (no `+` to percent-encode).
    public var description: String { rfc3339(offsetSeconds: 0) }

    /// RFC 3339 with the given offset from UTC (`2026-12-14T09:00:00+01:00`).
    public func rfc3339(offsetSeconds: Int) -> String {
        let total = secondsSinceEpoch + Int64(offsetSeconds)
        let local = LocalDateTime(localSeconds: total)
        let seconds = Int(total - total.floorDivided(by: 60) * 60)
        return "\(local.date)T\(local.time):\(Digits.pad(seconds, 2))" + Instant.offsetText(offsetSeconds, utcAsZ: true)
    }

    /// `+01:00`, `-03:30`; `Z` for zero when `utcAsZ`.
    public static func offsetText(_ offsetSeconds: Int, utcAsZ: Bool = false) -> String {
        if offsetSeconds == 0 && utcAsZ { return "Z" }
        let sign = offsetSeconds < 0 ? "-" : "+"
        let minutes = abs(offsetSeconds) / 60
        return "\(sign)\(Digits.pad(minutes / 60, 2)):\(Digits.pad(minutes % 60, 2))"
    }

    /// Parses RFC 3339 and the reduced forms PagerDuty accepts: seconds and fractions optional,
    /// offsets as `Z`, `±HH:MM`, `±HHMM` or `±HH`. Fractions of a second are dropped.
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 17, let date = LocalDate(parsing: Substring(String(decoding: bytes[0..<10], as: UTF8.self))),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
            let hour = Digits.parse(bytes[11..<13]), bytes[13] == UInt8(ascii: ":"),
            let minute = Digits.parse(bytes[14..<16]), hour < 24, minute < 60
        else { return nil }
        var index = 16
        var second = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            guard index + 3 <= bytes.count, let parsed = Digits.parse(bytes[(index + 1)..<(index + 3)]), parsed < 61 else {
                return nil
            }
            second = min(parsed, 59)
            index += 3
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                index += 1
                let fractionStart = index
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
                guard index > fractionStart else { return nil }
            }
        }
        guard index < bytes.count else { return nil }
        let offset: Int
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
            offset = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            let rest = Array(bytes[(index + 1)...]).filter { $0 != UInt8(ascii: ":") }
            guard rest.count == 2 || rest.count == 4, let hours = Digits.parse(rest[0..<2]), hours <= 23 else { return nil }
            let minutes = rest.count == 4 ? (Digits.parse(rest[2..<4]) ?? 99) : 0
            guard minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        default:
            return nil
        }
        let local = LocalDateTime(date: date, time: LocalTime(minutesSinceMidnight: hour * 60 + minute))
        self.init(secondsSinceEpoch: local.localSeconds + Int64(second) - Int64(offset))
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Instant(rfc3339: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A half-open range of instants `[start, end)`, the shape of every shift and override.
public struct InstantRange: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var start: Instant
    public var end: Instant

    public init(start: Instant, end: Instant) {
        self.start = start
        self.end = end
    }

    public var isEmpty: Bool { end <= start }
    public var seconds: Int64 { end - start }

    public func overlaps(_ other: InstantRange) -> Bool { start < other.end && other.start < end }

    public func contains(_ instant: Instant) -> Bool { start <= instant && instant < end }

    public func clamped(to other: InstantRange) -> InstantRange? {
        let clipped = InstantRange(start: max(start, other.start), end: min(end, other.end))
        return clipped.isEmpty ? nil : clipped
    }

    public static func < (lhs: InstantRange, rhs: InstantRange) -> Bool {
        (lhs.start, lhs.end) < (rhs.start, rhs.end)
    }

    public var description: String { "[\(start), \(end))" }
}
