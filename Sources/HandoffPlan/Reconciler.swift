public import HandoffConfig
public import HandoffDestination
public import HandoffRota
public import HandoffState
public import HandoffTime

/// The planner of DESIGN section 5, as a pure function of the desired overrides, the live ones,
/// the state and `now`: no I/O, the same answer every time.
public enum Reconciler {
    public struct Input: Sendable {
        /// Rounded down to a whole minute, so that a replacement is in force before the override it
        /// replaces is cut (DESIGN 4).
        public var now: Instant
        public var destinations: [DestinationInput]
        /// Live overrides per PagerDuty schedule.
        public var live: [ScheduleKey: ObservedSchedule]
        public var state: HandoffState
        public var directory: PeopleDirectory
        /// Names of configured destinations, including ones left out of this plan by a filter:
        /// the others in the state are removed destinations.
        public var configuredDestinations: Set<String>
        /// Plan only these destinations (all when nil).
        public var only: Set<String>?
        /// Where the state looks lost, delete overrides made by hand all the same, as on a real
        /// first export (`--allow-first-export-deletes`).
        public var allowFirstExportDeletes: Bool
        /// New name → old name of the destinations a `moved` entry renames in this plan; `state`
        /// is already the view with those renames done (`MovedStateView`).
        public var movedFrom: [String: String]
        /// Removed destinations whose overrides stay in PagerDuty (`removed` with `keep_overrides: true`).
        public var keepOverrides: Set<String>

        public init(
            now: Instant,
            destinations: [DestinationInput],
            live: [ScheduleKey: ObservedSchedule],
            state: HandoffState,
            directory: PeopleDirectory,
            configuredDestinations: Set<String>? = nil,
            only: Set<String>? = nil,
            allowFirstExportDeletes: Bool = false,
            movedFrom: [String: String] = [:],
            keepOverrides: Set<String> = []
        ) {
            self.now = now
            self.destinations = destinations
            self.live = live
            self.state = state
            self.directory = directory
            self.configuredDestinations = configuredDestinations ?? Set(destinations.map(\.name))
            self.only = only
            self.allowFirstExportDeletes = allowFirstExportDeletes
            self.movedFrom = movedFrom
            self.keepOverrides = keepOverrides
        }
    }

    public static func plan(_ input: Input) -> Plan {
        let ownedAnywhere = input.state.allOwnedIDs
        // Destinations are independent: plan them on every core.
        let selected = input.destinations.filter { input.only?.contains($0.name) ?? true }
        var plans = ParallelMap.map(selected) { destination in
            let key = ScheduleKey(connection: destination.connection, destinationSchedule: destination.destinationSchedule)
            return plan(destination, observed: input.live[key], input: input, ownedAnywhere: ownedAnywhere)
        }
        for (name, state) in input.state.destinations.sorted(by: { $0.key < $1.key })
        where !input.configuredDestinations.contains(name) && (input.only?.contains(name) ?? true) {
            let key = ScheduleKey(connection: state.connection, destinationSchedule: state.destinationSchedule)
            plans.append(planRemoval(name, state: state, observed: input.live[key], input: input))
        }
        return Plan(
            now: input.now,
            destinations: plans,
            stateLineage: input.state.lineage,
            stateSerial: input.state.serial,
            allowFirstExportDeletes: input.allowFirstExportDeletes
        )
    }

    /// Overrides are equal when user, end and target agree and so do their starts once clipped to
    /// the plan's minute (`PlanMinute`: a start within it counts as `now`).
    struct Identity: Hashable {
        var userID: String
        var start: Instant
        var end: Instant
        var target: OverrideTarget
    }

    private static func identity(_ userID: String, _ start: Instant, _ end: Instant, _ target: OverrideTarget, now: Instant) -> Identity {
        Identity(userID: userID, start: PlanMinute(now).clipped(start), end: end, target: target)
    }

