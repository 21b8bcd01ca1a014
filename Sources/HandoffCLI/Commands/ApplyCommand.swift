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
        let (configuration, store, _) = try await loadConfigurationAndState(directory)
        let instant = try savedPlan?.now ?? parseNow(now)
        let session = try await acquireLock(store, timeout: try parseLockTimeout(lockTimeout))
        let interruption = InterruptionGuard(store: store, session: session)
        defer { interruption.disarm() }
        do {
            let succeeded = try await apply(configuration: configuration, session: session, savedPlan: savedPlan, now: instant, confirm: !autoApprove)
            await session.release()
            if !succeeded { throw CommandFailure.alreadyReported }
        } catch {
            await session.release()
            throw commandFailure(error)
        }
    }

    /// Takes the state lock; a lock whose holder was a process of this machine that no longer
    /// runs (killed, crashed) is broken with a warning, since nothing can write through it.
    private func acquireLock(_ store: any StateStore, timeout: Double) async throws -> any StateSession {
        let holder = LockHolder.current(operation: "apply", now: Instant.now)
        do {
            return try await store.acquire(holder, timeout: timeout)
        } catch let error as StateError where error.kind == .locked && error.holderIsGone {
            guard let stale = error.holder else { throw commandFailure(error) }
            Terminal.standardError.warning("breaking the lock of \(stale.summary): that process is no longer running")
            _ = try? await store.forceUnlock(id: stale.id)
            do { return try await store.acquire(holder, timeout: timeout) } catch { throw commandFailure(error) }
        } catch {
            throw commandFailure(error)
        }
    }

    /// Plans (or checks the saved plan), confirms, applies; true when everything succeeded.
    private func apply(configuration: Configuration, session: any StateSession, savedPlan: Plan?, now: Instant, confirm: Bool) async throws -> Bool {
        let initial = await session.initialState
        let only = destinations.isEmpty ? nil : Set(destinations)
        let request = PlanBuilder.Request(
            configuration: configuration, state: initial, now: now, only: only, allowFirstExportDeletes: allowFirstExportDeletes,
            allowFrozenChanges: allowFrozenChanges
        )
        var options = try connectionOptions()
        options.sandboxNow = now
        var connections = try PlanBuilder.connections(request)
        if let savedPlan { connections = Set(savedPlan.destinations.filter { !($0.removed && $0.keepsOverrides) }.map(\.connection)) }
        let hub: ConnectionHub
        do { hub = try await ConnectionHub.open(connections, configuration: configuration, options: options) } catch { throw commandFailure(error) }
        do {
            let plan: Plan
            if let savedPlan {
                try await checkFresh(savedPlan, state: initial, hub: hub)
                plan = savedPlan
            } else {
                plan = try await PlanBuilder.build(request, hub: hub)
            }
            let output = Terminal.standardOutput
            output.write(PlanRenderer.text(plan, colours: PlanRenderer.Colours(enabled: output.usesColour)))
            guard plan.hasChanges else {
                try await session.finish()
                await hub.close()
                return true
            }
            if confirm, !askForConfirmation() {
                output.write("\nApply cancelled.\n")
                await hub.close()
                return false
            }
            output.write("\n")
            let progress = ProgressPrinter(terminal: Terminal.standardError)
            var applyOptions = Applier.Options()
            applyOptions.batchSize = batchSize
            applyOptions.parallelism = parallelism
            applyOptions.progress = { progress.update(done: $0.done, total: $0.total) }
            var report = await Applier.apply(plan, session: session, hub: hub, options: applyOptions)
            progress.finish()
            await hub.close()
            // The report is printed whatever happens to the final write (a full disk): what
            // PagerDuty confirmed is in the journal, and the next run folds it in.
            do { try await session.finish() } catch {
                report.failures.append("\(error); the changes recorded before it stay in the journal, and the next run folds them in")
            }
            write(report)
            return report.succeeded
        } catch {
            await hub.close()
            throw error
        }
    }

    /// Refuses a saved plan made from another state, or from PagerDuty as it no longer is.
    private func checkFresh(_ plan: Plan, state: HandoffState, hub: ConnectionHub) async throws {
        // A plan made before the first apply has no lineage; any later state has one.
        let lineageDiffers = plan.stateLineage != nil && plan.stateLineage != state.lineage
        guard !lineageDiffers, plan.stateSerial == state.serial else {
            throw CommandFailure(
                "the saved plan is stale: it was made from state serial \(plan.stateSerial), and the state is now at serial \(state.serial)"
                    + (lineageDiffers ? " of another lineage" : "") + "; nothing was changed; make a new plan"
            )
        }
        for destination in plan.destinations {
            guard let window = destination.observedWindow else { continue }
            let live = try await hub.destination(destination.connection).overrides(schedule: destination.destinationSchedule, overlapping: window)
            guard Reconciler.fingerprint(live) == destination.liveFingerprint else {
                throw CommandFailure(
                    "the saved plan is stale: the overrides of PagerDuty schedule \(destination.destinationSchedule) (destination \(destination.name)) "
                        + "changed since it was made; nothing was changed; make a new plan"
                )
            }
        }
    }

    private func askForConfirmation() -> Bool {
        Terminal.standardOutput.write("\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ")
        return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
    }

    private func write(_ report: Applier.Report) {
        var output = ""
        for (destination, watermark, zoneName) in report.watermarks {
            let zone = Zone(identifier: zoneName) ?? Zone.utc
            output += "  \(destination): exported through \(watermark.map { DisplayTime.withOffset($0, in: zone) } ?? "nothing")\n"
        }
        let counts = "Overrides: \(report.created) created, \(report.deleted) deleted, \(report.adopted) adopted."
        if report.succeeded {
            Terminal.standardOutput.write(output + "Apply complete! \(counts)\n")
        } else {
            let errors = Terminal.standardError
            for failure in report.failures { errors.error(failure) }
            Terminal.standardOutput.write(output + "Apply failed: \(plural(report.failures.count, "failure")). \(counts) The next plan shows what remains.\n")
        }
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
