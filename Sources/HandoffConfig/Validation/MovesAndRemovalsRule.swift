import YAMLNodes

/// `moved` names an old name that is gone and a new one that is configured; `removed` names a
/// destination that is gone; no name is moved or removed twice, nor both moved and removed.
enum MovesAndRemovalsRule: ValidationRule {
    static func check(_ merged: MergedDeclarations, into diagnostics: inout [Diagnostic]) {
        let declared = merged.declared["destination"] ?? []
        let configuredAt = Dictionary(merged.destinations.map { ($0.name, $0.location) }, uniquingKeysWith: { first, _ in first })
        func place(_ name: String) -> String { configuredAt[name].map { " (at \($0))" } ?? "" }
        var movedFrom: [String: SourceLocation] = [:]
        var movedTo: [String: SourceLocation] = [:]
        for move in merged.moves {
            if declared.contains(move.from) {
                diagnostics.append(.movedFromConfigured(move, place: place(move.from)))
            }
            if !declared.contains(move.to) {
                diagnostics.append(.movedToUnknown(move, declared: declared))
            }
            if let first = movedFrom[move.from] {
                diagnostics.append(.movedTwice(move, first: first))
            } else {
                movedFrom[move.from] = move.fromLocation
            }
            if let first = movedTo[move.to] {
                diagnostics.append(.twoMovesLeadTo(move, other: first))
            } else {
                movedTo[move.to] = move.toLocation
            }
        }
        var removed: [String: SourceLocation] = [:]
        for removal in merged.removals {
            let name = removal.destination
            if declared.contains(name) {
                diagnostics.append(.removedButConfigured(removal, place: place(name)))
            }
            if let first = removed[name] {
                diagnostics.append(.removedTwice(removal, first: first))
            } else {
                removed[name] = removal.destinationLocation
            }
            if let moved = movedFrom[name] {
                diagnostics.append(.movedAndRemoved(removal, movedAt: moved))
            }
        }
    }
}

extension Diagnostic {
    fileprivate static func movedFromConfigured(_ move: MovedDestination, place: String) -> Diagnostic {
        .error(
            "destination \"\(move.from)\" is moved to \"\(move.to)\", but \"\(move.from)\" is still configured\(place); a moved entry names the old name, which is no longer configured",
            at: move.fromLocation
        )
    }

    fileprivate static func movedToUnknown(_ move: MovedDestination, declared: Set<String>) -> Diagnostic {
        .error(
            "destination \"\(move.from)\" is moved to \"\(move.to)\", but no destination \"\(move.to)\" is configured"
                + Suggestion.hint(for: move.to, in: declared),
            at: move.toLocation
        )
    }

    fileprivate static func movedTwice(_ move: MovedDestination, first: SourceLocation) -> Diagnostic {
        .error("destination \"\(move.from)\" is moved twice; it is already moved at \(first)", at: move.fromLocation)
    }

    fileprivate static func twoMovesLeadTo(_ move: MovedDestination, other: SourceLocation) -> Diagnostic {
        .error("two moved entries lead to destination \"\(move.to)\"; the other is at \(other)", at: move.toLocation)
    }

    fileprivate static func removedButConfigured(_ removal: RemovedDestination, place: String) -> Diagnostic {
        .error(
            "destination \"\(removal.destination)\" is removed, but it is still configured\(place); take it out of \"destinations\" or drop this entry",
            at: removal.destinationLocation
        )
    }

    fileprivate static func removedTwice(_ removal: RemovedDestination, first: SourceLocation) -> Diagnostic {
        .error("destination \"\(removal.destination)\" is removed twice; it is already removed at \(first)", at: removal.destinationLocation)
    }

    fileprivate static func movedAndRemoved(_ removal: RemovedDestination, movedAt moved: SourceLocation) -> Diagnostic {
        .error(
            "destination \"\(removal.destination)\" is both moved (at \(moved)) and removed; a destination is either renamed or let go of",
            at: removal.destinationLocation
        )
    }
}
