public import HandoffConfig
public import HandoffTime

/// Expands a schedule into the shifts it assigns over a window (DESIGN section 3, "Rotation
/// rules"): turns of each era, swapped owners, cut to coverage, explicit covers, and time off
/// handed to the next member who is free.
///
/// The cost is proportional to the turns and shifts inside the window: the first turn is found by
/// arithmetic on the wall clock, never by walking from the rotation's start.
public enum RotaExpander {
    /// The shifts of `schedule` inside `window`, sorted, non-overlapping, in whole minutes, cut at
    /// the window's edges; and the stretches nobody could cover.
    public static func expand(_ schedule: Schedule, over window: InstantRange) -> Expansion {
        guard !window.isEmpty, !schedule.rotation.eras.isEmpty else { return Expansion(shifts: [], gaps: []) }
        let zone = schedule.zone.timeline(covering: window)
        var context = ExpansionContext(schedule: schedule, window: window, zone: zone)
        context.run()
        return Expansion(shifts: context.shifts, gaps: context.gaps)
    }

    /// Expansions of many schedules, side by side on every core.
    public static func expand(_ schedules: [Schedule], over window: (Schedule) -> InstantRange) -> [Expansion] {
        let jobs = schedules.map { ($0, window($0)) }
        return ParallelMap.map(jobs) { expand($0.0, over: $0.1) }
    }
}

private struct ExpansionContext {
    let schedule: Schedule
    let window: InstantRange
    let zone: ZoneTimeline
    var shifts: [Shift] = []
    var gaps: [CoverageGap] = []

    private let covered: [InstantRange]
    private var coverageCursor = 0
    /// Explicit covers overlapping the window, sorted.
    private let assignments: [(range: InstantRange, person: String)]
    /// Time off by person, sorted.
    private let timeOff: [String: [InstantRange]]
    /// Owners exchanged by swaps, by era and turn.
    private let swapped: [TurnKey: String]

    struct TurnKey: Hashable {
        var era: Int
        var turn: Int
    }

    init(schedule: Schedule, window: InstantRange, zone: ZoneTimeline) {
        self.schedule = schedule
        self.window = window
        self.zone = zone
        covered = schedule.coveredRanges(in: window, zone: zone)
        assignments = schedule.assignments
            .map { (InstantRange(start: zone.instant(for: $0.from).flooredToMinute, end: zone.instant(for: $0.until).flooredToMinute), $0.person) }
            .filter { $0.0.overlaps(window) }
            .sorted { $0.0 < $1.0 }
        var offByPerson: [String: [InstantRange]] = [:]
        for entry in schedule.timeOff {
            // Dates are handed over at the rota's handoffs, so this range may reach outside the
            // entry's own days (and into the window from before it).
            let range = schedule.absence(entry, in: zone)
            guard range.overlaps(window) else { continue }
            offByPerson[entry.person, default: []].append(range)
        }
        timeOff = offByPerson.mapValues { $0.merged() }
        var swapped: [TurnKey: String] = [:]
        let eras = schedule.rotation.eras
        func turn(_ local: LocalDateTime) -> TurnKey? {
            guard let index = eras.lastIndex(where: { $0.from <= local }),
                let k = eras[index].turnIndex(startingAt: local, in: zone)
            else { return nil }
            return TurnKey(era: index, turn: k)
        }
        for swap in schedule.swaps {
            guard let first = turn(swap.first), let second = turn(swap.second) else { continue }
            swapped[first] = Self.owner(eras[second.era], second.turn)
            swapped[second] = Self.owner(eras[first.era], first.turn)
        }
        self.swapped = swapped
    }

    static func owner(_ era: RotationEra, _ k: Int) -> String {
        let n = era.members.count
        return era.members[((k % n) + n) % n]
    }

    mutating func run() {
        let eras = schedule.rotation.eras
        for index in eras.indices {
            let era = eras[index]
            let eraRange = schedule.rotation.range(ofEra: index, in: zone)
            guard let span = eraRange.clamped(to: window) else { continue }
            var k = era.turnIndex(containing: span.start, in: zone)
            var turnStart = era.turnStart(k, in: zone).flooredToMinute
            while turnStart < span.end {
                let nextStart = era.turnStart(k + 1, in: zone).flooredToMinute
                if let turn = InstantRange(start: turnStart, end: nextStart).clamped(to: span) {
                    emitTurn(era: era, eraIndex: index, k: k, range: turn)
                }
                k += 1
                turnStart = nextStart
            }
        }
    }

