/// A problem found while reading YAML, with the place it was found: a value, not a thrown string,
/// so that callers can collect several and render them with the source line.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    /// One sentence, lower-case first word, no trailing period (it follows `error:`).
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }

    public var description: String { "\(location): \(message)" }
}

/// Bounds that keep a hostile or broken document from taking unbounded time or memory.
public struct YAMLLimits: Sendable, Hashable {
    /// Deepest nesting of lists and mappings accepted.
    public var maxDepth: Int
    /// Most nodes a document may stand for once every alias is expanded (the "billion laughs" guard).
    public var maxExpandedNodes: Int
    /// Largest file accepted, in bytes.
    public var maxBytes: Int

    public init(maxDepth: Int = 256, maxExpandedNodes: Int = 1_000_000, maxBytes: Int = 64 << 20) {
        self.maxDepth = maxDepth
        self.maxExpandedNodes = maxExpandedNodes
        self.maxBytes = maxBytes
    }

    public static let `default` = YAMLLimits()
}
