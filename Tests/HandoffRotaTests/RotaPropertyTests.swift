import HandoffConfig
import HandoffRota
import HandoffTestSupport
import HandoffTime
import Testing
import YAMLNodes

/// Random schedules built from a seed: zones from the time zone database, turns from 30 minutes
/// to two weeks, coverage (across midnight too), time off, swaps, covers and roster changes.
struct RandomSchedule {
    var schedule: Schedule
    var window: InstantRange

    private static let place = SourceLocation(path: "generated.yaml", line: 1, column: 1)
    private static let pool = ["ana", "ben", "cho", "dev", "eli", "fay", "gus"]
    private static let zones = Zone.knownIdentifiers.compactMap(Zone.init(identifier:))

    init(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let zone = random.pick(Self.zones)
        let turn: CalendarDuration = random.pick([
            CalendarDuration(30, .minutes), CalendarDuration(90, .minutes), CalendarDuration(8, .hours), CalendarDuration(12, .hours),
            CalendarDuration(1, .days), CalendarDuration(3, .days), CalendarDuration(1, .weeks), CalendarDuration(2, .weeks),
        ])
        let startDate = LocalDate(daysSinceEpoch: LocalDate(year: 2026, month: 1, day: 1)!.daysSinceEpoch + random.int(in: 0..<365))
        let start = LocalDateTime(date: startDate, time: LocalTime(minutesSinceMidnight: random.int(in: 0..<96) * 15))
        let members = Array(Self.pool.shuffled(using: &random).prefix(random.int(in: 1...5)))
        var eras = [RotationEra(from: start, members: members, turn: turn, location: Self.place)]
        if random.chance(0.3) {
            let k = random.int(in: 1...40)
            let from = eras[0].turnStartLocal(k, in: zone)
            let roster = Array(Self.pool.shuffled(using: &random).prefix(random.int(in: 1...5)))
            let newTurn = random.chance(0.5) ? turn : random.pick([CalendarDuration(1, .days), CalendarDuration(12, .hours), CalendarDuration(1, .weeks)])
            if from > start { eras.append(RotationEra(from: from, members: roster, turn: newTurn, location: Self.place)) }
        }
        let eraStart = zone.instant(for: start)
        let windowStart = eraStart.adding(seconds: Int64(random.int(in: -7...120)) * 86_400 + Int64(random.int(in: 0..<1440)) * 60)
        window = InstantRange(start: windowStart, end: windowStart.adding(seconds: Int64(random.int(in: 1...42)) * 86_400 + Int64(random.int(in: 0..<1440)) * 60))

        var coverage: [CoverageWindow] = []
        if random.chance(0.6) {
            for _ in 0..<random.int(in: 1...3) {
                let days = Weekday.allCases.filter { _ in random.chance(0.6) }
                let from = LocalTime(minutesSinceMidnight: random.int(in: 0..<96) * 15)
                let to = LocalTime(minutesSinceMidnight: random.int(in: 1...96) * 15)
                coverage.append(CoverageWindow(days: days.isEmpty ? [.monday] : days, from: from, to: to, location: Self.place))
            }
        }
        let allMembers = Array(Set(eras.flatMap(\.members))).sorted()
        let windowLocal = zone.local(at: window.start)
        var timeOff: [TimeOff] = []
        // Whether each end was written as a date comes from its own generator, so that the rest
        // of the schedule stays what each seed has always produced.
        var written = SeededRandom(seed: seed &+ 0x5eed_da7e)
        for _ in 0..<random.int(in: 0...3) {
            let from = windowLocal.date.adding(days: random.int(in: -3...30))
            let until = from.adding(days: random.int(in: 1...10))
            timeOff.append(
                TimeOff(
                    person: random.pick(allMembers), from: LocalDateTime(date: from, time: .midnight), until: LocalDateTime(date: until, time: .midnight),
                    fromIsDate: written.chance(0.5), untilIsDate: written.chance(0.5), location: Self.place
                )
            )
        }
        var assignments: [Assignment] = []
        var cursor = windowLocal.adding(days: random.int(in: -2...5))
        for _ in 0..<random.int(in: 0...2) {
            let from = cursor.adding(days: random.int(in: 0...6))
            let until = LocalDateTime(localSeconds: from.localSeconds + Int64(random.int(in: 1...96)) * 3600)
            assignments.append(Assignment(person: random.pick(Self.pool), from: from, until: until, location: Self.place))
            cursor = until.adding(days: 1)
        }
        var swaps: [Swap] = []
        for _ in 0..<random.int(in: 0...2) {
            let era = eras[0]
            let a = random.int(in: 0...30)
            let b = random.int(in: 0...30)
            let first = era.turnStartLocal(a, in: zone)
            let second = era.turnStartLocal(b, in: zone)
            let end = eras.count > 1 ? eras[1].from : nil
            guard a != b, end.map({ first < $0 && second < $0 }) ?? true else { continue }
            swaps.append(Swap(first: first, second: second, location: Self.place))
        }
        schedule = Schedule(
            name: "random-\(seed)",
            zone: zone,
            rotation: Rotation(eras: eras),
            coverage: coverage,
            timeOff: timeOff,
            assignments: assignments,
            swaps: swaps,
            location: Self.place
        )
    }
}

