import Foundation
import HandoffState
import HandoffTestSupport
import HandoffTime
import PagerDutySandbox
import Testing

/// `handoff state mv` and `handoff state rm` end to end: the built binary on a copy of the
/// quickstart, against its simulated PagerDuty.
@Suite("handoff state mv and state rm, end to end")
struct StateMoveCommandTests {
    static let now = "2026-11-23T10:00:00Z"

    private func edit(_ directory: URL, _ change: (String) -> String) throws {
        let file = directory.appendingPathComponent("handoff.yaml")
        try change(String(contentsOf: file, encoding: .utf8)).write(to: file, atomically: true, encoding: .utf8)
    }

    private func plan(_ directory: URL) async throws -> HandoffProcess.Output {
        try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--detailed-exitcode"], in: directory, timeout: 120)
    }

    @Test("rename a destination and forget another without a pull request: no PagerDuty call, and the next plan changes nothing")
    func moveAndRemove() async throws {
        let directory = try ExampleCopy.make("state-mv")
        defer { try? FileManager.default.removeItem(at: directory) }
        let apply = try await HandoffProcess.run(["apply", ".", "--now", Self.now, "--auto-approve"], in: directory, timeout: 120)
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        let exported = try ExampleCopy.overrides(directory)
        #expect(exported.count == 32)

        // Renamed in the configuration: without the move, the plan deletes and creates them all.
        try edit(directory) { $0.replacingOccurrences(of: "  platform-primary-pd:\n", with: "  platform-pd:\n") }
        let churn = try await plan(directory)
        #expect(churn.exitCode == 2)
        #expect(churn.standardOutput.hasSuffix("Plan: 11 to add, 11 to delete.\n"))

        let move = try await HandoffProcess.run(["state", "mv", "platform-primary-pd", "platform-pd"], in: directory, timeout: 60)
        #expect(move.exitCode == 0, "\(move.standardError)")
        #expect(move.standardError == "")
        #expect(move.standardOutput == "Moved destination platform-primary-pd to platform-pd in the local state .handoff/state.json (serial 2): its watermark and 11 owned overrides carry over. PagerDuty is unchanged.\n")
        #expect(try ExampleCopy.overrides(directory) == exported)
        let moved = try await plan(directory)
        #expect(moved.exitCode == 0, "\(moved.standardOutput)\(moved.standardError)")
        #expect(moved.standardOutput == "No changes. PagerDuty matches the configuration.\n")

        // Taken out of the configuration: without `state rm`, the plan deletes its overrides.
        try edit(directory) { text in
            guard let start = text.range(of: "  platform-secondary-pd:\n") else { return text }
            return String(text[..<start.lowerBound])
        }
        #expect(try await plan(directory).standardOutput.contains("\nPlan: 0 to add, 21 to delete."))
        let remove = try await HandoffProcess.run(["state", "rm", "platform-secondary-pd"], in: directory, timeout: 60)
        #expect(remove.exitCode == 0, "\(remove.standardError)")
        #expect(remove.standardError == "")
        #expect(remove.standardOutput == "Removed destination platform-secondary-pd from the local state .handoff/state.json (serial 3). Its 21 overrides stay in PagerDuty, and Handoff no longer manages them.\n")
        #expect(try ExampleCopy.overrides(directory) == exported)
        let after = try await plan(directory)
        #expect(after.exitCode == 0, "\(after.standardOutput)\(after.standardError)")

        let list = try await HandoffProcess.run(["state", "list"], in: directory, timeout: 60)
        #expect(list.standardOutput.contains("local state .handoff/state.json: serial 3"))
        #expect(list.standardOutput.contains("platform-pd: PagerDuty schedule PQSPRIM on demo, 11 owned overrides"))
        #expect(!list.standardOutput.contains("platform-secondary-pd"))
    }

    @Test("unknown names are clear errors with a suggestion; a taken or invalid new name is refused; nothing changes")
    func refusals() async throws {
        let directory = try ExampleCopy.make("state-mv")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try await HandoffProcess.run(["apply", ".", "--now", Self.now, "--auto-approve"], in: directory, timeout: 120).exitCode == 0)
        let state = try Data(contentsOf: directory.appendingPathComponent(".handoff/state.json"))
        let cases: [([String], String)] = [
            (["state", "mv", "platform-primry-pd", "platform-pd"],
             "error: destination \"platform-primry-pd\" is not in the local state .handoff/state.json; did you mean \"platform-primary-pd\"?\n"),
            (["state", "rm", "platform-secondry-pd"],
             "error: destination \"platform-secondry-pd\" is not in the local state .handoff/state.json; did you mean \"platform-secondary-pd\"?\n"),
            (["state", "mv", "platform-primary-pd", "platform-secondary-pd"],
             "error: the local state .handoff/state.json already holds destination \"platform-secondary-pd\"; forget it first with `handoff state rm platform-secondary-pd` (its overrides stay in PagerDuty), then move\n"),
            (["state", "mv", "platform-primary-pd", "new\u{1B}[2Jpd"],
             "error: \"new\\u{1B}[2Jpd\" is not a valid destination name; use ASCII letters, digits, \"-\", \"_\" and \".\", starting with a letter or digit\n"),
        ]
        for (arguments, expected) in cases {
            let output = try await HandoffProcess.run(arguments, in: directory, timeout: 60)
            #expect(output.exitCode == 1, "\(arguments)")
            #expect(output.standardError == expected)
            #expect(output.standardOutput == "")
        }
        #expect(try Data(contentsOf: directory.appendingPathComponent(".handoff/state.json")) == state)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".handoff/state.json.lock").path))

        // Moved to a name the configuration does not have: done, with a warning saying what the next plan would do.
        let move = try await HandoffProcess.run(["state", "mv", "platform-primary-pd", "elsewhere-pd"], in: directory, timeout: 60)
        #expect(move.exitCode == 0)
        #expect(move.standardError == "warning: destination \"elsewhere-pd\" is not in the configuration; rename it there too, or the next plan deletes its overrides as a removed destination's\n")
        let again = try await HandoffProcess.run(["state", "mv", "platform-primary-pd", "elsewhere-pd"], in: directory, timeout: 60)
        #expect(again.standardError == "error: destination \"platform-primary-pd\" is not in the local state .handoff/state.json; the state holds \"elsewhere-pd\" already, so it may have been moved before\n")

        // Another run holds the lock: refused, naming it, and nothing is written.
        let statePath = directory.appendingPathComponent(".handoff/state.json").path
        let held = try Data(contentsOf: URL(fileURLWithPath: statePath))
        let session = try await LocalStateStore(path: statePath, displayPath: ".handoff/state.json").acquire(LockHolder.current(operation: "apply", now: try #require(Instant(rfc3339: Self.now))), timeout: 0)
        let locked = try await HandoffProcess.run(["state", "rm", "platform-secondary-pd"], in: directory, timeout: 60)
        await session.release()
        #expect(locked.exitCode == 1)
        #expect(locked.standardError.hasPrefix("error: the state .handoff/state.json is locked by apply by "), "\(locked.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: statePath)) == held)
    }
}
