import YAMLNodes
import SafeText

/// `people:`: who can be on call, found in PagerDuty by e-mail.
extension FileDecoder {
    mutating func decodePerson(_ key: String, key keyNode: YAMLNode, _ node: YAMLNode) -> Person? {
        let context = "person \"\(key)\""
        guard let fields = reader.fields(of: node, allowed: ["name", "email"], in: context) else { return nil }
        var name: String?
        if let nameNode = fields["name"] { name = reader.string(nameNode, "\"name\"") }
        guard let emailNode = fields.required("email", in: context, reader: &reader, missingAt: keyNode.location),
            let email = reader.string(emailNode, "\"email\"")
        else { return nil }
        guard Self.isEmailAddress(email) else {
            reader.error("\"\(SafeText.excerpt(email))\" is not an e-mail address", at: emailNode)
            return nil
        }
        return Person(key: key, name: name, email: email, location: keyNode.location)
    }

    static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            text.count <= 254
        else { return false }
        return !text.contains { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }
    }
}
