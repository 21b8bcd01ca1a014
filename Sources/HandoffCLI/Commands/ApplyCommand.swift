import ArgumentParser
import DurableFiles
import Foundation
import HandoffConfig
import HandoffDestination
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTime
import Synchronization

/// `handoff apply`: makes PagerDuty match the configuration (or carries out a saved plan), with a
/// read-write key, holding the state lock for the whole run.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create and delete PagerDuty overrides so that PagerDuty matches the configuration.",
        discussion: """
            Given a configuration directory, plans, shows the plan and asks for `yes` on a \
            terminal; pipelines pass --auto-approve. Given a plan saved with `handoff plan --out`, \
            applies exactly that plan, or refuses it if the state or PagerDuty changed since.

            Every confirmed PagerDuty call is recorded before the next one, so an apply that is \
            interrupted loses nothing: the next plan shows what remains. Exit codes: 0 success, \
            1 error (the last line says what failed).

            Examples:
              handoff apply --auto-approve
              handoff plan --out handoff.plan && handoff apply handoff.plan
            """
    )

    @Argument(help: "A configuration directory, or a plan file saved with `handoff plan --out`.", completion: .file())
    var target: String = "."

    @Flag(help: "Apply without asking for confirmation (required without a terminal).")
    var autoApprove = false

    @Option(help: "Destinations applied at once.")
    var parallelism: Int = 4

    @Option(help: "Overrides per create request.")
    var batchSize: Int = 50

    @Option(help: "Wait this long (30s, 5m) for another run's lock before giving up.")
    var lockTimeout: String = "0"

    @Option(help: "Apply as if it were this RFC 3339 time (tests only; not with a plan file).")
    var now: String?

    @Option(name: .customLong("destination"), help: "Apply only this destination (repeatable; not with a plan file).")
    var destinations: [String] = []

    @Flag(help: "Where the state looks lost (none recorded, yet PagerDuty holds overrides equal to the configuration's), delete overrides made by hand in the way, as on a first export (a saved plan carries its own choice).")
    var allowFirstExportDeletes = false

    @Flag(help: "Accept changes of who is on call inside a schedule's freeze (announced shifts); a saved plan made with it applies without it.")
    var allowFrozenChanges = false

    func validate() throws {
        try checkRange("--parallelism", parallelism, parallelismRange)
        try checkRange("--batch-size", batchSize, 1...1000)
        _ = try parseLockTimeout(lockTimeout)
        _ = try parseNow(now)
    }

    func run() async throws {
        // A file-size limit (RLIMIT_FSIZE) must fail a write with an error the report shows, not
        // end the process by SIGXFSZ before it says what was done.
        signal(SIGXFSZ, SIG_IGN)
        let terminal = isatty(STDIN_FILENO) == 1
        guard autoApprove || terminal else {
            throw CommandFailure(
                "apply needs a confirmation, and there is no terminal to ask on; pass --auto-approve to apply without one (pipelines must say so explicitly)"
            )
        }
        var isDirectory: ObjCBool = false
        let isPlanFile = FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) && !isDirectory.boolValue
        var savedPlan: Plan?
        var directory = target
        if isPlanFile {
            guard now == nil, destinations.isEmpty else { throw CommandFailure("--now and --destination apply to a configuration directory, not to a saved plan") }
            let loaded = try loadPlanFile(target)
            guard !allowFirstExportDeletes || loaded.plan.allowFirstExportDeletes else {
                throw CommandFailure("the saved plan was made without --allow-first-export-deletes, and apply carries it out as reviewed; make a new plan with the flag")
            }
            savedPlan = loaded.plan
            directory = loaded.configurationDirectory
        }
        let configuration = try loadValidConfiguration(directory)
        let store = try stateStore(for: configuration)
        let instant = try savedPlan?.now ?? parseNow(now)
        var connections = try connectionOptions()
        connections.sandboxNow = instant
        var run = ApplyRun(
            configuration: configuration,
            store: store,
            holder: LockHolder.current(operation: "apply", now: Instant.now),
            lockTimeout: try parseLockTimeout(lockTimeout),
            savedPlan: savedPlan,
            now: instant,
            connectionOptions: connections
        )
        run.only = destinations.isEmpty ? nil : Set(destinations)
        run.allowFirstExportDeletes = allowFirstExportDeletes
        run.allowFrozenChanges = allowFrozenChanges
        // The progress line starts once the plan is confirmed, so that its estimate counts applying only.
        let progress = Slot<ProgressPrinter>()
        run.applyOptions.batchSize = batchSize
        run.applyOptions.parallelism = parallelism
        run.applyOptions.progress = { step in progress.value?.update(done: step.done, total: step.total) }
        let interruption = Slot<InterruptionGuard>()
        defer { interruption.value?.disarm() }
        run.callbacks.breakingLock = { stale in
            Terminal.standardError.warning("breaking the lock of \(stale.summary): that process is no longer running")
        }
        run.callbacks.locked = { session in interruption.value = InterruptionGuard(store: store, session: session) }
        run.callbacks.checkState = { state in try checkStateUsage(state, configuration: configuration, store: store) }
        let confirm = !autoApprove
        run.callbacks.review = { plan in
            let output = Terminal.standardOutput
            output.write(PlanRenderer.text(plan, colours: PlanRenderer.Colours(enabled: output.usesColour)))
            guard plan.hasChanges else { return true }
            if confirm, !Self.askForConfirmation() { return false }
            output.write("\n")
            progress.value = ProgressPrinter(terminal: Terminal.standardError)
            return true
        }
        let outcome: ApplyRun.Outcome
        do { outcome = try await run.run() } catch { throw commandFailure(error) }
        switch outcome {
        case .unchanged:
            return
        case .cancelled:
            Terminal.standardOutput.write("\nApply cancelled.\n")
            throw CommandFailure.alreadyReported
        case .applied(_, let report):
            progress.value?.finish()
            write(report)
            if !report.succeeded { throw CommandFailure.alreadyReported }
        }
    }

    private static func askForConfirmation() -> Bool {
        Terminal.standardOutput.write("\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ")
        return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
    }

    private func write(_ report: Applier.Report) {
        var output = ""
        for (destination, watermark, zoneName) in report.watermarks {
            let zone = Zone(identifier: zoneName) ?? Zone.utc
            output += "  \(destination): exported through \(watermark.map { DisplayTime.withOffset($0, in: zone) } ?? "nothing")\n"
        }
        // Moves only where there were any: layer-based schedules have none, and their line stays as it was.
        let moved = report.moved > 0 ? ", \(report.moved) moved" : ""
        let counts = "Overrides: \(report.created) created\(moved), \(report.deleted) deleted, \(report.adopted) adopted."
        if report.succeeded {
            Terminal.standardOutput.write(output + "Apply complete! \(counts)\n")
        } else {
            let errors = Terminal.standardError
            for failure in report.failures { errors.error(failure) }
            Terminal.standardOutput.write(output + "Apply failed: \(plural(report.failures.count, "failure")). \(counts) The next plan shows what remains.\n")
        }
    }
}

