/// The lines of a source text, indexed once so that many diagnostics in one file each find their
/// line without rescanning the text.
public struct SourceLines: Sendable {
    private let text: String
    private let lineStarts: [String.Index]

    public init(_ text: String) {
        self.text = text
        var starts = [text.startIndex]
        var index = text.utf8.startIndex
        while let newline = text.utf8[index...].firstIndex(of: UInt8(ascii: "\n")) {
            index = text.utf8.index(after: newline)
            starts.append(index)
        }
        self.lineStarts = starts
    }

    /// Line `number` (1-based) without its line break, or nil past the end.
    public func line(_ number: Int) -> Substring? {
        guard number >= 1, number <= lineStarts.count else { return nil }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? text.utf8.index(before: lineStarts[number]) : text.endIndex
        if end > start, text.utf8[text.utf8.index(before: end)] == UInt8(ascii: "\r") { end = text.utf8.index(before: end) }
        return text[start..<end]
    }
}

/// The source line under a mark and a caret beneath the marked column, as compilers print them.
/// Rendering lives here, apart from the errors themselves, so errors stay plain values.
public enum SourceExcerpt {
    /// Two lines: the source line (tabs kept) and a caret line aligned under `mark.column`;
    /// nil when the line does not exist.
    public static func render(_ lines: SourceLines, at mark: Mark) -> (line: String, caret: String)? {
        guard let line = lines.line(mark.line) else { return nil }
        // Keep tabs in the caret line so the caret lines up with the text above it.
        var caret = ""
        var count = 0
        for scalar in line.unicodeScalars {
            guard count < mark.column - 1 else { break }
            caret.append(scalar == "\t" ? "\t" : " ")
            count += 1
        }
        caret += String(repeating: " ", count: max(0, mark.column - 1 - count)) + "^"
        return (String(line), caret)
    }

    public static func render(_ text: String, at mark: Mark) -> (line: String, caret: String)? {
        render(SourceLines(text), at: mark)
    }
}
