import Foundation
import HandoffTestSupport
import PagerDuty
import PagerDutySandbox
import Testing

/// `handoff import` of a shift-based schedule as a user runs it: the kind is found out per id,
/// `--all` takes both kinds, and the file written validates.
@Suite("handoff import of shift-based schedules, end to end")
struct ShiftBasedImportCommandTests {
    @Test("--schedule with a shift-based id and --all with both kinds write configuration that validates")
    func command() async throws {
        var seed = ShiftBasedImportAgreementTests.seed
        seed.schedules += ImportTests.seed.schedules.filter { $0.id == "PWEEKLY" }
        try await SandboxHarness.with(now: ImportTests.now, seed: seed) { sandbox in
            let directory = try Self.configurationDirectory(sandbox)
            defer { try? FileManager.default.removeItem(at: directory) }

            let one = try await HandoffProcess.run(
                ["import", "--connection", "acme", "--schedule", "PV3WEEK", "--schedule", "PWEEKLY", "--out", "teams/one.yaml", "--now", Self.now], in: directory, environment: Self.environment
            )
            #expect(one.exitCode == 0, "\(one.standardError)")
            #expect(one.standardError.hasSuffix("Imported 2 PagerDuty schedules: 2 schedules, 2 destinations, 3 new people. Run `handoff validate` and `handoff plan` to review.\n"), "\(one.standardError)")
            let text = try String(contentsOf: directory.appendingPathComponent("teams/one.yaml"), encoding: .utf8)
            #expect(text.contains("# PagerDuty schedule PV3WEEK \"Platform shifts\" (Europe/Berlin), shift-based, 1 rotation.\n# PagerDuty schedule PWEEKLY"), "\(text)")
            let validate = try await HandoffProcess.run(["validate", "."], in: directory)
            #expect(validate.standardOutput == "Configuration is valid: 2 schedules, 2 destinations, 1 connection.\n", "\(validate.standardOutput)\(validate.standardError)")

            let all = try await HandoffProcess.run(["import", "--connection", "acme", "--all", "--out", "all/", "--now", Self.now], in: directory, environment: Self.environment)
            #expect(all.exitCode == 0, "\(all.standardError)")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("all").path).sorted()
            #expect(files == ["pagerduty-pv3days.yaml", "pagerduty-pv3nite.yaml", "pagerduty-pv3week.yaml", "pagerduty-pweekly.yaml"], "\(files)")
        }
    }

    @Test("a roster change by a successor event is written as one schedule with its change, a two-rotation schedule with destinations naming their rotations, and the file plans")
    func successorAndRotations() async throws {
        try await SandboxHarness.with(now: ImportTests.now, seed: ShiftBasedImportAgreementTests.changeSeed) { sandbox in
            let directory = try Self.configurationDirectory(sandbox)
            defer { try? FileManager.default.removeItem(at: directory) }
            let rotations = try await sandbox.withClient { client in try await client.v3Schedule(id: "PV3TWO").rotations.map(\.id) }
            try #require(rotations.count == 2)

            let run = try await HandoffProcess.run(
                ["import", "--connection", "acme", "--schedule", "PV3ROST", "--schedule", "PV3TWO", "--out", "teams/shifts.yaml", "--now", Self.now], in: directory, environment: Self.environment
            )
            #expect(run.exitCode == 0, "\(run.standardError)")
            let text = try String(contentsOf: directory.appendingPathComponent("teams/shifts.yaml"), encoding: .utf8)
            #expect(text.contains("""
                  # Event "Weekly" (
                """), "\(text)")
            #expect(text.contains("""
                  roster:
                    time_zone: Europe/Berlin
                    rotation:
                      members: [alice, bob, carol]
                      start: 2026-10-05T09:00
                      turn: 1w
                      changes:
                        - { from: 2026-11-02T09:00, members: [erin, alice, dave] }
                    horizon: 8w
                """), "\(text)")
            #expect(text.contains("follows it from 2026-11-02T08:00:00Z in PagerDuty: the change from 2026-11-02T09:00.\n"), "\(text)")
            #expect(text.contains("  # Note: the change lists its members from the one PagerDuty puts on call at 2026-11-02T09:00 (PagerDuty's order: dave, erin, alice).\n"), "\(text)")
            #expect(text.contains("""
                destinations:
                  roster-pd: { schedule: roster, connection: acme, pagerduty_schedule: PV3ROST }
                  two-rotations-business-hours-pd: { schedule: two-rotations-business-hours, connection: acme, pagerduty_schedule: PV3TWO, pagerduty_rotation: \(rotations[0]) }
                  two-rotations-nights-pd: { schedule: two-rotations-nights, connection: acme, pagerduty_schedule: PV3TWO, pagerduty_rotation: \(rotations[1]) }

                """), "\(text)")
            let validate = try await HandoffProcess.run(["validate", "."], in: directory)
            #expect(validate.standardOutput == "Configuration is valid: 3 schedules, 3 destinations, 1 connection.\n", "\(validate.standardOutput)\(validate.standardError)")
            // The plan reads both schedules: no "several rotations" error, changes to make.
            let plan = try await HandoffProcess.run(["plan", ".", "--detailed-exitcode", "--now", Self.now], in: directory, environment: Self.environment)
            #expect(plan.exitCode == 2, "\(plan.standardOutput)\(plan.standardError)")
            #expect(!plan.standardError.contains("rotations ("), "\(plan.standardError)")
            #expect(plan.standardOutput.contains("PagerDuty schedule PV3TWO (shift-based)"), "\(plan.standardOutput)")
        }
    }

    /// The instant every run of this suite takes as now, and the read-only key it reads with.
    private static let now = "2026-10-12T00:00:00Z"
    private static let environment = ["HANDOFF_TEST_TOKEN": SandboxHarness.readOnlyKey]

    /// A new folder holding a configuration with one connection to `sandbox`, for `import` to add to.
    private static func configurationDirectory(_ sandbox: SandboxHarness) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-import-v3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "version: 1\nconnections:\n  acme: { type: pagerduty, token_env: HANDOFF_TEST_TOKEN, api_url: \"\(sandbox.baseURL)\" }\n"
            .write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        return directory
    }
}
