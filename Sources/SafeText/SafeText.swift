/// Text that Handoff did not write, made safe for where it is shown.
///
/// People's names, PagerDuty's answers and configuration values reach terminals, CI logs and
/// pull-request comments. A newline there forges a line of the plan, an ANSI or OSC escape
/// recolours or retitles the reviewer's terminal, a bidirectional override reorders what is read,
/// and a code fence in a Markdown comment lets a pull request write the bot's comment. Every
/// rendering of untrusted text goes through one of these functions; each is total, allocation is
/// linear in the input, and what it returns never holds a control character.
public enum SafeText {
    /// `text` on one line with every invisible or control character written as a visible
    /// `\u{…}` escape: C0 controls (newline and tab included), DEL, C1 controls, the bidirectional
    /// marks, embeddings, overrides and isolates, line and paragraph separators, the zero-width
    /// space, invisible operators and the byte-order mark. Everything else is kept as it is.
    public static func line(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                result += escape(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The escaped form of an unsafe character, as Swift writes it: `\u{1B}`.
    public static func escape(_ scalar: Unicode.Scalar) -> String {
        "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
    }

    /// Longest quoted value in a message, in characters, before it is cut with `…`.
    public static let quoteLimit = 64

    /// A value quoted in a message: `line(_:)`, cut to `limit` characters with `…` when longer, so
    /// a megabyte-long value does not become a megabyte-long message.
    public static func excerpt(_ text: String, limit: Int = quoteLimit) -> String {
        let limit = max(0, limit)
        let head = text.unicodeScalars.prefix(limit + 1)
        guard head.count > limit else { return line(text) }
        return line(String(Substring(head.prefix(limit)))) + "…"
    }

    /// The first character of `text` that `line(_:)` would escape; tab and line feed pass when
    /// `allowingLineBreaks` (for free text such as a description).
    public static func firstUnsafe(in text: String, allowingLineBreaks: Bool = false) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            if allowingLineBreaks, scalar == "\n" || scalar == "\t" { return false }
            return isUnsafe(scalar)
        }
    }

    /// A character's name for messages: `U+001B`.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// True for the scalars `line(_:)` escapes.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0, DEL, C1 (ESC, CSI, OSC, NEL, …)
        case 0x061C, 0x200E, 0x200F: true  // Arabic letter mark, left-to-right and right-to-left marks
        case 0x200B: true  // zero-width space (the joiners U+200C and U+200D spell words in some scripts)
        case 0x2028...0x202E: true  // line and paragraph separators, bidirectional embeddings and overrides
        case 0x2060...0x206F: true  // word joiner, invisible operators, bidirectional isolates, deprecated format characters
        case 0xFEFF: true  // byte-order mark, zero-width no-break space
        default: false
        }
    }

    /// `text` for HTML: `line(_:)`, then `&`, `<`, `>`, `"` and `'` as character references, so it
    /// can neither open nor close a tag nor leave an attribute. Inside Markdown's HTML blocks this
    /// stops formatting too; put it inside `<code>` where a host would still find mentions (`@team`)
    /// or links in text, as GitHub does.
    public static func html(_ text: String) -> String {
        var result = ""
        for scalar in line(text).unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `items` as a sentence lists them: `A`, `A and B`, `A, B and C`; empty for none. The items
    /// are joined as given (make each safe first where it needs to be).
    public static func list(_ items: [String]) -> String {
        guard let last = items.last, items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + last
    }

    /// A Markdown fenced code block holding `lines` verbatim (each made safe by `line(_:)`), with a
    /// fence longer than any run of backticks or tildes in them, so nothing inside can close it.
    /// - Parameter info: the info string after the opening fence, such as `diff`.
    public static func codeBlock(_ lines: [String], info: String = "") -> String {
        let safe = lines.map(line)
        var longest = 0
        for text in safe {
            var run = 0
            for character in text.utf8 {
                run = character == UInt8(ascii: "`") ? run + 1 : 0
                longest = max(longest, run)
            }
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return fence + info + "\n" + safe.map { $0 + "\n" }.joined() + fence + "\n"
    }
}
