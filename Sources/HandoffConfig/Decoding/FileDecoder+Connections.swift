import YAMLNodes
import SafeText

/// `connections:`: the PagerDuty accounts (or the simulated PagerDuty) Handoff talks to.
extension FileDecoder {
    mutating func decodeConnection(_ name: String, key: YAMLNode, _ node: YAMLNode) -> Connection? {
        let context = "connection \"\(name)\""
        let secretKeys = ["token", "api_key", "api_token", "key"]
        let allowed = ["type", "token_env", "api_url", "data", "seed", "description"]
        guard let fields = reader.fields(of: node, allowed: allowed + secretKeys, in: context) else { return nil }
        for secret in secretKeys {
            guard let keyNode = fields.keyNode(secret) else { continue }
            reader.error(
                "a PagerDuty key is never written in the configuration; put it in an environment variable and name that variable with \"token_env\"",
                at: keyNode
            )
        }
        if let node = fields["description"] { _ = reader.string(node, "\"description\"", allowingLineBreaks: true) }
        enum TypeName: String, CaseIterable { case pagerduty, sandbox }
        guard let typeNode = fields.required("type", in: context, reader: &reader, missingAt: key.location),
            let type = reader.choice(typeNode, "\"type\"", TypeName.self)
        else { return nil }
        switch type {
        case .pagerduty:
            for other in ["data", "seed"] {
                if let keyNode = fields.keyNode(other) { reader.error("\"\(other)\" applies to sandbox connections only", at: keyNode) }
            }
            guard let tokenNode = fields.required("token_env", in: context, reader: &reader, missingAt: key.location),
                let variable = reader.string(tokenNode, "\"token_env\"")
            else { return nil }
            guard Self.isEnvironmentVariableName(variable) else {
                reader.error("\"token_env\" must name an environment variable (letters, digits and _), not \"\(SafeText.excerpt(variable))\"", at: tokenNode)
                return nil
            }
            var apiURL = Connection.defaultAPIURL
            if let urlNode = fields["api_url"], let value = reader.string(urlNode, "\"api_url\"") {
                // Where the key may go is `APIHostPolicy`'s one rule, checked after decoding.
                apiURL = value.hasSuffix("/") ? String(value.dropLast()) : value
            }
            return Connection(
                name: name,
                kind: .pagerDuty(tokenEnvironmentVariable: variable, apiURL: apiURL),
                location: key.location,
                apiURLLocation: fields["api_url"]?.location
            )
        case .sandbox:
            for other in ["token_env", "api_url"] {
                if let keyNode = fields.keyNode(other) {
                    reader.error("\"\(other)\" applies to pagerduty connections only; a sandbox needs no key", at: keyNode)
                }
            }
            var data = Connection.defaultSandboxDataPath
            if let dataNode = fields["data"], let value = containedPath(dataNode, "\"data\"") { data = value }
            var seed: String?
            if let seedNode = fields["seed"], let value = containedPath(seedNode, "\"seed\"") { seed = value }
            return Connection(name: name, kind: .sandbox(dataPath: data, seedPath: seed), location: key.location)
        }
    }
}
