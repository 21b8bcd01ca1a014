import HandoffTime
import PagerDuty

/// Shift-based (v3) schedules as configuration: each event of each rotation whose recurrence a
/// Handoff rotation can say becomes a schedule (see `EventMapping`), custom shifts inside one
/// become its `assignments`, and everything else (events it cannot say, rotations on call at the
/// same time, custom shifts outside any schedule, overrides) is named in a comment.
extension ImportWriter {
    /// Documents for everything `source` read, in the order asked for.
    public static func documents(_ source: ImportSource, context: Context, split: Bool) throws -> [Document] {
        var names = NameAllocator(taken: context.takenNames)
        var people = PeopleAllocator(existing: context.existingPeople)
        var parts: [SchedulePart] = []
        for item in source.order {
            switch item {
            case .layerBased(let index): parts.append(try part(source.schedules[index], context: context, names: &names, people: &people))
            case .shiftBased(let index): parts.append(try part(source.shiftBased[index], context: context, names: &names, people: &people))
            }
        }
        return documents(parts, context: context, people: &people, split: split)
    }

    /// The most custom shifts and overrides considered one by one; the rest are counted.
    static let shiftLimit = 200
    static let overrideLimit = 20

    /// One live schedule made of an event, while its custom shifts are placed.
    private struct Live {
        var entry: Int
        var mapping: EventMapping
        var start: Instant
        var until: Instant?
        var assignments: [String] = []
        var taken: [InstantRange] = []
        /// The rotation it came from, the era its next change would follow, its `changes`
        /// entries, and the event whose stop is still open (its label).
        var rotationID: String
        var era: EventMapping.Era
        var changes: [String] = []
        var lastEvent: String
        /// The comment and note saying where PagerDuty stops the last event, replaced when a
        /// successor continues it.
        var untilComment: String?
        var untilNote: String?
    }

