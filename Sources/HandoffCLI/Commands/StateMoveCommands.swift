import ArgumentParser
import HandoffConfig
import HandoffState
import HandoffTime
import SafeText

// MARK: - handoff state mv

/// `handoff state mv OLD NEW`: what a `moved` entry does, without a pull request. The record of a
/// destination (watermark and owned overrides) goes by its new name, in one state record and a
/// new serial; PagerDuty is not asked, so a renamed destination's overrides are neither deleted
/// nor created again.
struct StateMove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mv",
        abstract: "Rename a destination in the state, so its overrides carry over to the new name (no PagerDuty call).",
        discussion: """
            The same as a `moved: [{ from: OLD, to: NEW }]` entry in the configuration, for when no \
            pull request is wanted. Takes the state lock and records a new serial.

            Example:
              handoff state mv platform-primary-pd platform-pd
            """
    )

    @Argument(help: "The destination's name in the state now.")
    var old: String

    @Argument(help: "Its new name, as the configuration names it.")
    var new: String

    @OptionGroup var configurationOptions: ConfigurationOptions

    @OptionGroup var lock: StateLockOptions

    func run() async throws {
        let configuration = try configurationOptions.configuration()
        guard Configuration.isValidDestinationName(new) else {
            throw CommandFailure(
                "\"\(SafeText.excerpt(new))\" is not a valid destination name; use ASCII letters, digits, \"-\", \"_\" and \".\", starting with a letter or digit"
            )
        }
        guard old != new else { throw CommandFailure("the old and the new name are both \"\(SafeText.excerpt(new))\"; nothing to move") }
        let store = try stateStore(for: configuration)
        try await lock.withSession(store, operation: "state mv") { session in
            let state = await session.currentState
            guard let record = state.destinations[old] else {
                let done = state.destinations[new] != nil ? "; the state holds \"\(new)\" already, so it may have been moved before" : ""
                throw CommandFailure(
                    "destination \"\(SafeText.excerpt(old))\" is not in the \(store.description)\(Suggestion.hint(for: old, in: state.destinations.keys))\(done)"
                )
            }
            guard state.destinations[new] == nil else {
                throw CommandFailure(
                    "the \(store.description) already holds destination \"\(new)\"; forget it first with `handoff state rm \(new)` (its overrides stay in PagerDuty), then move"
                )
            }
            if let target = configuration.destination(named: new) {
                guard target.connection == record.connection, target.pagerDutySchedule == record.destinationSchedule else {
                    throw CommandFailure(
                        "destination \"\(new)\" writes PagerDuty schedule \(target.pagerDutySchedule) through connection \"\(target.connection)\", but \"\(old)\" wrote "
                            + "\(record.destinationSchedule) through \"\(record.connection)\"; a move leaves the overrides where they are, so it would lose track of them"
                    )
                }
            } else {
                Terminal.standardError.warning(
                    "destination \"\(new)\" is not in the configuration; rename it there too, or the next plan deletes its overrides as a removed destination's"
                )
            }
            try await session.record(
                StateChange(destination: old, connection: record.connection, destinationSchedule: record.destinationSchedule, movedTo: new)
            )
            let after = try await session.finish()
            Terminal.standardOutput.write(
                "Moved destination \(SafeText.line(old)) to \(new) in the \(store.description) (serial \(after.serial)): its watermark and "
                    + "\(plural(record.overrides.count, "owned override")) carry over. PagerDuty is unchanged.\n"
            )
        }
    }
}

// MARK: - handoff state rm

/// `handoff state rm NAME`: Handoff forgets a destination and leaves its overrides in PagerDuty,
/// as a `removed` entry with `keep_overrides: true` does, without a pull request.
struct StateRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Forget a destination: its record leaves the state, its overrides stay in PagerDuty (no PagerDuty call).",
        discussion: """
            The same as a `removed: [{ destination: NAME, keep_overrides: true }]` entry in the \
            configuration. Takes the state lock and records a new serial. To delete the overrides \
            instead, take the destination out of the configuration and apply.
            """
    )

    @Argument(help: "The destination to forget.")
    var destination: String

    @OptionGroup var configurationOptions: ConfigurationOptions

    @OptionGroup var lock: StateLockOptions

    func run() async throws {
        let (configuration, store) = try configurationOptions.load()
        try await lock.withSession(store, operation: "state rm") { session in
            let state = await session.currentState
            guard let record = state.destinations[destination] else {
                throw CommandFailure(
                    "destination \"\(SafeText.excerpt(destination))\" is not in the \(store.description)\(Suggestion.hint(for: destination, in: state.destinations.keys))"
                )
            }
            if configuration.destination(named: destination) != nil {
                Terminal.standardError.warning(
                    "destination \"\(destination)\" is still in the configuration; the next plan finds its overrides with no record of them and adopts those equal to the configuration"
                )
            }
            var change = StateChange(destination: destination, connection: record.connection, destinationSchedule: record.destinationSchedule)
            change.removeDestination = true
            try await session.record(change)
            let after = try await session.finish()
            let count = record.overrides.count
            Terminal.standardOutput.write(
                "Removed destination \(SafeText.line(destination)) from the \(store.description) (serial \(after.serial)). "
                    + "\(count == 1 ? "Its override stays" : "Its \(count) overrides stay") in PagerDuty, and Handoff no longer manages \(count == 1 ? "it" : "them").\n"
            )
        }
    }
}
