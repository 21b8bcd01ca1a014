public import ArgumentParser
import Foundation
import SafeText

/// The `handoff` command line: parses arguments, runs the command, and turns every failure into
/// one line on standard error and an exit code CI can read (0 ok, 1 error, 2 changes present).
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
            HandoffCommand.exit(withError: error)
        }
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
            present (plan --detailed-exitcode).
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