    static func part(_ item: ShiftBasedImport, context: Context, names: inout NameAllocator, people: inout PeopleAllocator) throws -> SchedulePart {
        let schedule = item.schedule
        let id = YAMLText.scalar(schedule.id)
        guard isScheduleID(schedule.id) else {
            throw Failure(description: "PagerDuty schedule \(YAMLText.quoted(schedule.id)) has an id that is not letters and digits (up to 32), which a destination cannot name; nothing was written")
        }
        var comments = [
            "PagerDuty schedule \(id) \(YAMLText.quoted(String(schedule.name.prefix(YAMLText.commentLimit)))) (\(YAMLText.scalar(schedule.timeZone))), shift-based, \(count(schedule.rotations.count, "rotation"))."
        ]
        var notes: [String] = []
        func skip(_ note: String) {
            comments.append("Not imported: \(note).")
            notes.append("\(id): \(note)")
        }
        // Within a rotation, events in the order they take effect: a successor after what it follows.
        var events: [(PagerDutyRotation, PagerDutyRotationEvent)] = []
        for rotation in schedule.rotations {
            let ordered = rotation.events.indices.sorted { (a: Int, b: Int) -> Bool in
                let first = rotation.events[a].effectiveSince?.secondsSinceEpoch ?? Int64.min
                let second = rotation.events[b].effectiveSince?.secondsSinceEpoch ?? Int64.min
                return first != second ? first < second : a < b
            }
            events += ordered.map { (rotation, rotation.events[$0]) }
        }
        let current = events.filter { rotation, event in
            if let until = event.effectiveUntil, until <= context.now {
                skip("event \(label(event)) of rotation \(YAMLText.scalar(String(rotation.id.prefix(YAMLText.commentLimit)))) stopped at \(until)")
                return false
            }
            return true
        }
        let base = slug(schedule.name, fallback: "schedule")
        var entries: [LayerEntry] = []
        var lives: [Live] = []
        var personIDs: [String] = []
        var headers: [[String]] = []
        var bodies: [[String]] = []
        // An event that takes effect where another of its rotation stops is likely a change of it.
        let successors = current.filter { rotation, event in
            guard let since = event.effectiveSince else { return false }
            return current.contains { other in other.0.id == rotation.id && other.1.id != event.id && other.1.effectiveUntil.map { $0 <= since } == true }
        }.count
        let severalRotations = schedule.rotations.count > 1
        for (rotation, event) in current {
            let name = names.claim(current.count - successors <= 1 ? base : "\(base)-\(slug(event.name ?? "event", fallback: "event"))")
            var header = ["  # Event \(label(event)) of rotation \(YAMLText.scalar(String(rotation.id.prefix(YAMLText.commentLimit)))) of PagerDuty schedule \(id)."]
            let result = try EventMapping.map(event, now: context.now) { userID in
                try people.key(for: userID, users: context.users, names: &names)
            }
            switch result {
            case .failure(let refusal):
                header.append("  # Not imported: \(refusal.reason); a Handoff rotation cannot say it exactly.")
                header += event.recurrence.prefix(3).map { "  #   recurrence: \(YAMLText.comment($0))" }
                notes.append("\(id): event \(label(event)) is not imported: \(refusal.reason)")
                entries.append(LayerEntry(name: name, text: header.joined(separator: "\n"), destination: nil, commentedOut: true))
                headers.append([])
                bodies.append([])
            case .success(let mapping):
                // A successor of an event of the same rotation continues its schedule as a change.
                if let since = mapping.effectiveSince,
                    let place = lives.indices.last(where: { lives[$0].rotationID == rotation.id && lives[$0].until.map { $0 <= since } == true }),
                    let until = lives[place].until
                {
                    let what = "event \(label(event)) of rotation \(YAMLText.scalar(String(rotation.id.prefix(YAMLText.commentLimit))))"
                    switch lives[place].mapping.continuation(of: lives[place].era, until: until, by: mapping, since: since) {
                    case .success(let change):
                        names.release(name)
                        var lines = ["  # Event \(label(event)) follows it from \(since) in PagerDuty: the change from \(change.from)."]
                        if change.rotatedBy > 0 {
                            lines.append("  # Note: the change lists its members from the one PagerDuty puts on call at \(change.from) (PagerDuty's order: \(mapping.members.joined(separator: ", "))).")
                        }
                        lines += mapping.notes.map { "  # Note: \($0)." }
                        notes += mapping.notes.map { "\(id): event \(label(event)): \($0)" }
                        // The rotation no longer stops where the event it follows does.
                        if let comment = lives[place].untilComment { headers[lives[place].entry].removeAll { $0 == comment } }
                        if let note = lives[place].untilNote { notes.removeAll { $0 == note } }
                        lives[place].untilComment = mapping.untilNote.map { "  # Note: \($0)." }
                        lives[place].untilNote = mapping.untilNote.map { "\(id): event \(label(event)): \($0)" }
                        lines += [lives[place].untilComment].compactMap { $0 }
                        notes += [lives[place].untilNote].compactMap { $0 }
                        headers[lives[place].entry] += lines
                        let turnText = change.turnDays == lives[place].era.turnDays ? "" : ", turn: \(turn(change.turnDays * 86_400))"
                        lives[place].changes.append("        - { from: \(change.from), members: [\(change.members.joined(separator: ", "))]\(turnText) }")
                        lives[place].era = EventMapping.Era(start: change.from, turnDays: change.turnDays)
                        lives[place].until = mapping.effectiveUntil
                        lives[place].lastEvent = label(event)
                        for member in (event.assignmentStrategy?.members ?? []).compactMap({ $0.userID }) where !personIDs.contains(member) { personIDs.append(member) }
                        entries.append(LayerEntry(name: name, text: "", destination: nil, commentedOut: true))
                        headers.append([])
                        bodies.append([])
                        continue
                    case .failure(let refusal):
                        let note = "it follows event \(lives[place].lastEvent) from \(since), but is not a change of that schedule: \(refusal.reason); it is a schedule of its own here"
                        header.append("  # Note: \(note).")
                        notes.append("\(id): \(what): \(note)")
                        headers[lives[place].entry].append("  # Note: \(what) follows it from \(since) in PagerDuty, and is the schedule \(name) of its own here: \(refusal.reason).")
                    }
                }
                let ends = [mapping.sinceNote, mapping.untilNote].compactMap { $0 }
                header += (mapping.notes + ends).map { "  # Note: \($0)." }
                notes += (mapping.notes + ends).map { "\(id): event \(label(event)): \($0)" }
                let rival = lives.first { other in
                    other.mapping.zoneName != mapping.zoneName || other.mapping.coverage.overlaps(mapping.coverage)
                }
                // On a schedule of several rotations, the destination names the one it came from.
                let rotationKey = severalRotations ? ", pagerduty_rotation: \(YAMLText.scalar(rotation.id))" : ""
                var destination: String? = "  \(names.claim("\(name)-pd")): { schedule: \(name), connection: \(context.connection), pagerduty_schedule: \(id)\(rotationKey) }"
                if severalRotations, rotation.id.count > rotationIDLimit {
                    let note = "its rotation's id is longer than the \(rotationIDLimit) characters `pagerduty_rotation` takes: it has no destination"
                    header.append("  # Note: \(note).")
                    notes.append("\(id): event \(label(event)): \(note)")
                    destination = nil
                } else if let rival {
                    let note = "it may be on call at the same time as \(entries[rival.entry].name) (PagerDuty puts both on call), and one PagerDuty schedule takes one Handoff schedule at a time: it has no destination"
                    header.append("  # Note: \(note).")
                    notes.append("\(id): event \(label(event)): \(note)")
                    destination = nil
                }
                for member in (event.assignmentStrategy?.members ?? []).compactMap({ $0.userID }) where !personIDs.contains(member) { personIDs.append(member) }
                var body = ["  \(name):", "    time_zone: \(YAMLText.scalar(mapping.zoneName))"]
                body.append("    rotation: { members: [\(mapping.members.joined(separator: ", "))], start: \(mapping.start), turn: \(turn(mapping.turnDays * 86_400)) }")
                body.append(changesMarker)
                if !mapping.coverage.isFull {
                    body.append("    coverage:")
                    for window in mapping.coverage.windows() { body.append("      - \(window)") }
                }
                body.append("    horizon: \(context.horizon)")
                lives.append(
                    Live(
                        entry: entries.count, mapping: mapping, start: mapping.zone.instant(for: mapping.start), until: event.effectiveUntil, rotationID: rotation.id,
                        era: EventMapping.Era(start: mapping.start, turnDays: mapping.turnDays), lastEvent: label(event),
                        untilComment: mapping.untilNote.map { "  # Note: \($0)." }, untilNote: mapping.untilNote.map { "\(id): event \(label(event)): \($0)" }
                    )
                )
                entries.append(LayerEntry(name: name, text: "", destination: destination, commentedOut: false))
                headers.append(header)
                bodies.append(body)
            }
        }
        let rotationsWritten = Set(current.map(\.0.id)).count
        if rotationsWritten > 1 {
            let note = "its \(rotationsWritten) rotations are separate schedules here; on a shift-based schedule an export replaces the on-call of one rotation, and the other rotations stay on call beside it"
            comments.append("Note: \(note).")
            notes.append("\(id): \(note)")
        }
        // Custom shifts: an assignment where one schedule covers all of it, else a comment.
        let shifts = item.customShifts.filter { $0.end > context.now }.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        for shift in shifts.prefix(shiftLimit) {
            let what = "custom shift \(YAMLText.scalar(String(shift.id.prefix(YAMLText.commentLimit)))) from \(shift.start) to \(shift.end)"
            guard let member = shift.member, let userID = member.userID else {
                skip("\(what) has no single person (a vacant seat, or several members)")
                continue
            }
            let range = shift.range
            let place = lives.firstIndex { live in
                live.start <= range.start && (live.until.map { range.end <= $0 } ?? true) && !live.taken.contains { $0.overlaps(range) }
                    && covers(live.mapping, range) && exactMinutes(range, live.mapping.zone)
            }
            guard let place else {
                skip("\(what) for \(YAMLText.scalar(String(userID.prefix(40)))) lies where no imported schedule covers all of it in whole minutes, and a schedule's assignments act only where it covers")
                continue
            }
            let key = try people.key(for: userID, users: context.users, names: &names)
            if !personIDs.contains(userID) { personIDs.append(userID) }
            let zone = lives[place].mapping.zone
            lives[place].taken.append(range)
            lives[place].assignments.append("      # \(what): PagerDuty adds this person beside whoever the rotation puts on call; here they take that time over.")
            lives[place].assignments.append("      - { person: \(key), from: \(zone.local(at: range.start)), until: \(zone.local(at: range.end)) }")
            notes.append("\(id): \(what) is an assignment of \(entries[lives[place].entry].name): PagerDuty adds its person beside the rotation's, Handoff's assignment replaces them")
        }
        if shifts.count > shiftLimit { skip("\(shifts.count - shiftLimit) more custom shifts after the first \(shiftLimit)") }
        // Overrides: Handoff writes its own; those of people stay in PagerDuty, named here.
        for override in item.overrides.filter({ $0.end > context.now }).sorted(by: { ($0.start, $0.id) < ($1.start, $1.id) }).prefix(overrideLimit) {
            let who = override.overridingMember?.userID.map { YAMLText.scalar(String($0.prefix(40))) } ?? "nobody"
            let whom = override.overriddenMember?.userID.map { YAMLText.scalar(String($0.prefix(40))) } ?? "nobody"
            skip("override \(YAMLText.scalar(String(override.id.prefix(YAMLText.commentLimit)))) from \(override.start) to \(override.end) (\(who) for \(whom)); overrides are what Handoff writes, so this one stays in PagerDuty as it is")
        }
        let overrides = item.overrides.filter { $0.end > context.now }.count
        if overrides > overrideLimit { skip("\(overrides - overrideLimit) more overrides after the first \(overrideLimit)") }
        for live in lives {
            var body = bodies[live.entry]
            if let marker = body.firstIndex(of: changesMarker) {
                if live.changes.isEmpty {
                    body.remove(at: marker)
                } else {
                    // The rotation with its changes, in block style.
                    let era = live.mapping
                    body[marker - 1] = "    rotation:"
                    body[marker...marker] = [
                        "      members: [\(era.members.joined(separator: ", "))]", "      start: \(era.start)", "      turn: \(turn(era.turnDays * 86_400))", "      changes:",
                    ] + live.changes[...]
                }
            }
            if !live.assignments.isEmpty { body += ["    assignments:"] + live.assignments }
            entries[live.entry].text = (headers[live.entry] + body).joined(separator: "\n")
        }
        entries.removeAll { $0.commentedOut && $0.text.isEmpty }
        return SchedulePart(id: schedule.id, comments: comments, layers: entries, personIDs: personIDs, notes: notes)
    }

