import Foundation
@testable import HandoffCLI
import HandoffConfig
import HandoffDestination
import HandoffTestSupport
import HandoffTime
import Testing
import YAMLNodes

/// `handoff who --source pagerduty` and `handoff import --list` end to end: the built binary
/// against a simulated PagerDuty in this process holding a layer-based and a shift-based schedule
/// (`ShiftBasedFixture`), through a read-only key.
@Suite("what PagerDuty shows: who --source pagerduty, import --list")
struct PagerDutyReadCommandTests {
    private static let golden = (URL(fileURLWithPath: #filePath).deletingLastPathComponent().path as NSString).appendingPathComponent("Golden")
    private static let environment = ["HANDOFF_TEST_TOKEN": SandboxHarness.readOnlyKey]

    private func withFixture<T: Sendable>(extra: String = "", _ body: (URL) async throws -> T) async throws -> T {
        try await SandboxHarness.with(now: ShiftBasedFixture.now, seed: ShiftBasedFixture.seed) { sandbox in
            try await ShiftBasedFixture.prepare(sandbox)
            return try await ShiftBasedFixture.withConfiguration(sandbox, extra: extra, body)
        }
    }

    @Test("who --source pagerduty (golden, text and json): the layer-based schedule's final schedule with its override; the shift-based one's three concurrent on-calls, each with its source (two rotations, a custom shift), and the override on a rotation next; PagerDuty's names escaped")
    func who() async throws {
        try await withFixture { directory in
            for (format, suffix) in [("text", "txt"), ("json", "json")] {
                let output = try await HandoffProcess.run(
                    ["who", ".", "--source", "pagerduty", "--at", "2026-11-22T12:00:00Z", "--next", "4", "--format", format],
                    in: directory, environment: Self.environment
                )
                #expect(output.exitCode == 0, "\(output.standardError)")
                #expect(output.standardError.isEmpty, "\(output.standardError)")
                if let difference = Golden.check(output.standardOutput, name: "who-pagerduty.\(suffix)", folder: Self.golden) {
                    Issue.record(Comment(rawValue: difference))
                }
            }
        }
    }

    @Test("three people on call at once on the shift-based schedule, each named with its source; the hostile name reaches the terminal escaped, never raw")
    func concurrentAndEscaped() async throws {
        try await withFixture { directory in
            let output = try await HandoffProcess.run(
                ["who", ".", "--source", "pagerduty", "--destination", "shifts-pd", "--at", "2026-11-22T12:00:00Z", "--next", "2"],
                in: directory, environment: Self.environment
            )
            #expect(output.exitCode == 0, "\(output.standardError)")
            let lines = output.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.first?.hasPrefix("shifts-pd (PagerDuty schedule PSHIFT1, shift-based, Europe/Berlin)") == true, "\(output.standardOutput)")
            // The first three rows are on call now: both rotations and the custom shift.
            let current = lines.dropFirst().prefix(3)
            #expect(current.contains { $0.contains("Alice Archer <alice@example.com>") && $0.contains("  rotation ") }, "\(output.standardOutput)")
            #expect(current.contains { $0.contains("Carol Clark <carol@example.com>") && $0.contains("  rotation ") }, "\(output.standardOutput)")
            #expect(current.contains { $0.contains("Bob Brown <bob@example.com>") && $0.contains("  custom shift ") }, "\(output.standardOutput)")
            #expect(!output.standardOutput.contains("\u{1B}"))
            #expect(!output.standardOutput.contains("\u{7}"))
            #expect(!output.standardOutput.contains("\nforged"))
            #expect(output.standardOutput.contains("Mallory \\u{1B}[31mMoss\\u{7}\\u{A}forged: line <mallory@example.com>"), "\(output.standardOutput)")
        }
    }

    @Test("a destination PagerDuty does not know is one error sentence with its location, exit 1; the others are still shown")
    func unknownSchedule() async throws {
        try await withFixture(extra: "  missing-pd: { schedule: layered, connection: acme, pagerduty_schedule: PNOPE00 }\n") { directory in
            let output = try await HandoffProcess.run(
                ["who", ".", "--source", "pagerduty", "--schedule", "layered", "--at", "2026-11-22T12:00:00Z", "--next", "0"],
                in: directory, environment: Self.environment
            )
            #expect(output.exitCode == 1)
            #expect(output.standardOutput.hasPrefix("layered-pd (PagerDuty schedule PLAYER1, layer-based, Europe/Berlin)\n"), "\(output.standardOutput)")
            #expect(!output.standardOutput.contains("missing-pd"))
            #expect(
                output.standardError
                    == "error: destination \"missing-pd\" (handoff.yaml:19:3) cannot be read from PagerDuty: no such PagerDuty schedule PNOPE00 on connection \"acme\" (neither the layer-based nor the shift-based API knows it)\n",
                "\(output.standardError)"
            )
        }
    }

