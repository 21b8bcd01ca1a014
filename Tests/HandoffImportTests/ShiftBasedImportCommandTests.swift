import Foundation
import HandoffTestSupport
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
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-import-v3-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            try "version: 1\nconnections:\n  acme: { type: pagerduty, token_env: HANDOFF_TEST_TOKEN, api_url: \"\(sandbox.baseURL)\" }\n"
                .write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let environment = ["HANDOFF_TEST_TOKEN": SandboxHarness.readOnlyKey]
            let now = "2026-10-12T00:00:00Z"

            let one = try await HandoffProcess.run(
                ["import", "--connection", "acme", "--schedule", "PV3WEEK", "--schedule", "PWEEKLY", "--out", "teams/one.yaml", "--now", now], in: directory, environment: environment
            )
            #expect(one.exitCode == 0, "\(one.standardError)")
            #expect(one.standardError.hasSuffix("Imported 2 PagerDuty schedules: 2 schedules, 2 destinations, 3 new people. Run `handoff validate` and `handoff plan` to review.\n"), "\(one.standardError)")
            let text = try String(contentsOf: directory.appendingPathComponent("teams/one.yaml"), encoding: .utf8)
            #expect(text.contains("# PagerDuty schedule PV3WEEK \"Platform shifts\" (Europe/Berlin), shift-based, 1 rotation.\n# PagerDuty schedule PWEEKLY"), "\(text)")
            let validate = try await HandoffProcess.run(["validate", "."], in: directory)
            #expect(validate.standardOutput == "Configuration is valid: 2 schedules, 2 destinations, 1 connection.\n", "\(validate.standardOutput)\(validate.standardError)")

            let all = try await HandoffProcess.run(["import", "--connection", "acme", "--all", "--out", "all/", "--now", now], in: directory, environment: environment)
            #expect(all.exitCode == 0, "\(all.standardError)")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("all").path).sorted()
            #expect(files == ["pagerduty-pv3days.yaml", "pagerduty-pv3nite.yaml", "pagerduty-pv3week.yaml", "pagerduty-pweekly.yaml"], "\(files)")
        }
    }
}
