import SafeText
import Testing

@Suite("SafeText: untrusted text on one line, in HTML and in code blocks")
struct SafeTextTests {
    @Test("plain text is kept as it is", arguments: ["Alice Archer", "Zoë Ørsted <zoe@example.com>", "", "日本語の名前", "a\\u{1B} literal"])
    func plainTextIsKept(_ text: String) {
        #expect(SafeText.line(text) == text)
    }

    @Test("control, bidirectional and invisible characters become visible escapes")
    func controlCharactersAreEscaped() {
        #expect(SafeText.line("Eve\n```\n@org/all") == "Eve\\u{A}```\\u{A}@org/all")
        #expect(SafeText.line("\u{1B}]0;pwned\u{07}\u{1B}[31mred") == "\\u{1B}]0;pwned\\u{7}\\u{1B}[31mred")
        #expect(SafeText.line("a\u{0}b\u{7F}c\u{85}d\u{9B}e") == "a\\u{0}b\\u{7F}c\\u{85}d\\u{9B}e")
        #expect(SafeText.line("\u{202E}gnp.exe\u{2066}x\u{2069}\u{200B}\u{FEFF}\u{2028}") == "\\u{202E}gnp.exe\\u{2066}x\\u{2069}\\u{200B}\\u{FEFF}\\u{2028}")
        #expect(SafeText.line("tab\there\r") == "tab\\u{9}here\\u{D}")
    }

    @Test("every scalar: the result of line(_:) holds nothing unsafe")
    func lineIsSafeForEveryScalar() {
        var unsafe = 0
        for value in UInt32(0)...0x3000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "x" + String(Character(scalar)) + "y"
            let result = SafeText.line(text)
            #expect(!result.unicodeScalars.contains(where: SafeText.isUnsafe), "U+\(String(value, radix: 16)) survived")
            if SafeText.isUnsafe(scalar) { unsafe += 1 }
        }
        // C0 (32), DEL and C1 (33), and the marks and invisible characters listed in `isUnsafe`.
        #expect(unsafe == 32 + 33 + 3 + 1 + 7 + 16)
    }

    @Test("HTML: tags, attributes and entities cannot be opened or closed")
    func htmlEscapes() {
        #expect(SafeText.html("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;")
        #expect(SafeText.html("\"'&amp;") == "&quot;&#39;&amp;amp;")
        #expect(SafeText.html("</summary></details>\n# Approved") == "&lt;/summary&gt;&lt;/details&gt;\\u{A}# Approved")
    }

    @Test("a code block's fence is longer than any backtick run inside it")
    func codeBlockFence() {
        #expect(SafeText.codeBlock(["+ a", "- b"], info: "diff") == "```diff\n+ a\n- b\n```\n")
        let hostile = SafeText.codeBlock(["name ``````` end", "x\n```\n# Pwned"])
        #expect(hostile == "````````\nname ``````` end\nx\\u{A}```\\u{A}# Pwned\n````````\n")
        // The block is exactly its lines: nothing inside starts or ends a fence of its length.
        let lines = hostile.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5 && lines[0] == lines[3] && lines[4].isEmpty)
    }

    @Test("a list reads as a sentence: one item, two with and, more with commas and a last and")
    func list() {
        #expect(SafeText.list([]) == "")
        #expect(SafeText.list(["Alice"]) == "Alice")
        #expect(SafeText.list(["Alice", "Bob"]) == "Alice and Bob")
        #expect(SafeText.list(["Alice", "Bob", "Carol"]) == "Alice, Bob and Carol")
    }
}
