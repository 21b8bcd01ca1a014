public import HandoffConfig
import HandoffDestination
public import HandoffRota
public import HandoffState
public import HandoffTime
import YAMLNodes

/// A stretch of an announced (frozen) shift that a plan hands to someone else: who was told they
/// are on call, and who would be.
public struct FrozenChange: Sendable, Hashable {
    public var destination: String
    public var schedule: String
    /// The schedule's zone, for showing times.
    public var timeZone: String
    public var start: Instant
    public var end: Instant
    /// Who holds it now as Handoff exported it; nil for nobody Handoff chose.
    public var before: PeopleDirectory.Entry?
    /// Who would hold it; nil for nobody (outside coverage).
    public var after: PeopleDirectory.Entry?

    public init(
        destination: String, schedule: String, timeZone: String, start: Instant, end: Instant,
        before: PeopleDirectory.Entry?, after: PeopleDirectory.Entry?
    ) {
        self.destination = destination
        self.schedule = schedule
        self.timeZone = timeZone
        self.start = start
        self.end = end
        self.before = before
        self.after = after
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }
}

/// The freeze rule (DESIGN 5): who is on call in `[now, now + freeze)` has been announced, so a
/// configuration change may not move it silently. Only an entry that names that time explicitly
/// may: a swap, an explicit cover (`assignments`), `time_off`, or a `rotation.changes` entry
/// whose `from` lies inside the freeze.
///
/// The comparison needs no copy of the old configuration: it is between the overrides Handoff
/// owns (the state, with the PagerDuty users they were made for) and the new desired shifts,
/// through `OnCallTimeline.changes`. Pure: the same inputs give the same answer.
public enum FreezeCheck {
    public struct Input: Sendable {
        public var destination: String
        public var schedule: Schedule
        /// Rounded down to a whole minute.
        public var now: Instant
        /// The destination's state; nil (a first export) freezes nothing.
        public var state: DestinationState?
        /// The shifts the destination wants, sorted.
        public var shifts: [Shift]
        /// PagerDuty user of each person key.
        public var userIDs: [String: String]
        /// Names of PagerDuty users, for the message.
        public var directory: PeopleDirectory
        /// Configuration key of each e-mail address (lower case), to tell a removed member.
        public var personByEmail: [String: String]
        /// Pieces the schedule's own rotation gives the wanted person (shift-based schedules): it
        /// showed them there before this plan too, under Handoff's overrides, so they were announced.
        public var covered: [DesiredOverride] = []

        public init(
            destination: String, schedule: Schedule, now: Instant, state: DestinationState?, shifts: [Shift],
            userIDs: [String: String], directory: PeopleDirectory, personByEmail: [String: String] = [:]
        ) {
            self.destination = destination
            self.schedule = schedule
            self.now = now
            self.state = state
            self.shifts = shifts
            self.userIDs = userIDs
            self.directory = directory
            self.personByEmail = personByEmail
        }
    }

    /// What a refused plan says about one schedule.
    public struct Finding: Sendable, Hashable {
        public var destination: String
        public var schedule: String
        public var timeZone: String
        public var freeze: CalendarDuration
        /// `now + freeze`.
        public var freezeEnd: Instant
        public var changes: [FrozenChange]
        /// The `rotation.changes` entry that makes the edit take effect at the first turn start at
        /// or after the end of the freeze, and where the rotation is.
        public var suggestedChange: String?
        public var suggestedChangeFrom: LocalDateTime?
        public var rotationLocation: String
        /// Whether the rotation already has a `changes` list (the entry joins it).
        public var rotationHasChanges: Bool
        /// One `assignments` entry per frozen shift of a member who left the rotation.
        public var suggestedAssignments: [String]
    }

    /// The stretch in which a change is checked: `[now, now + freeze)`, and no further than what
    /// was exported (the state says nothing beyond its watermark). Nil when nothing is frozen.
    public static func window(_ schedule: Schedule, now: Instant, state: DestinationState?) -> InstantRange? {
        guard schedule.freeze.amount > 0, let watermark = state?.watermark else { return nil }
        let end = min(now.adding(seconds: schedule.freeze.nominalSeconds), watermark)
        guard now < end else { return nil }
        return InstantRange(start: now, end: end)
    }

