import Foundation
import HandoffDestination
public import HandoffPlan
public import HandoffState
public import HandoffTime
import Synchronization

/// Carries out a plan: the only code that writes to PagerDuty. Per destination: adoptions (no
/// call), creates in bulk requests, then moves in place, then deletes, so coverage never has a
/// hole, except that on a rotation of a shift-based schedule what a new span overlaps goes first
/// (`writeSteps`), and what replaces a started override starts where the destination cut it
/// (`readCuts`); the schedule's kind is remembered once the destination succeeded; destinations side
/// by side, removed ones after the others. Every confirmed call is recorded in the state before the next one; a create whose
/// answer was lost is resolved by listing and matching before anything is sent again, so no
/// override is ever created twice. A destination that fails does not stop the others, and its
/// watermark stays where it was.
public enum Applier {
    public struct Options: Sendable {
        /// Overrides per create request.
        public var batchSize = 50
        /// Destinations applied at once.
        public var parallelism = 4
        /// Rounds of list-and-match after creates whose outcome was unknown.
        public var maxResolutionRounds = 5
        /// Told after every call.
        public var progress: @Sendable (Progress) -> Void = { _ in }

        public init() {}
    }

    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
    }

    public struct Report: Sendable {
        public var created = 0
        public var deleted = 0
        public var adopted = 0
        /// Overrides changed in place (one request each, the id kept).
        public var moved = 0
        /// One sentence per failure, prefixed with the destination.
        public var failures: [String] = []
        /// Destinations completed, with their new watermark.
        public var watermarks: [(destination: String, watermark: Instant?, timeZone: String)] = []
        public var completed: [String] = []

        public var succeeded: Bool { failures.isEmpty }
    }

    /// The requests a plan takes: one per batch of creates (of each step, `writeSteps`), one per
    /// move and one per delete.
    public static func requestCount(_ plan: Plan, batchSize: Int) -> Int {
        plan.destinations.reduce(0) { total, destination in
            writeSteps(destination.actions).reduce(total) { total, step in
                total + (step.kind == .create ? (step.actions.count + max(1, batchSize) - 1) / max(1, batchSize) : step.actions.count)
            }
        }
    }

    public static func apply(_ plan: Plan, session: any StateSession, hub: ConnectionHub, options: Options = Options()) async -> Report {
        let shared = SharedRun(total: requestCount(plan, batchSize: options.batchSize), progress: options.progress)
        let work = plan.destinations.filter(\.hasChanges)
        // Removed destinations go last: a destination that replaces one on the same PagerDuty
        // schedule has its overrides in force before the old ones are cut, and where it failed the
        // old ones stay until a run succeeds.
        var reports = await applyAll(work.filter { !$0.removed }, now: plan.now, session: session, hub: hub, options: options, shared: shared)
        let failedSchedules = Set(
            reports.filter { !$0.failures.isEmpty }.compactMap { report in
                plan.destinations.first { $0.name == report.destination }.map { ScheduleKey(connection: $0.connection, destinationSchedule: $0.destinationSchedule) }
            }
        )
        var removals: [DestinationPlan] = []
        for destination in work where destination.removed {
            // One whose overrides stay makes no PagerDuty call: nothing of it depends on the others.
            if !destination.keepsOverrides, failedSchedules.contains(ScheduleKey(connection: destination.connection, destinationSchedule: destination.destinationSchedule)) {
                reports.append(
                    DestinationReport(
                        destination: destination.name,
                        failures: ["destination \(destination.name): not removed, as a destination writing the same PagerDuty schedule failed; its overrides stay until an apply succeeds"]
                    )
                )
            } else {
                removals.append(destination)
            }
        }
        reports += await applyAll(removals, now: plan.now, session: session, hub: hub, options: options, shared: shared)
        var report = Report()
        for item in reports.sorted(by: { $0.destination < $1.destination }) {
            report.created += item.created
            report.deleted += item.deleted
            report.adopted += item.adopted
            report.moved += item.moved
            report.failures += item.failures
            if item.failures.isEmpty {
                report.completed.append(item.destination)
                if let plan = plan.destinations.first(where: { $0.name == item.destination }), !plan.removed {
                    report.watermarks.append((item.destination, plan.watermarkAfter, plan.timeZone))
                }
            }
        }
        return report
    }

    /// Applies destinations side by side, `options.parallelism` at a time.
    private static func applyAll(
        _ work: [DestinationPlan],
        now: Instant,
        session: any StateSession,
        hub: ConnectionHub,
        options: Options,
        shared: SharedRun
    ) async -> [DestinationReport] {
        var reports: [DestinationReport] = []
        await withTaskGroup(of: DestinationReport.self) { group in
            var next = 0
            func launch() {
                guard next < work.count else { return }
                let destination = work[next]
                next += 1
                group.addTask {
                    await applyDestination(destination, now: now, session: session, hub: hub, options: options, shared: shared)
                }
            }
            for _ in 0..<min(max(1, options.parallelism), max(1, work.count)) { launch() }
            for await report in group {
                reports.append(report)
                launch()
            }
        }
        return reports
    }

    struct DestinationReport: Sendable {
        var destination: String
        var created = 0
        var deleted = 0
        var adopted = 0
        var moved = 0
        var failures: [String] = []
    }

    private static func applyDestination(
        _ destination: DestinationPlan,
        now: Instant,
        session: any StateSession,
        hub: ConnectionHub,
        options: Options,
        shared: SharedRun
    ) async -> DestinationReport {
        var report = DestinationReport(destination: destination.name)
        func change(created: [OverrideRecord] = [], deleted: [String] = []) -> StateChange {
            StateChange(
                destination: destination.name,
                connection: destination.connection,
                destinationSchedule: destination.destinationSchedule,
                created: created,
                deleted: deleted
            )
        }
        func fail(_ message: String) {
            report.failures.append("destination \(destination.name): \(message)")
        }
        let forgetting = destination.removed && destination.keepsOverrides
        if !forgetting, let refusal = shared.refusal(for: destination.connection) {
            fail(refusal)
            return report
        }
        do {
            // State-only steps first, with no PagerDuty call: a `moved` entry's rename, one record
            // (a run killed around it leaves the record under one name or the other, never half of
            // each, and the next plan finds it either way); or forgetting a destination whose
            // overrides stay in PagerDuty.
            if let oldName = destination.movedFrom {
                try shared.checkNotStopped()
                var rename = change()
                rename.destination = oldName
                rename.movedTo = destination.name
                try await session.record(rename)
            }
            if forgetting {
                try shared.checkNotStopped()
                var forget = change()
                forget.removeDestination = true
                try await session.record(forget)
                return report
            }
            let target: any OverrideDestination
            do { target = try hub.destination(destination.connection) } catch {
                fail("\(error)")
                return report
            }
            // Adoptions: the override is already right; only the state learns it is Handoff's. With
            // them, what the listing showed of deletes a killed run had marked pending.
            let adoptions = destination.actions(.adopt).compactMap { action in
                action.overrideID.map { OverrideRecord(id: $0, start: action.start, end: action.end, userID: action.userID, target: action.target) }
            }
            let interrupted = destination.interruptedDeletes
            if !adoptions.isEmpty || !interrupted.isEmpty {
                var resolved = change(created: adoptions, deleted: interrupted.done)
                resolved.clearDeletePending = interrupted.withdrawn
                try await session.record(resolved)
                report.adopted += adoptions.count
            }

            // The writes in steps (`writeSteps`): on a whole schedule and for custom shifts,
            // creates first so that no moment loses its override, then moves in place (an
            // override changed in place leaves its old hours, which the creates or the move itself
            // cover), then deletes; on a rotation, what a new span overlaps goes first, as
            // PagerDuty may refuse two overrides of one member at once. Each step runs only when
            // every step before it succeeded.
            // A create that waits for the delete of a started rotation override starts where the
            // destination cut that one (`readCuts`).
            let steps = writeSteps(destination.actions)
            let creates = steps.filter { $0.kind == .create }.flatMap(\.actions)
            var cuts: [Cut] = []
            for step in steps where report.failures.isEmpty {
                switch step.kind {
                case .create:
                    var pending = step.actions.compactMap { afterCuts($0, cuts) }.map {
                        PlannedOverride(start: $0.start, end: $0.end, userID: $0.userID, target: $0.target)
                    }
                    while !pending.isEmpty {
                        try shared.checkNotStopped()
                        let batch = Array(pending.prefix(max(1, min(options.batchSize, target.capabilities.maxBatchSize))))
                        pending.removeFirst(batch.count)
                        let outcome = try await create(batch, destination: destination, target: target, session: session, options: options, shared: shared)
                        report.created += outcome.created
                        for rejection in outcome.rejected { fail(rejection) }
                    }
                case .move:
                    let outcome = try await move(step.actions, destination: destination, target: target, session: session, shared: shared)
                    report.moved += outcome.moved
                    for failure in outcome.failures { fail(failure) }
                default:
                    // What a create waits for stays marked delete-pending until it is known where
                    // it was cut: one whose read fails is still, for the next plan and its freeze
                    // check, the override this apply set out to replace.
                    let deferred = cutCandidates(step.actions, creates: creates)
                    let results = try await delete(step.actions, destination: destination, target: target, session: session, shared: shared, deferring: deferred)
                    report.deleted += results.count
                    let read = await readCuts(
                        step.actions, results: results, creates: creates, now: now, schedule: destination.destinationSchedule, target: target
                    )
                    let known = deferred.filter { results[$0] != nil && !read.unresolved.contains($0) }
                    if !known.isEmpty { try await session.record(change(deleted: known.sorted())) }
                    cuts += read.cuts
                    for failure in read.failures { fail(failure) }
                }
            }

            // Done: the watermark moves, ended records go, a removed destination leaves the state.
            if report.failures.isEmpty {
                var final = change()
                if destination.removed {
                    final.removeDestination = true
                } else {
                    final.watermark = destination.watermarkAfter
                    final.dropEndedBefore = now
                    // The kind the schedule was written as, so the next plan notices it changing
                    // under Handoff; recorded only where it differs from what the state remembers.
                    if let kind = destination.scheduleKind, await session.currentState.destinations[destination.name]?.scheduleKind != kind {
                        final.scheduleKind = kind
                    }
                }
                try await session.record(final)
            }
        } catch let error as DestinationError where error.kind == .readOnlyKey {
            shared.refuse(connection: destination.connection, error.message)
            fail(error.message)
        } catch let error as StateError {
            // What PagerDuty confirmed can no longer be recorded: stop every destination before its
            // next call, so that nothing is done that the state would not know.
            shared.stop("the state cannot be written (\(error.message)); every destination stopped before its next PagerDuty call")
            fail(error.message)
        } catch let stop as SharedRun.Stopped {
            fail(stop.reason)
        } catch {
            fail("\(error)")
        }
        return report
    }
}

