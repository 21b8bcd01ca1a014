import ArgumentParser
import HandoffConfig

/// `handoff validate`: everything wrong with a configuration, at once, without the network.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a configuration; reads no network and writes nothing.",
        discussion: """
            Reads every .yaml and .yml file below DIR (hidden folders skipped) and reports every \
            problem at once as `path:line:col: error: message` with the source line, then a \
            summary. Warnings do not fail validation.

            Examples:
              handoff validate
              handoff validate teams/ --format json
            """
    )

    @Argument(help: "The configuration directory.", completion: .directory)
    var directory: String = "."

    @Option(help: "Output format: text or json (schemas/validate-output.schema.json).")
    var format: ReportFormat = .text

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() async throws {
        let loaded = ConfigurationLoader.load(directory: directory)
        let diagnostics = loaded.diagnostics
        let valid = !diagnostics.hasErrors
        switch format {
        case .text:
            let terminal = Terminal.standardOutput
            let report = DiagnosticReport.text(diagnostics, sources: loaded.sources, colour: terminal.usesColour)
            terminal.write(report + DiagnosticReport.summary(diagnostics, configuration: loaded.configuration) + "\n")
        case .json:
            Terminal.standardOutput.write(DiagnosticReport.json(diagnostics, valid: valid))
        }
        if !valid { throw CommandFailure.alreadyReported }
    }
}
