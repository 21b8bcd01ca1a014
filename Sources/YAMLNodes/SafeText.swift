/// Text taken from input, made safe to print: a configuration is hostile input, and a control
/// character or an ANSI/OSC escape in a value must reach neither a terminal nor a CI log raw,
/// and a megabyte-long value must not become a megabyte-long message.
public enum SafeText {
    /// Longest quoted value, in characters, before it is cut with `…`.
    public static let quoteLimit = 64

    /// True for the characters that must never be printed raw: C0 controls (tab and line feed
    /// included; callers that keep them say so), DEL, C1 controls, the line and paragraph
    /// separators, and the bidirectional overrides and isolates that reorder what a reader sees.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x2028, 0x2029: return true
        case 0x200E, 0x200F, 0x061C: return true
        case 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// The escaped form of an unsafe character, as Swift writes it: `\u{1B}`.
    public static func escape(_ scalar: Unicode.Scalar) -> String {
        "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
    }

    /// `text` with every unsafe character escaped (line feeds too: a message is one line).
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                result += escape(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A value for a message: escaped, and cut to `limit` characters with `…` when longer.
    public static func excerpt(_ text: String, limit: Int = quoteLimit) -> String {
        let limit = max(0, limit)
        let head = text.unicodeScalars.prefix(limit + 1)
        guard head.count > limit else { return escaped(text) }
        return escaped(String(Substring(head.prefix(limit)))) + "…"
    }

    /// The first unsafe character of `text`, allowing tab and line feed when `allowingLineBreaks`.
    public static func firstUnsafe(in text: String, allowingLineBreaks: Bool = false) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            if allowingLineBreaks, scalar == "\n" || scalar == "\t" { return false }
            return isUnsafe(scalar)
        }
    }

    /// A name of the character for messages: `U+001B`.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
