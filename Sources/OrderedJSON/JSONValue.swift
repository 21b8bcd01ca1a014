import SafeText
/// A JSON document whose object keys keep the order they were written in, so that every JSON file
/// and output of Handoff reads in a sensible order and is byte-for-byte the same on every run
/// (Foundation's encoder on Linux orders keys by hash).
public enum JSONValue: Sendable, Hashable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let a), .array(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .object(let pairs):
            hasher.combine(0)
            for (key, value) in pairs {
                hasher.combine(key)
                hasher.combine(value)
            }
        case .array(let items): hasher.combine(1); hasher.combine(items)
        case .string(let text): hasher.combine(2); hasher.combine(text)
        case .integer(let value): hasher.combine(3); hasher.combine(value)
        case .number(let value): hasher.combine(4); hasher.combine(value)
        case .bool(let value): hasher.combine(5); hasher.combine(value)
        case .null: hasher.combine(6)
        }
    }

    /// An object from pairs, leaving out those whose value is nil.
    public static func object(_ pairs: KeyValuePairs<String, JSONValue?>) -> JSONValue {
        .object(pairs.compactMap { key, value in value.map { (key, $0) } })
    }

    public static func int(_ value: Int) -> JSONValue { .integer(Int64(value)) }

    /// Two-space indented text with a final newline, or one line when `pretty` is false.
    public func serialized(pretty: Bool = true) -> String {
        var output = ""
        write(to: &output, indent: pretty ? 0 : nil)
        if pretty { output += "\n" }
        return output
    }

    private func write(to output: inout String, indent: Int?) {
        switch self {
        case .object(let pairs):
            guard !pairs.isEmpty else { output += "{}"; return }
            output += "{"
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { output += "," }
                newline(&output, indent.map { $0 + 1 })
                JSONValue.writeString(key, to: &output)
                output += indent == nil ? ":" : ": "
                value.write(to: &output, indent: indent.map { $0 + 1 })
            }
            newline(&output, indent)
            output += "}"
        case .array(let items):
            guard !items.isEmpty else { output += "[]"; return }
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                newline(&output, indent.map { $0 + 1 })
                item.write(to: &output, indent: indent.map { $0 + 1 })
            }
            newline(&output, indent)
            output += "]"
        case .string(let text):
            JSONValue.writeString(text, to: &output)
        case .integer(let value):
            output += String(value)
        case .number(let value):
            if value.isFinite {
                output += value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
            } else {
                output += "null"
            }
        case .bool(let value):
            output += value ? "true" : "false"
        case .null:
            output += "null"
        }
    }

    private func newline(_ output: inout String, _ indent: Int?) {
        guard let indent else { return }
        output += "\n"
        output += String(repeating: "  ", count: indent)
    }

    /// JSON's own escapes, and `\\uXXXX` for every character `SafeText` keeps off terminals (DEL,
    /// C1 controls, bidirectional overrides, line separators): JSON allows them raw, but a plan
    /// printed with `--format json` reaches a terminal or a CI log too. Readers see the same text.
    static func writeString(_ text: String, to output: inout String) {
        // Most strings need no escaping: copy them whole. The lead bytes 0xC2, 0xD8, 0xE2 and 0xEF
        // start the UTF-8 forms of the non-ASCII characters that may need it.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xD8 || $0 == 0xE2 || $0 == 0xEF || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            output += "\""
            output += text
            output += "\""
            return
        }
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if SafeText.isUnsafe(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
