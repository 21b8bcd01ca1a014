import HandoffDestination
import HandoffPlan
import HandoffState
import HandoffTime

// MARK: - Writes
// The three kinds of request an apply sends for one destination (creates in batches, moves in
// place, deletes), each confirmed call recorded in the state before the next one depends on it.

extension Applier {
    struct CreateOutcome {
        var created = 0
        var rejected: [String] = []
    }

    /// Creates one batch. When PagerDuty's answer is lost, lists the overrides the batch spans
    /// and takes those that match as created, then sends only the rest again.
    static func create(
        _ batch: [PlannedOverride],
        destination: DestinationPlan,
        target: any OverrideDestination,
        session: any StateSession,
        options: Options,
        shared: SharedRun
    ) async throws -> CreateOutcome {
        var outcome = CreateOutcome()
        var remaining = batch
        var rounds = 0
        while !remaining.isEmpty {
            do {
                let results = try await target.createOverrides(schedule: destination.destinationSchedule, remaining)
                shared.step()
                let created = results.enumerated().compactMap { index, result -> OverrideRecord? in
                    guard case .created(var override) = result else { return nil }
                    // A destination that answers without a target created what it was asked for.
                    if override.target == .schedule, index < remaining.count { override.target = remaining[index].target }
                    return override
                }
                if !created.isEmpty {
                    try await session.record(
                        StateChange(destination: destination.name, connection: destination.connection, destinationSchedule: destination.destinationSchedule, created: created)
                    )
                    outcome.created += created.count
                }
                for case .rejected(_, let reason) in results { outcome.rejected.append(reason) }
                return outcome
            } catch let error as DestinationError where error.kind == .outcomeUnknown {
                rounds += 1
                guard rounds <= options.maxResolutionRounds else { throw error }
                // Some of the batch may exist: find them before sending anything again.
                guard let first = remaining.map(\.start).min(), let last = remaining.map(\.end).max() else { break }
                let live = try await target.overrides(schedule: destination.destinationSchedule, overlapping: InstantRange(start: first, end: last))
                let owned = await session.currentState.allOwnedIDs
                var unmatched = remaining
                var found: [OverrideRecord] = []
                for override in live where !owned.contains(override.id) {
                    // The target is part of what an object is: a person's custom shift over the same
                    // hours is not the rotation override that was sent.
                    if let index = unmatched.firstIndex(where: {
                        $0.userID == override.userID && $0.start == override.start && $0.end == override.end && $0.target == override.target
                    }) {
                        unmatched.remove(at: index)
                        found.append(OverrideRecord(id: override.id, start: override.start, end: override.end, userID: override.userID, target: override.target))
                    }
                }
                if !found.isEmpty {
                    try await session.record(
                        StateChange(destination: destination.name, connection: destination.connection, destinationSchedule: destination.destinationSchedule, created: found)
                    )
                    outcome.created += found.count
                }
                remaining = unmatched
                if remaining.isEmpty { shared.step() }
            }
        }
        return outcome
    }

    struct MoveOutcome {
        var moved = 0
        var failures: [String] = []
    }

    /// Changes overrides in place (`.move` actions), side by side; each move is recorded, under
    /// the id it had, as soon as the destination confirms it. A PUT is idempotent: one whose
    /// answer was lost is sent once more, and one lost twice fails the destination without
    /// anything being created in its stead (the next plan lists and finds out where it is).
    static func move(
        _ actions: [PlanAction],
        destination: DestinationPlan,
        target: any OverrideDestination,
        session: any StateSession,
        shared: SharedRun
    ) async throws -> MoveOutcome {
        let moves = actions.compactMap { action in action.overrideID.map { (id: $0, action: action) } }
        guard !moves.isEmpty else { return MoveOutcome() }
        return try await withThrowingTaskGroup(of: String?.self) { group in
            for (id, action) in moves {
                group.addTask {
                    let wanted = PlannedOverride(start: action.start, end: action.end, userID: action.userID, target: action.target)
                    var confirmed: OverrideRecord?
                    for attempt in 1...2 where confirmed == nil {
                        try shared.checkNotStopped()
                        do {
                            confirmed = try await target.updateOverride(schedule: destination.destinationSchedule, id: id, from: action.previous, to: wanted)
                        } catch let error as DestinationError where error.kind == .outcomeUnknown && attempt == 1 {
                            continue
                        } catch let error as DestinationError where error.kind == .outcomeUnknown {
                            shared.step()
                            return "the answer to moving override \(id) to \(action.start)–\(action.end) was lost twice, so whether it moved is unknown; "
                                + "nothing was created in its place, and the next plan lists the schedule and shows what remains"
                        }
                    }
                    shared.step()
                    guard let confirmed else { return nil }
                    // The same object under the same id, now over its new hours.
                    let record = OverrideRecord(id: id, start: confirmed.start, end: confirmed.end, userID: confirmed.userID, target: action.target)
                    try await session.record(
                        StateChange(
                            destination: destination.name, connection: destination.connection, destinationSchedule: destination.destinationSchedule, updated: [record]
                        )
                    )
                    return nil
                }
            }
            var outcome = MoveOutcome()
            for try await failure in group {
                if let failure { outcome.failures.append(failure) } else { outcome.moved += 1 }
            }
            return outcome
        }
    }

    /// Deletes overrides, each as the kind of object its action names, side by side; returns what
    /// the destination answered for each id (every one of them is no longer Handoff's). Each
    /// delete is recorded as soon as it is confirmed, except those in `deferring`, which stay
    /// marked delete-pending for the caller to record.
    static func delete(
        _ actions: [PlanAction],
        destination: DestinationPlan,
        target: any OverrideDestination,
        session: any StateSession,
        shared: SharedRun,
        deferring: Set<String> = []
    ) async throws -> [String: OverrideDeletionResult] {
        // Each id once (a crafted plan may name one twice): two DELETEs of one object at once
        // would leave whichever answered last as what it became.
        var seen: Set<String> = []
        let deletions = actions.compactMap { action in action.overrideID.map { (id: $0, target: action.target) } }.filter { seen.insert($0.id).inserted }
        guard !deletions.isEmpty else { return [:] }
        // Marked before any DELETE is sent, in one record for them all: a run killed after
        // PagerDuty confirmed a delete and before it was recorded leaves a mark, which the
        // next plan resolves by listing, instead of a record that looks deleted by hand.
        try shared.checkNotStopped()
        try await session.record(
            StateChange(
                destination: destination.name, connection: destination.connection, destinationSchedule: destination.destinationSchedule,
                markDeletePending: deletions.map(\.id)
            )
        )
        return try await withThrowingTaskGroup(of: (String, OverrideDeletionResult).self) { group in
            for (id, kind) in deletions {
                group.addTask {
                    try shared.checkNotStopped()
                    let result = try await target.deleteOverride(schedule: destination.destinationSchedule, id: id, target: kind)
                    shared.step()
                    if deferring.contains(id) { return (id, result) }
                    // Deleted, cut to end now, or already gone: either way no longer Handoff's to manage.
                    try await session.record(
                        StateChange(destination: destination.name, connection: destination.connection, destinationSchedule: destination.destinationSchedule, deleted: [id])
                    )
                    return (id, result)
                }
            }
            var results: [String: OverrideDeletionResult] = [:]
            for try await (id, result) in group { results[id] = result }
            return results
        }
    }
}
