import HandoffTime
import YAMLNodes
import SafeText

/// `state:`: where Handoff keeps what it exported (the local file or PostgreSQL).
extension FileDecoder {
    mutating func decodeState(_ node: YAMLNode) {
        let allowed = ["backend", "path", "url_env", "schema", "workspace", "history_days"]
        guard let fields = reader.fields(of: node, allowed: allowed, in: "\"state\"") else { return }
        enum BackendName: String, CaseIterable { case local, postgres }
        var backend = BackendName.local
        if let node = fields["backend"] {
            guard let value = reader.choice(node, "\"backend\"", BackendName.self) else { return }
            backend = value
        }
        switch backend {
        case .local:
            for key in ["url_env", "schema", "workspace", "history_days"] {
                if let keyNode = fields.keyNode(key) {
                    reader.error("\"\(key)\" applies to the postgres state backend only", at: keyNode)
                }
            }
            var path = StateSettings.defaultLocalPath
            if let node = fields["path"], let value = containedPath(node, "\"path\"", named: "the state \"path\"") { path = value }
            output.states.append(StateSettings(backend: .local(path: path), location: node.location))
        case .postgres:
            if let keyNode = fields.keyNode("path") {
                reader.error("\"path\" applies to the local state backend only", at: keyNode)
            }
            var urlVariable = "HANDOFF_STATE_URL"
            if let node = fields["url_env"], let value = reader.string(node, "\"url_env\"") {
                guard Self.isEnvironmentVariableName(value) else {
                    reader.error("\"url_env\" must name an environment variable (letters, digits and _), not \"\(SafeText.excerpt(value))\"", at: node)
                    return
                }
                urlVariable = value
            }
            var schema = "handoff"
            if let node = fields["schema"], let value = reader.string(node, "\"schema\"") {
                guard Self.isSQLIdentifier(value) else {
                    reader.error("\"schema\" must be a plain SQL name (lower-case letters, digits and _), not \"\(SafeText.excerpt(value))\"", at: node)
                    return
                }
                schema = value
            }
            var workspace = "default"
            if let node = fields["workspace"], let value = reader.string(node, "\"workspace\"") { workspace = value }
            var historyDays = 90
            if let node = fields["history_days"], let value = reader.integer(node, "\"history_days\"") {
                guard value >= 1 else {
                    reader.error("\"history_days\" must be at least 1, not \(value)", at: node)
                    return
                }
                historyDays = value
            }
            output.states.append(
                StateSettings(
                    backend: .postgres(urlEnvironmentVariable: urlVariable, schema: schema, workspace: workspace, historyDays: historyDays),
                    location: node.location
                )
            )
        }
    }

    static func isSQLIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) || first == "_", text.count <= 63 else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
