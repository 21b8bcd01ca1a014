public import ArgumentParser
import Foundation
import SafeText

/// The `handoff` command line: parses arguments, runs the command, and turns every failure into
/// one line on standard error and an exit code CI can read (0 ok, 1 error, 2 changes present,
/// 64 usage).
public enum HandoffMain {
    public static func run(arguments: [String]? = nil) async -> Never {
        do {
            var command = try HandoffCommand.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch let failure as CommandFailure {
            Terminal.standardError.write(failure.rendered(colour: Terminal.standardError.usesColour))
            exit(failure.exitCode)
        } catch {
            let (text, toStandardOutput, code) = ArgumentFailure.rendered(error, colour: Terminal.standardError.usesColour)
            (toStandardOutput ? Terminal.standardOutput : Terminal.standardError).write(text)
            exit(code)
        }
    }
}

// MARK: - Argument-parser failures

/// Renders what the argument parser reports (help, a version, a usage error, an error a command
/// threw that is not a `CommandFailure`) in Handoff's own style. `exit(withError:)` would print
/// `Error: …`; every failure of Handoff reads `error: …` in lower case, so scripts and people see
/// one style, while help still goes to standard output with exit code 0 and usage errors exit 64.
enum ArgumentFailure {
    /// The text to print, whether it belongs on standard output (help, `--version`), and the exit code.
    static func rendered(_ error: any Error, colour: Bool) -> (text: String, toStandardOutput: Bool, exitCode: Int32) {
        let code = HandoffCommand.exitCode(for: error).rawValue
        let full = HandoffCommand.fullMessage(for: error)
        if code == 0 {
            // Help, --version: printed as the parser renders them.
            return (full.isEmpty || full.hasSuffix("\n") ? full : full + "\n", true, 0)
        }
        let message = HandoffCommand.message(for: error)
        guard !message.isEmpty else { return ("", false, code) }  // `ExitCode(2)`: nothing to say
        var rest = ""
        // The parser's full text is `Error: MESSAGE` then, for usage errors, a help line and the
        // usage. Keep what follows the message; the message itself is rendered below.
        if let range = full.range(of: message) {
            rest = String(full[range.upperBound...]).trimmingCharacters(in: .newlines)
        }
        var text = CommandFailure(lowercasingFirstWord(message), exitCode: code).rendered(colour: colour)
        if !rest.isEmpty {
            text += rest.split(separator: "\n", omittingEmptySubsequences: false).map { SafeText.line(String($0)) }.joined(separator: "\n") + "\n"
        }
        return (text, false, code)
    }

    /// `Unknown option '--x'` becomes `unknown option '--x'`; a first word with more capitals
    /// (`URL`, `PagerDuty`) is a name and is kept.
    static func lowercasingFirstWord(_ message: String) -> String {
        let word = message.prefix { !$0.isWhitespace }
        guard let first = word.first, first.isUppercase, !word.dropFirst().contains(where: \.isUppercase) else { return message }
        return first.lowercased() + message.dropFirst()
    }
}

/// The root command; each subcommand is one job of DESIGN section 6.
public struct HandoffCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "handoff",
        abstract: "On-call rotations as code, exported to PagerDuty as overrides.",
        discussion: """
            Declare people, rotations and destinations in YAML; Handoff expands the rotations into \
            shifts and keeps one PagerDuty override per shift.

            Start with `handoff validate DIR`, then `handoff plan DIR` (read-only key) and \
            `handoff apply DIR` (read-write key). Exit codes: 0 success, 1 error, 2 changes \
            present (plan --detailed-exitcode), 64 usage error (an unknown option, a number out \
            of range); any other code, such as 134 or 139, means Handoff crashed.
            """,
        version: HandoffVersion.current,
        subcommands: [
            ValidateCommand.self, PlanCommand.self, ApplyCommand.self, ShowCommand.self, WhoCommand.self, ImportCommand.self, StateCommand.self, SandboxCommand.self,
        ]
    )

    public init() {}
}

/// The version `handoff --version` prints.
public enum HandoffVersion {
    public static let current = "0.1.0"
}

/// A failure a command reports to its user: one sentence, printed as `error: …`, and an exit code.
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    /// A failure whose details were already printed (for example, by a diagnostics report).
    public static let alreadyReported = CommandFailure("", exitCode: 1)

    public var description: String { message }

    /// `error: …` on standard error. A message can quote what PagerDuty or the configuration said,
    /// so each of its lines is shown with control characters made visible (`SafeText.line`).
    func rendered(colour: Bool) -> String {
        guard !message.isEmpty else { return "" }
        let label = colour ? Style.error("error:") : "error:"
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map { SafeText.line(String($0)) }
        return "\(label) \(lines.joined(separator: "\n"))\n"
    }
}
