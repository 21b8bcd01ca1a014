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
