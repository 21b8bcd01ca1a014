public import HandoffConfig
import HandoffDestination
public import HandoffPlan
import HandoffRota
public import HandoffState
public import HandoffTime

/// Makes a plan: expands the schedules, finds the people in PagerDuty, lists the live overrides of
/// every PagerDuty schedule concerned (one listing each, concurrently), and hands it all to the
/// pure `Reconciler`. Reads only; never writes to PagerDuty or to the state.
public enum PlanBuilder {
    public struct Request: Sendable {
        public var configuration: Configuration
        public var state: HandoffState
        /// Rounded down to a whole minute by the builder.
        public var now: Instant
        /// Destinations to plan (all when nil); names of configured or removed destinations.
        public var only: Set<String>?
        /// Where the state looks lost, delete overrides made by hand all the same
        /// (`--allow-first-export-deletes`).
        public var allowFirstExportDeletes: Bool
        /// Accept changes of who is on call inside a schedule's freeze (`--allow-frozen-changes`).
        public var allowFrozenChanges: Bool

        public init(
            configuration: Configuration, state: HandoffState, now: Instant, only: Set<String>? = nil, allowFirstExportDeletes: Bool = false,
            allowFrozenChanges: Bool = false
        ) {
            self.configuration = configuration
            self.state = state
            self.now = now
            self.only = only
            self.allowFirstExportDeletes = allowFirstExportDeletes
            self.allowFrozenChanges = allowFrozenChanges
        }
    }

    /// The destinations a request concerns: configured ones, and removed ones still in the state
    /// (once the configuration's `moved` entries are carried out).
    public static func scope(_ request: Request) throws -> (configured: [Destination], removed: [String]) {
        let configuration = request.configuration
        let removedNames = MovedStateView(request.state, configuration: configuration).state.destinations.keys.filter { configuration.destination(named: $0) == nil }.sorted()
        if let only = request.only {
            let known = Set(configuration.destinations.map(\.name)).union(removedNames)
            let unknown = only.subtracting(known).sorted()
            if !unknown.isEmpty {
                throw SyncError(unknown.map { "no destination \"\($0)\" in the configuration or the state\(Suggestion.hint(for: $0, in: known))" })
            }
        }
        let configured = configuration.destinations.filter { request.only?.contains($0.name) ?? true }
        return (configured, removedNames.filter { request.only?.contains($0) ?? true })
    }

    /// The connections a request uses; none for a destination let go of with its overrides kept.
    public static func connections(_ request: Request) throws -> Set<String> {
        let (configured, removed) = try scope(request)
        let forgotten = request.configuration.destinationsForgotten
        return Set(configured.map(\.connection) + removed.filter { !forgotten.contains($0) }.compactMap { request.state.destinations[$0]?.connection })
    }

