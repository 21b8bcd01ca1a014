import Foundation
import HandoffConfig
import HandoffTestSupport
import Testing
import YAMLNodes
import SafeText

/// Feeds the loader and decoder many generated and mutated documents: every one must end in a
/// configuration or in located diagnostics, never in a crash, a hang or an unlocated error.
@Suite("Robustness")
struct RobustnessTests {
    static let seeds = [ConfigFixtures.minimal, DecodingTests.designExample]

    static let fragments = [
        ":", "- ", "[", "]", "{", "}", "&a ", "*a", "<<: *a\n", "!!str ", "\t", "\n", "  ", "#", "'", "\"", "|\n", ">-\n",
        "---\n", "...\n", "? ", ",", "%YAML 1.1\n", "~", "null", "yes", "2026-13-45T99:99", "\u{FEFF}", "ü", "🙂",
        "members: []\n", "turn: 0w\n", "time_zone: Nowhere/Land\n", "&x [*x]", "*undefined",
    ]

    /// Ten seconds of parsing in a debug build: it runs on a thread of its own, so that it does not
    /// hold one of Swift concurrency's few threads (two on a small runner) that the tests talking
    /// to the simulated PagerDuty need; its findings come back as values to check here.
    @Test("10,000 mutated documents end in a configuration or in located diagnostics")
    func mutatedDocuments() async throws {
        let (configurations, problems) = try await HandoffProcess.offPool { Self.feedMutatedDocuments(10_000) }
        #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        // Most mutations break a document, but not all: the generator really exercises both outcomes.
        #expect(configurations > 100)
        #expect(configurations < 9_000)
    }

    /// How many documents loaded, and what went wrong with the others.
    private static func feedMutatedDocuments(_ count: Int) -> (configurations: Int, problems: [String]) {
        var random = SeededRandom(seed: 0x48414E44_4F4646)
        var configurations = 0
        var problems: [String] = []
        for iteration in 0..<count {
            var bytes = Array(random.pick(Self.seeds).utf8)
            for _ in 0..<random.int(in: 1...4) {
                mutate(&bytes, random: &random)
            }
            let loaded = ConfigurationLoader.load(files: [("fuzz.yaml", bytes)], directory: ".")
            if loaded.configuration != nil {
                configurations += 1
                if loaded.diagnostics.hasErrors { problems.append("input \(iteration): a configuration and errors") }
            } else if !loaded.diagnostics.hasErrors {
                problems.append("input \(iteration) failed without an error")
            }
            let lineCount = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
            for diagnostic in loaded.diagnostics {
                guard let location = diagnostic.location else {
                    problems.append("input \(iteration): unlocated diagnostic \(diagnostic)")
                    continue
                }
                if !(location.line >= 1 && location.line <= lineCount + 1 && location.column >= 1) {
                    problems.append("input \(iteration): \(diagnostic) is outside the document")
                }
            }
        }
        return (configurations, problems)
    }

    // MARK: - Hostile text

    /// Raw control characters, terminal escapes and bidirectional overrides, and the YAML escapes
    /// that produce them inside double-quoted strings.
    static let hostileFragments = [
        "\u{1B}[31m", "\u{1B}]8;;https://evil.example\u{07}", "\u{1B}]0;title\u{07}", "\u{1B}[2J", "\u{00}", "\u{07}", "\u{08}",
        "\r", "\u{7F}", "\u{85}", "\u{9B}", "\u{202E}", "\u{2066}", "\u{2028}", "\u{200F}", "\t", "\n```\n",
        #"\e[31m"#, #"\e]0;x\a"#, #"\0"#, #"\x1b"#, #"\u202E"#, #"\a"#, #"\x85"#, #"\N"#, #"\_"#, #"\L"#,
    ]

    /// Configurations with control characters, escapes and long lines: no crash, a bounded
    /// rendering of every diagnostic, and no raw control character in anything printed (tabs are
    /// kept in source excerpts, where they line the caret up, and newlines end lines).
    @Test("1,000 configurations with control characters, escapes and long lines render short, escaped diagnostics")
    func hostileText() async throws {
        let problems = try await HandoffProcess.offPool { Self.feedHostileText(1_000) }
        #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
    }

