import Foundation
import HandoffConfig
import HandoffTestSupport
import Testing
import YAMLNodes

/// One configuration and the exact diagnostics it must produce, each at a marker.
struct DiagnosticCase: CustomTestStringConvertible, Sendable {
    var name: String
    var files: [(String, String)]
    var expected: [(path: String, marker: String, severity: Diagnostic.Severity, message: String)]

    var testDescription: String { name }

    /// A case with one file, `handoff.yaml`, whose markers locate the expected diagnostics.
    init(_ name: String, _ text: String, _ expected: [(String, Diagnostic.Severity, String)]) {
        self.name = name
        self.files = [("handoff.yaml", text)]
        self.expected = expected.map { ("handoff.yaml", $0.0, $0.1, $0.2) }
    }

    init(_ name: String, files: [(String, String)], _ expected: [(String, String, Diagnostic.Severity, String)]) {
        self.name = name
        self.files = files
        self.expected = expected.map { ($0.0, $0.1, $0.2, $0.3) }
    }
}

@Suite("Configuration diagnostics: every message, exactly, at its place")
struct DiagnosticTests {
    static let base = """
        people:
          alice: { email: alice@example.com }
          bob: { email: bob@example.com }
          carol: { email: carol@example.com }
        connections:
          acme: { type: pagerduty, token_env: PAGERDUTY_TOKEN }

        """

