import Foundation
import HandoffTestSupport
import Testing

/// A local state file can be committed in a pull request, so `handoff state list` and `state show`
/// treat what it holds as hostile: every value on one line, no escape reaches the terminal.
@Suite("handoff state: what a state file holds is shown escaped")
struct StateOutputEscapingTests {
    @Test("state list and state show with identifiers holding line breaks and terminal escapes")
    func hostileStateFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-state-escape-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent(".handoff"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = HandoffProcess.packageRoot.appendingPathComponent("examples/quickstart/handoff.yaml")
        try FileManager.default.copyItem(at: source, to: directory.appendingPathComponent("handoff.yaml"))
        let state = """
            {"format_version": 1, "lineage": "L\\u001b]0;owned\\u0007", "serial": 3, "destinations": {
              "platform-primary-pd": {"connection": "demo\\nerror: forged line", "pagerduty_schedule": "P\\u001b[2J", "watermark": null,
                "overrides": [{"id": "Q1\\r\\u202e", "start": "2026-11-23T08:00:00Z", "end": "2026-11-30T08:00:00Z", "user": "U\\u009b31m"}]}}}
            """
        try state.write(to: directory.appendingPathComponent(".handoff/state.json"), atomically: true, encoding: .utf8)

        let list = try await HandoffProcess.run(["state", "list", "."], in: directory, timeout: 60)
        let show = try await HandoffProcess.run(["state", "show", ".", "platform-primary-pd"], in: directory, timeout: 60)
        #expect(list.exitCode == 0, "\(list.standardError)")
        #expect(show.exitCode == 0, "\(show.standardError)")
        for output in [list.standardOutput, show.standardOutput] {
            #expect(!output.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\r" || $0 == "\u{9B}" || $0 == "\u{202E}" || $0 == "\u{7}" })
            #expect(!output.split(separator: "\n").contains { $0.hasPrefix("error: forged") })
        }
        #expect(list.standardOutput.contains("lineage L\\u{1B}]0;owned\\u{7}"))
        #expect(list.standardOutput.contains("PagerDuty schedule P\\u{1B}[2J on demo\\u{A}error: forged line"))
        #expect(show.standardOutput.contains("  Q1\\u{D}\\u{202E}  "))
        #expect(show.standardOutput.contains("user U\\u{9B}31m"))
    }
}
