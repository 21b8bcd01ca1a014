import SafeText
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
///
/// The line is input, so the excerpt is bounded and escaped: at most `width` characters around the
/// column (`…` marks a cut), and control characters, ANSI/OSC escapes and bidirectional overrides
/// shown as `\u{1B}`, with the caret still under the marked character.
public enum SourceExcerpt {
    /// Most characters of the line shown; a 70 MB line still prints one short excerpt.
    public static let width = 120

    /// Two lines: the source line (tabs kept) and a caret line aligned under `mark.column`;
    /// nil when the line does not exist.
    public static func render(_ lines: SourceLines, at mark: Mark) -> (line: String, caret: String)? {
        guard let line = lines.line(mark.line) else { return nil }
        let scalars = line.unicodeScalars
        let target = max(0, mark.column - 1)
        let half = width / 2
        // Skip to the start of the window, at most half a width before the marked character.
        var start = scalars.startIndex
        var skipped = 0
        while skipped < target - half, start != scalars.endIndex {
            scalars.formIndex(after: &start)
            skipped += 1
        }
        // A mark past the end of a long line: show the end of the line.
        if start == scalars.endIndex {
            var back = 0
            while back < half, skipped > 0 {
                scalars.formIndex(before: &start)
                skipped -= 1
                back += 1
            }
        }
        var text = skipped > 0 ? "…" : ""
        var caret = skipped > 0 ? " " : ""
        var index = start
        var shown = 0
        while index != scalars.endIndex, shown < width {
            let scalar = scalars[index]
            let rendered: String
            if scalar == "\t" {
                rendered = "\t"
            } else if SafeText.isUnsafe(scalar) {
                rendered = SafeText.escape(scalar)
            } else {
                rendered = String(scalar)
            }
            text += rendered
            if skipped + shown < target {
                caret += scalar == "\t" ? "\t" : String(repeating: " ", count: rendered.unicodeScalars.count)
            }
            scalars.formIndex(after: &index)
            shown += 1
        }
        if index != scalars.endIndex { text += "…" }
        // A mark just past the end of the line (libyaml reports some errors there).
        caret += String(repeating: " ", count: min(half, max(0, target - skipped - shown))) + "^"
        return (text, caret)
    }

    public static func render(_ text: String, at mark: Mark) -> (line: String, caret: String)? {
        render(SourceLines(text), at: mark)
    }
}