    public static func build(_ request: Request, hub: ConnectionHub) async throws -> Plan {
        // Rounded down: the replacement of a shift in progress is in force before the override it
        // replaces is cut at the real time of the delete (DESIGN 4), so no second has a hole.
        let now = request.now.flooredToMinute
        let configuration = request.configuration
        let (configured, removed) = try scope(request)
        // Renames of `moved` entries are planned on the state as it will be once they are recorded.
        let view = MovedStateView(request.state, configuration: configuration)
        let state = view.state
        let forgotten = configuration.destinationsForgotten
        var problems = view.problems
        for name in removed where !forgotten.contains(name) {
            if let connection = state.destinations[name]?.connection, configuration.connection(named: connection) == nil {
                problems.append(
                    "destination \"\(name)\" was removed, but its connection \"\(connection)\" is gone too; restore the connection so its overrides can be removed"
                )
            }
        }
        if !problems.isEmpty { throw SyncError(problems) }

        // 1. The shifts each destination wants: up to its horizon, or up to what it already
        // exported when that lies further (a horizon made shorter deletes nothing, DESIGN 5).
        var windowEnds: [String: Instant] = [:]
        for destination in configured {
            guard let schedule = configuration.schedule(named: destination.schedule) else { continue }
            windowEnds[destination.name] = DesiredOverrides.windowEnd(schedule, now: now, exported: exportedThrough(state.destinations[destination.name]))
        }
        let schedules = configured.compactMap { configuration.schedule(named: $0.schedule) }
        let uniqueSchedules = Dictionary(schedules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let scheduleList = uniqueSchedules.values.sorted { $0.name < $1.name }
        // Each schedule is expanded once, over the furthest window of the destinations it feeds.
        var scheduleEnds: [String: Instant] = [:]
        for destination in configured {
            guard let end = windowEnds[destination.name] else { continue }
            scheduleEnds[destination.schedule] = max(scheduleEnds[destination.schedule] ?? end, end)
        }
        let expansions = RotaExpander.expand(scheduleList) { DesiredOverrides.expansionWindow($0, now: now, end: scheduleEnds[$0.name]) }
        var expanded: [String: [Shift]] = [:]
        for (schedule, expansion) in zip(scheduleList, expansions) {
            let end = scheduleEnds[schedule.name] ?? DesiredOverrides.horizonEnd(schedule, now: now)
            for gap in expansion.gaps where gap.range.start < end { problems.append(gap.description) }
            expanded[schedule.name] = expansion.shifts
        }
        if !problems.isEmpty { throw SyncError(problems) }
        var wanted: [String: [Shift]] = [:]
        for destination in configured {
            guard let schedule = configuration.schedule(named: destination.schedule) else { continue }
            wanted[destination.name] = DesiredOverrides.wanted(expanded[schedule.name] ?? [], schedule: schedule, now: now, end: windowEnds[destination.name])
        }

        // 2. The people of those shifts, in PagerDuty, per connection.
        var peopleByConnection: [String: Set<String>] = [:]
        for destination in configured {
            for shift in wanted[destination.name] ?? [] { peopleByConnection[destination.connection, default: []].insert(shift.person) }
        }
        var userIDs: [String: [String: String]] = [:]
        var directory = PeopleDirectory()
        try await withThrowingTaskGroup(of: (String, [String: String], [String: PeopleDirectory.Entry], [String]).self) { group in
            for (connection, people) in peopleByConnection {
                let destination = try hub.destination(connection)
                group.addTask {
                    let persons = people.compactMap { configuration.person($0) }
                    let users = try await destination.resolveUsers(emails: persons.map(\.email))
                    var ids: [String: String] = [:]
                    var entries: [String: PeopleDirectory.Entry] = [:]
                    var missing: [String] = []
                    for person in persons.sorted(by: { $0.key < $1.key }) {
                        guard let user = users[person.email.lowercased()] else {
                            missing.append(
                                "\(person.key) (\(person.email), \(person.location)) has no PagerDuty user on connection \"\(connection)\"; "
                                    + "invite them to PagerDuty or correct the address"
                            )
                            continue
                        }
                        ids[person.key] = user.id
                        entries[user.id] = PeopleDirectory.Entry(name: person.name ?? user.name, email: user.email, person: person.key)
                    }
                    return (connection, ids, entries, missing)
                }
            }
            for try await (connection, ids, entries, missing) in group {
                userIDs[connection] = ids
                directory.users.merge(entries) { first, _ in first }
                problems += missing
            }
        }
        if !problems.isEmpty { throw SyncError(problems.sorted()) }

        // 3. The live overrides of every PagerDuty schedule concerned, each listed once over a
        // window that covers everything any destination writing it wants or owns.
        var windows: [ScheduleKey: Instant] = [:]
        var inputs: [DestinationInput] = []
        var jobs: [LayoutJob] = []
        for destination in configured {
            guard let schedule = configuration.schedule(named: destination.schedule) else { continue }
            let key = ScheduleKey(connection: destination.connection, destinationSchedule: destination.pagerDutySchedule)
            let shifts = wanted[destination.name] ?? []
            let desired = DesiredOverrides.make(shifts, schedule: schedule, now: now, userIDs: userIDs[destination.connection] ?? [:])
            let horizonEnd = DesiredOverrides.horizonEnd(schedule, now: now)
            let owned = state.destinations[destination.name]
            let ends = [horizonEnd, owned?.watermark, owned?.overrides.map(\.end).max(), desired.map(\.end).max()].compactMap { $0 }
            windows[key] = max(windows[key] ?? now, ends.max() ?? horizonEnd)
            let request = LayoutRequest(
                schedule: destination.pagerDutySchedule,
                rotation: destination.pagerDutyRotation,
                shifts: desired.map { PlannedOverride(start: $0.start, end: $0.end, userID: $0.userID) },
                window: InstantRange(start: now, end: max(ends.max() ?? horizonEnd, now.adding(seconds: 60))),
                rememberedKind: owned.map(Self.rememberedKind)
            )
            jobs.append(LayoutJob(name: destination.name, connection: destination.connection, request: request))
            inputs.append(
                DestinationInput(
                    name: destination.name,
                    connection: destination.connection,
                    destinationSchedule: destination.pagerDutySchedule,
                    timeZone: schedule.zone.identifier,
                    manualChanges: destination.manualChanges,
                    desired: desired,
                    members: Set(schedule.members),
                    horizonEnd: horizonEnd
                )
            )
        }
        for name in removed where !forgotten.contains(name) {
            guard let owned = state.destinations[name] else { continue }
            let key = ScheduleKey(connection: owned.connection, destinationSchedule: owned.destinationSchedule)
            let ends = [owned.watermark, owned.overrides.map(\.end).max(), now.adding(seconds: 60)].compactMap { $0 }
            windows[key] = max(windows[key] ?? now, ends.max() ?? now)
        }
        // What each destination's shifts become on its schedule, asked before any listing (a
        // destination learns its schedule's kind there); every problem of every destination at once.
        let laidOut = await layouts(jobs, hub: hub)
        problems = laidOut.problems
        for index in inputs.indices {
            guard let layout = laidOut.layouts[inputs[index].name] else { continue }
            switch pieces(inputs[index].desired, layout: layout, destination: inputs[index].name) {
            case .success(let pieces): inputs[index].desired = pieces
            case .failure(let error): problems += error.messages
            }
            inputs[index].scheduleKind = layout.kind
            inputs[index].notes = layout.notes
            inputs[index].updatesInPlace = layout.updatesInPlace
            inputs[index].underlying = layout.underlying
        }
        if !problems.isEmpty { throw SyncError(problems.sorted()) }
        var writers: [ScheduleKey: [String]] = [:]
        for input in inputs {
            writers[ScheduleKey(connection: input.connection, destinationSchedule: input.destinationSchedule), default: []].append(input.name)
        }
        let listed = try await listOverrides(windows: windows, now: now, hub: hub, writers: writers)

        // 4. Names for users of overrides the configuration does not know, and of the members
        // their targets replace.
        try await describeUnknownUsers(
            in: listed, also: replacedUsers(inputs, listed: listed), directory: &directory, hub: hub, configuration: configuration
        )

        // 5. Announced shifts do not move silently: refused here, before anything is written.
        let covered = Dictionary(inputs.map { ($0.name, $0.desired.filter(\.covered)) }, uniquingKeysWith: { first, _ in first })
        let frozen = frozenChanges(request, configured: configured, wanted: wanted, userIDs: userIDs, directory: directory, now: now, covered: covered)
        if !frozen.isEmpty, !request.allowFrozenChanges { throw SyncError(frozen.map(FreezeCheck.message)) }

        var plan = Reconciler.plan(
            Reconciler.Input(
                now: now,
                destinations: inputs,
                live: listed,
                state: state,
                directory: directory,
                configuredDestinations: Set(configuration.destinations.map(\.name)),
                only: request.only,
                allowFirstExportDeletes: request.allowFirstExportDeletes,
                movedFrom: view.movedFrom,
                keepOverrides: forgotten
            )
        )
        plan.frozenChangesAllowed = request.allowFrozenChanges
        plan.frozenChanges = frozen.flatMap(\.changes)
        return plan
    }

    /// What the freeze check finds, one finding per schedule (the first destination that feeds it).
    private static func frozenChanges(
        _ request: Request, configured: [Destination], wanted: [String: [Shift]], userIDs: [String: [String: String]],
        directory: PeopleDirectory, now: Instant, covered: [String: [DesiredOverride]] = [:]
    ) -> [FreezeCheck.Finding] {
        let configuration = request.configuration
        let personByEmail = Dictionary(configuration.people.map { ($0.email.lowercased(), $0.key) }, uniquingKeysWith: { first, _ in first })
        var findings: [FreezeCheck.Finding] = []
        var seen: Set<String> = []
        for destination in configured {
            guard let schedule = configuration.schedule(named: destination.schedule), !seen.contains(schedule.name) else { continue }
            var input = FreezeCheck.Input(
                destination: destination.name,
                schedule: schedule,
                now: now,
                state: request.state.destinations[destination.name],
                shifts: wanted[destination.name] ?? [],
                userIDs: userIDs[destination.connection] ?? [:],
                directory: directory,
                personByEmail: personByEmail
            )
            input.covered = covered[destination.name] ?? []
            if let finding = FreezeCheck.check(input) {
                seen.insert(schedule.name)
                findings.append(finding)
            }
        }
        return findings
    }

    /// The kind a destination's schedule had when Handoff last wrote it. A state from before
    /// kinds were remembered holds only layer-based records; one whose first shift-based apply
    /// failed before the kind was recorded holds records with rotation or custom-shift targets.
    static func rememberedKind(_ state: DestinationState) -> DestinationScheduleKind {
        if let kind = state.scheduleKind { return kind }
        return state.overrides.contains { $0.target != .schedule } ? .shiftBased : .layerBased
    }

    /// How far a destination's overrides reach in PagerDuty, as the state knows: its watermark, or
    /// the end of an owned override past it (an apply that failed after some creates).
    private static func exportedThrough(_ state: DestinationState?) -> Instant? {
        [state?.watermark, state?.overrides.map(\.end).max()].compactMap { $0 }.max()
    }

    /// Lists the live overrides of every schedule of `windows` once, from `now` to its end, side by
    /// side; the one code path that reads overrides (planning, and the stale check of a saved plan).
    /// A schedule found to have changed kind (upgraded in place) is named per destination of
    /// `writers` with the command that lets it go on.
    static func listOverrides(
        windows: [ScheduleKey: Instant], now: Instant, hub: ConnectionHub, writers: [ScheduleKey: [String]] = [:]
    ) async throws -> [ScheduleKey: ObservedSchedule] {
        var listed: [ScheduleKey: ObservedSchedule] = [:]
        var problems: [String] = []
        await withTaskGroup(of: (ScheduleKey, Result<ObservedSchedule, any Error>).self) { group in
            for (key, end) in windows {
                group.addTask {
                    do {
                        let destination = try hub.destination(key.connection)
                        let window = InstantRange(start: now, end: max(end, now.adding(seconds: 60)))
                        let overrides = try await destination.overrides(schedule: key.destinationSchedule, overlapping: window)
                        return (key, .success(ObservedSchedule(window: window, overrides: overrides)))
                    } catch {
                        return (key, .failure(error))
                    }
                }
            }
            for await (key, result) in group {
                switch result {
                case .success(let observed): listed[key] = observed
                case .failure(let error as DestinationError) where error.kind == .kindChanged && !(writers[key] ?? []).isEmpty:
                    problems += (writers[key] ?? []).map { kindChangedMessage(destination: $0, schedule: key.destinationSchedule) }
                case .failure(let error): problems.append("\(error)")
                }
            }
        }
        // Schedules of one connection that cannot be reached fail with the same sentence: once.
        if !problems.isEmpty { throw SyncError(Set(problems).sorted()) }
        return listed
    }

    private static func describeUnknownUsers(
        in listed: [ScheduleKey: ObservedSchedule], also replaced: [String: Set<String>] = [:], directory: inout PeopleDirectory, hub: ConnectionHub,
        configuration: Configuration
    ) async throws {
        // People of the configuration with no shift in this plan are still known by their address,
        // so a plan tells a member with no turn soon from one who left.
        let keys = Dictionary(configuration.people.map { ($0.email.lowercased(), $0.key) }, uniquingKeysWith: { first, _ in first })
        var unknown: [String: Set<String>] = [:]
        for (key, observed) in listed {
            for override in observed.overrides where directory.users[override.userID] == nil {
                unknown[key.connection, default: []].insert(override.userID)
            }
        }
        for (connection, ids) in replaced {
            for id in ids where directory.users[id] == nil { unknown[connection, default: []].insert(id) }
        }
        guard !unknown.isEmpty else { return }
        let found = try await withThrowingTaskGroup(of: (String, PeopleDirectory.Entry).self) { group in
            for (connection, ids) in unknown {
                let destination = try hub.destination(connection)
                for id in ids {
                    group.addTask {
                        guard let user = try await destination.user(id: id) else {
                            return (id, PeopleDirectory.Entry(name: "deleted PagerDuty user \(id)", email: "unknown"))
                        }
                        let key = keys[user.email.lowercased()]
                        return (id, PeopleDirectory.Entry(name: key.flatMap { configuration.person($0)?.name } ?? user.name, email: user.email, person: key))
                    }
                }
            }
            var entries: [String: PeopleDirectory.Entry] = [:]
            for try await (id, entry) in group { entries[id] = entry }
            return entries
        }
        directory.users.merge(found) { first, _ in first }
    }
}
