public import YAMLNodes

/// A `removed:` entry: destination `destination` left the configuration on purpose. With
/// `keepOverrides` Handoff forgets it and leaves its overrides in PagerDuty (no PagerDuty call);
/// without, its overrides are deleted, as for any destination that disappears.
public struct RemovedDestination: Sendable, Hashable {
    public var destination: String
    public var keepOverrides: Bool
    public var location: SourceLocation
    public var destinationLocation: SourceLocation

    public init(destination: String, keepOverrides: Bool, location: SourceLocation, destinationLocation: SourceLocation? = nil) {
        self.destination = destination
        self.keepOverrides = keepOverrides
        self.location = location
        self.destinationLocation = destinationLocation ?? location
    }
}
