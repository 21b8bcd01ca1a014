import HandoffTime
import YAMLNodes
import SafeText

/// Typed reading of YAML nodes that records a located diagnostic for every problem and carries
/// on, so one run reports everything wrong with a file.
struct NodeReader {
    var diagnostics: [Diagnostic] = []

    mutating func error(_ message: String, at node: YAMLNode, detail: String? = nil) {
        diagnostics.append(.error(message, at: node.location, detail: detail))
    }

    mutating func error(_ message: String, at location: SourceLocation, detail: String? = nil) {
        diagnostics.append(.error(message, at: location, detail: detail))
    }

    mutating func warning(_ message: String, at location: SourceLocation, detail: String? = nil) {
        diagnostics.append(.warning(message, at: location, detail: detail))
    }

    // MARK: Mappings

    /// The pairs of a mapping with string keys, checked against the keys allowed there.
    mutating func fields(of node: YAMLNode, allowed: [String], in context: String) -> Fields? {
        guard let pairs = node.mapping else {
            error("\(context) must be a mapping, not \(node.kindDescription)", at: node)
            return nil
        }
        var fields = Fields(node: node)
        for pair in pairs {
            guard let key = pair.key.scalar?.value, !pair.key.isNull else {
                error("keys in \(context) must be strings, not \(pair.key.kindDescription)", at: pair.key)
                continue
            }
            guard allowed.contains(key) else {
                error("unknown key \"\(SafeText.excerpt(key))\" in \(context)\(Suggestion.hint(for: key, in: allowed))", at: pair.key)
                continue
            }
            fields.pairs[key] = pair
        }
        return fields
    }

    /// The entries of a name → definition mapping (`schedules:`), each name checked.
    mutating func namedEntries(of node: YAMLNode, kind: String) -> [(name: String, key: YAMLNode, value: YAMLNode)] {
        if node.isNull { return [] }
        guard let pairs = node.mapping else {
            error("\"\(kind)s\" must be a mapping from names to \(kind)s, not \(node.kindDescription)", at: node)
            return []
        }
        var entries: [(String, YAMLNode, YAMLNode)] = []
        for pair in pairs {
            guard let name = pair.key.scalar?.value, !pair.key.isNull else {
                error("\(kind) names must be strings, not \(pair.key.kindDescription)", at: pair.key)
                continue
            }
            guard NodeReader.isValidName(name) else {
                error(
                    "\"\(SafeText.excerpt(name))\" is not a valid \(kind) name; use ASCII letters, digits, \"-\", \"_\" and \".\", starting with a letter or digit",
                    at: pair.key
                )
                continue
            }
            entries.append((name, pair.key, pair.value))
        }
        return entries
    }