/// What the destinations of one run share: progress, which connections refused writes, and
/// whether the run must stop (the state can no longer be written).
final class SharedRun: Sendable {
    private let state: Mutex<(done: Int, refusals: [String: String], stopped: String?)>
    let total: Int
    let progress: @Sendable (Applier.Progress) -> Void

    init(total: Int, progress: @escaping @Sendable (Applier.Progress) -> Void) {
        self.total = total
        self.progress = progress
        state = Mutex((0, [:], nil))
    }

    func step() {
        let done = state.withLock { state -> Int in
            state.done += 1
            return state.done
        }
        progress(Applier.Progress(done: min(done, total), total: total))
    }

    /// After a read-only refusal, the other destinations on that connection do not try again.
    func refuse(connection: String, _ message: String) {
        state.withLock { $0.refusals[connection] = message }
    }

    func refusal(for connection: String) -> String? {
        state.withLock { $0.refusals[connection] }
    }

    struct Stopped: Error {
        var reason: String
    }

    func stop(_ reason: String) {
        state.withLock { $0.stopped = $0.stopped ?? reason }
    }

    /// Throws when the run must stop; called before every write to PagerDuty.
    func checkNotStopped() throws {
        if let reason = state.withLock({ $0.stopped }) { throw Stopped(reason: reason) }
    }
}
