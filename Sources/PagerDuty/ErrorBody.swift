import OrderedJSON
import SafeText

/// PagerDuty's error body in every shape seen in the wild (reference section 2): the documented
/// object with `errors` as a list or as one string, `errors` as a map from a field to its
/// messages (v3: `{"event.effective_since": ["…"]}`, each read as `field: message`, in the order
/// written), `error` as a plain string, `error` as a list, and bodies that are not JSON at all. Text is redacted before it is cut: a body may echo the
/// key, and a cut through it would leave its first part unredacted.
struct ErrorBody: Sendable, Hashable {
    var message: String?
    var code: Int?
    var errors: [String]

    init(bytes: [UInt8], key: APIKey) {
        message = nil
        code = nil
        errors = []
        guard !bytes.isEmpty, let top = try? JSONValue.parse(bytes), top.objectValue != nil else { return }
        defer {
            message = message.map { Self.visible(key.redacted($0)) }
            errors = Self.visible(errors, key: key)
        }
        switch top["error"] {
        case .object?:
            let inner = top["error"]
            message = inner?["message"]?.stringValue
            code = inner?["code"]?.intValue ?? inner?["code"]?.stringValue.flatMap { Int($0) }
            switch inner?["errors"] {
            case .array(let list)?: errors = list.compactMap(\.stringValue)
            case .string(let text)?: errors = [text]
            case .object(let fields)?: errors = Self.fieldMessages(fields)
            default: break
            }
        case .string(let text)?:
            message = text
        case .array(let list)?:
            errors = list.compactMap(\.stringValue)
        default:
            message = top["message"]?.stringValue
        }
    }

    /// `field: message` for each message of each field of a v3 error map; a field whose value is
    /// one string counts as one message, and one with no message is named alone.
    static func fieldMessages(_ fields: [(String, JSONValue)]) -> [String] {
        var messages: [String] = []
        for (field, value) in fields {
            let texts: [String]
            switch value {
            case .array(let list): texts = list.compactMap(\.stringValue)
            case .string(let text): texts = [text]
            default: texts = []
            }
            messages += texts.isEmpty ? [field] : texts.map { field.isEmpty ? $0 : "\(field): \($0)" }
        }
        return messages
    }

    /// Text from a response, fit for a one-line message on a terminal: control characters
    /// (line breaks, ANSI and OSC escapes), bidirectional controls and line separators escaped
    /// as `\u{…}`, and cut at `limit` characters, since whoever answers may be hostile.
    static func visible(_ text: String, limit: Int = 300) -> String {
        SafeText.excerpt(text, limit: limit)
    }

    /// At most `itemLimit` reasons from a response, each redacted, then escaped and cut.
    static func visible(_ reasons: [String], key: APIKey) -> [String] {
        reasons.prefix(itemLimit).map { visible(key.redacted($0)) }
    }

    /// Most reasons shown from one response.
    static let itemLimit = 20

    /// `message: detail; detail (code)` for a sentence's tail, or nil when the body said nothing.
    var summary: String? {
        var parts: [String] = []
        if let message, !message.isEmpty { parts.append(message) }
        let details = errors.filter { !$0.isEmpty && $0 != message }
        if !details.isEmpty { parts.append(details.joined(separator: "; ")) }
        guard !parts.isEmpty else { return nil }
        return parts.joined(separator: ": ") + (code.map { " (code \($0))" } ?? "")
    }
}