    static let cases: [DiagnosticCase] = [
        // MARK: top level
        DiagnosticCase("the root must be a mapping", "1️⃣- a\n- b\n", [
            ("1️⃣", .error, "a configuration file must be a mapping of top-level keys (version, state, freeze, connections, people, schedules, destinations, moved, removed), not a list"),
        ]),
        DiagnosticCase("unknown top-level key with a suggestion", "version: 1\n1️⃣schedule: {}\n", [
            ("1️⃣", .error, "unknown key \"schedule\" in the top level; did you mean \"schedules\"?"),
        ]),
        DiagnosticCase("unsupported version", "version: 1️⃣2\n", [
            ("1️⃣", .error, "configuration version 2 is not supported; this Handoff reads version 1"),
        ]),
        DiagnosticCase("version must be a number", "version: 1️⃣one\n", [
            ("1️⃣", .error, "\"version\" must be a whole number, not \"one\""),
        ]),
        // MARK: state
        DiagnosticCase("unknown state backend", "state:\n  backend: 1️⃣s3\n", [
            ("1️⃣", .error, "\"backend\" must be \"local\" or \"postgres\", not \"s3\""),
        ]),
        DiagnosticCase("postgres keys on a local backend", "state:\n  backend: local\n  1️⃣url_env: DB\n", [
            ("1️⃣", .error, "\"url_env\" applies to the postgres state backend only"),
        ]),
        DiagnosticCase("path on a postgres backend", "state:\n  backend: postgres\n  1️⃣path: x.json\n", [
            ("1️⃣", .error, "\"path\" applies to the local state backend only"),
        ]),
        DiagnosticCase("state set in two files", files: [
            ("a.yaml", "state: { path: a.json }\n"),
            ("b.yaml", "state: 1️⃣{ path: b.json }\n"),
        ], [
            ("b.yaml", "1️⃣", .error, "\"state\" is set twice; it is already set at a.yaml:1:8"),
        ]),
        // MARK: connections
        DiagnosticCase("connection without a type", "connections:\n  1️⃣acme: { token_env: X }\n", [
            ("1️⃣", .error, "connection \"acme\" is missing \"type\""),
        ]),
        DiagnosticCase("unknown connection type with a suggestion", "connections:\n  acme: { type: 1️⃣pagerduti, token_env: X }\n", [
            ("1️⃣", .error, "\"type\" must be \"pagerduty\" or \"sandbox\", not \"pagerduti\"; did you mean \"pagerduty\"?"),
        ]),
        DiagnosticCase("a key written in the configuration", "connections:\n  acme:\n    type: pagerduty\n    token_env: X\n    1️⃣token: u+abcdef\n", [
            ("1️⃣", .error, "a PagerDuty key is never written in the configuration; put it in an environment variable and name that variable with \"token_env\""),
        ]),
        DiagnosticCase("pagerduty connection without token_env", "connections:\n  1️⃣acme: { type: pagerduty }\n", [
            ("1️⃣", .error, "connection \"acme\" is missing \"token_env\""),
        ]),
        DiagnosticCase("token_env that is not a variable name", "connections:\n  acme: { type: pagerduty, token_env: 1️⃣\"my token\" }\n", [
            ("1️⃣", .error, "\"token_env\" must name an environment variable (letters, digits and _), not \"my token\""),
        ]),
        DiagnosticCase("plain http to a remote host", "connections:\n  acme: { type: pagerduty, token_env: X, api_url: 1️⃣\"http://api.pagerduty.com\" }\n", [
            ("1️⃣", .error, "connection \"acme\": \"api_url\" uses http:// to api.pagerduty.com; the key is sent over https:// only, except to a loopback address"),
        ]),
        DiagnosticCase("sandbox keys on a pagerduty connection", "connections:\n  acme: { type: pagerduty, token_env: X, 1️⃣data: x.json }\n", [
            ("1️⃣", .error, "\"data\" applies to sandbox connections only"),
        ]),
        DiagnosticCase("token_env on a sandbox", "connections:\n  demo: { type: sandbox, 1️⃣token_env: X }\n", [
            ("1️⃣", .error, "\"token_env\" applies to pagerduty connections only; a sandbox needs no key"),
        ]),
        DiagnosticCase("unknown connection key", "connections:\n  acme: { type: pagerduty, token_env: X, 1️⃣api_ulr: \"https://x\" }\n", [
            ("1️⃣", .error, "unknown key \"api_ulr\" in connection \"acme\"; did you mean \"api_url\"?"),
        ]),
        // MARK: people
        DiagnosticCase("person without an e-mail", "people:\n  1️⃣alice: { name: Alice }\n", [
            ("1️⃣", .error, "person \"alice\" is missing \"email\""),
        ]),
        DiagnosticCase("not an e-mail address", "people:\n  alice: { email: 1️⃣alice-at-example }\n", [
            ("1️⃣", .error, "\"alice-at-example\" is not an e-mail address"),
        ]),
        DiagnosticCase("invalid person name", "people:\n  1️⃣\"al ice\": { email: a@example.com }\n", [
            ("1️⃣", .error, "\"al ice\" is not a valid person name; use ASCII letters, digits, \"-\", \"_\" and \".\", starting with a letter or digit"),
        ]),
        DiagnosticCase("two people with one address", files: [
            ("base.yaml", base),
            ("handoff.yaml", """
                schedules:
                  s: { time_zone: UTC, rotation: { members: [alice, bob, carol, dave], start: 2026-11-02T09:00, turn: 1w } }
                people:
                  1️⃣dave: { email: Alice@Example.com }

                """),
        ], [
            ("handoff.yaml", "1️⃣", .error, "dave has the same e-mail address as alice (base.yaml:2:3); each person needs an address of their own"),
        ]),
        // MARK: schedules
        DiagnosticCase("schedule without a time zone", base + "schedules:\n  1️⃣s: { rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w } }\n", [
            ("1️⃣", .error, "schedule \"s\" is missing \"time_zone\""),
        ]),
        DiagnosticCase("unknown time zone with a suggestion", base + "schedules:\n  s:\n    time_zone: 1️⃣America/New_Yrok\n    rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }\n", [
            ("1️⃣", .error, "unknown time zone \"America/New_Yrok\"; did you mean \"America/New_York\"?"),
        ]),
        DiagnosticCase("Foundation's loose zone names are not IANA names", base + "schedules:\n  s:\n    time_zone: 1️⃣GMT+5\n    rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }\n", [
            ("1️⃣", .error, "unknown time zone \"GMT+5\""),
        ]),
        DiagnosticCase("schedule without a rotation", base + "schedules:\n  1️⃣s: { time_zone: UTC }\n", [
            ("1️⃣", .error, "schedule \"s\" is missing \"rotation\""),
        ]),
        DiagnosticCase("an empty rotation", base + "schedules:\n  s:\n    time_zone: UTC\n    rotation: { members: 1️⃣[], start: 2026-11-02T09:00, turn: 1w }\n", [
            ("1️⃣", .error, "the rotation of schedule \"s\" has no members; list at least one person"),
        ]),
        DiagnosticCase("a member who is not defined, with a suggestion", base.replacingOccurrences(of: "  bob:", with: "  2️⃣bob:") + "schedules:\n  s:\n    time_zone: UTC\n    rotation: { members: [alice, 1️⃣bobb, carol], start: 2026-11-02T09:00, turn: 1w }\n", [
            ("1️⃣", .error, "schedule \"s\" names \"bobb\" as a member, but no person \"bobb\" is defined under \"people\"; did you mean \"bob\"?"),
            ("2️⃣", .warning, "bob is never on call: no rotation lists them and no cover assigns them"),
        ]),
        DiagnosticCase("a turn that is not a duration", base + "schedules:\n  s:\n    time_zone: UTC\n    rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1️⃣1y }\n", [
            ("1️⃣", .error, "\"turn\" must be a duration such as \"30m\", \"12h\", \"1d\" or \"2w\", not \"1y\""),
        ]),
        DiagnosticCase("a turn shorter than 30 minutes", base + "schedules:\n  s:\n    time_zone: UTC\n    rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1️⃣10m }\n", [
            ("1️⃣", .error, "a turn must last from 30m to 52w, not 10m"),
        ]),
        DiagnosticCase("a start that is not a date and time", base + "schedules:\n  s:\n    time_zone: UTC\n    rotation: { members: [alice, bob, carol], start: 1️⃣2026-11-02, turn: 1w }\n", [
            ("1️⃣", .error, "\"start\" must be a date and time such as 2026-11-02T09:00, not \"2026-11-02\""),
        ]),
        DiagnosticCase("a horizon over two years", base + "schedules:\n  s:\n    time_zone: UTC\n    horizon: 1️⃣105w\n    rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }\n", [
            ("1️⃣", .error, "horizon 105w is longer than the limit of 2 years (730d)"),
        ]),
        DiagnosticCase("an unknown schedule key", base + "schedules:\n  s:\n    time_zone: UTC\n    1️⃣horizn: 8w\n    rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }\n", [
            ("1️⃣", .error, "unknown key \"horizn\" in schedule \"s\"; did you mean \"horizon\"?"),
        ]),
        DiagnosticCase("a coverage day that is not a day", base + """
            schedules:
              s:
                time_zone: UTC
                rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
                coverage:
                  - { days: [mon, 1️⃣thr], from: "09:00", to: "17:00" }

            """, [
            ("1️⃣", .error, "\"thr\" is not a day; use mon, tue, wed, thu, fri, sat or sun; did you mean \"thu\"?"),
        ]),
        DiagnosticCase("a coverage time that is not a time", base + """
            schedules:
              s:
                time_zone: UTC
                rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
                coverage:
                  - { from: 1️⃣"9am", to: "17:00" }

            """, [
            ("1️⃣", .error, "\"from\" must be a time of day such as \"09:00\" (00:00 to 24:00), not \"9am\""),
        ]),
        DiagnosticCase("a zero-length coverage window is a warning", base + """
            schedules:
              s:
                time_zone: UTC
                rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
                coverage:
                  - 1️⃣{ from: "09:00", to: "09:00" }
                  - { from: "10:00", to: "17:00" }

            """, [
            ("1️⃣", .warning, "coverage window from 09:00 to 09:00 has zero length and covers nothing"),
        ]),
        DiagnosticCase("time off that ends before it starts", base + """
            schedules:
              s:
                time_zone: UTC
                rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
                time_off:
                  - { person: carol, from: 2026-12-04, until: 1️⃣2026-12-01 }

            """, [
            ("1️⃣", .error, "\"until\" (2026-12-01) must be after \"from\" (2026-12-04)"),
        ]),
        DiagnosticCase("time off for someone who is not a member", files: [("base.yaml", base), ("handoff.yaml", """
            people:
              dave: { email: dave@example.com }
            schedules:
              s:
                time_zone: UTC
                rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
                time_off:
                  - { person: 1️⃣dave, from: 2026-12-01, until: 2026-12-04 }
              t:
                time_zone: UTC
                rotation: { members: [dave], start: 2026-11-02T09:00, turn: 1w }

            """)], [
            ("handoff.yaml", "1️⃣", .error, "dave is not a member of the rotation of schedule \"s\"; time off matters only for members"),
        ]),
        DiagnosticCase("overlapping covers", base + """
            schedules:
              s:
                time_zone: UTC
                rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
                assignments:
                  - { person: bob, from: 2026-12-24T09:00, until: 2026-12-27T09:00 }
                  - 1️⃣{ person: alice, from: 2026-12-26T09:00, until: 2026-12-28T09:00 }

            """, [
            ("1️⃣", .error, "this cover of alice (2026-12-26T09:00 to 2026-12-28T09:00) overlaps the cover of bob at line 12 (2026-12-24T09:00 to 2026-12-27T09:00); covers of one schedule must not overlap"),
        ]),
        DiagnosticCase("a swap that names no turn start", base + """
            schedules:
              s:
                time_zone: Europe/Berlin
                rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
                swaps:
                  - [2026-12-07T09:00, 1️⃣2026-12-15T09:00]

            """, [
            ("1️⃣", .error, "2026-12-15T09:00 is not the start of a turn of schedule \"s\"; the nearest turns start at 2026-12-14T09:00 and 2026-12-21T09:00"),
        ]),
        DiagnosticCase("a swap before the rotation starts", base + """
            schedules:
              s:
                time_zone: Europe/Berlin
                rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
                swaps:
                  - [1️⃣2026-10-26T09:00, 2026-11-02T09:00]

            """, [
            ("1️⃣", .error, "2026-10-26T09:00 is before the rotation of schedule \"s\" starts (2026-11-02T09:00)"),
        ]),
        DiagnosticCase("a swap of a turn with itself", base + """
            schedules:
              s:
                time_zone: Europe/Berlin
                rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
                swaps:
                  - [2026-11-09T09:00, 1️⃣2026-11-09T09:00]

            """, [
            ("1️⃣", .error, "a swap must name two different turns, but both are 2026-11-09T09:00"),
        ]),
        DiagnosticCase("the same turn in two swaps is an error at the second swap", base + """
            schedules:
              s:
                time_zone: Europe/Berlin
                rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
                swaps:
                  - [2026-11-09T09:00, 2026-11-16T09:00]
                  - [2026-11-23T09:00, 1️⃣2026-11-09T09:00]
                  - [2️⃣2026-11-16T09:00, 2026-11-23T09:00]

            """, [
            ("1️⃣", .error, "the turn starting 2026-11-09T09:00 is already swapped at line 12; a turn can take part in one swap only"),
            ("2️⃣", .error, "the turn starting 2026-11-16T09:00 is already swapped at line 12; a turn can take part in one swap only"),
        ]),
        DiagnosticCase("a rotation change that is not later", base + """
            schedules:
              s:
                time_zone: Europe/Berlin
                rotation:
                  members: [alice, bob, carol]
                  start: 2026-11-02T09:00
                  turn: 1w
                  changes:
                    - { from: 1️⃣2026-10-26T09:00, members: [alice, bob] }

            """, [
            ("1️⃣", .error, "a rotation change from 2026-10-26T09:00 must be later than the start of the rotation before it (2026-11-02T09:00)"),
        ]),
        DiagnosticCase("a rotation change that is not a turn start", base + """
            schedules:
              s:
                time_zone: Europe/Berlin
                rotation:
                  members: [alice, bob, carol]
                  start: 2026-11-02T09:00
                  turn: 1w
                  changes:
                    - { from: 1️⃣2027-01-05T09:00, members: [alice, bob] }

            """, [
            ("1️⃣", .error, "a rotation change from 2027-01-05T09:00 is not the start of a turn of the rotation before it; the nearest turns start at 2027-01-04T09:00 and 2027-01-11T09:00"),
        ]),
        // MARK: destinations
        DiagnosticCase("destination missing its PagerDuty schedule", base + """
            schedules:
              s: { time_zone: UTC, rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w } }
            destinations:
              1️⃣d: { schedule: s, connection: acme }

            """, [
            ("1️⃣", .error, "destination \"d\" is missing \"pagerduty_schedule\""),
        ]),
        DiagnosticCase("dangling schedule and connection", base + """
            schedules:
              primary: { time_zone: UTC, rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w } }
            destinations:
              d: { schedule: 1️⃣primry, connection: 2️⃣acmee, pagerduty_schedule: PABC123 }

            """, [
            ("1️⃣", .error, "destination \"d\" uses schedule \"primry\", which is not defined; did you mean \"primary\"?"),
            ("2️⃣", .error, "destination \"d\" uses connection \"acmee\", which is not defined; did you mean \"acme\"?"),
        ]),
        DiagnosticCase("an invalid PagerDuty schedule id", base + """
            schedules:
              s: { time_zone: UTC, rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w } }
            destinations:
              d: { schedule: s, connection: acme, pagerduty_schedule: 1️⃣"https://acme.pagerduty.com/schedules/PABC123" }

            """, [
            ("1️⃣", .error, "\"pagerduty_schedule\" must be a PagerDuty schedule id such as PABC123, not \"https://acme.pagerduty.com/schedules/PABC123\""),
        ]),
        DiagnosticCase("a blank or overlong PagerDuty rotation", base + """
            schedules:
              s: { time_zone: UTC, rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w } }
            destinations:
              d: { schedule: s, connection: acme, pagerduty_schedule: P1, pagerduty_rotation: 1️⃣"  " }
              e: { schedule: s, connection: acme, pagerduty_schedule: P2, pagerduty_rotation: 2️⃣\(String(repeating: "r", count: 201)) }

            """, [
            ("1️⃣", .error, "\"pagerduty_rotation\" must be the id or name of a rotation of the PagerDuty schedule, at most 200 characters"),
            ("2️⃣", .error, "\"pagerduty_rotation\" must be the id or name of a rotation of the PagerDuty schedule, at most 200 characters"),
        ]),
        DiagnosticCase("an unknown manual_changes mode", base + """
            schedules:
              s: { time_zone: UTC, rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w } }
            destinations:
              d: { schedule: s, connection: acme, pagerduty_schedule: P1, manual_changes: 1️⃣revrt }

            """, [
            ("1️⃣", .error, "\"manual_changes\" must be \"keep\" or \"revert\", not \"revrt\"; did you mean \"revert\"?"),
        ]),
        DiagnosticCase("two destinations overwriting each other", base + """
            schedules:
              europe:
                time_zone: Europe/Berlin
                rotation: { members: [alice, bob], start: 2026-11-02T08:00, turn: 1w }
                coverage: [{ from: "08:00", to: "17:00" }]
              americas:
                time_zone: America/New_York
                rotation: { members: [carol], start: 2026-11-02T08:00, turn: 1w }
                coverage: [{ from: "08:00", to: "17:00" }]
            destinations:
              europe-pd: { schedule: europe, connection: acme, pagerduty_schedule: PFTS001 }
              1️⃣americas-pd: { schedule: americas, connection: acme, pagerduty_schedule: PFTS001 }

            """, [
            ("1️⃣", .error, "destinations \"europe-pd\" and \"americas-pd\" both write PagerDuty schedule PFTS001 through connection \"acme\", and their coverage overlaps (first at Mon 2026-11-02 14:00 +01:00, schedule \"europe\"'s time)"),
        ]),
        // MARK: across files
        DiagnosticCase("a name defined in two files", files: [
            ("a.yaml", base + "schedules:\n  s: { time_zone: UTC, rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w } }\n"),
            ("teams/b.yaml", "schedules:\n  1️⃣s: { time_zone: UTC, rotation: { members: [alice], start: 2026-11-02T09:00, turn: 1w } }\n"),
        ], [
            ("teams/b.yaml", "1️⃣", .error, "schedule \"s\" is defined twice; it is already defined at a.yaml:8:3"),
        ]),
        DiagnosticCase("someone who is never on call is a warning", files: [("base.yaml", base), ("handoff.yaml", """
            people:
              1️⃣dave: { email: dave@example.com }
            schedules:
              s: { time_zone: UTC, rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w } }

            """)], [
            ("handoff.yaml", "1️⃣", .warning, "dave is never on call: no rotation lists them and no cover assigns them"),
        ]),
    ]

    @Test(arguments: cases)
    func diagnostic(_ testCase: DiagnosticCase) {
        let marked = testCase.files.map { ($0.0, MarkedText($0.1)) }
        let loaded = ConfigFixtures.load(marked.map { ($0.0, $0.1.text) })
        let expected = testCase.expected.map { item -> Diagnostic in
            let text = marked.first { $0.0 == item.path }?.1
            let mark = text?.marks[item.marker] ?? Mark(line: 0, column: 0)
            return Diagnostic(item.severity, item.message, at: SourceLocation(path: item.path, start: mark))
        }
        // Compare messages and starting places; ranges and details are checked elsewhere.
        let actual = loaded.diagnostics.map { diagnostic -> Diagnostic in
            var copy = diagnostic
            copy.location?.end = nil
            copy.detail = nil
            return copy
        }
        #expect(actual == expected.sortedByLocation())
        #expect((loaded.configuration == nil) == expected.contains { $0.severity == .error })
    }
}
