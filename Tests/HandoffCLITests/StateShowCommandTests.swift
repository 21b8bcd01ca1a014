import Foundation
import HandoffTestSupport
import Testing

/// `handoff state show` takes the directory first, like every command (issue 14 item 7).
@Suite("handoff state show")
struct StateShowCommandTests {
    /// A copy of the quickstart, applied at a fixed instant, and an empty folder to run from.
    private func applied() async throws -> (quickstart: URL, elsewhere: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-state-show-\(UUID().uuidString)")
        let quickstart = root.appendingPathComponent("quickstart")
        let elsewhere = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: quickstart, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let source = HandoffProcess.packageRoot.appendingPathComponent("examples/quickstart/handoff.yaml")
        try FileManager.default.copyItem(at: source, to: quickstart.appendingPathComponent("handoff.yaml"))
        let apply = try await HandoffProcess.run(["apply", ".", "--now", "2026-11-23T10:00:00Z", "--auto-approve"], in: quickstart)
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        return (quickstart, elsewhere)
    }

    @Test("state show DIR DESTINATION and state show DIR --destination NAME: people by name, times in the schedule's zone, read from DIR, not the current folder")
    func directoryFirst() async throws {
        let (quickstart, elsewhere) = try await applied()
        defer { try? FileManager.default.removeItem(at: quickstart.deletingLastPathComponent()) }
        let positional = try await HandoffProcess.run(["state", "show", "../quickstart", "platform-primary-pd"], in: elsewhere)
        let option = try await HandoffProcess.run(["state", "show", "../quickstart", "--destination", "platform-primary-pd"], in: elsewhere)
        #expect(positional.exitCode == 0, "\(positional.standardError)")
        #expect(option.standardOutput == positional.standardOutput)
        let lines = positional.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "platform-primary-pd: PagerDuty schedule PQSPRIM on demo (schedule platform-primary, Europe/Berlin)")
        #expect(lines.dropFirst().first == "exported through Mon 2027-01-25 09:00 +01:00")
        #expect(lines.count == 13)
        #expect(lines[2].hasSuffix("  Mon 2026-11-23 11:00 → Mon 2026-11-30 09:00 +01:00  Alice Archer <alice@example.com>"), "\(lines[2])")
        #expect(lines[3].hasSuffix("  Mon 2026-11-30 09:00 → Mon 2026-12-07 09:00 +01:00  Carol Chen <carol@example.com>"), "\(lines[3])")
        #expect(!positional.standardOutput.contains("user P"), "people are named, not shown by PagerDuty user id")
    }

    @Test("state show DIR shows every destination in DIR's state; the current folder, which has no configuration, is not read")
    func everyDestination() async throws {
        let (quickstart, elsewhere) = try await applied()
        defer { try? FileManager.default.removeItem(at: quickstart.deletingLastPathComponent()) }
        let output = try await HandoffProcess.run(["state", "show", quickstart.path], in: elsewhere)
        #expect(output.exitCode == 0, "\(output.standardError)")
        #expect(output.standardOutput.hasPrefix("platform-primary-pd: PagerDuty schedule PQSPRIM on demo (schedule platform-primary, Europe/Berlin)\n"))
        #expect(output.standardOutput.contains("\n\nplatform-secondary-pd: PagerDuty schedule PQSSECO on demo (schedule platform-secondary, Europe/Berlin)\n"))
        #expect(output.standardOutput.contains("  Mon 2026-11-23 11:00 → Mon 2026-11-23 18:00 +01:00  Dave Diaz <dave@example.com>\n"))
    }

    @Test("a misspelt destination is refused with the nearest name; the old order (destination first) and a destination named twice are usage errors that say how to write it")
    func mistakes() async throws {
        let (quickstart, elsewhere) = try await applied()
        defer { try? FileManager.default.removeItem(at: quickstart.deletingLastPathComponent()) }
        let typo = try await HandoffProcess.run(["state", "show", "../quickstart", "--destination", "platform-primry-pd"], in: elsewhere)
        #expect(typo.exitCode == 1)
        #expect(typo.standardError == "error: destination \"platform-primry-pd\" is not in the state; did you mean \"platform-primary-pd\"?\n")
        let oldOrder = try await HandoffProcess.run(["state", "show", "platform-primary-pd", "../quickstart"], in: elsewhere)
        #expect(oldOrder.exitCode == 64)
        #expect(oldOrder.standardError.hasPrefix("error: the directory comes first: handoff state show ../quickstart platform-primary-pd\n"), "\(oldOrder.standardError)")
        let twice = try await HandoffProcess.run(["state", "show", "../quickstart", "platform-primary-pd", "--destination", "platform-secondary-pd"], in: elsewhere)
        #expect(twice.exitCode == 64)
        #expect(twice.standardError.hasPrefix("error: the destination is named twice"), "\(twice.standardError)")
    }
}
