public import HandoffTime
public import YAMLNodes

/// An explicit cover: this person is on call in this range whatever the rotation says.
public struct Assignment: Sendable, Hashable {
    public var person: String
    public var from: LocalDateTime
    public var until: LocalDateTime
    public var location: SourceLocation
    /// Where the person was named.
    public var personLocation: SourceLocation

    public init(
        person: String,
        from: LocalDateTime,
        until: LocalDateTime,
        location: SourceLocation,
        personLocation: SourceLocation? = nil
    ) {
        self.person = person
        self.from = from
        self.until = until
        self.location = location
        self.personLocation = personLocation ?? location
    }
}