    /// The frozen shifts the new configuration would hand to someone else without an entry that
    /// names them, or nil when there are none.
    public static func check(_ input: Input) -> Finding? {
        let schedule = input.schedule
        guard let window = window(schedule, now: input.now, state: input.state), let state = input.state else { return nil }
        let freezeEnd = input.now.adding(seconds: schedule.freeze.nominalSeconds)
        let shifts = input.shifts.sorted { $0.start < $1.start }
        func holder(_ shift: Shift) -> String { input.userIDs[shift.person] ?? "person:" + shift.person }
        // Instants within the plan's minute as the minute has them (`PlanMinute`), as the
        // reconciler does: the replacement PagerDuty began at a cut's second held the pager from
        // the minute, and a cut override's last seconds are over.
        let minute = PlanMinute(input.now)
        let after = shifts.map { Holding(InstantRange(start: minute.clipped($0.start), end: $0.end), holder($0)) }
        // Owned overrides overlap only after an apply that created a replacement and failed before
        // deleting the old one: the replacement, equal to a desired override, is what PagerDuty
        // shows on top, so it comes last (later pieces win where they overlap).
        let desired = Set(after.map { "\($0.holder)|\($0.range.start)|\($0.range.end)" })
        let live = state.overrides.filter { minute.outlasts($0.end) }
        let records = live.filter { !$0.deletePending }.map { Holding(InstantRange(start: minute.clipped($0.start), end: $0.end), $0.userID) }
        // An override an apply set out to replace and that may not be deleted yet (its delete was
        // interrupted, or where a shift-based schedule cut it is unknown) is still what was
        // announced where nothing else is: a retry is judged as the plan it continues was.
        let pending = live.filter(\.deletePending).map { Holding(InstantRange(start: minute.clipped($0.start), end: $0.end), $0.userID) }
        let isDesired: (Holding<String>) -> Bool = { desired.contains("\($0.holder)|\($0.range.start)|\($0.range.end)") }
        let covered = input.covered.map { Holding(InstantRange(start: minute.clipped($0.start), end: $0.end), $0.userID) }
        let before = covered + pending + records.filter { !isDesired($0) } + records.filter(isDesired)
        let zone = schedule.zone
        let eraStarts = schedule.rotation.eras.map { zone.instant(for: $0.from) }

        /// A change is explicit when the shift that takes over comes from an entry naming its time,
        /// and that entry is what moves it: without a swap or time off the turn would still be its
        /// announced holder's (so a rotation edit cannot pass as a swap that was there before).
        /// A cover names its person, and a change entry from inside the freeze its roster.
        func isExplicit(_ shift: Shift, before: String?) -> Bool {
            let eras = schedule.rotation.eras
            if shift.era > 0, shift.era < eraStarts.count, input.now <= eraStarts[shift.era], eraStarts[shift.era] < freezeEnd { return true }
            switch shift.reason {
            case .assignment:
                return true
            case .timeOffCover(let absent):
                return before == input.userIDs[absent]
            case .swap:
                guard shift.era >= 0, shift.era < eras.count, !eras[shift.era].members.isEmpty else { return false }
                let members = eras[shift.era].members
                let position = ((shift.turn % members.count) + members.count) % members.count
                return before == input.userIDs[members[position]]
            case .rotation:
                return false
            }
        }

        var frozen: [HolderChange<String>] = []
        for change in OnCallTimeline.changes(before: before, after: after, within: window) {
            // Cut the change where the new shifts begin and end, and keep the pieces no entry names.
            var cursor = change.range.start
            var index = firstShift(endingAfter: cursor, in: shifts)
            while cursor < change.range.end {
                let shift = index < shifts.count && shifts[index].start <= cursor ? shifts[index] : nil
                let pieceEnd: Instant
                if let shift {
                    pieceEnd = min(shift.end, change.range.end)
                    index += 1
                } else {
                    pieceEnd = min(index < shifts.count ? shifts[index].start : change.range.end, change.range.end)
                }
                guard cursor < pieceEnd else { break }
                if !(shift.map { isExplicit($0, before: change.before) } ?? false) {
                    let piece = HolderChange(range: InstantRange(start: cursor, end: pieceEnd), before: change.before, after: change.after)
                    if var last = frozen.last, last.range.end == piece.range.start, last.before == piece.before, last.after == piece.after {
                        last.range.end = piece.range.end
                        frozen[frozen.count - 1] = last
                    } else {
                        frozen.append(piece)
                    }
                }
                cursor = pieceEnd
            }
        }
        guard !frozen.isEmpty else { return nil }

        func entry(_ holder: String?) -> PeopleDirectory.Entry? {
            guard let holder else { return nil }
            if holder.hasPrefix("person:") {
                let key = String(holder.dropFirst("person:".count))
                return PeopleDirectory.Entry(name: key, email: "unknown", person: key)
            }
            return input.directory.entry(holder)
        }
        let changes = frozen.map {
            FrozenChange(
                destination: input.destination, schedule: schedule.name, timeZone: schedule.zone.identifier,
                start: $0.range.start, end: $0.range.end, before: entry($0.before), after: entry($0.after)
            )
        }

        // The edit as a rotation change from the first turn start at or after the freeze's end.
        var suggestedChange: String?
        var suggestedFrom: LocalDateTime?
        if let (_, era) = schedule.rotation.era(at: freezeEnd, in: zone) ?? schedule.rotation.eras.first.map({ (0, $0) }) {
            var k = era.turnIndex(containing: freezeEnd, in: zone)
            if era.turnStart(k, in: zone) < freezeEnd { k += 1 }
            // Not between the two turns of a swap: the change would move one of them (bounded:
            // swaps are validated, and a thousand turns is past any horizon).
            var from = era.turnStartLocal(k, in: zone)
            for _ in 0..<1000 {
                guard schedule.swaps.contains(where: { min($0.first, $0.second) < from && from <= max($0.first, $0.second) }) else { break }
                k += 1
                from = era.turnStartLocal(k, in: zone)
            }
            suggestedFrom = from
            suggestedChange = "- { from: \(from), members: [\(era.members.map(yamlScalar).joined(separator: ", "))], turn: \(era.turn) }"
        }

        // Frozen shifts of members who left: someone must take them, named explicitly.
        let members = Set(schedule.members)
        var assignments: [String] = []
        for change in changes {
            guard let before = change.before else { continue }
            let key = before.person ?? input.personByEmail[before.email.lowercased()]
            guard key.map({ !members.contains($0) }) ?? true else { continue }
            let taker = change.after.flatMap { $0.person ?? input.personByEmail[$0.email.lowercased()] } ?? "SOMEONE"
            assignments.append(
                "- { person: \(yamlScalar(taker)), from: \(zone.local(at: change.start)), until: \(zone.local(at: change.end)) }"
            )
        }
        return Finding(
            destination: input.destination,
            schedule: schedule.name,
            timeZone: schedule.zone.identifier,
            freeze: schedule.freeze,
            freezeEnd: freezeEnd,
            changes: changes,
            suggestedChange: suggestedChange,
            suggestedChangeFrom: suggestedFrom,
            rotationLocation: schedule.rotation.eras.first.map { "\($0.location.path):\($0.location.line)" } ?? "\(schedule.location)",
            rotationHasChanges: schedule.rotation.eras.count > 1,
            suggestedAssignments: assignments
        )
    }

