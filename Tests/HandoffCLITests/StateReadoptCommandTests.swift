import Foundation
import HandoffTestSupport
import PagerDutySandbox
import Testing

/// `handoff state readopt` end to end: the built binary on a copy of the quickstart, against its
/// simulated PagerDuty.
@Suite("handoff state readopt, end to end")
struct StateReadoptCommandTests {
    static let now = "2026-11-23T10:00:00Z"

    @Test("readopt forgets a destination's records without asking PagerDuty; the next plan adopts every override and creates none; applied, the plan after is clean")
    func readopt() async throws {
        let directory = try ExampleCopy.make("state-readopt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let apply = try await HandoffProcess.run(["apply", ".", "--now", Self.now, "--auto-approve"], in: directory, timeout: 120)
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        let exported = try ExampleCopy.overrides(directory)

        // The simulated PagerDuty cannot even be read while the command runs: it must not need it.
        let data = try Data(contentsOf: ExampleCopy.sandboxFile(directory))
        try Data("not a sandbox".utf8).write(to: ExampleCopy.sandboxFile(directory))
        let readopt = try await HandoffProcess.run(["state", "readopt", "platform-primary-pd"], in: directory, timeout: 60)
        #expect(try Data(contentsOf: ExampleCopy.sandboxFile(directory)) == Data("not a sandbox".utf8))
        try data.write(to: ExampleCopy.sandboxFile(directory))
        #expect(readopt.exitCode == 0, "\(readopt.standardError)")
        #expect(readopt.standardError == "")
        #expect(
            readopt.standardOutput
                == "Forgot what the local state .handoff/state.json recorded of destination platform-primary-pd (serial 2): 11 owned overrides, its watermark 2027-01-25T08:00:00Z and its schedule kind (layer-based). PagerDuty is unchanged.\n"
                + "The next plan adopts the overrides on PagerDuty schedule PQSPRIM that match the configuration, and creates only what is missing.\n"
        )
        let list = try await HandoffProcess.run(["state", "list"], in: directory, timeout: 60)
        #expect(list.standardOutput.contains("local state .handoff/state.json: serial 2"))
        #expect(!list.standardOutput.contains("platform-primary-pd"))
        #expect(list.standardOutput.contains("platform-secondary-pd"))

        let plan = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--detailed-exitcode"], in: directory, timeout: 120)
        #expect(plan.exitCode == 2)
        #expect(plan.standardOutput.hasSuffix("Plan: 0 to add, 0 to delete, 11 to adopt.\n"), "\(plan.standardOutput)")
        let adopt = try await HandoffProcess.run(["apply", ".", "--now", Self.now, "--auto-approve"], in: directory, timeout: 120)
        #expect(adopt.exitCode == 0, "\(adopt.standardError)")
        #expect(adopt.standardOutput.hasSuffix("Apply complete! Overrides: 0 created, 0 deleted, 11 adopted.\n"), "\(adopt.standardOutput)")
        #expect(try ExampleCopy.overrides(directory) == exported, "nothing was created or deleted in PagerDuty")
        let clean = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--detailed-exitcode"], in: directory, timeout: 120)
        #expect(clean.exitCode == 0, "\(clean.standardOutput)\(clean.standardError)")
    }