    /// Cuts one turn to coverage and hands each covered piece to its person.
    private mutating func emitTurn(era: RotationEra, eraIndex: Int, k: Int, range: InstantRange) {
        let key = TurnKey(era: eraIndex, turn: k)
        let scheduled = Self.owner(era, k)
        let owner = swapped[key] ?? scheduled
        let reason: Shift.Reason = swapped[key] == nil ? .rotation : .swap
        // Coverage ranges are sorted and turns come in order: resume where the last turn stopped.
        while coverageCursor < covered.count, covered[coverageCursor].end <= range.start { coverageCursor += 1 }
        var index = coverageCursor
        while index < covered.count, covered[index].start < range.end {
            if let piece = covered[index].clamped(to: range) {
                emitPiece(piece, owner: owner, reason: reason, era: era, eraIndex: eraIndex, k: k)
            }
            index += 1
        }
    }

    /// One covered piece of a turn: explicit covers first, the owner (or a stand-in) elsewhere.
    private mutating func emitPiece(_ piece: InstantRange, owner: String, reason: Shift.Reason, era: RotationEra, eraIndex: Int, k: Int) {
        var cursor = piece.start
        for assignment in assignments where assignment.range.overlaps(piece) {
            guard let covered = assignment.range.clamped(to: piece) else { continue }
            if cursor < covered.start {
                emitOwned(InstantRange(start: cursor, end: covered.start), owner: owner, reason: reason, era: era, eraIndex: eraIndex, k: k)
            }
            shifts.append(Shift(start: covered.start, end: covered.end, person: assignment.person, reason: .assignment, era: eraIndex, turn: k))
            cursor = covered.end
        }
        if cursor < piece.end {
            emitOwned(InstantRange(start: cursor, end: piece.end), owner: owner, reason: reason, era: era, eraIndex: eraIndex, k: k)
        }
    }

    /// A stretch that belongs to `owner`, except where they are off. Each part they are off goes
    /// to the next member in rotation order who is free for that whole part; the part is first cut
    /// where other members' time off begins or ends, so that a member busy for only some of it
    /// does not leave the rest uncovered. Only where everyone is off is there a gap.
    private mutating func emitOwned(_ range: InstantRange, owner: String, reason: Shift.Reason, era: RotationEra, eraIndex: Int, k: Int) {
        guard let absences = timeOff[owner], absences.contains(where: { $0.overlaps(range) }) else {
            shifts.append(Shift(start: range.start, end: range.end, person: owner, reason: reason, era: eraIndex, turn: k))
            return
        }
        var cursor = range.start
        for absence in absences where absence.overlaps(range) {
            guard let off = absence.clamped(to: range) else { continue }
            if cursor < off.start {
                shifts.append(Shift(start: cursor, end: off.start, person: owner, reason: reason, era: eraIndex, turn: k))
            }
            coverAbsence(off, owner: owner, era: era, eraIndex: eraIndex, k: k)
            cursor = off.end
        }
        if cursor < range.end {
            shifts.append(Shift(start: cursor, end: range.end, person: owner, reason: reason, era: eraIndex, turn: k))
        }
    }

    private mutating func coverAbsence(_ off: InstantRange, owner: String, era: RotationEra, eraIndex: Int, k: Int) {
        var cuts: Set<Instant> = [off.start, off.end]
        for member in era.members where member != owner {
            for absence in timeOff[member] ?? [] where absence.overlaps(off) {
                if off.contains(absence.start) { cuts.insert(absence.start) }
                if off.contains(absence.end) { cuts.insert(absence.end) }
            }
        }
        let boundaries = cuts.sorted()
        for (start, end) in zip(boundaries, boundaries.dropFirst()) {
            let part = InstantRange(start: start, end: end)
            if let standIn = standIn(for: owner, during: part, era: era, k: k) {
                if let last = shifts.last, last.end == start, last.person == standIn, last.reason == .timeOffCover(absent: owner),
                    last.era == eraIndex, last.turn == k
                {
                    shifts[shifts.count - 1].end = end
                } else {
                    shifts.append(Shift(start: start, end: end, person: standIn, reason: .timeOffCover(absent: owner), era: eraIndex, turn: k))
                }
            } else {
                var seen: Set<String> = []
                let absent = ([owner] + era.members.filter { $0 != owner && isOff($0, during: part) }).filter { seen.insert($0).inserted }
                if let last = gaps.last, last.range.end == start, last.absent == absent {
                    gaps[gaps.count - 1].range.end = end
                } else {
                    gaps.append(CoverageGap(schedule: schedule.name, range: part, absent: absent, zone: schedule.zone))
                }
            }
        }
    }

    /// The next member after turn `k`'s position, in rotation order, who is free for all of `part`.
    private func standIn(for owner: String, during part: InstantRange, era: RotationEra, k: Int) -> String? {
        let n = era.members.count
        let position = ((k % n) + n) % n
        for step in 1..<max(n, 1) {
            let candidate = era.members[(position + step) % n]
            if candidate != owner, !isOff(candidate, during: part) { return candidate }
        }
        return nil
    }

    private func isOff(_ person: String, during part: InstantRange) -> Bool {
        timeOff[person]?.contains { $0.overlaps(part) } ?? false
    }
}
