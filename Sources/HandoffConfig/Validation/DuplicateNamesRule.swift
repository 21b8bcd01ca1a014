import YAMLNodes

/// A name is defined once per kind across all files: a second connection, person, schedule or
/// destination of the same name is an error pointing at the first, and is dropped.
enum DuplicateNamesRule {
    /// `items` without the ones whose name came before, in order.
    static func unique<T>(
        _ items: [T],
        kind: String,
        name: KeyPath<T, String>,
        location: KeyPath<T, SourceLocation>,
        into diagnostics: inout [Diagnostic]
    ) -> [T] {
        var seen: [String: SourceLocation] = [:]
        var result: [T] = []
        for item in items {
            let itemName = item[keyPath: name]
            if let first = seen[itemName] {
                diagnostics.append(.definedTwice(kind: kind, name: itemName, first: first, at: item[keyPath: location]))
                continue
            }
            seen[itemName] = item[keyPath: location]
            result.append(item)
        }
        return result
    }
}

extension Diagnostic {
    fileprivate static func definedTwice(kind: String, name: String, first: SourceLocation, at location: SourceLocation) -> Diagnostic {
        .error("\(kind) \"\(name)\" is defined twice; it is already defined at \(first)", at: location)
    }
}
