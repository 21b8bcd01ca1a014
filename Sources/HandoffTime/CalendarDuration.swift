/// A length of time as a schedule states it: minutes and hours are fixed spans of absolute time,
/// days and weeks are calendar spans that keep the wall-clock time across daylight-saving changes.
public struct CalendarDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Unit: String, Sendable, Hashable, CaseIterable {
        case minutes = "m", hours = "h", days = "d", weeks = "w"

        var minutes: Int64 {
            switch self {
            case .minutes: return 1
            case .hours: return 60
            case .days: return 1440
            case .weeks: return 10_080
            }
        }
    }

    public var amount: Int
    public var unit: Unit

    public init(_ amount: Int, _ unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    /// True for days and weeks, whose turns hand off at the same wall-clock time every time.
    public var isCalendarBased: Bool { unit == .days || unit == .weeks }

    /// The nominal length, exact for minutes and hours; for days and weeks the length without a
    /// daylight-saving change inside.
    public var nominalSeconds: Int64 { Int64(amount) * unit.minutes * 60 }

    /// Whole days for calendar units.
    public var days: Int { unit == .weeks ? amount * 7 : (unit == .days ? amount : 0) }

    /// Parses `30m`, `12h`, `1d`, `2w`.
    public init?(parsing text: String) {
        guard let last = text.last, let unit = Unit(rawValue: String(last)) else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let amount = Int(digits)
        else { return nil }
        self.init(amount, unit)
    }

    public static func < (lhs: CalendarDuration, rhs: CalendarDuration) -> Bool {
        lhs.nominalSeconds < rhs.nominalSeconds
    }

    public var description: String { "\(amount)\(unit.rawValue)" }
}
