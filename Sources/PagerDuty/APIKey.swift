import Foundation

/// A PagerDuty API key. It can be sent, never shown: every textual form, mirror and dump of it
/// prints `<redacted>`, so a key cannot leak through an error message, a log line or `dump`.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    public init(_ value: String) {
        self.value = value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "APIKey(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// The `Authorization` header value, in the exact form PagerDuty requires.
    var authorizationHeader: String { "Token token=\(value)" }

    var isEmpty: Bool { value.isEmpty }

    /// `text` with every occurrence of the key replaced, for text that came from elsewhere
    /// (a server echoing a header, an error from a library).
    func redact(_ text: String) -> String {
        guard value.count >= 4 else { return text }
        return text.replacingOccurrences(of: value, with: "<redacted>")
    }
}

