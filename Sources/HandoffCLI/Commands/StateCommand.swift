import ArgumentParser
import Foundation
import HandoffConfig
import HandoffState
import HandoffTime

/// `handoff state`: look into what Handoff has exported, and break a lock left by a crashed run.
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Inspect the state and break a stale lock.",
        subcommands: [List.self, Show.self, Unlock.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the destinations in the state: watermark, owned overrides, and the lock if one is held."
        )

        @Argument(help: "The configuration directory.", completion: .directory)
        var directory: String = "."

        func run() async throws {
            let configuration = try loadValidConfiguration(directory)
            let store = try stateStore(for: configuration)
            let state: HandoffState
            do { state = try await store.read() } catch { throw commandFailure(error) }
            var output = "\(store.description): serial \(state.serial), lineage \(state.lineage ?? "none (nothing exported yet)")\n"
            if let holder = try? await store.currentLock() {
                output += "locked by \(holder.summary), lock id \(holder.id)\n"
            }
            if state.destinations.isEmpty { output += "no destination has been exported yet\n" }
            for (name, destination) in state.destinations.sorted(by: { $0.key < $1.key }) {
                let configured = configuration.destination(named: name) == nil ? " (removed from the configuration)" : ""
                let watermark = destination.watermark.map(\.description) ?? "none"
                output += "\(name)\(configured): PagerDuty schedule \(destination.pagerDutySchedule) on \(destination.connection), "
                output += "\(plural(destination.overrides.count, "owned override")), exported through \(watermark)\n"
            }
            Terminal.standardOutput.write(output)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the overrides Handoff owns for one destination.")

        @Argument(help: "The destination.")
        var destination: String

        @Argument(help: "The configuration directory.", completion: .directory)
        var directory: String = "."

        func run() async throws {
            let configuration = try loadValidConfiguration(directory)
            let store = try stateStore(for: configuration)
            let state: HandoffState
            do { state = try await store.read() } catch { throw commandFailure(error) }
            guard let entry = state.destinations[destination] else {
                throw CommandFailure("destination \"\(destination)\" is not in the state\(Suggestion.hint(for: destination, in: state.destinations.keys))")
            }
            let zone = configuration.destination(named: destination).flatMap { configuration.schedule(named: $0.schedule)?.zone } ?? Zone.utc
            var output = "\(destination): PagerDuty schedule \(entry.pagerDutySchedule) on \(entry.connection)\n"
            output += "exported through \(entry.watermark.map { DisplayTime.withOffset($0, in: zone) } ?? "nothing yet")\n"
            for override in entry.overrides {
                output += "  \(override.id)  \(DisplayTime.span(InstantRange(start: override.start, end: override.end), in: zone))  user \(override.userID)\n"
            }
            Terminal.standardOutput.write(output)
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Break the lock of a run that is gone (crashed, killed, its runner lost).",
            discussion: "Only when that run has really stopped: two applies at once could create the same override twice."
        )

        @Argument(help: "The lock id, as the locked error or `handoff state list` shows it.")
        var lockID: String

        @Argument(help: "The configuration directory.", completion: .directory)
        var directory: String = "."

        func run() async throws {
            let configuration = try loadValidConfiguration(directory)
            let store = try stateStore(for: configuration)
            do {
                let holder = try await store.forceUnlock(id: lockID)
                Terminal.standardOutput.write("Unlocked: the lock of \(holder.summary) is gone.\n")
            } catch {
                throw commandFailure(error)
            }
        }
    }
}
