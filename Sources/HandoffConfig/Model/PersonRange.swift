public import HandoffTime
public import YAMLNodes

/// A person and a range of the schedule's wall-clock time: a `time_off` entry (the person is away)
/// or an `assignments` entry, an explicit cover (the person is on call whatever the rotation says).
/// Both are written the same way, `{ person, from, until }`, so they are one type; the schedule's
/// `timeOff` and `assignments` lists say which is which. Dates mean whole days, `until` exclusive.
///
/// An end of time off written as a date is handed over at the rota's own handoff times, not at
/// midnight: the absence starts at the last regular handoff at or before the first day off and
/// ends at the first one at or after the last day off (`Schedule.absence(_:in:)`). An end written
/// with a time of day is exact, and so are both ends of a cover. So the model remembers which way
/// each end was written.
public struct PersonRange: Sendable, Hashable {
    public var person: String
    /// Midnight of the first day when `fromIsDate`.
    public var from: LocalDateTime
    /// Midnight after the last day when `untilIsDate`.
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

/// Someone's absence (`time_off`): a `PersonRange` whose person is away.
public typealias TimeOff = PersonRange

/// An explicit cover (`assignments`): a `PersonRange` whose person is on call in it whatever the
/// rotation says.
public typealias Assignment = PersonRange