    /// The error for one schedule: one sentence first, then each frozen change and the YAML that
    /// makes the edit wait for the end of the freeze. The caller shows it through `SafeText`.
    public static func message(_ finding: Finding) -> String {
        let zone = Zone(identifier: finding.timeZone) ?? Zone.utc
        func who(_ entry: PeopleDirectory.Entry?) -> String { entry.map { "\($0.name) <\($0.email)>" } ?? "nobody" }
        var lines = [
            "the configuration changes who is on call for schedule \"\(finding.schedule)\" within its freeze of \(finding.freeze) "
                + "(until \(DisplayTime.withOffset(finding.freezeEnd, in: zone))), which people were told; nothing was changed"
        ]
        lines.append("  frozen shifts that would change hands (destination \(finding.destination), \(finding.timeZone)):")
        for change in finding.changes {
            lines.append("    \(DisplayTime.span(change.range, in: zone))  \(who(change.before)) → \(who(change.after))")
        }
        if let suggestion = finding.suggestedChange, let from = finding.suggestedChangeFrom {
            lines.append(
                "  to make the edit take effect at \(from), the first handoff after the freeze: put the rotation at "
                    + "\(finding.rotationLocation) back as it was, and add this to it:"
            )
            if !finding.rotationHasChanges { lines.append("      changes:") }
            lines.append("        \(suggestion)")
        }
        if !finding.suggestedAssignments.isEmpty {
            lines.append("  members who left hold frozen shifts; name who takes each, under the schedule's assignments:")
            lines.append("      assignments:")
            for assignment in finding.suggestedAssignments { lines.append("        \(assignment)") }
        }
        lines.append("  or accept the change as it is with --allow-frozen-changes (plan and apply)")
        return lines.joined(separator: "\n")
    }

    /// A person key or e-mail as a YAML flow scalar: plain when it is safe, quoted otherwise.
    static func yamlScalar(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.@+".unicodeScalars.contains($0)
        } && !"-.@+".unicodeScalars.contains(text.unicodeScalars.first ?? "a")
        guard !plain else { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    /// The index of the first shift that ends after `instant` (shifts sorted and disjoint).
    private static func firstShift(endingAfter instant: Instant, in shifts: [Shift]) -> Int {
        var low = 0
        var high = shifts.count
        while low < high {
            let middle = (low + high) / 2
            if shifts[middle].end <= instant { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
