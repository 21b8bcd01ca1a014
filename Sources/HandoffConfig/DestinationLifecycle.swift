public import YAMLNodes

/// A `moved:` entry: destination `from` is now called `to`. What Handoff exported for `from` (its
/// watermark and the overrides it owns) carries over to `to`, so a rename makes no PagerDuty call,
/// in the spirit of Terraform's `moved` block.
public struct MovedDestination: Sendable, Hashable {
    /// The old name, no longer configured.
    public var from: String
    /// The new name, configured.
    public var to: String
    public var location: SourceLocation
    public var fromLocation: SourceLocation
    public var toLocation: SourceLocation

    public init(from: String, to: String, location: SourceLocation, fromLocation: SourceLocation? = nil, toLocation: SourceLocation? = nil) {
        self.from = from
        self.to = to
        self.location = location
        self.fromLocation = fromLocation ?? location
        self.toLocation = toLocation ?? location
    }
}

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

extension Configuration {
    /// The `moved` entry whose new name is `name`, if any.
    public func move(to name: String) -> MovedDestination? { moves.first { $0.to == name } }

    /// Destinations a `removed` entry lets go of with their overrides kept in PagerDuty.
    public var destinationsForgotten: Set<String> { Set(removals.filter(\.keepOverrides).map(\.destination)) }

    /// True for a name a destination may have (as in the configuration): ASCII letters, digits,
    /// `-`, `_` and `.`, starting with a letter or digit, so that it survives commands, files and
    /// messages unquoted. For names given on the command line (`handoff state mv`).
    public static func isValidDestinationName(_ name: String) -> Bool { NodeReader.isValidName(name) }
}