    private static func plan(_ destination: DestinationInput, observed: ObservedSchedule?, input: Input, ownedAnywhere: Set<String>) -> DestinationPlan {
        let now = input.now
        let allLive = observed?.overrides ?? []
        let stateEntry = input.state.destinations[destination.name]
        let watermark = stateEntry?.watermark
        // What ends within the plan's minute has ended (`PlanMinute`): a cut override's last seconds.
        let minute = PlanMinute(now)
        let live = allLive.filter { minute.outlasts($0.end) }
        let liveIDs = Set(live.map(\.id))
        // A record marked delete-pending that the listing no longer finds was deleted by Handoff
        // (a run was killed before recording it): it goes, and is never drift.
        var interrupted = InterruptedDeletes()
        var records: [OverrideRecord] = []
        for record in (stateEntry?.overrides ?? []) where minute.outlasts(record.end) {
            if record.deletePending, !liveIDs.contains(record.id) {
                interrupted.done.append(record.id)
            } else {
                records.append(record)
            }
        }
        let ownedIDs = Set(records.map(\.id))
        let pendingIDs = Set(records.filter(\.deletePending).map(\.id))

        // Owned live overrides by identity (several when something went wrong before: extras go).
        var ownedPool: [Identity: [OverrideRecord]] = [:]
        var foreign: [OverrideRecord] = []
        for override in live.sorted(by: { ($0.start, $0.id) < ($1.start, $1.id) }) {
            if ownedIDs.contains(override.id) {
                ownedPool[identity(override.userID, override.start, override.end, override.target, now: now), default: []].append(override)
            } else if !ownedAnywhere.contains(override.id) {
                foreign.append(override)
            }
        }
        var foreignPool: [Identity: [Int]] = [:]
        for (index, override) in foreign.enumerated() {
            foreignPool[identity(override.userID, override.start, override.end, override.target, now: now), default: []].append(index)
        }
        let recordIdentities = Set(records.filter { !liveIDs.contains($0.id) }.map { identity($0.userID, $0.start, $0.end, $0.target, now: now) })

        var actions: [PlanAction] = []
        var adopted: Set<Int> = []
        // For the handovers: what the plan creates, and what becomes of each live override.
        var created: [Created] = []
        var fates: [String: LiveFate] = [:]
        // A covered piece is the rotation's own: nothing to write or match (it joins the handovers).
        for desired in destination.desired where !desired.covered {
            let key = identity(desired.userID, desired.start, desired.end, desired.target, now: now)
            if var matches = ownedPool[key], !matches.isEmpty {
                let kept = matches.removeFirst()
                ownedPool[key] = matches
                // Its delete was interrupted before it happened, and it is wanted again.
                if pendingIDs.contains(kept.id) { interrupted.withdrawn.append(kept.id) }
                continue
            }
            let beforeWatermark = watermark.map { desired.start < $0 } ?? false
            if beforeWatermark, recordIdentities.contains(key) {
                if destination.manualChanges == .keep {
                    actions.append(action(.drift, desired.start, desired.end, desired.userID, input, reason: .deletedByHandKept, target: desired.target))
                } else {
                    actions.append(action(.create, desired.start, desired.end, desired.userID, input, reason: .recreatedAfterDeleteByHand, target: desired.target))
                    created.append(Created(range: InstantRange(start: desired.start, end: desired.end), userID: desired.userID, desired: desired, recreated: true))
                }
                continue
            }
            if let index = foreignPool[key]?.first(where: { !adopted.contains($0) }) {
                adopted.insert(index)
                let override = foreign[index]
                actions.append(action(.adopt, override.start, override.end, override.userID, input, id: override.id, reason: .madeOutsideEqual, target: override.target))
                continue
            }
            actions.append(action(.create, desired.start, desired.end, desired.userID, input, target: desired.target))
            created.append(Created(range: InstantRange(start: desired.start, end: desired.end), userID: desired.userID, desired: desired, recreated: false))
        }

        // Owned overrides nothing wants any more.
        let going = ownedPool.values.flatMap({ $0 }).sorted(by: { ($0.start, $0.id) < ($1.start, $1.id) })
        // Whether someone outside the rotation still holds a shift tells "member left" from other
        // reasons: asked only of the people of the overrides that go, so most plans build no set.
        let outsiders = Set(going.compactMap { input.directory.users[$0.userID]?.person }.filter { !destination.members.contains($0) })
        let scheduled = outsiders.isEmpty ? [] : Set(destination.desired.lazy.map(\.person).filter(outsiders.contains))
        for override in going {
            let reason = deletionReason(override, destination: destination, watermark: watermark, directory: input.directory, scheduled: scheduled, inProgress: minute.hasBegun(override.start))
            actions.append(action(.delete, override.start, override.end, override.userID, input, id: override.id, reason: reason, target: override.target))
            fates[override.id] = .deletedOwned
        }

        // No state, yet overrides equal to the configuration's: the state was lost (DESIGN 5.9), and
        // what people made is not deleted as on a first export unless the run allows it.
        let stateLooksLost = stateEntry == nil && !adopted.isEmpty
        let protectForeign = stateLooksLost && !input.allowFirstExportDeletes

        // Overrides made by people where the configuration wants someone. On a shift-based
        // schedule only objects on the rotation the export replaces (and custom shifts, which add
        // people) are in the way: other rotations stay on call beside the export, as the plan says.
        let desiredRanges = destination.desired.map { InstantRange(start: $0.start, end: $0.end) }
        let replacedRotations = Set(destination.desired.compactMap { desired -> String? in
            if case .rotation(let id, _) = desired.target { id } else { nil }
        })
        for (index, override) in foreign.enumerated() where !adopted.contains(index) {
            switch override.target {
            case .schedule, .customShift: break
            case .rotation(let id, _): if !replacedRotations.contains(id) { continue }
            case .customShiftOverride: continue
            }
            let range = InstantRange(start: max(override.start, now), end: override.end)
            guard overlapsAny(range, desiredRanges) else { continue }
            let beforeWatermark = watermark.map { override.start < $0 } ?? false
            if !beforeWatermark, protectForeign {
                actions.append(
                    action(.keep, override.start, override.end, override.userID, input, id: override.id, reason: .stateLooksLost, target: override.target)
                )
            } else if !beforeWatermark {
                actions.append(
                    action(.delete, override.start, override.end, override.userID, input, id: override.id, reason: .overwrittenOnFirstExport, target: override.target)
                )
                fates[override.id] = .deletedOnFirstExport
            } else if destination.manualChanges == .revert {
                actions.append(
                    action(.delete, override.start, override.end, override.userID, input, id: override.id, reason: .manualOverrideReverted, target: override.target)
                )
                fates[override.id] = .deletedManual
            } else {
                actions.append(
                    action(.keep, override.start, override.end, override.userID, input, id: override.id, reason: .manualOverrideBeforeWatermark, target: override.target)
                )
            }
        }

        let lastEnd = destination.desired.map(\.end).max()
        let watermarkAfter = [watermark, lastEnd].compactMap { $0 }.max()
        // Who holds the pager now: this destination's overrides and those made by hand, in
        // PagerDuty's order (siblings writing the same schedule have their own handovers).
        let onCall = live.filter { ownedIDs.contains($0.id) || !ownedAnywhere.contains($0.id) }.map { ($0, fates[$0.id] ?? .stays) }
        // The rotation's own pieces lie under everything once applied: where an override goes and
        // the rotation gives its person back, the handover names them, not "nobody".
        let covered = destination.desired.filter(\.covered).map { Created(range: InstantRange(start: $0.start, end: $0.end), userID: $0.userID, desired: $0, recreated: false) }
        let handovers = handovers(
            live: onCall,
            created: created,
            covered: covered,
            underlying: destination.underlying,
            context: HandoverContext(
                now: now, watermark: watermark, removed: false, members: destination.members,
                scheduled: scheduled, directory: input.directory
            )
        )
        var explainedActions = explained(actions, by: handovers)
        if destination.updatesInPlace { explainedActions = paired(explainedActions, going: going, now: now, directory: input.directory) }
        explainedActions = afterEnded(explainedActions, ended: allLive.filter { $0.end > now && !minute.outlasts($0.end) }, minute: minute)
        var result = DestinationPlan(
            name: destination.name,
            connection: destination.connection,
            destinationSchedule: destination.destinationSchedule,
            timeZone: destination.timeZone,
            watermarkBefore: watermark,
            watermarkAfter: watermarkAfter,
            actions: ordered(explainedActions),
            observedWindow: observed?.window,
            liveFingerprint: fingerprint(allLive),
            stateLooksLost: stateLooksLost,
            interruptedDeletes: InterruptedDeletes(done: interrupted.done.sorted(), withdrawn: interrupted.withdrawn.sorted()),
            movedFrom: input.movedFrom[destination.name],
            handovers: handovers
        )
        result.scheduleKind = destination.scheduleKind
        result.notes = destination.notes
        return result
    }
}