@Suite("Rotation engine properties over 1,000 random schedules")
struct RotaPropertyTests {
    static let seeds: [UInt64] = Array(1...1_000)
    /// Each property runs for seconds in a debug build; the loops give the thread back
    /// between cases, so that the simulated PagerDuty of other tests (served by Swift concurrency's
    /// few threads, two on a small runner) keeps answering.

    @Test("shifts are sorted, disjoint, in whole minutes, inside the window and the coverage, and with the gaps they fill exactly the covered window")
    func coverageIsExact() async {
        var withGaps = 0
        var withShifts = 0
        for seed in Self.seeds {
            await Task.yield()  // give the thread back between cases (see `seeds`)
            let generated = RandomSchedule(seed: seed)
            let schedule = generated.schedule
            let expansion = RotaExpander.expand(schedule, over: generated.window)
            let shifts = expansion.shifts
            if !expansion.gaps.isEmpty { withGaps += 1 }
            if !shifts.isEmpty { withShifts += 1 }
            for (index, shift) in shifts.enumerated() {
                #expect(shift.start < shift.end, "seed \(seed): empty shift \(shift)")
                #expect(shift.start.isWholeMinute && shift.end.isWholeMinute, "seed \(seed): \(shift)")
                #expect(generated.window.start <= shift.start && shift.end <= generated.window.end, "seed \(seed): \(shift) outside the window")
                if index > 0 { #expect(shifts[index - 1].end <= shift.start, "seed \(seed): \(shifts[index - 1]) overlaps \(shift)") }
            }
            // Before the rotation starts nobody is on call; from then on, exactly the covered time.
            let rotationStart = schedule.zone.instant(for: schedule.rotation.eras[0].from)
            let active = InstantRange(start: max(rotationStart, generated.window.start), end: generated.window.end)
            let covered = active.isEmpty ? [] : schedule.coveredRanges(in: active, zone: schedule.zone)
            let filled = merge(shifts.map(\.range) + expansion.gaps.map(\.range))
            #expect(filled == covered, "seed \(seed): shifts and gaps do not fill the covered window exactly")
        }
        // The generator really produces both kinds of outcome.
        #expect(withShifts > 900)
        #expect(withGaps > 5)
    }

    @Test("nobody is on call during their time off (dates widened to the rota's handoffs) unless an explicit cover says so")
    func timeOffRespected() async {
        for seed in Self.seeds {
            await Task.yield()  // give the thread back between cases (see `seeds`)
            let generated = RandomSchedule(seed: seed)
            let schedule = generated.schedule
            let off = Dictionary(grouping: schedule.timeOff, by: \.person).mapValues { entries in
                entries.map { schedule.absence($0, in: schedule.zone) }
            }
            for shift in RotaExpander.expand(schedule, over: generated.window).shifts where shift.reason != .assignment {
                let clash = off[shift.person]?.first { $0.overlaps(shift.range) }
                #expect(clash == nil, "seed \(seed): \(shift) during time off \(String(describing: clash))")
            }
        }
    }

    @Test("time off given as dates is handed over at regular handoffs: every boundary of every shift is a turn start, the handoff time of day, an era start, a coverage edge, a cover's edge or the window's edge")
    func dateOnlyTimeOffHandsOverAtHandoffs() async {
        var withCovers = 0
        for seed in Self.seeds {
            await Task.yield()  // give the thread back between cases (see `seeds`)
            let generated = RandomSchedule(seed: seed)
            var schedule = generated.schedule
            for index in schedule.timeOff.indices {
                schedule.timeOff[index].fromIsDate = true
                schedule.timeOff[index].untilIsDate = true
            }
            let zone = schedule.zone
            let window = generated.window
            var allowed: Set<Instant> = [window.start, window.end]
            allowed.formUnion(handoffs(of: schedule, around: window))
            for range in schedule.coveredRanges(in: window, zone: zone) { allowed.formUnion([range.start, range.end]) }
            for cover in schedule.assignments {
                allowed.formUnion([zone.instant(for: cover.from).flooredToMinute, zone.instant(for: cover.until).flooredToMinute])
            }
            let expansion = RotaExpander.expand(schedule, over: window)
            if expansion.shifts.contains(where: { if case .timeOffCover = $0.reason { true } else { false } }) { withCovers += 1 }
            for shift in expansion.shifts {
                #expect(allowed.contains(shift.start) && allowed.contains(shift.end), "seed \(seed): \(shift) \(shift.reason) is cut between handoffs")
            }
            for gap in expansion.gaps {
                #expect(allowed.contains(gap.range.start) && allowed.contains(gap.range.end), "seed \(seed): gap \(gap.range) is cut between handoffs")
            }
            // The widening is the least that reaches handoffs: no handoff lies strictly between
            // the absence's edge and midnight of the day written.
            let handoffSet = handoffs(of: schedule, around: InstantRange(start: window.start.adding(seconds: -90 * 86_400), end: window.end.adding(seconds: 90 * 86_400)))
            for entry in schedule.timeOff {
                let absence = schedule.absence(entry, in: zone)
                let written = InstantRange(start: zone.instant(for: entry.from), end: zone.instant(for: entry.until))
                #expect(absence.start <= written.start && written.end <= absence.end, "seed \(seed): \(absence) does not hold \(written)")
                #expect(!handoffSet.contains { absence.start < $0 && $0 <= written.start }, "seed \(seed): \(absence) starts before a nearer handoff")
                #expect(!handoffSet.contains { written.end <= $0 && $0 < absence.end }, "seed \(seed): \(absence) ends after a nearer handoff")
            }
        }
        #expect(withCovers > 100)
    }

    /// Every turn start of every era in force around `window` (and each era's start), and every
    /// day's handoff time of day in each era, in whole minutes, found by walking the turns and days.
    private func handoffs(of schedule: Schedule, around window: InstantRange) -> Set<Instant> {
        let zone = schedule.zone
        var result: Set<Instant> = []
        for (index, era) in schedule.rotation.eras.enumerated() {
            let eraRange = schedule.rotation.range(ofEra: index, in: zone)
            result.insert(eraRange.start.flooredToMinute)
            let from = max(eraRange.start, window.start.adding(seconds: -60 * 86_400))
            let until = min(eraRange.end, window.end.adding(seconds: 60 * 86_400))
            guard from < until else { continue }
            // The handoff time of day, every day of the era: where a day off is handed over.
            var day = LocalDateTime(date: zone.local(at: from).date.adding(days: -1), time: era.from.time)
            while zone.instant(for: day) < until {
                let instant = zone.instant(for: day).flooredToMinute
                if eraRange.contains(instant) { result.insert(instant) }
                day = day.adding(days: 1)
            }
            var k = era.turnIndex(containing: from, in: zone)
            while era.turnStart(k, in: zone) < until {
                result.insert(era.turnStart(k, in: zone).flooredToMinute)
                k += 1
            }
        }
        return result
    }

    @Test("expansion is deterministic, and [a, c) equals [a, b) followed by [b, c) joined at b")
    func deterministicAndSplittable() async {
        var random = SeededRandom(seed: 42)
        for seed in Self.seeds {
            await Task.yield()  // give the thread back between cases (see `seeds`)
            let generated = RandomSchedule(seed: seed)
            let schedule = generated.schedule
            let whole = RotaExpander.expand(schedule, over: generated.window)
            #expect(RotaExpander.expand(schedule, over: generated.window).shifts == whole.shifts, "seed \(seed): not deterministic")
            let span = generated.window.seconds / 60
            let middle = generated.window.start.adding(seconds: Int64(random.int(in: 1..<Int(span))) * 60)
            let left = RotaExpander.expand(schedule, over: InstantRange(start: generated.window.start, end: middle))
            let right = RotaExpander.expand(schedule, over: InstantRange(start: middle, end: generated.window.end))
            #expect(join(left.shifts, right.shifts, at: middle) == whole.shifts, "seed \(seed): split at \(middle) differs")
            #expect(merge(left.gaps.map(\.range) + right.gaps.map(\.range)) == merge(whole.gaps.map(\.range)), "seed \(seed): gaps differ")
        }
    }

    private func merge(_ ranges: [InstantRange]) -> [InstantRange] {
        var merged: [InstantRange] = []
        for range in ranges.sorted() {
            if let last = merged.last, range.start <= last.end {
                merged[merged.count - 1].end = max(last.end, range.end)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// Shifts of two adjacent windows with the pieces cut at `b` put back together.
    private func join(_ left: [Shift], _ right: [Shift], at b: Instant) -> [Shift] {
        var result = left
        var rest = right[...]
        if var last = result.last, let first = rest.first, last.end == b, first.start == b,
            last.person == first.person, last.reason == first.reason, last.era == first.era, last.turn == first.turn
        {
            last.end = first.end
            result[result.count - 1] = last
            rest = rest.dropFirst()
        }
        return result + rest
    }
}
