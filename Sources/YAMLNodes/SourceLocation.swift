/// A position in a source file as a person counts it: lines and columns start at 1, and columns
/// count characters (Unicode scalars), not bytes.
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: Mark, rhs: Mark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// Where a value or a problem is, so that every message can send the reader to the exact place.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The path as it was given to the loader (usually relative to the current directory).
    public var path: String
    public var start: Mark
    /// The end of the range, when it is known and differs from `start`.
    public var end: Mark?

    public init(path: String, start: Mark, end: Mark? = nil) {
        self.path = path
        self.start = start
        self.end = end
    }

    public init(path: String, line: Int, column: Int) {
        self.init(path: path, start: Mark(line: line, column: column))
    }

    public var line: Int { start.line }
    public var column: Int { start.column }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.path, lhs.start) < (rhs.path, rhs.start)
    }

    /// `path:line:col`, the form editors and CI annotations understand.
    public var description: String { "\(path):\(start.line):\(start.column)" }
}
