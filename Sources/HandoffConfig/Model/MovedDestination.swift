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
