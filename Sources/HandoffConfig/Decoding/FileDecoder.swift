import Foundation
import HandoffTime
import YAMLNodes
import SafeText

/// Decodes the top-level keys of one file into model values (DESIGN section 3). Checks that need
/// only the file itself (types, formats, ranges, turn starts within a schedule) happen here;
/// checks across files happen in `ConfigurationValidator`.
struct FileDecoder {
    static let topLevelKeys = ["version", "state", "freeze", "connections", "people", "schedules", "destinations", "moved", "removed"]
    static let supportedVersion = 1

    var reader = NodeReader()
    var output: FileDeclarations

    private init(path: String) {
        output = FileDeclarations(path: path)
    }

    static func decode(_ root: YAMLNode?, path: String) -> FileDeclarations {
        var decoder = FileDecoder(path: path)
        if let root, !root.isNull { decoder.decodeRoot(root) }
        decoder.output.diagnostics = decoder.reader.diagnostics
        return decoder.output
    }

    private mutating func decodeRoot(_ root: YAMLNode) {
        guard root.mapping != nil else {
            reader.error(
                "a configuration file must be a mapping of top-level keys (\(Self.topLevelKeys.joined(separator: ", "))), not \(root.kindDescription)",
                at: root
            )
            return
        }
        guard let fields = reader.fields(of: root, allowed: Self.topLevelKeys, in: "the top level") else { return }
        if let node = fields["version"] { decodeVersion(node) }
        if let node = fields["state"] { decodeState(node) }
        if let node = fields["freeze"], let value = decodeFreeze(node) { output.freezes.append((value, node.location)) }
        if let node = fields["connections"] {
            decodeEntries(of: node, kind: "connection", into: \.connections) { $0.decodeConnection($1, key: $2, $3) }
        }
        if let node = fields["people"] { decodeEntries(of: node, kind: "person", into: \.people) { $0.decodePerson($1, key: $2, $3) } }
        if let node = fields["schedules"] {
            decodeEntries(of: node, kind: "schedule", into: \.schedules) { $0.decodeSchedule($1, key: $2, $3) }
        }
        if let node = fields["destinations"] {
            decodeEntries(of: node, kind: "destination", into: \.destinations) { $0.decodeDestination($1, key: $2, $3) }
        }
        if let node = fields["moved"] { decodeMoves(node) }
        if let node = fields["removed"] { decodeRemovals(node) }
    }

    /// The entries of a mapping of named entries (`connections`, `people`, ...): every name is
    /// recorded as declared, also when its entry fails to decode, and each entry that decodes is
    /// appended to `list`.
    private mutating func decodeEntries<Value>(
        of node: YAMLNode,
        kind: String,
        into list: WritableKeyPath<FileDeclarations, [Value]>,
        _ decode: (inout FileDecoder, _ name: String, _ key: YAMLNode, _ value: YAMLNode) -> Value?
    ) {
        for entry in reader.namedEntries(of: node, kind: kind) {
            output.declaredNames[kind, default: []].insert(entry.name)
            if let value = decode(&self, entry.name, entry.key, entry.value) { output[keyPath: list].append(value) }
        }
    }

    // MARK: - version

    private mutating func decodeVersion(_ node: YAMLNode) {
        guard let version = reader.integer(node, "\"version\"") else { return }
        guard version == Self.supportedVersion else {
            reader.error("configuration version \(version) is not supported; this Handoff reads version \(Self.supportedVersion)", at: node)
            return
        }
        output.versions.append((version, node.location))
    }

    // MARK: - Checks shared by several keys

    /// The text of a key that names a file inside the configuration directory (the local state,
    /// a sandbox's data and seed); a path that could lead outside is an error, said once here for
    /// all of them, and the text is still returned so that decoding goes on. `named` is how the
    /// message names the key, `what` by default.
    mutating func containedPath(_ node: YAMLNode, _ what: String, named: String? = nil) -> String? {
        guard let value = reader.string(node, what) else { return nil }
        if let problem = ContainedPath.problem(value) {
            reader.error("\(named ?? what) must name a file inside the configuration directory, but \(problem)", at: node)
        }
        return value
    }

    static func isEnvironmentVariableName(_ text: String) -> Bool {
        let letter: (Unicode.Scalar) -> Bool = { ("A"..."Z").contains($0) || ("a"..."z").contains($0) || $0 == "_" }
        guard let first = text.unicodeScalars.first, letter(first) else { return false }
        return text.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }
}
