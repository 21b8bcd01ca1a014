public import HandoffTime
public import YAMLNodes

/// Someone's absence, in wall-clock time of the schedule: dates mean whole days, `until` exclusive.
///
/// An end written as a date is handed over at the rota's own handoff times, not at midnight: the
/// absence starts at the last regular handoff at or before the first day off and ends at the first
/// one at or after the last day off (`Schedule.absence(_:in:)`). An end written with a time of day
/// is exact. So the model remembers which way each end was written.
public struct TimeOff: Sendable, Hashable {
    public var person: String
    /// Midnight of the first day off when `fromIsDate`.
    public var from: LocalDateTime
    /// Midnight after the last day off when `untilIsDate`.
    public var until: LocalDateTime
    /// `from` was written as a date (`2026-12-21`), not a date and time.
    public var fromIsDate: Bool
    /// `until` was written as a date (`2027-01-04`), not a date and time.
    public var untilIsDate: Bool
    public var location: SourceLocation
    /// Where the person was named.
    public var personLocation: SourceLocation

    public init(
        person: String,
        from: LocalDateTime,
        until: LocalDateTime,
        fromIsDate: Bool = false,
        untilIsDate: Bool = false,
        location: SourceLocation,
        personLocation: SourceLocation? = nil
    ) {
        self.person = person
        self.from = from
        self.until = until
        self.fromIsDate = fromIsDate
        self.untilIsDate = untilIsDate
        self.location = location
        self.personLocation = personLocation ?? location
    }
}
