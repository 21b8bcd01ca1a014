import YAMLNodes

/// A connection stays while the state still holds overrides exported through it (by destinations
/// not let go of with their overrides kept): removing it first would strand them in PagerDuty.
/// Run by the commands once the state is read (`ConfigurationValidator.checkStateUsage`).
enum StateUsageRule {
    static func check(_ configuration: Configuration, usage: [StateUsage], statePath: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // A destination let go of with its overrides kept needs no connection: nothing is sent.
        let forgotten = configuration.destinationsForgotten
        let byConnection = Dictionary(grouping: usage.filter { !forgotten.contains($0.destination) }, by: \.connection)
        for (connection, users) in byConnection.sorted(by: { $0.key < $1.key }) where configuration.connection(named: connection) == nil {
            let names = users.map { "\"\($0.destination)\"" }.sorted().joined(separator: ", ")
            diagnostics.append(.connectionStillUsed(connection, by: names, statePath: statePath, at: configuration.state.location))
        }
        return diagnostics
    }
}

extension Diagnostic {
    fileprivate static func connectionStillUsed(_ connection: String, by names: String, statePath: String, at location: SourceLocation?) -> Diagnostic {
        .error(
            "connection \"\(connection)\" is removed, but the state (\(statePath)) still holds overrides exported through it by destination \(names)",
            at: location,
            detail: "Keep the connection until `handoff apply` has removed what those destinations exported, then remove it."
        )
    }
}
