import Foundation

/// A PagerDuty API key. It can be sent, never shown: every textual form, mirror and dump of it
/// prints `<redacted>`, so a key cannot leak through an error message, a log line or `dump`.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    /// Surrounding whitespace (the newline `echo` leaves in a secret) is dropped; anything else
    /// that cannot be in a key is kept, so `isWellFormed` can refuse it before any request.
    public init(_ value: String) {
        self.value = value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "APIKey(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// The `Authorization` header value, in the exact form PagerDuty requires.
    var authorizationHeader: String { "Token token=\(value)" }

    var isEmpty: Bool { value.isEmpty }

    /// True when every character is visible ASCII, as in every PagerDuty key. A line break,
    /// control character, space or non-ASCII character cannot be sent in a header: the HTTP
    /// library would refuse it and quote the header, key included, in its error.
    public var isWellFormed: Bool {
        !value.isEmpty && value.utf8.allSatisfy(Self.isVisibleASCII)
    }

    /// `text` with every rendering of the key replaced by `<redacted>`, for text that came from
    /// elsewhere (a server echoing a header, an error from a library): the key as it is, escaped
    /// as Swift's debug descriptions and JSON write it, percent-encoded, and each run of visible
    /// characters between control characters, in case a library broke the key at a line break.
    public func redacted(_ text: String) -> String {
        var result = text
        for form in renderings where result.contains(form) {
            result = result.replacingOccurrences(of: form, with: "<redacted>")
        }
        return result
    }

    // MARK: - Renderings

    /// Pieces shorter than this are not redacted on their own: too common to mean the key.
    private static let shortestPiece = 4

    /// Every form the key may take in text, longest first, so a longer form is replaced whole
    /// before a piece of it.
    var renderings: [String] {
        guard value.count >= Self.shortestPiece else { return [] }
        var forms: Set<String> = [value, String(value.debugDescription.dropFirst().dropLast())]
        for slash in [false, true] {
            for upper in [false, true] {
                for short in [false, true] {
                    for ascii in [false, true] {
                        forms.insert(Self.jsonEscaped(value, escapeSlash: slash, upperHex: upper, shortEscapes: short, asciiOnly: ascii))
                    }
                }
            }
        }
        let allowedSets: [CharacterSet] = [.urlQueryAllowed, .urlPathAllowed, .urlFragmentAllowed, .urlUserAllowed, .urlPasswordAllowed, .alphanumerics]
        var encoded = [Self.percentEncoded(value)]
        encoded += allowedSets.compactMap { value.addingPercentEncoding(withAllowedCharacters: $0) }
        for form in encoded {
            forms.insert(form)
            forms.insert(Self.lowercasingPercentHex(form))
            forms.insert(form.replacingOccurrences(of: "%20", with: "+"))
        }
        let pieces = value.utf8.split { !Self.isVisibleASCII($0) }.map { String(decoding: $0, as: UTF8.self) }
        if pieces.count > 1 {
            for piece in pieces where piece.count >= Self.shortestPiece { forms.insert(piece) }
        }
        return forms.filter { !$0.isEmpty }.sorted { $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1 }
    }

    private static func isVisibleASCII(_ byte: UInt8) -> Bool { (0x21...0x7E).contains(byte) }

    /// The key inside a JSON string, in each style encoders use: `\/` or `/`, upper- or
    /// lower-case hex, `\n` or `\u000a`, non-ASCII kept or escaped.
    private static func jsonEscaped(_ text: String, escapeSlash: Bool, upperHex: Bool, shortEscapes: Bool, asciiOnly: Bool) -> String {
        func hex(_ unit: UInt16) -> String {
            let digits = String(unit, radix: 16, uppercase: upperHex)
            return "\\u" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
        let short: [UInt32: String] = [0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"]
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "/" where escapeSlash: output += "\\/"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    output += shortEscapes ? (short[scalar.value] ?? hex(UInt16(scalar.value))) : hex(UInt16(scalar.value))
                } else if asciiOnly, !scalar.isASCII {
                    output += String(scalar).utf16.map(hex).joined()
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }

    /// Every byte but the unreserved ones as `%XX`, as `QueryString` writes a query.
    private static func percentEncoded(_ text: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        var output = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = String(byte, radix: 16, uppercase: true)
                output += "%" + (digits.count < 2 ? "0" : "") + digits
            }
        }
        return output
    }

    /// `%2F` → `%2f`: encoders differ in the case of the hex digits.
    private static func lowercasingPercentHex(_ text: String) -> String {
        var output = ""
        var hexLeft = 0
        for character in text {
            if character == "%" {
                hexLeft = 2
                output.append(character)
            } else if hexLeft > 0 {
                hexLeft -= 1
                output += character.lowercased()
            } else {
                output.append(character)
            }
        }
        return output
    }
}
