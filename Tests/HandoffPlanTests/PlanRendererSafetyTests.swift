import Foundation
import HandoffPlan
import HandoffTestSupport
import HandoffTime
import OrderedJSON
import SafeText
import Testing

/// Names, e-mails, identifiers and reasons in a plan come from a pull request or from PagerDuty.
/// Whatever they hold, the text plan keeps one line per action with nothing invisible, and the
/// Markdown plan keeps its structure: code blocks nobody can close, HTML nobody can open.
@Suite("Plan renderers with hostile names (fuzz)")
struct PlanRendererSafetyTests {
    private static let pieces: [String] = [
        "\n", "\r\n", "```", "~~~", "`", "<", ">", "&", "\"", "'", "@org/everyone", "[click](https://evil.example)",
        "\u{1B}[31m", "\u{1B}]8;;https://evil.example\u{07}", "\u{1B}]0;title\u{1B}\\", "\u{9B}2J", "\u{202E}", "\u{2066}",
        "\u{0}", "\u{7F}", "</code>", "</summary></details>", "<img src=x onerror=alert(1)>", "# Approved", "| a | b |",
        "Alice", "Zoë", "日本", " ", "-", "+ override", ":tada:", "\\", "\u{200B}", "\u{FEFF}", "\u{2028}",
    ]

    private static func hostile(_ random: inout SeededRandom) -> String {
        var text = ""
        for _ in 0..<random.int(in: 0...8) { text += random.pick(pieces) }
        return text
    }

    fileprivate static func plan(_ random: inout SeededRandom) -> Plan {
        let base = Instant(secondsSinceEpoch: 1_795_348_800)
        var destinations: [DestinationPlan] = []
        for index in 0..<random.int(in: 1...4) {
            var actions: [PlanAction] = []
            for number in 0..<Int64(random.int(in: 1...6)) {
                let kind: PlanAction.Kind = random.pick(PlanAction.Kind.allCases)
                let reason: PlanAction.Reason? = random.chance(0.5) ? random.pick(PlanReasonSamples.action(from: base)) : nil
                actions.append(PlanAction(
                    kind: kind, start: base.adding(seconds: number * 3600), end: base.adding(seconds: (number + 1) * 3600),
                    userID: hostile(&random), person: hostile(&random), email: hostile(&random),
                    overrideID: hostile(&random), reason: reason
                ))
            }
            let name = "d\(index)" + hostile(&random)
            let zone = random.chance(0.5) ? "Europe/Berlin" : hostile(&random)
            let watermark: Instant? = random.chance(0.5) ? base.adding(seconds: 7200) : nil
            var handovers: [Handover] = []
            let reasons: [Handover.Reason] = [.swap, .memberLeft, .rotationChange(from: base), .coverageChanged, .exported]
            for number in 0..<Int64(random.int(in: 0...3)) {
                func holder() -> Handover.Holder? {
                    random.chance(0.2) ? nil : Handover.Holder(
                        userID: hostile(&random), person: hostile(&random), name: hostile(&random), email: hostile(&random),
                        rotationID: random.chance(0.5) ? hostile(&random) : nil
                    )
                }
                let range = InstantRange(start: base.adding(seconds: number * 3600), end: base.adding(seconds: (number + 1) * 3600))
                handovers.append(Handover(range: range, before: holder(), after: holder(), why: random.pick(reasons), containsNow: number == 0))
            }
            destinations.append(DestinationPlan(
                name: name, connection: hostile(&random), destinationSchedule: hostile(&random), timeZone: zone,
                watermarkBefore: nil, watermarkAfter: watermark, actions: actions, removed: random.chance(0.2), liveFingerprint: "",
                handovers: handovers
            ))
        }
        return Plan(now: base, destinations: destinations, stateLineage: nil, stateSerial: 0)
    }

