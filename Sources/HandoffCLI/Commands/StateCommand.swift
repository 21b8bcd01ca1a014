import ArgumentParser
import Foundation
import SafeText
import HandoffConfig
import HandoffDestination
import HandoffConnectionKinds
import HandoffState
import HandoffStatePostgres
import HandoffSync
import HandoffTime

/// `handoff state`: look into what Handoff has exported, and break a lock left by a crashed run.
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Inspect the state, break a stale lock, and move, list or undo its changes.",
        subcommands: [List.self, Show.self, Unlock.self, History.self, Restore.self, Migrate.self, StateMove.self, StateRemove.self, StateReadopt.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the destinations in the state: watermark, owned overrides, and the lock if one is held."
        )

        @OptionGroup var configurationOptions: ConfigurationOptions

        func run() async throws {
            let (configuration, store, state) = try await configurationOptions.loadWithState()
            // The state is a file a pull request can commit, so what it holds is shown escaped.
            var output = "\(store.description): serial \(state.serial), lineage \(state.lineage.map(SafeText.line) ?? "none (nothing exported yet)")\n"
            do {
                if let holder = try await store.currentLock() { output += "locked by \(SafeText.line(holder.summary)), lock id \(SafeText.line(holder.id))\n" }
            } catch {
                Terminal.standardError.warning("\(error)")
            }
            if state.destinations.isEmpty { output += "no destination has been exported yet\n" }
            for (name, destination) in state.destinations.sorted(by: { $0.key < $1.key }) {
                let configured = configuration.destination(named: name) == nil ? " (removed from the configuration)" : ""
                let watermark = destination.watermark.map(\.description) ?? "none"
                output += "\(SafeText.line(name))\(configured): PagerDuty schedule \(SafeText.line(destination.destinationSchedule)) on \(SafeText.line(destination.connection)), "
                // Only a shift-based schedule says its kind: layer-based lines stay as they were.
                let kind = destination.scheduleKind == .shiftBased ? ", shift-based" : ""
                output += "\(plural(destination.overrides.count, "owned override")), exported through \(watermark)\(kind)\n"
            }
            Terminal.standardOutput.write(output)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the overrides Handoff owns, for one destination or for all.",
            discussion: """
                The directory comes first, as in every command; the destination after it or with \
                --destination. People are named as the configuration names them (their PagerDuty \
                users are looked up through the destination's connection, read only), times are in \
                the schedule's zone.

                Examples:
                  handoff state show
                  handoff state show examples/quickstart
                  handoff state show examples/quickstart platform-primary-pd
                  handoff state show examples/quickstart --destination platform-primary-pd
                """
        )

        @OptionGroup var configurationOptions: ConfigurationOptions

        @Argument(help: "The destination; default every destination in the state.")
        var destination: String?

        @Option(name: .customLong("destination"), help: ArgumentHelp("The destination (the same as naming it after the directory).", valueName: "name"))
        var destinationOption: String?

        func validate() throws {
            if let destination, let destinationOption, destination != destinationOption {
                throw ValidationError("the destination is named twice, as \(destination) and --destination \(destinationOption); name it once")
            }
            // The order before the directory came first: say how to write it now.
            var isDirectory: ObjCBool = false
            if let destination, !FileManager.default.fileExists(atPath: configurationOptions.directory, isDirectory: &isDirectory),
                FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue
            {
                throw ValidationError("the directory comes first: handoff state show \(destination) \(configurationOptions.directory)")
            }
        }

        func run() async throws {
            let (configuration, store, state) = try await configurationOptions.loadWithState()
            let names: [String]
            if let wanted = destination ?? destinationOption {
                guard state.destinations[wanted] != nil else {
                    if configuration.destination(named: wanted) != nil {
                        throw CommandFailure("destination \"\(SafeText.line(wanted))\" has nothing exported yet; `handoff apply` exports it")
                    }
                    let known = Set(state.destinations.keys).union(configuration.destinations.map(\.name))
                    throw CommandFailure("destination \"\(SafeText.line(wanted))\" is not in the state\(Suggestion.hint(for: wanted, in: known))")
                }
                names = [wanted]
            } else {
                names = state.destinations.keys.sorted()
                if names.isEmpty {
                    Terminal.standardOutput.write("no destination has been exported yet\n")
                    return
                }
            }
            let people = await Self.people(of: names.compactMap { state.destinations[$0] }, names: names, configuration: configuration)
            var output = ""
            for name in names {
                guard let entry = state.destinations[name] else { continue }
                let schedule = configuration.destination(named: name).flatMap { configuration.schedule(named: $0.schedule) }
                let zone = schedule?.zone ?? Zone.utc
                if !output.isEmpty { output += "\n" }
                output += "\(SafeText.line(name)): PagerDuty schedule \(SafeText.line(entry.destinationSchedule)) on \(SafeText.line(entry.connection))"
                output += schedule.map { " (schedule \(SafeText.line($0.name)), \($0.zone.identifier))\n" } ?? " (removed from the configuration; times in UTC)\n"
                output += "exported through \(entry.watermark.map { DisplayTime.withOffset($0, in: zone) } ?? "nothing yet")\n"
                for override in entry.overrides {
                    let person = people[entry.connection]?[override.userID].map { SafeText.line($0.displayName) } ?? "PagerDuty user \(SafeText.line(override.userID))"
                    output += "  \(SafeText.line(override.id))  \(DisplayTime.span(InstantRange(start: override.start, end: override.end), in: zone))  \(person)\(Self.words(override.target))\n"
                }
            }
            Terminal.standardOutput.write(output)
        }

        /// Where an override of a shift-based schedule acts; nothing for the whole schedule.
        static func words(_ target: OverrideTarget) -> String {
            switch target {
            case .schedule: return ""
            case .rotation(let id, _): return "  (on rotation \(SafeText.line(id)))"
            case .customShift: return "  (custom shift)"
            case .customShiftOverride(let id, _): return "  (on custom shift \(SafeText.line(id)))"
            }
        }

        /// The configuration's people by PagerDuty user id, per connection, looked up (read only)
        /// through the connections the shown destinations export to. A connection that cannot be
        /// reached (no key here, no network) is a warning: its overrides show the user id.
        static func people(of entries: [DestinationState], names: [String], configuration: Configuration) async -> [String: [String: Person]] {
            let connections = Set(entries.map(\.connection)).filter { configuration.connection(named: $0) != nil }
            guard !connections.isEmpty, !configuration.people.isEmpty else { return [:] }
            var options = ConnectionOptions()
            options.kinds = .standard()
            do { options.apiHosts = try .fromEnvironment() } catch {
                Terminal.standardError.warning("people are shown by PagerDuty user id: \(error)")
                return [:]
            }
            let hub: ConnectionHub
            do { hub = try await ConnectionHub.open(connections, configuration: configuration, options: options) } catch {
                Terminal.standardError.warning("people are shown by PagerDuty user id, since their users could not be looked up: \(error)")
                return [:]
            }
            var result: [String: [String: Person]] = [:]
            for connection in connections.sorted() {
                guard let destination = try? hub.destination(connection) else { continue }
                do {
                    let users = try await destination.resolveUsers(emails: configuration.people.map(\.email))
                    var byID: [String: Person] = [:]
                    for person in configuration.people {
                        if let user = users[person.email.lowercased()] { byID[user.id] = person }
                    }
                    result[connection] = byID
                } catch {
                    Terminal.standardError.warning("people on connection \(connection) are shown by PagerDuty user id, since their users could not be looked up: \(error)")
                }
            }
            await hub.close()
            return result
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Break the lock of a run that is gone (crashed, killed, its runner lost).",
            discussion: "Only when that run has really stopped: two applies at once could create the same override twice."
        )

        @Argument(help: "The lock id, as the locked error or `handoff state list` shows it.")
        var lockID: String

        @OptionGroup var configurationOptions: ConfigurationOptions

        func run() async throws {
            let (_, store) = try configurationOptions.load()
            do {
                let holder = try await store.forceUnlock(id: lockID)
                Terminal.standardOutput.write("Unlocked: the lock of \(holder.summary) is gone.\n")
            } catch {
                throw commandFailure(error)
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the recorded changes of a postgres state, newest first.")

        @OptionGroup var configurationOptions: ConfigurationOptions

        @Option(help: "How many changes to show (1 to 10000).")
        var limit: Int = 50

        func validate() throws {
            try checkRange("--limit", limit, 1...10_000)
        }

        func run() async throws {
            let configuration = try configurationOptions.configuration()
            guard let store = try stateStore(for: configuration) as? any StateHistory else {
                throw CommandFailure("the history is kept by the postgres state backend; a local state keeps only its current serial (and Git keeps the rest)")
            }
            let entries: [StateHistoryEntry]
            do { entries = try await store.history(limit: limit) } catch { throw commandFailure(error) }
            var output = entries.isEmpty ? "no changes recorded\n" : ""
            for entry in entries {
                output += "serial \(entry.serial)  \(entry.recorded)  \(SafeText.line(entry.summary))  (\(SafeText.line(entry.recordedBy)))\n"
            }
            Terminal.standardOutput.write(output)
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring back the state of an earlier serial (postgres backend), as a new serial.",
            discussion: "The state then says that Handoff owns what it owned then; the next plan shows what that changes in PagerDuty."
        )

        @Argument(help: "The serial to restore.")
        var serial: Int

        @OptionGroup var configurationOptions: ConfigurationOptions

        @OptionGroup var lock: StateLockOptions

        func validate() throws {
            try checkRange("the serial", serial, 0...(HandoffState.maximumSerial - 1))
        }

        func run() async throws {
            let configuration = try configurationOptions.configuration()
            guard let store = try stateStore(for: configuration) as? any StateHistory else {
                throw CommandFailure("restoring a serial needs the history of the postgres state backend; a local state's earlier versions are in Git")
            }
            do {
                let restored = try await store.restore(
                    serial: serial,
                    holder: LockHolder.current(operation: "state restore", now: Instant.now),
                    timeout: try lock.seconds()
                )
                Terminal.standardOutput.write("Restored the state of serial \(serial) as serial \(restored.serial).\n")
            } catch {
                throw commandFailure(error)
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move the state between the local file and PostgreSQL, unchanged (serial and lineage kept).",
            discussion: """
                Both ends are locked while the state moves; the target must be empty unless --force. \
                The local end is the configuration's local path (or .handoff/state.json); the postgres end \
                is the configuration's postgres settings, or --url-env, --schema and --workspace.

                Examples:
                  handoff state migrate --from local --to postgres
                  handoff state migrate --from postgres --to local teams/
                """
        )

        enum Backend: String, ExpressibleByArgument, CaseIterable { case local, postgres }

        @Option(help: "Where the state is now: local or postgres.")
        var from: Backend

        @Option(help: "Where it goes: local or postgres.")
        var to: Backend

        @OptionGroup var configurationOptions: ConfigurationOptions

        @Option(help: "The environment variable with the PostgreSQL URL, when the configuration does not name one.")
        var urlEnv: String = "HANDOFF_STATE_URL"

        @Option(help: "The PostgreSQL schema, when the configuration does not name one.")
        var schema: String = "handoff"

        @Option(help: "The workspace, when the configuration does not name one.")
        var workspace: String = "default"

        @Flag(help: "Overwrite a target that already holds a state.")
        var force = false

        func validate() throws {
            guard from != to else { throw ValidationError("--from and --to must differ") }
        }

        func run() async throws {
            let configuration = try configurationOptions.configuration()
            func store(_ backend: Backend) throws -> any StateStore {
                switch (backend, configuration.state.backend) {
                case (.local, .local), (.postgres, .postgres):
                    return try stateStore(for: configuration)
                case (.local, .postgres):
                    return try stateStore(.local(path: StateSettings.defaultLocalPath), directory: configuration.directory)
                case (.postgres, .local):
                    return try stateStore(.postgres(urlEnvironmentVariable: urlEnv, schema: schema, workspace: workspace, historyDays: 90), directory: configuration.directory)
                }
            }
            let source = try store(from)
            let target = try store(to)
            let holder = LockHolder.current(operation: "state migrate", now: Instant.now)
            do {
                let sourceSession = try await source.acquire(holder, timeout: 0)
                do {
                    let targetSession = try await target.acquire(holder, timeout: 0)
                    do {
                        let state = await sourceSession.currentState
                        let existing = await targetSession.initialState
                        guard force || existing.serial == 0 && existing.destinations.isEmpty else {
                            throw CommandFailure(
                                "the \(target.description) already holds a state (serial \(existing.serial)); pass --force to overwrite it"
                            )
                        }
                        guard state.serial > 0 || !state.destinations.isEmpty else {
                            throw CommandFailure("the \(source.description) holds no state to move")
                        }
                        try await targetSession.replace(with: state)
                        await targetSession.release()
                        await sourceSession.release()
                        Terminal.standardOutput.write(
                            "Moved the state (serial \(state.serial), \(plural(state.destinations.count, "destination"))) from the \(source.description) to the \(target.description).\n"
                        )
                    } catch {
                        await targetSession.release()
                        throw error
                    }
                } catch {
                    await sourceSession.release()
                    throw error
                }
            } catch {
                throw commandFailure(error)
            }
        }
    }
}
