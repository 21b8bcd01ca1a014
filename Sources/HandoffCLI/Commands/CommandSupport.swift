import ArgumentParser
import Foundation
import HandoffConfig
import HandoffState
import HandoffStatePostgres
import HandoffSync
import HandoffTime

/// The state store a configuration names.
func stateStore(for configuration: Configuration, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any StateStore {
    try stateStore(configuration.state.backend, directory: configuration.directory, environment: environment)
}

func stateStore(_ backend: StateSettings.Backend, directory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any StateStore {
    switch backend {
    case .local(let path):
        let full: String
        do { full = try ContainedPath.resolve(path, in: directory, role: "the state file") } catch { throw CommandFailure(error.description) }
        return LocalStateStore(path: full, displayPath: ConfigurationLoader.displayPath(full))
    case .postgres(let variable, let schema, let workspace, let historyDays):
        guard let url = environment[variable], !url.isEmpty else {
            throw CommandFailure("the postgres state backend reads the database URL from the environment variable \(variable), which is not set")
        }
        do {
            let location = try PostgresLocation(url: url, variable: variable)
            return PostgresStateStore(location: location, schema: schema, workspace: workspace, historyRetentionDays: historyDays)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// The configuration and its state, checked together: a connection the state still needs must
/// not have been removed.
func loadConfigurationAndState(_ directory: String) async throws -> (Configuration, any StateStore, HandoffState) {
    let configuration = try loadValidConfiguration(directory)
    let store = try stateStore(for: configuration)
    let state: HandoffState
    do { state = try await store.read() } catch { throw CommandFailure("\(error)") }
    let usage = state.destinations.map { StateUsage(destination: $0.key, connection: $0.value.connection) }
    let problems = ConfigurationValidator.checkStateUsage(configuration, usage: usage, statePath: store.description)
    if !problems.isEmpty {
        Terminal.standardError.write(DiagnosticReport.text(problems, sources: [:], colour: Terminal.standardError.usesColour))
        throw CommandFailure.alreadyReported
    }
    return (configuration, store, state)
}

/// `--now`, for tests and what-if reviews.
func parseNow(_ text: String?) throws -> Instant {
    guard let text else { return Instant.now }
    guard let instant = Instant(rfc3339: text) else {
        throw ValidationError("--now must be an RFC 3339 time such as 2026-12-01T09:00:00Z, not \(text)")
    }
    return instant
}

/// `--lock-timeout`: `30s`, `5m`, `1h` or plain seconds.
func parseLockTimeout(_ text: String) throws -> Double {
    if let seconds = Double(text), seconds >= 0 { return seconds }
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    if let unit = text.last, let factor = units[unit], let value = Double(text.dropLast()), value >= 0 { return value * factor }
    throw ValidationError("--lock-timeout must be a duration such as 30s, 5m or 1h, not \(text)")
}

/// Turns sync failures into command failures, one sentence per line.
func commandFailure(_ error: any Error) -> CommandFailure {
    switch error {
    case let failure as CommandFailure: return failure
    case let sync as SyncError: return CommandFailure(sync.messages.joined(separator: "\nerror: "))
    default: return CommandFailure("\(error)")
    }
}
