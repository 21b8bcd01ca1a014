public import HandoffTime
public import YAMLNodes

/// A stretch of a rotation with one roster and one rhythm; turns are numbered afresh from `from`.
public struct RotationEra: Sendable, Hashable {
    public var from: LocalDateTime
    /// Person keys, in rotation order; the first takes the turn that begins at `from`.
    public var members: [String]
    public var turn: CalendarDuration
    public var location: SourceLocation
    /// Where each member was named, parallel to `members`.
    public var memberLocations: [SourceLocation]

    public init(
        from: LocalDateTime,
        members: [String],
        turn: CalendarDuration,
        location: SourceLocation,
        memberLocations: [SourceLocation]? = nil
    ) {
        self.from = from
        self.members = members
        self.turn = turn
        self.location = location
        self.memberLocations = memberLocations ?? Array(repeating: location, count: members.count)
    }

    public static let minimumTurn = CalendarDuration(30, .minutes)
    public static let maximumTurn = CalendarDuration(52, .weeks)
}