    @Test("text: one line per action, no control or invisible character", arguments: 0..<4)
    func textStaysOnItsLines(_ seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &* 7919 &+ 17)
        for _ in 0..<100 {
            let plan = Self.plan(&random)
            let text = PlanRenderer.text(plan)
            #expect(!text.unicodeScalars.contains { $0 != "\n" && SafeText.isUnsafe($0) })
            let lines = text.split(separator: "\n")
            let summary = plan.summary
            let changed = plan.destinations.filter(\.hasChanges)
            #expect(lines.filter { $0.hasPrefix("  + override") }.count == (changed.isEmpty ? 0 : summary.create))
            #expect(lines.filter { $0.hasPrefix("  - override") }.count == (changed.isEmpty ? 0 : summary.delete))
            #expect(lines.filter { $0.hasPrefix("  ! ") }.count == summary.kept + summary.drift)
            let outside = plan.destinations.filter { !$0.actions(.keep).isEmpty || !$0.actions(.drift).isEmpty }
            #expect(lines.filter { $0.hasPrefix("  # destination") }.count == changed.count + outside.count)
            #expect(lines.filter { $0.hasPrefix("  ~ ") && $0.contains(" → ") && !$0.hasPrefix("  ~ watermark") }.count >= changed.map(\.handovers.count).reduce(0, +))
            let headings = ["Changed outside Handoff:", "Handoff will perform the following actions:", "Plan: ", "No changes."]
            for line in lines where !line.hasPrefix("  ") {
                #expect(headings.contains { line.hasPrefix($0) }, "\(line)")
            }
        }
    }

    @Test("markdown: every code block closes where Handoff closes it; no HTML, mention or link escapes", arguments: 0..<4)
    func markdownKeepsItsStructure(_ seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &* 104_729 &+ 3)
        for _ in 0..<100 {
            let plan = Self.plan(&random)
            let markdown = PlanRenderer.markdown(plan)
            #expect(!markdown.unicodeScalars.contains { $0 != "\n" && SafeText.isUnsafe($0) })
            let blocks = CommonMarkFences.split(markdown)
            // Each changed destination has a code block with its handovers (and trailer), and one
            // with its action lines; the "changed outside" part has one per destination with kept
            // or drift actions.
            let changed = plan.destinations.filter(\.hasChanges)
            let outside = plan.destinations.filter { !$0.actions(.keep).isEmpty || !$0.actions(.drift).isEmpty }
            var expected: [Int] = []
            for destination in changed {
                let notices = destination.handovers.count + (destination.removed || destination.watermarkMoves ? 1 : 0)
                if notices > 0 { expected.append(notices) }
                let shown = destination.actions.filter { [.create, .move, .delete, .adopt].contains($0.kind) }.count
                if shown > 0 { expected.append(shown) }
            }
            #expect(Array(blocks.code.map(\.count).prefix(expected.count)) == expected)
            #expect(blocks.code.count == expected.count + outside.count)
            #expect(blocks.unclosed == false)
            // Outside code: only Handoff's own tags, and anything taken from input inside <code>.
            for line in blocks.prose {
                var rest = String(line)
                for tag in ["<details>", "</details>", "<summary>", "</summary>", "<b>", "</b>", "<p>", "</p>"] {
                    rest = rest.replacingOccurrences(of: tag, with: "")
                }
                let outsideCode = CommonMarkFences.removingCodeSpans(rest)
                #expect(!outsideCode.contains("<") && !outsideCode.contains("@") && !outsideCode.contains("]("), "\(line)")
            }
        }
    }
}

extension PlanRendererSafetyTests {
    @Test("markdown too long for a comment: the overview table keeps its rows and cells; nothing taken from input escapes <code>", arguments: 0..<4)
    func overviewKeepsItsStructure(_ seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &* 31 &+ 5)
        for _ in 0..<100 {
            let plan = Self.plan(&random)
            let markdown = PlanRenderer.markdown(plan, maxSize: 400)
            guard markdown.contains("| Destination |") else { continue }
            #expect(!markdown.unicodeScalars.contains { $0 != "\n" && SafeText.isUnsafe($0) })
            #expect(CommonMarkFences.split(markdown).code.isEmpty)
            for line in markdown.split(separator: "\n") where line.hasPrefix("| <code>") {
                // Five cells: no pipe from input splits one.
                #expect(line.filter { $0 == "|" }.count == 6, "\(line)")
                var rest = CommonMarkFences.removingCodeSpans(String(line)).replacingOccurrences(of: "<br>", with: "")
                rest = rest.replacingOccurrences(of: "**(on call now)**", with: "")
                #expect(!rest.contains("<") && !rest.contains("@") && !rest.contains("](") && !rest.contains("`"), "\(line)")
            }
        }
    }

    @Test("json: nothing unsafe raw, and every string reads back exactly as it was", arguments: 0..<2)
    func jsonEscapesAndRoundTrips(_ seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed) &+ 99)
        for _ in 0..<100 {
            let plan = Self.plan(&random)
            let json = PlanRenderer.json(plan).serialized()
            #expect(!json.unicodeScalars.contains { $0 != "\n" && SafeText.isUnsafe($0) })
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let destinations = try #require(document["destinations"] as? [[String: Any]])
            #expect(destinations.compactMap { $0["name"] as? String } == plan.destinations.map(\.name))
            let people = destinations.flatMap { ($0["actions"] as? [[String: Any]] ?? []).compactMap { $0["person"] as? String } }
            #expect(people == plan.destinations.flatMap { $0.actions.map(\.person) })
        }
    }
}

/// An independent reading of CommonMark's fenced code blocks (spec 4.5), enough to tell which
/// lines a renderer puts inside code and which it leaves to Markdown.
enum CommonMarkFences {
    static func split(_ markdown: String) -> (code: [[Substring]], prose: [Substring], unclosed: Bool) {
        var code: [[Substring]] = []
        var prose: [Substring] = []
        var open: (character: Character, length: Int)?
        var current: [Substring] = []
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            let fenceCharacter = trimmed.first
            let run = trimmed.prefix { $0 == fenceCharacter }.count
            if let fence = open {
                if indent < 4, fenceCharacter == fence.character, run >= fence.length, trimmed.dropFirst(run).allSatisfy({ $0 == " " }) {
                    code.append(current)
                    current = []
                    open = nil
                } else {
                    current.append(line)
                }
            } else if indent < 4, let character = fenceCharacter, character == "`" || character == "~", run >= 3,
                character == "~" || !trimmed.dropFirst(run).contains("`")
            {
                open = (character, run)
            } else {
                prose.append(line)
            }
        }
        return (code, prose, open != nil)
    }

    /// The line without its `<code>…</code>` spans, whose text GitHub neither links nor mentions.
    static func removingCodeSpans(_ line: String) -> String {
        var result = ""
        var rest = Substring(line)
        while let start = rest.range(of: "<code>") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].range(of: "</code>") else { return result + "<unclosed code>" }
            rest = rest[end.upperBound...]
        }
        return result + rest
    }
}
