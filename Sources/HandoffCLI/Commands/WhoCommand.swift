import ArgumentParser
import Foundation
import HandoffConfig
import HandoffRota
import HandoffTime
import OrderedJSON
import SafeText

/// `handoff who`: who is on call now (or at a given time) and who is next, straight from the
/// configuration (no PagerDuty needed), or as PagerDuty shows it (`--source pagerduty`).
struct WhoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "who",
        abstract: "Show who is on call and the next handoffs, per schedule.",
        discussion: """
            By default computed from the configuration alone (PagerDuty is not asked): the person on call at \
            TIME (default now) since and until when, and the next handoffs. Times are shown in each \
            schedule's time zone. Each entry is a handoff: one person's consecutive shifts are one \
            entry, also when coverage leaves hours between them (then marked "in coverage hours \
            only"); the export still keeps one override per shift. With --report, a fairness summary instead: shifts, hours, \
            weekend hours and hours covering others' time off, per person.

            With --source pagerduty, PagerDuty is asked instead, through each destination's \
            connection (a read-only key is enough): who its own final schedule shows on call at \
            TIME and next, for every destination (or those of --destination, or of --schedule), \
            from two weeks before TIME to the schedule's horizon after it (at most 13 weeks). A \
            shift-based schedule can have several people on call at once: each is listed, with \
            what puts them there (a rotation, an override, a custom shift). Names and e-mails \
            are PagerDuty's.

            Examples:
              handoff who
              handoff who --at 2026-12-24T20:00:00+01:00 --schedule platform-primary --next 5
              handoff who --report --from 2026-12-01 --until 2027-01-01
              handoff who --source pagerduty --destination platform-primary-pd --format json
            """
    )

    @OptionGroup var configurationOptions: ConfigurationOptions

    @Option(help: "The moment to look at, RFC 3339 (2026-12-24T20:00:00Z or with an offset); default now.")
    var at: String?

    @Option(name: .customLong("schedule"), help: "Only this schedule (repeatable).")
    var schedules: [String] = []

    @Option(help: "Where to look: configuration (computed, no PagerDuty needed) or pagerduty (what PagerDuty shows for each destination).")
    var source: Source = .configuration

    @Option(name: .customLong("destination"), help: "With --source pagerduty: only this destination (repeatable).")
    var destinations: [String] = []

    @Option(help: "How many handoffs to show after the current shift.")
    var next: Int = 3

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "Show a fairness summary per schedule and person instead.")
    var report = false

    @Option(help: "With --report: the first day (YYYY-MM-DD, in each schedule's zone); default today.")
    var from: String?

    @Option(help: "With --report: the day after the last one (YYYY-MM-DD); default 12 weeks after --from.")
    var until: String?

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    /// The most handoffs `--next` shows: more than a year of daily turns.
    static let maximumNext = 1000

    /// A report covers at least a day and at most `FairnessRow.maximumDays`, so its work and its
    /// memory stay bounded whatever the dates.
    static func checkReportRange(from firstDay: LocalDate, until lastDay: LocalDate) throws {
        guard lastDay > firstDay else { throw ValidationError("--until must be after --from") }
        let days = lastDay.daysSinceEpoch - firstDay.daysSinceEpoch
        guard days <= FairnessRow.maximumDays else {
            throw ValidationError("a report covers at most \(FairnessRow.maximumDays) days (about three years); --from \(firstDay) and --until \(lastDay) are \(days) days apart")
        }
    }

    func validate() throws {
        try checkRange("--next", next, 0...Self.maximumNext)
        if let at { _ = try parseInstantOption("--at", at, example: "2026-12-24T20:00:00Z or 2026-12-24T20:00:00+01:00") }
        var days: [LocalDate] = []
        for (name, value) in [("--from", from), ("--until", until)] {
            guard let value else { continue }
            guard let day = LocalDate(parsing: value) else { throw ValidationError("\(name) must be a date such as 2026-12-01, not \(value)") }
            guard (1970...9000).contains(day.year) else { throw ValidationError("\(name) must be a date from 1970 to 9000, not \(value)") }
            days.append(day)
        }
        if !report, from != nil || until != nil { throw ValidationError("--from and --until go with --report") }
        if days.count == 2 { try Self.checkReportRange(from: days[0], until: days[1]) }
        if source == .pagerduty, report { throw ValidationError("--report goes with --source configuration: the fairness report is computed from the configuration") }
        if source != .pagerduty, !destinations.isEmpty { throw ValidationError("--destination goes with --source pagerduty") }
    }

    func run() async throws {
        let configuration = try configurationOptions.configuration()
        let instant = try at.map { try parseInstantOption("--at", $0, example: "2026-12-24T20:00:00Z") } ?? Instant.now.flooredToMinute
        if source == .pagerduty {
            try await runPagerDuty(configuration, at: instant)
            return
        }
        let selected = try selectSchedules(configuration)
        if report {
            try runReport(configuration, selected, now: instant)
        } else {
            runWho(configuration, selected, at: instant)
        }
    }

    func selectSchedules(_ configuration: Configuration) throws -> [Schedule] {
        guard !schedules.isEmpty else { return configuration.schedules }
        return try schedules.map { name in
            guard let schedule = configuration.schedule(named: name) else {
                let hint = Suggestion.hint(for: name, in: configuration.schedules.map(\.name))
                throw CommandFailure("no schedule \"\(name)\" in the configuration\(hint)")
            }
            return schedule
        }
    }

    // MARK: - who

    private func runWho(_ configuration: Configuration, _ selected: [Schedule], at instant: Instant) {
        let statuses = ParallelMap.map(selected) { OnCallStatus.at(instant, schedule: $0, next: next) }
        switch format {
        case .json:
            let items: [JSONValue] = zip(selected, statuses).map { schedule, status in
                .object([
                    "name": .string(schedule.name),
                    "time_zone": .string(schedule.zone.identifier),
                    "on_call": status.current.map { shiftJSON($0, configuration, schedule.zone) } ?? .null,
                    "next": .array(status.upcoming.map { shiftJSON($0, configuration, schedule.zone) }),
                    "gaps": status.gaps.isEmpty ? nil : .array(status.gaps.map { gap in
                        .object([
                            "start": .string(DisplayTime.rfc3339(gap.range.start, in: schedule.zone)),
                            "end": .string(DisplayTime.rfc3339(gap.range.end, in: schedule.zone)),
                            "message": .string(gap.description),
                        ])
                    }),
                ])
            }
            Terminal.standardOutput.write(JSONValue.object(["at": .string(instant.description), "schedules": .array(items)]).serialized())
        case .text:
            var output = ""
            for (index, (schedule, status)) in zip(selected, statuses).enumerated() {
                if index > 0 { output += "\n" }
                output += "\(schedule.name) (\(schedule.zone.identifier))\n"
                let names = ([status.current].compactMap { $0 } + status.upcoming).map { person($0.person, configuration) }
                let width = names.map(\.count).max() ?? 0
                func row(_ label: String, _ entry: OnCallStretch) -> String {
                    let name = person(entry.person, configuration)
                    // Shifts apart outside coverage are one handoff; say the span is not all on call.
                    let note = entry.pieces.count > 1 ? "  (\(entry.shifts) shifts, in coverage hours only)" : ""
                    return "  \(label)  \(name)\(String(repeating: " ", count: width - name.count))  \(DisplayTime.span(entry.range, in: schedule.zone))\(note)\n"
                }
                if let current = status.current {
                    output += row("on call", current)
                } else if let gap = status.gaps.first(where: { $0.range.contains(instant) }) {
                    output += "  on call  nobody: \(gap.description)\n"
                } else {
                    output += "  on call  nobody (outside coverage)\n"
                }
                for (offset, entry) in status.upcoming.enumerated() {
                    output += row(offset == 0 ? "next   " : "       ", entry)
                }
                for gap in status.gaps where !gap.range.contains(instant) {
                    output += "  warning: \(gap.description)\n"
                }
            }
            Terminal.standardOutput.write(output)
        }
    }

    /// A person as the terminal shows them: their name and e-mail on one line, nothing invisible.
    private func person(_ key: String, _ configuration: Configuration) -> String {
        SafeText.line(configuration.person(key)?.displayName ?? key)
    }

    /// One handoff entry; `shifts` counts the overrides in it (more than one when coverage leaves
    /// hours between them, or a cover runs into the person's own turn).
    private func shiftJSON(_ entry: OnCallStretch, _ configuration: Configuration, _ zone: Zone) -> JSONValue {
        .object([
            "person": .string(configuration.person(entry.person)?.name ?? entry.person),
            "email": .string(configuration.person(entry.person)?.email ?? entry.person),
            "start": .string(DisplayTime.rfc3339(entry.start, in: zone)),
            "end": .string(DisplayTime.rfc3339(entry.end, in: zone)),
            "shifts": .int(entry.shifts),
        ])
    }

    // MARK: - report

    private func runReport(_ configuration: Configuration, _ selected: [Schedule], now: Instant) throws {
        var blocks: [JSONValue] = []
        var text = ""
        for schedule in selected {
            let zone = schedule.zone
            let firstDay = from.flatMap { LocalDate(parsing: $0) } ?? zone.local(at: now).date
            let lastDay = until.flatMap { LocalDate(parsing: $0) } ?? firstDay.adding(days: 84)
            do { try Self.checkReportRange(from: firstDay, until: lastDay) } catch let error as ValidationError {
                throw CommandFailure(error.message, exitCode: 64)
            }
            let window = InstantRange(
                start: zone.instant(for: LocalDateTime(date: firstDay, time: .midnight)),
                end: zone.instant(for: LocalDateTime(date: lastDay, time: .midnight))
            )
            let (rows, gaps) = FairnessRow.report(for: schedule, over: window)
            blocks.append(
                .object([
                    "name": .string(schedule.name),
                    "time_zone": .string(zone.identifier),
                    "from": .string(firstDay.description),
                    "until": .string(lastDay.description),
                    "people": .array(rows.map { row in
                        .object([
                            "person": .string(configuration.person(row.person)?.name ?? row.person),
                            "email": .string(configuration.person(row.person)?.email ?? row.person),
                            "shifts": .int(row.shifts),
                            "hours": .number((row.hours * 100).rounded() / 100),
                            "weekend_hours": .number((row.weekendHours * 100).rounded() / 100),
                            "time_off_cover_hours": .number((row.coverHours * 100).rounded() / 100),
                        ])
                    }),
                    "gaps": .int(gaps.count),
                ])
            )
            if !text.isEmpty { text += "\n" }
            text += "\(schedule.name) (\(zone.identifier)), \(firstDay) to \(lastDay)\n"
            let names = rows.map { person($0.person, configuration) }
            let width = max(6, names.map(\.count).max() ?? 0)
            text += "  " + "person".padding(toLength: width, withPad: " ", startingAt: 0) + "  shifts    hours  weekend  covering\n"
            for (row, name) in zip(rows, names) {
                text += "  " + name.padding(toLength: width, withPad: " ", startingAt: 0)
                text += String(format: "  %6d  %7.1f  %7.1f  %8.1f\n", row.shifts, row.hours, row.weekendHours, row.coverHours)
            }
            for gap in gaps { text += "  warning: \(gap.description)\n" }
        }
        switch format {
        case .json: Terminal.standardOutput.write(JSONValue.object(["schedules": .array(blocks)]).serialized())
        case .text: Terminal.standardOutput.write(text)
        }
    }
}

/// Loads a configuration for a command that needs a valid one: the diagnostics go to standard
/// error (warnings too), and errors stop the command.
func loadValidConfiguration(_ directory: String) throws -> Configuration {
    let loaded = try ConfigurationLoader.load(directory: directory, apiHosts: .fromEnvironment())
    let terminal = Terminal.standardError
    if !loaded.diagnostics.isEmpty {
        terminal.write(DiagnosticReport.text(loaded.diagnostics, sources: loaded.sources, colour: terminal.usesColour))
    }
    guard let configuration = loaded.configuration else {
        throw CommandFailure("the configuration has \(plural(loaded.diagnostics.errorCount, "error")); `handoff validate \(directory)` lists them")
    }
    return configuration
}

extension Instant {
    /// The current time from the system clock.
    static var now: Instant { Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970.rounded(.down))) }
}
