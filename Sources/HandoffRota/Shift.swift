public import HandoffTime

/// One stretch of time during which one person is on call for a schedule: the unit that becomes
/// one PagerDuty override.
public struct Shift: Sendable, Hashable, CustomStringConvertible {
    /// Why this person has this shift, so plans can explain a change ("no longer desired: swap").
    public enum Reason: Sendable, Hashable {
        /// Their turn in the rotation.
        case rotation
        /// A turn they took by a swap.
        case swap
        /// They cover for a member who is off.
        case timeOffCover(absent: String)
        /// An explicit cover (`assignments`).
        case assignment
    }

    public var start: Instant
    public var end: Instant
    /// The person's key in the configuration.
    public var person: String
    public var reason: Reason
    /// The turn this shift belongs to: era index and turn number within the era.
    public var era: Int
    public var turn: Int

    public init(start: Instant, end: Instant, person: String, reason: Reason, era: Int, turn: Int) {
        self.start = start
        self.end = end
        self.person = person
        self.reason = reason
        self.era = era
        self.turn = turn
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }

    public var description: String { "\(start)–\(end) \(person)" }
}

/// A stretch of needed coverage nobody can take: every member is off. Never silent.
public struct CoverageGap: Error, Sendable, Hashable, CustomStringConvertible {
    public var schedule: String
    public var range: InstantRange
    /// The turn's owner and everyone else who is off then.
    public var absent: [String]
    /// The zone the schedule speaks, for the message.
    public var zone: Zone

    public init(schedule: String, range: InstantRange, absent: [String], zone: Zone) {
        self.schedule = schedule
        self.range = range
        self.absent = absent
        self.zone = zone
    }

    public var description: String {
        "nobody can be on call for schedule \"\(schedule)\" from \(DisplayTime.span(range, in: zone)): "
            + "\(absent.joined(separator: ", ")) \(absent.count == 1 ? "is" : "are all") off; add an explicit cover or move the time off"
    }
}

/// The shifts of a schedule over a window, and the gaps nobody could cover.
public struct Expansion: Sendable {
    public var shifts: [Shift]
    public var gaps: [CoverageGap]
}