    private static func feedHostileText(_ count: Int) -> [String] {
        var random = SeededRandom(seed: 0x1B5B_3331_6D07)
        var problems: [String] = []
        var rejected = 0
        for iteration in 0..<count {
            var lines = ConfigFixtures.minimal.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for _ in 0..<random.int(in: 1...3) {
                let line = random.int(in: 0..<lines.count)
                switch random.int(in: 0..<4) {
                case 0:  // a raw fragment anywhere in a line
                    var scalars = Array(lines[line].unicodeScalars)
                    let at = random.int(in: 0...scalars.count)
                    scalars.insert(contentsOf: random.pick(Self.hostileFragments).unicodeScalars, at: at)
                    lines[line] = String(String.UnicodeScalarView(scalars))
                case 1:  // a value replaced by a double-quoted string of escapes and fragments
                    guard let colon = lines[line].range(of: ": ") else { continue }
                    let junk = (0..<random.int(in: 1...4)).map { _ in random.pick(Self.hostileFragments + ["a", "Alice", "@example.com"]) }
                    lines[line] = String(lines[line][..<colon.upperBound]) + "\"" + junk.joined().replacingOccurrences(of: "\"", with: "") + "\""
                case 2:  // a key that is all escapes
                    lines.insert("\"" + random.pick(Self.hostileFragments) + "key\": 1", at: line)
                default:  // a long line, sometimes of hostile characters
                    let unit = random.chance(0.5) ? "x" : random.pick(Self.hostileFragments)
                    let length = random.chance(0.03) ? 200_000 : random.int(in: 200...5_000)
                    let long = String(repeating: unit, count: length / max(1, unit.count))
                    lines[line] += random.chance(0.5) ? long : " # " + long
                }
            }
            let loaded = ConfigFixtures.load(lines.joined(separator: "\n"))
            if loaded.diagnostics.hasErrors { rejected += 1 }
            for rendered in renderedDiagnostics(loaded) {
                if rendered.utf8.count > 4_096 {
                    problems.append("input \(iteration): a diagnostic renders as \(rendered.utf8.count) bytes")
                }
                if let raw = rendered.unicodeScalars.first(where: { SafeText.isUnsafe($0) && $0 != "\n" && $0 != "\t" }) {
                    problems.append("input \(iteration): a raw \(SafeText.codePoint(raw)) in \(SafeText.line(String(rendered.prefix(300))))")
                }
            }
            if loaded.configuration == nil, !loaded.diagnostics.hasErrors {
                problems.append("input \(iteration) failed without an error")
            }
        }
        // The generator really produces hostile input: most of it is refused.
        if rejected < count / 2 { problems.append("only \(rejected) of \(count) inputs were rejected") }
        return problems
    }

    private static func mutate(_ bytes: inout [UInt8], random: inout SeededRandom) {
        guard !bytes.isEmpty else {
            bytes = Array(random.pick(Self.fragments).utf8)
            return
        }
        let position = random.int(in: 0..<bytes.count)
        switch random.int(in: 0..<7) {
        case 0:  // delete a span
            let end = min(bytes.count, position + random.int(in: 1...12))
            bytes.removeSubrange(position..<end)
        case 1:  // insert a YAML-significant fragment
            bytes.insert(contentsOf: Array(random.pick(Self.fragments).utf8), at: position)
        case 2:  // insert a random byte, sometimes invalid UTF-8
            bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
        case 3:  // duplicate a line
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            let line = random.int(in: 0..<lines.count)
            var copy = lines.map(Array.init)
            copy.insert(copy[line], at: line)
            bytes = Array(copy.joined(separator: [UInt8(ascii: "\n")]))
        case 4:  // change the indentation of a line
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
            var copy = lines
            let line = random.int(in: 0..<lines.count)
            if random.chance(0.5) {
                copy[line].insert(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: random.int(in: 1...3)), at: 0)
            } else {
                copy[line] = Array(copy[line].drop { $0 == UInt8(ascii: " ") })
            }
            bytes = Array(copy.joined(separator: [UInt8(ascii: "\n")]))
        case 5:  // swap two lines
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
            let a = random.int(in: 0..<lines.count)
            let b = random.int(in: 0..<lines.count)
            lines.swapAt(a, b)
            bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        default:  // replace a character with a digit or a letter
            bytes[position] = random.pick(Array("0123456789abcxyz:".utf8))
        }
    }
}
