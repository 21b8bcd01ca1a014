import HandoffConfig
import HandoffTestSupport
import Testing
import YAMLNodes

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
