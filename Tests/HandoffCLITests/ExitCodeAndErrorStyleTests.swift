import ArgumentParser
import Foundation
@testable import HandoffCLI
import HandoffTestSupport
import Testing

/// Exit codes 0, 1, 2 and 64 as documented, and one error style: every failure starts with
/// `error: ` in lower case, including those the argument parser reports (it would print `Error: `).
@Suite("exit codes and error style")
struct ExitCodeAndErrorStyleTests {
    @Test("handoff --help documents the exit codes, 64 among them, on standard output with exit 0")
    func helpDocumentsExitCodes() async throws {
        let output = try await HandoffProcess.run(["--help"])
        #expect(output.exitCode == 0)
        #expect(output.standardError == "")
        let help = output.standardOutput.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        #expect(help.contains("Exit codes: 0 success, 1 error, 2 changes present (plan --detailed-exitcode), 64 usage error"))
        #expect(help.contains("SUBCOMMANDS:"))
    }

    @Test("a subcommand's help and the version still go to standard output with exit 0")
    func subcommandHelpAndVersion() async throws {
        let help = try await HandoffProcess.run(["plan", "--help"])
        #expect(help.exitCode == 0)
        #expect(help.standardError == "")
        #expect(help.standardOutput.contains("USAGE: handoff plan"))
        #expect(help.standardOutput.contains("--detailed-exitcode"))
        let version = try await HandoffProcess.run(["--version"])
        #expect(version.exitCode == 0)
        #expect(version.standardOutput == "0.1.0\n")
        #expect(version.standardError == "")
    }

    @Test(
        "usage errors exit 64 with a lower-case error: line, then the usage",
        arguments: [
            (["plan", "--no-such-flag", "examples/quickstart"], "error: unknown option '--no-such-flag'\n", "Usage: handoff plan"),
            (["plan", "--parallelism", "0", "examples/quickstart"], "error: --parallelism must be between 1 and 64, not 0\n", "Usage: handoff plan"),
            (["plan", "--parallelism", "many", "examples/quickstart"], "error: the value 'many' is invalid for '--parallelism <parallelism>'", "Usage: handoff plan"),
            (["apply", "--batch-size", "0", "examples/quickstart"], "error: --batch-size must be between 1 and 1000, not 0\n", "Usage: handoff apply"),
            (["no-such-command"], "error: unexpected argument 'no-such-command'\n", "Usage: handoff <subcommand>"),
            (["import", "examples/quickstart"], "error: missing expected argument '--connection <connection>'\n", "Usage: handoff import"),
            (["import", "--connection", "demo", "examples/quickstart"], "error: say what to do: --list, --schedule ID (repeatable) or --all\n", "Usage: handoff import"),
        ]
    )
    func usageErrors(arguments: [String], firstLine: String, usage: String) async throws {
        let output = try await HandoffProcess.run(arguments)
        #expect(output.exitCode == 64)
        #expect(output.standardOutput == "")
        #expect(output.standardError.hasPrefix(firstLine))
        #expect(output.standardError.contains(usage))
        #expect(!output.standardError.contains("Error:"))
    }

    @Test("an error a command throws that is not a usage error reads error: … and exits 1 (import used to print Error:)")
    func importErrorIsLowerCase() async throws {
        // A copy of the quickstart: its sandbox connection keeps data beside the configuration.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-errors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: HandoffProcess.packageRoot.appendingPathComponent("examples/quickstart"),
            to: directory.appendingPathComponent("quickstart")
        )
        let output = try await HandoffProcess.run(["import", "--connection", "demo", "quickstart", "--schedule", "PNOPE"], in: directory)
        #expect(output.exitCode == 1)
        #expect(output.standardOutput == "")
        #expect(output.standardError == "error: no such PagerDuty schedule PNOPE on connection \"demo\" (404)\n")
        #expect(!output.standardError.contains("Error:"))
    }

    @Test("what a user typed is escaped in the error line")
    func typedControlCharactersAreEscaped() async throws {
        let output = try await HandoffProcess.run(["plan", "--bad\u{1B}[31mflag", "examples/quickstart"])
        #expect(output.exitCode == 64)
        #expect(output.standardError.hasPrefix("error: unknown option '--bad"))
        #expect(!output.standardError.contains("\u{1B}"))
    }

    @Test("what the parser reports is rendered in Handoff's style: help on standard output, usage 64, exit 2 silent")
    func renderedInHandoffStyle() {
        let usage = ArgumentFailure.rendered(ValidationError("--next must be between 0 and 1000, not 5000"), colour: false)
        #expect(usage.exitCode == 64)
        #expect(!usage.toStandardOutput)
        #expect(usage.text.hasPrefix("error: --next must be between 0 and 1000, not 5000\n"))
        #expect(usage.text.contains("Usage: handoff"))

        let changes = ArgumentFailure.rendered(ExitCode(2), colour: false)
        #expect(changes.exitCode == 2)
        #expect(changes.text == "")

        let help = ArgumentFailure.rendered(CleanExit.helpRequest(HandoffCommand.self), colour: false)
        #expect(help.exitCode == 0)
        #expect(help.toStandardOutput)
        #expect(help.text.hasPrefix("OVERVIEW: "))
    }

    @Test(
        "only a plain first word is put in lower case",
        arguments: [
            ("Unknown option '--x'", "unknown option '--x'"),
            ("The value 'many' is invalid", "the value 'many' is invalid"),
            ("PagerDuty answered 500", "PagerDuty answered 500"),
            ("URL is missing", "URL is missing"),
            ("already lower", "already lower"),
            ("", ""),
        ]
    )
    func lowercasing(message: String, expected: String) {
        #expect(ArgumentFailure.lowercasingFirstWord(message) == expected)
    }
}
