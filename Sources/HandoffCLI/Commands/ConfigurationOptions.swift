import ArgumentParser
import Foundation
import HandoffConfig
import HandoffState
import HandoffStatePostgres

/// The configuration directory argument every command that reads a configuration shares, with
/// what follows from it: the configuration (its diagnostics on standard error), the state store
/// it names, and the state, read once and checked against the configuration.
struct ConfigurationOptions: ParsableArguments {
    @Argument(help: "The configuration directory.", completion: .directory)
    var directory: String = "."

    /// The valid configuration; its diagnostics go to standard error, and errors stop the command.
    func configuration() throws -> Configuration {
        try loadValidConfiguration(directory)
    }

    /// The configuration and the store of its state; nothing of the state is read yet.
    func load() throws -> (configuration: Configuration, store: any StateStore) {
        let configuration = try configuration()
        return (configuration, try stateStore(for: configuration))
    }

    /// The configuration, its store, and the state read once (for commands that only look at it).
    func loadWithState() async throws -> (configuration: Configuration, store: any StateStore, state: HandoffState) {
        let (configuration, store) = try load()
        do { return (configuration, store, try await store.read()) } catch { throw commandFailure(error) }
    }
}

/// A connection the state still needs must not have been removed: the problems go to standard
/// error as diagnostics, and stop the command.
func checkStateUsage(_ state: HandoffState, configuration: Configuration, store: any StateStore) throws {
    let usage = state.destinations.map { StateUsage(destination: $0.key, connection: $0.value.connection) }
    let problems = ConfigurationValidator.checkStateUsage(configuration, usage: usage, statePath: store.description)
    if !problems.isEmpty {
        Terminal.standardError.write(DiagnosticReport.text(problems, sources: [:], colour: Terminal.standardError.usesColour))
        throw CommandFailure.alreadyReported
    }
}

// MARK: - State backends

extension StateSettings.Backend {
    /// The name of the backend, as `state.backend` spells it.
    var name: String {
        switch self {
        case .local: return "local"
        case .postgres: return "postgres"
        }
    }
}

/// The state backends the command line knows: the composition root's one registration of each.
let stateBackends: StateBackends<StateSettings.Backend> = {
    var backends = StateBackends<StateSettings.Backend>(kind: \.name)
    backends.register("local") { settings, context in
        guard case .local(let path) = settings else { throw CommandFailure("the local state backend was given settings of another backend") }
        let full: String
        do { full = try ContainedPath.resolve(path, in: context.directory, role: "the state file") } catch { throw CommandFailure("\(error)") }
        return LocalStateStore(path: full, displayPath: ConfigurationLoader.displayPath(full))
    }
    backends.register("postgres") { settings, context in
        guard case .postgres(let variable, let schema, let workspace, let historyDays) = settings else {
            throw CommandFailure("the postgres state backend was given settings of another backend")
        }
        guard let url = context.environment[variable], !url.isEmpty else {
            throw CommandFailure("the postgres state backend reads the database URL from the environment variable \(variable), which is not set")
        }
        do {
            let location = try PostgresLocation(url: url, variable: variable)
            return PostgresStateStore(location: location, schema: schema, workspace: workspace, historyRetentionDays: historyDays)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
    return backends
}()

/// The state store a configuration names.
func stateStore(for configuration: Configuration, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any StateStore {
    try stateStore(configuration.state.backend, directory: configuration.directory, environment: environment)
}

/// The state store of `backend`, for a configuration in `directory`.
func stateStore(_ backend: StateSettings.Backend, directory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any StateStore {
    do {
        return try stateBackends.store(for: backend, context: .init(directory: directory, environment: environment))
    } catch let failure as CommandFailure {
        throw failure
    } catch {
        throw CommandFailure("\(error)")
    }
}
