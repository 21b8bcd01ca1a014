import Foundation
import HandoffTestSupport
import Testing

/// `handoff validate` end to end: the built binary, its output and its exit code.
@Suite("handoff validate")
struct ValidateCommandTests {
    private func temporaryDirectory(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-cli-\(UUID().uuidString)")
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return directory
    }

    @Test(
        "the examples are valid",
        arguments: [
            ("examples/quickstart", "Configuration is valid: 3 schedules, 2 destinations, 1 connection.\n"),
            ("examples/team-repo", "Configuration is valid: 7 schedules, 7 destinations, 1 connection.\n"),
        ]
    )
    func examplesAreValid(directory: String, summary: String) async throws {
        let output = try await HandoffProcess.run(["validate", directory])
        #expect(output.exitCode == 0)
        #expect(output.standardError == "")
        #expect(output.standardOutput == summary)
    }

    @Test("errors print place, message, source line and caret, then the counts; exit 1")
    func textReport() async throws {
        let directory = try temporaryDirectory([
            "teams/a.yaml": """
                people:
                  alice: { email: alice@example.com }
                schedules:
                  s:
                    time_zone: Europe/Berlin
                    horizn: 8w
                    rotation: { members: [alice, bobb], start: 2026-11-02T09:00, turn: 1w }

                """
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try await HandoffProcess.run(["validate", "."], in: directory)
        #expect(output.exitCode == 1)
        #expect(output.standardOutput == """
            teams/a.yaml:6:5: error: unknown key "horizn" in schedule "s"; did you mean "horizon"?
                horizn: 8w
                ^
            teams/a.yaml:7:34: error: schedule "s" names "bobb" as a member, but no person "bobb" is defined under "people"
                rotation: { members: [alice, bobb], start: 2026-11-02T09:00, turn: 1w }
                                             ^
            2 errors, 0 warnings

            """)
    }

    @Test("json output follows the documented shape")
    func jsonReport() async throws {
        let directory = try temporaryDirectory(["a.yaml": "people:\n  alice: { email: nope }\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try await HandoffProcess.run(["validate", directory.path, "--format", "json"])
        #expect(output.exitCode == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
        #expect(report["valid"] as? Bool == false)
        #expect(report["error_count"] as? Int == 1)
        #expect(report["warning_count"] as? Int == 0)
        let diagnostic = try #require((report["diagnostics"] as? [[String: Any]])?.first)
        #expect(diagnostic["summary"] as? String == "\"nope\" is not an e-mail address")
        let range = try #require(diagnostic["range"] as? [String: Any])
        #expect((range["file"] as? String)?.hasSuffix("/a.yaml") == true)
        #expect((range["start"] as? [String: Int]) == ["line": 2, "column": 19])
        #expect((range["end"] as? [String: Int]) == ["line": 2, "column": 23])
    }

    @Test("a missing directory and a directory without YAML fail with one clear sentence")
    func missingDirectory() async throws {
        let missing = try await HandoffProcess.run(["validate", "no/such/dir"])
        #expect(missing.exitCode == 1)
        #expect(missing.standardOutput == "error: configuration directory no/such/dir does not exist\n1 error, 0 warnings\n")
        let empty = try temporaryDirectory(["README.md": "nothing"])
        defer { try? FileManager.default.removeItem(at: empty) }
        let output = try await HandoffProcess.run(["validate", "."], in: empty)
        #expect(output.exitCode == 1)
        #expect(output.standardOutput == "error: configuration directory . holds no .yaml or .yml files\n1 error, 0 warnings\n")
    }

    @Test("help teaches the command")
    func help() async throws {
        let output = try await HandoffProcess.run(["validate", "--help"])
        #expect(output.exitCode == 0)
        #expect(output.standardOutput.contains("Check a configuration; reads no network and writes nothing."))
        #expect(output.standardOutput.contains("handoff validate teams/ --format json"))
    }
}
