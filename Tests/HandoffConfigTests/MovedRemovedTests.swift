import HandoffConfig
import HandoffTestSupport
import Testing
import YAMLNodes

/// Two destinations on two PagerDuty schedules, from line 7 after `DiagnosticTests.base`:
/// `primary-pd` is declared at 10:3, `secondary-pd` at 11:3; what a case adds starts at line 12.
private let destinations = DiagnosticTests.base + """
    schedules:
      s: { time_zone: UTC, rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w } }
    destinations:
      primary-pd: { schedule: s, connection: acme, pagerduty_schedule: PABC123 }
      secondary-pd: { schedule: s, connection: acme, pagerduty_schedule: PDEF456 }

    """

/// `moved:` and `removed:` (issue 13 item 4): every problem, at its place, in one run.
@Suite("Configuration: moved and removed destinations")
struct MovedRemovedTests {
    static let cases: [DiagnosticCase] = [
        DiagnosticCase("a moved entry whose old name is still configured and whose new name is not", destinations + """
            moved:
              - { from: 1️⃣primary-pd, to: 2️⃣secondry-pd }

            """, [
            ("1️⃣", .error, "destination \"primary-pd\" is moved to \"secondry-pd\", but \"primary-pd\" is still configured (at handoff.yaml:10:3); a moved entry names the old name, which is no longer configured"),
            ("2️⃣", .error, "destination \"primary-pd\" is moved to \"secondry-pd\", but no destination \"secondry-pd\" is configured; did you mean \"secondary-pd\"?"),
        ]),
        DiagnosticCase("moved entries: unknown and missing keys, names moved twice, names that are not names", destinations + """
            moved:
              - { from: old-a, to: primary-pd, 1️⃣form: x }
              - 2️⃣{ to: secondary-pd }
              - { from: 3️⃣old-a, to: 4️⃣primary-pd }
              - { from: 5️⃣"bad name", to: secondary-pd }
              - { from: 6️⃣"old\\a", to: secondary-pd }
              - { from: secondary-pd, to: 7️⃣secondary-pd }

            """, [
            ("1️⃣", .error, "unknown key \"form\" in a moved entry; did you mean \"from\"?"),
            ("2️⃣", .error, "a moved entry is missing \"from\""),
            ("3️⃣", .error, "destination \"old-a\" is moved twice; it is already moved at handoff.yaml:13:13"),
            ("4️⃣", .error, "two moved entries lead to destination \"primary-pd\"; the other is at handoff.yaml:13:24"),
            ("5️⃣", .error, "\"from\" must be a destination name (ASCII letters, digits, \"-\", \"_\" and \".\", starting with a letter or digit), not \"bad name\""),
            ("6️⃣", .error, "\"from\" must not hold control or bidirectional formatting characters, but holds U+0007"),
            ("7️⃣", .error, "a moved entry must name two different destinations, but both are \"secondary-pd\""),
        ]),
        DiagnosticCase("removed entries: still configured, not a yes or no, missing, twice, and both moved and removed", destinations + """
            removed:
              - { destination: 1️⃣primary-pd, keep_overrides: true }
              - { destination: gone-pd, keep_overrides: 2️⃣yes }
              - 3️⃣{ destination: gone-pd }
              - { destination: old-pd, keep_overrides: false }
              - { destination: 4️⃣old-pd, keep_overrides: true }
              - { destination: 5️⃣moved-pd, keep_overrides: false }
              - { destination: gone-pd, keep_overrides: 6️⃣"true", 7️⃣keep: true }
            moved:
              - { from: moved-pd, to: primary-pd }

            """, [
            ("1️⃣", .error, "destination \"primary-pd\" is removed, but it is still configured (at handoff.yaml:10:3); take it out of \"destinations\" or drop this entry"),
            ("2️⃣", .error, "\"keep_overrides\" must be true or false, not \"yes\""),
            ("3️⃣", .error, "a removed entry is missing \"keep_overrides\""),
            ("4️⃣", .error, "destination \"old-pd\" is removed twice; it is already removed at handoff.yaml:16:20"),
            ("5️⃣", .error, "destination \"moved-pd\" is both moved (at handoff.yaml:21:13) and removed; a destination is either renamed or let go of"),
            ("6️⃣", .error, "\"keep_overrides\" must be true or false, not \"true\""),
            ("7️⃣", .error, "unknown key \"keep\" in a removed entry"),
        ]),
        DiagnosticCase("moved and removed must be lists", destinations + "moved: 1️⃣{ from: a, to: primary-pd }\nremoved: 2️⃣old-pd\n", [
            ("1️⃣", .error, "\"moved\" must be a list, not a mapping"),
            ("2️⃣", .error, "\"removed\" must be a list, not \"old-pd\""),
        ]),
        DiagnosticCase("a key given twice in a moved entry", destinations + "moved:\n  - { from: old-a, 1️⃣from: old-b, to: primary-pd }\n", [
            ("1️⃣", .error, "duplicate key \"from\"; it is already defined at line 13"),
        ]),
    ]

    @Test(arguments: cases)
    func diagnostic(_ testCase: DiagnosticCase) {
        DiagnosticTests().diagnostic(testCase)
    }

    @Test("valid entries reach the model, in file order")
    func decoded() throws {
        let loaded = ConfigFixtures.load(destinations + """
            moved:
              - { from: old-primary, to: primary-pd }
            removed:
              - { destination: legacy-pd, keep_overrides: true }
              - { destination: older-pd, keep_overrides: false }

            """)
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        let configuration = try #require(loaded.configuration)
        #expect(configuration.moves.map { [$0.from, $0.to] } == [["old-primary", "primary-pd"]])
        #expect(configuration.move(to: "primary-pd")?.from == "old-primary")
        #expect(configuration.removals.map(\.destination) == ["legacy-pd", "older-pd"])
        #expect(configuration.destinationsForgotten == ["legacy-pd"])
    }

    @Test("a destination let go of with its overrides kept needs no connection any more; one whose overrides go still does")
    func stateUsage() throws {
        let configuration = try #require(ConfigFixtures.load(ConfigFixtures.minimal + """
            removed:
              - { destination: old-pd, keep_overrides: true }
              - { destination: older-pd, keep_overrides: false }

            """).configuration)
        let diagnostics = ConfigurationValidator.checkStateUsage(
            configuration,
            usage: [StateUsage(destination: "old-pd", connection: "legacy"), StateUsage(destination: "older-pd", connection: "legacy")],
            statePath: ".handoff/state.json"
        )
        #expect(diagnostics.map(\.message) == [
            "connection \"legacy\" is removed, but the state (.handoff/state.json) still holds overrides exported through it by destination \"older-pd\""
        ])
    }
}
