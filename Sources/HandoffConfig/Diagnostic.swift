public import YAMLNodes
import SafeText

/// One problem with a configuration, where it is and how bad: the unit every check reports in,
/// so that validation can collect them all before failing.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning
    }

    public var severity: Severity
    /// One sentence, starting lower-case, without a final period.
    public var message: String
    /// Where to look; nil only for problems with the configuration as a whole (no files found).
    public var location: SourceLocation?
    /// A longer explanation or a hint, when one helps.
    public var detail: String?

    /// Messages quote input (unknown keys, values, file names), so control characters and
    /// terminal escapes in them are escaped here, once for every rendering (text, JSON, CI).
    public init(_ severity: Severity, _ message: String, at location: SourceLocation?, detail: String? = nil) {
        self.severity = severity
        self.message = SafeText.line(message)
        self.location = location.map { location in
            var escaped = location
            escaped.path = SafeText.line(location.path)
            return escaped
        }
        self.detail = detail.map(SafeText.line)
    }

    public static func error(_ message: String, at location: SourceLocation?, detail: String? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: location, detail: detail)
    }

    public static func warning(_ message: String, at location: SourceLocation?, detail: String? = nil) -> Diagnostic {
        Diagnostic(.warning, message, at: location, detail: detail)
    }

    /// `path:line:col: error: message`, the first line of the text rendering.
    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        return "\(place)\(severity.rawValue): \(message)"
    }
}

extension Diagnostic {
    init(_ error: YAMLError) {
        self.init(.error, error.message, at: error.location)
    }
}

extension Array where Element == Diagnostic {
    public var errorCount: Int { lazy.filter { $0.severity == .error }.count }
    public var warningCount: Int { lazy.filter { $0.severity == .warning }.count }
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by file and position (problems with no place first), keeping the order of
    /// problems found at the same place.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { lhs, rhs in
            switch (lhs.element.location, rhs.element.location) {
            case (nil, nil): return lhs.offset < rhs.offset
            case (nil, _): return true
            case (_, nil): return false
            case (let left?, let right?):
                if left.path != right.path { return left.path < right.path }
                if left.start != right.start { return left.start < right.start }
                return lhs.offset < rhs.offset
            }
        }.map(\.element)
    }
}
