/// Strings taken from PagerDuty, written into YAML so that it reads back exactly them and nothing
/// more (DESIGN section 9): a name with a line break must not start a new key, a `#` must not
/// start a comment, an ANSI escape must not reach the terminal of whoever reviews the file.
public enum YAMLText {
    /// A scalar: plain when it is a word that YAML reads as that very string (`PABC123`,
    /// `alice@example.com`, `Europe/Berlin`), else double-quoted with escapes. Always one line.
    public static func scalar(_ text: String) -> String {
        isPlainWord(text) ? text : quoted(text)
    }

    /// Text for a comment, one line: unchanged when it is plain printable text, else its
    /// double-quoted escaped form; cut at `commentLimit` characters (a comment only informs).
    public static func comment(_ text: String) -> String {
        let cut = text.count > commentLimit ? String(text.prefix(commentLimit)) + "…" : text
        let plain = !cut.isEmpty && cut.first != " " && cut.last != " "
            && cut.unicodeScalars.allSatisfy { escape($0) == nil && !"\"#\\".unicodeScalars.contains($0) }
        return plain ? cut : quoted(cut)
    }

    /// The longest comment written, in characters.
    public static let commentLimit = 200

    /// A double-quoted scalar: `"` and `\` escaped, and every character that is not printable
    /// in YAML, or that changes how a line reads (line and paragraph separators, byte-order
    /// marks, bidirectional controls), written as an escape.
    public static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            if let escaped = escape(scalar) {
                output += escaped
            } else if scalar == "\"" {
                output += "\\\""
            } else if scalar == "\\" {
                output += "\\\\"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }

    // MARK: - Pieces

    /// The escape for a character that must not appear as itself, or nil.
    private static func escape(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x00: return "\\0"
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x1B: return "\\e"
        case 0x01...0x1F, 0x7F...0x9F: return "\\x" + hex(scalar.value, digits: 2)
        case 0x2028: return "\\L"
        case 0x2029: return "\\P"
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x206F, 0xFEFF, 0xFFF9...0xFFFF, 0xD800...0xDFFF:
            return "\\u" + hex(scalar.value, digits: 4)
        case 0xE0000...0xE007F: return "\\U" + hex(scalar.value, digits: 8)
        default: return nil
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// Words YAML 1.1 reads as booleans or null when plain.
    private static let reservedWords: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null"]

    /// A letter, then letters, digits and `. _ @ + / -` only, and not a reserved word.
    private static func isPlainWord(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._@+/-".unicodeScalars.contains(scalar))
        }
        return allowed && !reservedWords.contains(text.lowercased())
    }
}