    @Test("an unknown destination is refused with a suggestion, one the configuration no longer has points to state rm; nothing changes; --help teaches")
    func refusals() async throws {
        let directory = try ExampleCopy.make("state-readopt")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try await HandoffProcess.run(["apply", ".", "--now", Self.now, "--auto-approve"], in: directory, timeout: 120).exitCode == 0)
        // platform-secondary-pd leaves the configuration; its record stays in the state.
        let file = directory.appendingPathComponent("handoff.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let start = try #require(text.range(of: "  platform-secondary-pd:\n"))
        try String(text[..<start.lowerBound]).write(to: file, atomically: true, encoding: .utf8)
        let state = try Data(contentsOf: directory.appendingPathComponent(".handoff/state.json"))
        let cases: [([String], String)] = [
            (["state", "readopt", "platform-primry-pd"],
             "error: destination \"platform-primry-pd\" is not in the local state .handoff/state.json; did you mean \"platform-primary-pd\"?\n"),
            (["state", "readopt", "platform-secondary-pd"],
             "error: destination \"platform-secondary-pd\" is not in the configuration, so nothing would adopt its overrides; to forget it and leave its overrides in PagerDuty, run `handoff state rm platform-secondary-pd`\n"),
            (["state", "readopt", "pd\u{1B}[2J"],
             "error: destination \"pd\\u{1B}[2J\" is not in the local state .handoff/state.json\n"),
        ]
        for (arguments, expected) in cases {
            let output = try await HandoffProcess.run(arguments, in: directory, timeout: 60)
            #expect(output.exitCode == 1, "\(arguments)")
            #expect(output.standardError == expected)
            #expect(output.standardOutput == "")
        }
        #expect(try Data(contentsOf: directory.appendingPathComponent(".handoff/state.json")) == state)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".handoff/state.json.lock").path))

        let help = try await HandoffProcess.run(["state", "readopt", "--help"], in: directory, timeout: 60)
        #expect(help.exitCode == 0)
        #expect(help.standardOutput.contains("Forget a destination's records after its PagerDuty schedule changed"))
        #expect(help.standardOutput.contains("  handoff state readopt platform-pd\n"))
        let state2 = try await HandoffProcess.run(["state", "--help"], in: directory, timeout: 60)
        #expect(state2.standardOutput.contains("readopt"))
    }

    @Test("state list names a shift-based destination's kind and state show each override's target, escaped; layer-based lines are as before")
    func listAndShowShiftBased() async throws {
        let directory = try ExampleCopy.make("state-readopt")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try await HandoffProcess.run(["apply", ".", "--now", Self.now, "--auto-approve"], in: directory, timeout: 120).exitCode == 0)
        let before = try await HandoffProcess.run(["state", "show", ".", "platform-primary-pd"], in: directory, timeout: 60)
        #expect(before.standardOutput.split(separator: "\n").dropFirst(2).allSatisfy { !$0.contains("  (") }, "no target words on a layer-based schedule: \(before.standardOutput)")
        let path = directory.appendingPathComponent(".handoff/state.json")
        var root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        var destinations = try #require(root["destinations"] as? [String: Any])
        var primary = try #require(destinations["platform-primary-pd"] as? [String: Any])
        var overrides = try #require(primary["overrides"] as? [[String: Any]])
        overrides[0]["target"] = ["type": "rotation", "rotation": "PROT\u{1B}[2J1", "replacing": NSNull()]
        overrides[1]["target"] = ["type": "custom_shift"]
        primary["overrides"] = overrides
        primary["schedule_kind"] = "shift-based"
        destinations["platform-primary-pd"] = primary
        root["destinations"] = destinations
        try JSONSerialization.data(withJSONObject: root).write(to: path)

        let list = try await HandoffProcess.run(["state", "list"], in: directory, timeout: 60)
        #expect(list.exitCode == 0, "\(list.standardError)")
        #expect(list.standardOutput.contains("platform-primary-pd: PagerDuty schedule PQSPRIM on demo, 11 owned overrides, exported through 2027-01-25T08:00:00Z, shift-based\n"))
        #expect(list.standardOutput.contains("platform-secondary-pd: PagerDuty schedule PQSSECO on demo, 21 owned overrides, exported through 2026-12-21T17:00:00Z\n"), "\(list.standardOutput)")
        let show = try await HandoffProcess.run(["state", "show", ".", "platform-primary-pd"], in: directory, timeout: 60)
        #expect(show.exitCode == 0, "\(show.standardError)")
        let lines = show.standardOutput.split(separator: "\n")
        #expect(lines.count == 13)
        #expect(lines[2].hasSuffix("  (on rotation PROT\\u{1B}[2J1)"), "\(lines[2])")
        #expect(lines[3].hasSuffix("  (custom shift)"), "\(lines[3])")
        #expect(!lines[4].contains("  ("))
    }
}
