public import HandoffTime
public import YAMLNodes

/// Two turns, named by their start, whose owners exchange places.
public struct Swap: Sendable, Hashable {
    public var first: LocalDateTime
    public var second: LocalDateTime
    public var location: SourceLocation

    public init(first: LocalDateTime, second: LocalDateTime, location: SourceLocation) {
        self.first = first
        self.second = second
        self.location = location
    }
}
