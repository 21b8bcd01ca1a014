import Testing
import YAMLNodes
import SafeText

/// Input is hostile: what the loader prints of it is bounded and escaped (issue 12, items 4 and 10).
@Suite("Hostile text in excerpts and messages")
struct HostileTextTests {
    @Test("an excerpt of a long line is a window around the column, with the caret under it")
    func longLineWindow() throws {
        let line = String(repeating: "a", count: 1_000_000) + "X" + String(repeating: "b", count: 1_000_000)
        let excerpt = try #require(SourceExcerpt.render(line + "\n", at: Mark(line: 1, column: 1_000_001)))
        #expect(excerpt.line.unicodeScalars.count <= SourceExcerpt.width + 2)
        #expect(excerpt.line.hasPrefix("…"))
        #expect(excerpt.line.hasSuffix("…"))
        let caretColumn = try #require(excerpt.caret.firstIndex(of: "^")).utf16Offset(in: excerpt.caret)
        #expect(Array(excerpt.line.unicodeScalars)[caretColumn] == "X")
        #expect(excerpt.caret.count <= SourceExcerpt.width + 2)
    }

    @Test("a short line is shown whole, and the start of a long line is not cut")
    func shortAndStart() throws {
        let short = try #require(SourceExcerpt.render("key: value\n", at: Mark(line: 1, column: 6)))
        #expect(short.line == "key: value")
        #expect(short.caret == "     ^")
        let long = try #require(SourceExcerpt.render(String(repeating: "c", count: 500), at: Mark(line: 1, column: 3)))
        #expect(long.line == String(repeating: "c", count: SourceExcerpt.width) + "…")
        #expect(long.caret == "  ^")
        // A mark past the end of a long line shows the end of the line.
        let past = try #require(SourceExcerpt.render(String(repeating: "d", count: 500), at: Mark(line: 1, column: 502)))
        #expect(past.line.hasPrefix("…"))
        #expect(past.line.unicodeScalars.count <= SourceExcerpt.width + 2)
        #expect(past.caret.count <= SourceExcerpt.width + 2)
    }

    @Test("control characters and terminal escapes in the excerpt are escaped, the caret stays aligned")
    func escapedExcerpt() throws {
        let text = "name: \u{1B}]8;;http://x\u{07}\u{1B}[31mred \u{202E}evil\u{7F}: x\n"
        let lastColon = Array(text.unicodeScalars).lastIndex(of: ":")! + 1
        let excerpt = try #require(SourceExcerpt.render(text, at: Mark(line: 1, column: lastColon)))
        #expect(excerpt.line == #"name: \u{1B}]8;;http://x\u{7}\u{1B}[31mred \u{202E}evil\u{7F}: x"#)
        #expect(!excerpt.line.unicodeScalars.contains { SafeText.isUnsafe($0) })
        let caretColumn = try #require(excerpt.caret.firstIndex(of: "^")).utf16Offset(in: excerpt.caret)
        #expect(Array(excerpt.line.unicodeScalars)[caretColumn] == ":")
    }

    @Test("messages quote values escaped and cut")
    func quotedValues() {
        #expect(SafeText.excerpt("a\u{1B}[2Jb") == #"a\u{1B}[2Jb"#)
        #expect(SafeText.excerpt(String(repeating: "z", count: 100)) == String(repeating: "z", count: 64) + "…")
        let result = YAMLLoader.load("\"k\\e[31m\": 1\n\"k\\e[31m\": 2\n", path: "test.yaml")
        #expect(result.errors.map(\.message) == [#"duplicate key "k\u{1B}[31m"; it is already defined at line 1"#])
    }

    @Test("a large plain document names the node limit, not aliases")
    func nodeLimit() {
        let text = (0..<300).map { "k\($0): [1, 2, 3]\n" }.joined()
        let result = YAMLLoader.load(text, path: "test.yaml", limits: YAMLLimits(maxExpandedNodes: 1_000))
        #expect(result.errors.count == 1)
        #expect(
            result.errors.first?.message
                == "this document holds more than 1000 nodes (keys, values, lists and mappings), the node limit of the loader; split it into smaller files"
        )
    }
}