    @Test("--destination goes with --source pagerduty, --report with the configuration; an unknown destination is named with a suggestion")
    func usage() async throws {
        let withoutSource = try await HandoffProcess.run(["who", "examples/quickstart", "--destination", "platform-primary-pd"])
        #expect(withoutSource.exitCode == 64)
        #expect(withoutSource.standardError.hasPrefix("error: --destination goes with --source pagerduty\n"), "\(withoutSource.standardError)")
        let report = try await HandoffProcess.run(["who", "examples/quickstart", "--source", "pagerduty", "--report"])
        #expect(report.exitCode == 64)
        #expect(report.standardError.hasPrefix("error: --report goes with --source configuration"), "\(report.standardError)")
        try await withFixture { directory in
            let unknown = try await HandoffProcess.run(["who", ".", "--source", "pagerduty", "--destination", "shift-pd"], in: directory, environment: Self.environment)
            #expect(unknown.exitCode == 1)
            #expect(unknown.standardError == "error: no destination \"shift-pd\" in the configuration; did you mean \"shifts-pd\"?\n", "\(unknown.standardError)")
        }
    }

    @Test("import --list shows both kinds together, each row with its kind; json carries kind and layers or rotations; the shift-based name is escaped")
    func importList() async throws {
        try await withFixture { directory in
            let text = try await HandoffProcess.run(["import", "--connection", "acme", "--list"], in: directory, environment: Self.environment)
            #expect(text.exitCode == 0, "\(text.standardError)")
            #expect(text.standardOutput == """
                PLAYER1  Layered                  Europe/Berlin  layer-based, 1 layer, 2 members
                PSHIFT1  "Shifts \\e]0;owned\\x07"  Europe/Berlin  shift-based, 2 rotations, 4 members

                """, "\(text.standardOutput)")
            #expect(!text.standardOutput.contains("\u{1B}"))
            let json = try await HandoffProcess.run(["import", "--connection", "acme", "--list", "--format", "json"], in: directory, environment: Self.environment)
            #expect(json.exitCode == 0, "\(json.standardError)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
            let schedules = try #require(document["schedules"] as? [[String: Any]])
            #expect(schedules.count == 2)
            #expect(schedules.contains { $0["id"] as? String == "PLAYER1" && $0["kind"] as? String == "layer-based" && $0["layers"] as? Int == 1 && $0["members"] as? Int == 2 })
            #expect(schedules.contains {
                $0["id"] as? String == "PSHIFT1" && $0["kind"] as? String == "shift-based" && $0["rotations"] as? Int == 2 && $0["members"] as? Int == 4
                    && $0["name"] as? String == ShiftBasedFixture.shiftBasedName && $0["time_zone"] as? String == "Europe/Berlin"
            })
        }
    }
}

/// The text of `who --source pagerduty` for what the simulated schedules above do not show.
@Suite("who --source pagerduty, text")
struct PagerDutyWhoTextTests {
    @Test("nobody on call, a vacant seat, a user PagerDuty no longer has and one not looked up are each said in words; ids escaped")
    func words() throws {
        let destination = Destination(
            name: "shifts-pd", schedule: "shifts", connection: "acme", pagerDutySchedule: "PSHIFT1", location: SourceLocation(path: "handoff.yaml", line: 1, column: 1)
        )
        let start = Instant(secondsSinceEpoch: 1_795_348_800)
        func entry(_ user: String?, _ source: OnCallSource) -> OnCallEntry {
            OnCallEntry(start: start, end: start.adding(seconds: 3600), userID: user, source: source)
        }
        let view = PagerDutyView(
            destination: destination, kind: "shift-based", zone: .utc, current: [],
            upcoming: [
                ShownEntry(entry: entry(nil, .rotation(id: "R1")), user: nil),
                ShownEntry(entry: entry("PGONE\u{1B}", .customShift(id: "C\n1")), user: .some(nil)),
                ShownEntry(entry: entry("PLATER1", .other("shadow")), user: nil),
            ]
        )
        #expect(WhoCommand.pagerDutyText([view]) == """
            shifts-pd (PagerDuty schedule PSHIFT1, shift-based, UTC)
              on call  nobody
              next     nobody (unassigned)                  Sun 2026-11-22 12:00 → Sun 2026-11-22 13:00 +00:00  rotation R1
                       user PGONE\\u{1B} (not in PagerDuty)  Sun 2026-11-22 12:00 → Sun 2026-11-22 13:00 +00:00  custom shift C\\u{A}1
                       user PLATER1                         Sun 2026-11-22 12:00 → Sun 2026-11-22 13:00 +00:00  source shadow

            """)
    }
}
