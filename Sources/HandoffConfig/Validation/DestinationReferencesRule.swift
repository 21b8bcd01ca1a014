import YAMLNodes
import SafeText

/// A destination names a schedule and a connection that are defined (in any file, even when
/// their entries failed to decode).
enum DestinationReferencesRule: ValidationRule {
    static func check(_ merged: MergedDeclarations, into diagnostics: inout [Diagnostic]) {
        let connectionNames = merged.declared["connection"] ?? []
        let scheduleNames = merged.declared["schedule"] ?? []
        for destination in merged.destinations {
            if !scheduleNames.contains(destination.schedule) {
                diagnostics.append(.undefinedSchedule(of: destination, declared: scheduleNames))
            }
            if !connectionNames.contains(destination.connection) {
                diagnostics.append(.undefinedConnection(of: destination, declared: connectionNames))
            }
        }
    }
}

extension Diagnostic {
    fileprivate static func undefinedSchedule(of destination: Destination, declared: Set<String>) -> Diagnostic {
        .error(
            "destination \"\(destination.name)\" uses schedule \"\(SafeText.excerpt(destination.schedule))\", which is not defined"
                + Suggestion.hint(for: destination.schedule, in: declared),
            at: destination.scheduleLocation
        )
    }

    fileprivate static func undefinedConnection(of destination: Destination, declared: Set<String>) -> Diagnostic {
        .error(
            "destination \"\(destination.name)\" uses connection \"\(SafeText.excerpt(destination.connection))\", which is not defined"
                + Suggestion.hint(for: destination.connection, in: declared),
            at: destination.connectionLocation
        )
    }
}