    /// ASCII letters, digits, `-`, `_` and `.`, starting with a letter or digit: names appear in
    /// commands, file names and messages, and must survive all of them unquoted.
    static func isValidName(_ name: String) -> Bool {
        let alphanumeric: (UInt8) -> Bool = {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
        }
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 128, alphanumeric(first) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    // MARK: Scalars

    /// A non-empty string without control characters: every string of a configuration ends up in
    /// a terminal, a markdown comment or a PagerDuty field, where a control character, an escape
    /// sequence or a bidirectional override would hide or forge text. Only free text
    /// (`allowingLineBreaks`, for descriptions) may hold line breaks and tabs.
    mutating func string(_ node: YAMLNode, _ what: String, allowingLineBreaks: Bool = false) -> String? {
        guard let scalar = node.scalar, !node.isNull else {
            error("\(what) must be a string, not \(node.kindDescription)", at: node)
            return nil
        }
        guard !scalar.value.isEmpty else {
            error("\(what) must not be empty", at: node)
            return nil
        }
        if let unsafe = SafeText.firstUnsafe(in: scalar.value, allowingLineBreaks: allowingLineBreaks) {
            error("\(what) must not hold control or bidirectional formatting characters, but holds \(SafeText.codePoint(unsafe))", at: node)
            return nil
        }
        return scalar.value
    }

    mutating func integer(_ node: YAMLNode, _ what: String) -> Int? {
        guard let scalar = node.scalar, scalar.isPlain, let value = Int(scalar.value) else {
            error("\(what) must be a whole number, not \(node.kindDescription)", at: node)
            return nil
        }
        return value
    }

    /// `true` or `false`, unquoted: a quoted "false" is text, and reading text where a yes or no
    /// is meant would turn a typo into a silent choice.
    mutating func boolean(_ node: YAMLNode, _ what: String) -> Bool? {
        if let scalar = node.scalar, scalar.isPlain, !node.isNull {
            if scalar.value == "true" { return true }
            if scalar.value == "false" { return false }
        }
        error("\(what) must be true or false, not \(node.kindDescription)", at: node)
        return nil
    }

    mutating func choice<T: RawRepresentable>(_ node: YAMLNode, _ what: String, _ type: T.Type) -> T?
    where T: CaseIterable, T.RawValue == String {
        guard let text = string(node, what) else { return nil }
        guard let value = T(rawValue: text) else {
            let options = T.allCases.map(\.rawValue)
            let list = options.map { "\"\($0)\"" }.joined(separator: " or ")
            error("\(what) must be \(list), not \"\(SafeText.excerpt(text))\"\(Suggestion.hint(for: text, in: options))", at: node)
            return nil
        }
        return value
    }

    mutating func duration(_ node: YAMLNode, _ what: String) -> CalendarDuration? {
        guard let text = string(node, what) else { return nil }
        guard let duration = CalendarDuration(parsing: text), duration.amount > 0 else {
            error(
                "\(what) must be a duration such as \"30m\", \"12h\", \"1d\" or \"2w\", not \"\(SafeText.excerpt(text))\"",
                at: node,
                detail: "A duration is a whole number followed by m (minutes), h (hours), d (days) or w (weeks)."
            )
            return nil
        }
        return duration
    }

    mutating func localTime(_ node: YAMLNode, _ what: String) -> LocalTime? {
        guard let text = string(node, what) else { return nil }
        guard let time = LocalTime(parsing: text) else {
            error("\(what) must be a time of day such as \"09:00\" (00:00 to 24:00), not \"\(SafeText.excerpt(text))\"", at: node)
            return nil
        }
        return time
    }

    mutating func localDateTime(_ node: YAMLNode, _ what: String) -> LocalDateTime? {
        guard let text = string(node, what) else { return nil }
        guard let value = LocalDateTime(parsing: text) else {
            error("\(what) must be a date and time such as 2026-11-02T09:00, not \"\(SafeText.excerpt(text))\"", at: node)
            return nil
        }
        return value
    }

    /// A date (midnight, the start of that whole day) or a date and time.
    mutating func dateOrDateTime(_ node: YAMLNode, _ what: String) -> LocalDateTime? {
        guard let text = string(node, what) else { return nil }
        if let date = LocalDate(parsing: text) { return LocalDateTime(date: date, time: .midnight) }
        if let value = LocalDateTime(parsing: text) { return value }
        error("\(what) must be a date such as 2026-12-21 or a date and time such as 2026-12-21T09:00, not \"\(SafeText.excerpt(text))\"", at: node)
        return nil
    }

    mutating func zone(_ node: YAMLNode, _ what: String) -> Zone? {
        guard let text = string(node, what) else { return nil }
        guard let zone = Zone(identifier: text) else {
            error(
                "unknown time zone \"\(SafeText.excerpt(text))\"\(Suggestion.hint(for: text, in: Zone.knownIdentifiers))",
                at: node,
                detail: "Time zones are IANA names from the system's time zone database, such as Europe/Berlin or America/New_York."
            )
            return nil
        }
        return zone
    }

    mutating func list(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
        if node.isNull { return [] }
        guard let items = node.sequence else {
            error("\(what) must be a list, not \(node.kindDescription)", at: node)
            return nil
        }
        return items
    }

    /// A list of strings with their places.
    mutating func stringList(_ node: YAMLNode, _ what: String, itemName: String) -> [(String, SourceLocation)]? {
        guard let items = list(node, what) else { return nil }
        var values: [(String, SourceLocation)] = []
        for item in items {
            if let value = string(item, itemName) { values.append((value, item.location)) }
        }
        return values
    }
}

/// The fields of a mapping by key, with helpers for required ones.
struct Fields {
    let node: YAMLNode
    var pairs: [String: YAMLPair] = [:]

    init(node: YAMLNode) {
        self.node = node
    }

    subscript(key: String) -> YAMLNode? { pairs[key]?.value }

    func keyNode(_ key: String) -> YAMLNode? { pairs[key]?.key }

    /// The value of a key that must be present, or a "missing" error at `missingAt`.
    func required(_ key: String, in context: String, reader: inout NodeReader, missingAt: SourceLocation? = nil) -> YAMLNode? {
        if let value = pairs[key]?.value { return value }
        reader.error("\(context) is missing \"\(key)\"", at: missingAt ?? node.location)
        return nil
    }
}