    /// The longest rotation id a destination's `pagerduty_rotation` takes.
    static let rotationIDLimit = 200

    /// Where a schedule's `changes` go, until its events are all read.
    static let changesMarker = "\u{0}changes"

    // MARK: - Pieces

    static func label(_ event: PagerDutyRotationEvent) -> String {
        let name = event.name.map { YAMLText.quoted(String($0.prefix(YAMLText.commentLimit))) } ?? "(unnamed)"
        return "\(name) (\(YAMLText.scalar(String(event.id.prefix(YAMLText.commentLimit)))))"
    }

    /// Whether every minute of `range` lies in the mapping's coverage (on its zone's wall clock).
    static func covers(_ mapping: EventMapping, _ range: InstantRange) -> Bool {
        if mapping.coverage.isFull { return true }
        let minutes = (range.end - range.start) / 60
        guard minutes <= Int64(WeekCoverage.minutes) else { return false }
        var instant = range.start
        for _ in 0..<max(0, minutes) {
            let local = mapping.zone.local(at: instant)
            guard mapping.coverage.contains(minute: (local.date.weekday.rawValue - 1) * 1_440 + local.minuteOfDay) else { return false }
            instant = instant.adding(seconds: 60)
        }
        return true
    }

    /// Whether both ends are whole minutes that the zone's wall clock names exactly.
    static func exactMinutes(_ range: InstantRange, _ zone: Zone) -> Bool {
        [range.start, range.end].allSatisfy { $0.isWholeMinute && zone.instant(for: zone.local(at: $0)) == $0 }
    }
}
