import ArgumentParser
import HandoffConfig
import HandoffState
import SafeText

// MARK: - handoff state readopt

/// `handoff state readopt NAME`: the way on after PagerDuty upgraded a destination's schedule to
/// another kind in place (same id). What the state recorded of it (override ids, watermark, kind)
/// means nothing on the new kind, and the plan stops until it is forgotten; once it is, the next
/// plan finds the exported shifts on the schedule and adopts those that match, so nothing that is
/// already right is created again. PagerDuty is not asked.
struct StateReadopt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readopt",
        abstract: "Forget a destination's records after its PagerDuty schedule changed kind, so the next plan adopts what is there (no PagerDuty call).",
        discussion: """
            PagerDuty can upgrade a layer-based schedule to a shift-based one in place, keeping its \
            id. Handoff remembers the kind it last wrote each schedule as; when the kind changed, \
            the plan stops for that destination and names this command. It forgets the \
            destination's owned overrides, watermark and remembered kind, in one state record \
            under the state lock, and changes nothing in PagerDuty. The next plan then reads the \
            schedule as it is now, adopts every override and custom shift that matches the \
            configuration, and creates only what is missing; review it before applying.

            Example, after PagerDuty upgraded the schedule of destination platform-pd:
              handoff state readopt platform-pd
              handoff plan      # adopts what matches, creates what is missing
              handoff apply
            """
    )

    @Argument(help: "The destination whose schedule changed kind.")
    var destination: String

    @OptionGroup var configurationOptions: ConfigurationOptions

    @OptionGroup var lock: StateLockOptions

    func run() async throws {
        let (configuration, store) = try configurationOptions.load()
        try await lock.withSession(store, operation: "state readopt") { session in
            let state = await session.currentState
            guard let record = state.destinations[destination] else {
                let nothing = configuration.destination(named: destination) != nil
                    ? "; nothing is recorded of it, so its next plan adopts what matches the configuration already" : ""
                throw CommandFailure(
                    "destination \"\(SafeText.excerpt(destination))\" is not in the \(store.description)\(Suggestion.hint(for: destination, in: state.destinations.keys))\(nothing)"
                )
            }
            guard configuration.destination(named: destination) != nil else {
                throw CommandFailure(
                    "destination \"\(SafeText.line(destination))\" is not in the configuration, so nothing would adopt its overrides; "
                        + "to forget it and leave its overrides in PagerDuty, run `handoff state rm \(SafeText.line(destination))`"
                )
            }
            try await session.record(StateChange.readopt(destination, record))
            let after = try await session.finish()
            var forgotten = [plural(record.overrides.count, "owned override")]
            if let watermark = record.watermark { forgotten.append("its watermark \(watermark)") }
            if let kind = record.scheduleKind { forgotten.append("its schedule kind (\(kind))") }
            let list = SafeText.list(forgotten)
            Terminal.standardOutput.write(
                "Forgot what the \(store.description) recorded of destination \(SafeText.line(destination)) (serial \(after.serial)): \(list). PagerDuty is unchanged.\n"
                    + "The next plan adopts the overrides on PagerDuty schedule \(SafeText.line(record.destinationSchedule)) that match the configuration, and creates only what is missing.\n"
            )
        }
    }
}
