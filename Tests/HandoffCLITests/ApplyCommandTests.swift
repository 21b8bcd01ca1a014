import Foundation
import HandoffTestSupport
import HandoffTime
import PagerDutySandbox
import Testing

/// plan and apply end to end: the built binary, on a copy of the quickstart with its in-process
/// simulated PagerDuty, at fixed instants.
@Suite("handoff plan and apply, end to end")
struct ApplyCommandTests {
    static let now = "2026-11-23T10:00:00Z"

    @Test("quickstart: plan, apply, plan again gives no changes; exit codes follow --detailed-exitcode")
    func journey() async throws {
        let directory = try ExampleCopy.make("quickstart")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--detailed-exitcode"], in: directory)
        #expect(plan.exitCode == 2)
        #expect(plan.standardOutput.hasPrefix("Handoff will perform the following actions:\n"))
        #expect(plan.standardOutput.hasSuffix("Plan: 32 to add, 0 to delete.\n"))

        let apply = try await HandoffProcess.run(["apply", ".", "--now", Self.now, "--auto-approve"], in: directory)
        #expect(apply.exitCode == 0)
        #expect(apply.standardOutput.hasSuffix("""
              platform-primary-pd: exported through Mon 2027-01-25 09:00 +01:00
              platform-secondary-pd: exported through Mon 2026-12-21 18:00 +01:00
            Apply complete! Overrides: 32 created, 0 deleted, 0 adopted.

            """))
        #expect(apply.standardError.contains("Applying: 2/2 requests"))

        let again = try await HandoffProcess.run(["plan", ".", "--now", "2026-11-23T10:04:00Z", "--detailed-exitcode"], in: directory)
        #expect(again.exitCode == 0)
        #expect(again.standardOutput == "No changes. PagerDuty matches the configuration.\n")

        let list = try await HandoffProcess.run(["state", "list"], in: directory)
        #expect(list.standardOutput.contains("platform-primary-pd: PagerDuty schedule PQSPRIM on demo, 11 owned overrides"))
    }

    @Test("a saved plan is applied exactly; a stale one is refused and changes nothing")
    func savedPlans() async throws {
        let directory = try ExampleCopy.make("quickstart")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--out", "first.plan"], in: directory)
        #expect(first.exitCode == 0)
        let second = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--out", "second.plan", "--format", "json"], in: directory)
        #expect(second.exitCode == 0)
        let shown = try await HandoffProcess.run(["show", "first.plan"], in: directory)
        #expect(shown.standardOutput == first.standardOutput)

        let applied = try await HandoffProcess.run(["apply", "first.plan", "--auto-approve"], in: directory)
        #expect(applied.exitCode == 0)
        #expect(applied.standardOutput.hasSuffix("Apply complete! Overrides: 32 created, 0 deleted, 0 adopted.\n"))

        let sandbox = directory.appendingPathComponent(".handoff/sandbox.json")
        let before = try Data(contentsOf: sandbox)
        let stale = try await HandoffProcess.run(["apply", "second.plan", "--auto-approve"], in: directory)
        #expect(stale.exitCode == 1)
        #expect(stale.standardError == "error: the saved plan is stale: it was made from state serial 0, and the state is now at serial 1; nothing was changed; make a new plan\n")
        #expect(try Data(contentsOf: sandbox) == before)

        // PagerDuty changed since the plan was made (someone added an override): refused too.
        let third = try await HandoffProcess.run(["plan", ".", "--now", "2026-11-23T11:00:00Z", "--out", "third.plan"], in: directory)
        #expect(third.exitCode == 0)
        var data = try JSONDecoder().decode(SandboxData.self, from: Data(contentsOf: sandbox))
        let user = try #require(data.users.first)
        data.counter += 1
        data.overrides.append(SandboxOverride(id: "QMANUAL0000001", scheduleID: "PQSPRIM", start: Instant(rfc3339: "2026-12-01T08:00:00Z")!, end: Instant(rfc3339: "2026-12-01T12:00:00Z")!, userID: user.id, sequence: data.counter))
        try JSONEncoder().encode(data).write(to: sandbox)
        let changed = try await HandoffProcess.run(["apply", "third.plan", "--auto-approve"], in: directory)
        #expect(changed.exitCode == 1)
        #expect(changed.standardError == "error: the saved plan is stale: the overrides of PagerDuty schedule PQSPRIM (destination platform-primary-pd) changed since it was made; nothing was changed; make a new plan\n")
    }

    @Test("without a terminal and without --auto-approve, apply refuses before doing anything")
    func needsApproval() async throws {
        let directory = try ExampleCopy.make("quickstart")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try await HandoffProcess.run(["apply", ".", "--now", Self.now], in: directory)
        #expect(output.exitCode == 1)
        #expect(output.standardError == "error: apply needs a confirmation, and there is no terminal to ask on; pass --auto-approve to apply without one (pipelines must say so explicitly)\n")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".handoff/state.json").path))
    }

    @Test("markdown and json plans for pull requests and programs")
    func formats() async throws {
        let directory = try ExampleCopy.make("quickstart")
        defer { try? FileManager.default.removeItem(at: directory) }
        let markdown = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--format", "markdown", "--destination", "platform-secondary-pd"], in: directory)
        #expect(markdown.exitCode == 0, "\(markdown.standardError)")
        #expect(markdown.standardOutput.hasPrefix("### Handoff plan: 21 to add, 0 to delete. Exported through Mon 2026-12-21 18:00 +01:00.\n"))
        #expect(markdown.standardOutput.contains("<p><b><code>platform-secondary-pd</code></b>"))
        #expect(markdown.standardOutput.contains("<details><summary>Overrides: 21 to add, 0 to delete</summary>"))
        let json = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--format", "json"], in: directory)
        #expect(json.exitCode == 0, "\(json.standardError)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(document["format_version"] as? String == "1")
        #expect(document["changes"] as? Bool == true)
        #expect((document["summary"] as? [String: Int])?["create"] == 32)
        let unknown = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--destination", "platform-primry-pd"], in: directory)
        #expect(unknown.exitCode == 1)
        #expect(unknown.standardError == "error: no destination \"platform-primry-pd\" in the configuration or the state; did you mean \"platform-primary-pd\"?\n")
    }
}
