import ArgumentParser
import HandoffConfig
import HandoffState

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

    @OptionGroup var configurationOptions: ConfigurationOptions

    @Option(help: "Output format: text or json (schemas/validate-output.schema.json).")
    var format: ReportFormat = .text

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() async throws {
        let loaded = try ConfigurationLoader.load(directory: configurationOptions.directory, apiHosts: .fromEnvironment())
        var diagnostics = loaded.diagnostics
        // The state may still need connections the configuration no longer has.
        // (Only the local state is read: validate uses no network.)
        if let configuration = loaded.configuration, case .local = configuration.state.backend, let store = try? stateStore(for: configuration) {
            do {
                let state = try await store.read()
                let usage = state.destinations.map { StateUsage(destination: $0.key, connection: $0.value.connection) }
                diagnostics += ConfigurationValidator.checkStateUsage(configuration, usage: usage, statePath: store.description)
            } catch {
                diagnostics.append(.error("\(error)", at: configuration.state.location))
            }
        }
        let valid = !diagnostics.hasErrors
        diagnostics = diagnostics.sortedByLocation()
        switch format {
        case .text:
            let terminal = Terminal.standardOutput
            let report = DiagnosticReport.text(diagnostics, sources: loaded.sources, colour: terminal.usesColour)
            terminal.write(report + DiagnosticReport.summary(diagnostics, configuration: valid ? loaded.configuration : nil) + "\n")
        case .json:
            Terminal.standardOutput.write(DiagnosticReport.json(diagnostics, valid: valid))
        }
        if !valid { throw CommandFailure.alreadyReported }
    }
}
