import Foundation
import HandoffTestSupport
import PagerDutySandbox
import Testing

/// The freeze from the built `handoff` (issue 13, item 1): a change of announced shifts fails
/// plan and apply with exit 1 before anything is written; the flag accepts it.
@Suite("handoff plan and apply refuse changes of announced shifts, end to end")
struct FreezeCommandTests {
    static let now = "2026-11-23T10:00:00Z"

    /// The overrides the simulated PagerDuty holds.
    private func overrides(_ directory: URL) throws -> [String] {
        try ExampleCopy.overrides(directory).map { "\($0.id) \($0.scheduleID) \($0.start) \($0.end) \($0.userID)" }.sorted()
    }

    @Test("appending grace to the quickstart's primary rotation: plan and apply exit 1 and write nothing; --allow-frozen-changes accepts it, and its saved plan applies without the flag")
    func appendRefused() async throws {
        let directory = try ExampleCopy.make("freeze")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await HandoffProcess.run(["apply", ".", "--now", Self.now, "--auto-approve"], in: directory)
        #expect(first.exitCode == 0)
        let file = directory.appendingPathComponent("handoff.yaml")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "      members: [alice, bob, carol]\n", with: "      members: [alice, bob, carol, grace]\n")
            .replacingOccurrences(of: "  frank: { name: Frank Fox,    email: frank@example.com }\n", with: "  frank: { name: Frank Fox,    email: frank@example.com }\n  grace: { name: Grace Green, email: grace@example.com }\n")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let exported = try overrides(directory)

        let later = "2026-11-23T10:05:00Z"
        let plan = try await HandoffProcess.run(["plan", ".", "--now", later], in: directory)
        #expect(plan.exitCode == 1)
        #expect(plan.standardOutput.isEmpty)
        #expect(plan.standardError.hasPrefix("error: the configuration changes who is on call for schedule \"platform-primary\" within its freeze of 1w"))
        #expect(plan.standardError.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1)
        #expect(plan.standardError.contains("    Mon 2026-11-23 11:05 → Mon 2026-11-30 09:00 +01:00  Alice Archer <alice@example.com> → Grace Green <grace@example.com>\n"))
        #expect(plan.standardError.contains("put the rotation at handoff.yaml:30 back as it was"))
        #expect(plan.standardError.contains("\n        - { from: 2026-12-14T09:00, members: [alice, bob, carol, grace], turn: 1w }\n"))

        let apply = try await HandoffProcess.run(["apply", ".", "--now", later, "--auto-approve"], in: directory)
        #expect(apply.exitCode == 1)
        #expect(apply.standardError == plan.standardError)
        #expect(try overrides(directory) == exported, "nothing was written to PagerDuty")

        let allowed = try await HandoffProcess.run(["plan", ".", "--now", later, "--allow-frozen-changes", "--out", "frozen.plan"], in: directory)
        #expect(allowed.exitCode == 0)
        #expect(allowed.standardOutput.hasPrefix("! Announced shifts change hands, as --allow-frozen-changes allows: 2 changes within the freeze of schedule \"platform-primary\".\n"))
        let json = try await HandoffProcess.run(["show", "frozen.plan", "--format", "json"], in: directory)
        #expect(json.standardOutput.contains("\"frozen_changes_allowed\": true"))
        let applied = try await HandoffProcess.run(["apply", "frozen.plan", "--auto-approve"], in: directory)
        #expect(applied.exitCode == 0)
        #expect(applied.standardOutput.hasPrefix("! Announced shifts change hands"))
        #expect(try overrides(directory) != exported)
        let again = try await HandoffProcess.run(["plan", ".", "--now", later, "--detailed-exitcode"], in: directory)
        #expect(again.exitCode == 0)
    }
}