/// A value the callbacks of a run set and read from any thread (the progress printer once the
/// plan is confirmed, the interruption guard once the lock is held).
final class Slot<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)

    var value: Value? {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}

/// Progress of long work on standard error: a live line on a terminal, a line every few seconds
/// otherwise (CI logs).
final class ProgressPrinter: Sendable {
    private let terminal: Terminal
    private let state = Mutex<(started: ContinuousClock.Instant, lastPrinted: ContinuousClock.Instant?, shown: Bool)>((ContinuousClock.now, nil, false))

    init(terminal: Terminal) {
        self.terminal = terminal
    }

    func update(done: Int, total: Int) {
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            let interval: Duration = terminal.isTerminal ? .milliseconds(100) : .seconds(5)
            if let last = state.lastPrinted, now - last < interval, done < total { return nil }
            state.lastPrinted = now
            state.shown = true
            let elapsed = now - state.started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let left = done > 0 ? seconds / Double(done) * Double(total - done) : 0
            return "Applying: \(done)/\(total) requests" + (done < total && done > 0 ? ", about \(Int(left.rounded(.up))) s left" : "")
        }
        guard let line else { return }
        terminal.write(terminal.isTerminal ? "\r\u{1B}[K\(line)" : "\(line)\n")
    }

    func finish() {
        let shown = state.withLock { $0.shown }
        if shown, terminal.isTerminal { terminal.write("\n") }
    }
}

/// On Ctrl-C or SIGTERM during an apply: what was confirmed is already in the journal, so give up
/// the lock and stop, instead of leaving a lock for someone to break.
final class InterruptionGuard: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>

    init(store: any StateStore, session: any StateSession) {
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                // One style for every failure: `error: …`, after the live progress line if one is shown.
                let terminal = Terminal.standardError
                if terminal.isTerminal { terminal.write("\n") }
                terminal.error("interrupted: what was done is recorded in the state; the next plan shows what remains")
                Task {
                    await session.release()
                    exit(130)
                }
            }
            source.resume()
            sources.append(source)
        }
        self.sources = Mutex(sources)
    }

    func disarm() {
        sources.withLock { sources in
            for source in sources { source.cancel() }
            sources.removeAll()
        }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
