import HandoffConfig
import HandoffDestination
import HandoffPlan
import HandoffRota
import HandoffState
import HandoffTestSupport
import HandoffTime
import Testing
import YAMLNodes

/// The freeze as a property (issue 13): for random rotations exported at a random `now`, and a
/// random edit of the configuration, no shift inside `[now, now + freeze)` changes hands without
/// the check saying so; edits that name their time (swaps, covers, time off, a change entry from
/// inside the freeze) and edits that take effect after the freeze pass.
@Suite("Freeze properties over random configurations and edits")
struct FreezePropertyTests {
    private static let place = SourceLocation(path: "generated.yaml", line: 1, column: 1)
    private static let pool = ["ana", "ben", "cho", "dev", "eli", "fay", "gus"]
    private static let zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"]
        .compactMap(Zone.init(identifier:))
    private static let turns = [
        CalendarDuration(90, .minutes), CalendarDuration(8, .hours), CalendarDuration(1, .days), CalendarDuration(3, .days),
        CalendarDuration(1, .weeks), CalendarDuration(2, .weeks),
    ]

    enum Edit: CaseIterable {
        // Edits that re-deal turns wherever they apply.
        case append, remove, reorder, turn, start, coverage, zone
        // Edits that name their time inside the freeze.
        case swap, cover, timeOff, changeInside
        // An edit that takes effect at the first turn start after the freeze.
        case changeAfter

        var isExplicit: Bool { [.swap, .cover, .timeOff, .changeInside].contains(self) }
    }

    private static func coverage(_ random: inout SeededRandom) -> [CoverageWindow] {
        guard random.chance(0.4) else { return [] }
        let days = Weekday.allCases.filter { _ in random.chance(0.7) }
        return [
            CoverageWindow(
                days: days.isEmpty ? [.monday] : days, from: LocalTime(minutesSinceMidnight: random.int(in: 0..<48) * 30),
                to: LocalTime(minutesSinceMidnight: random.int(in: 1...48) * 30), location: place
            )
        ]
    }

    /// The overrides an apply of `schedule` at `now` leaves in the state, with PagerDuty users `U-<key>`.
    private static func exported(_ schedule: Schedule, now: Instant) -> (DestinationState, Bool) {
        let expansion = RotaExpander.expand(schedule, over: DesiredOverrides.expansionWindow(schedule, now: now))
        let horizonEnd = DesiredOverrides.horizonEnd(schedule, now: now)
        let wanted = DesiredOverrides.wanted(expansion.shifts, schedule: schedule, now: now)
        let overrides = wanted.enumerated().map { index, shift in
            OverrideRecord(id: "O\(index)", start: max(shift.start, now), end: shift.end, userID: "U-" + shift.person)
        }
        let gaps = expansion.gaps.contains { $0.range.start < horizonEnd }
        return (DestinationState(connection: "acme", destinationSchedule: "P", watermark: wanted.map(\.end).max() ?? horizonEnd, overrides: overrides), gaps)
    }

    @Test("no shift inside [now, now + freeze) changes hands without an error; explicit entries and changes after the freeze pass")
    func noSilentChange() async {
        var refused: [Edit: Int] = [:]
        var passed: [Edit: Int] = [:]
        let userIDs = Dictionary(uniqueKeysWithValues: Self.pool.map { ($0, "U-" + $0) })
        let directory = PeopleDirectory(users: Dictionary(uniqueKeysWithValues: Self.pool.map {
            ("U-" + $0, PeopleDirectory.Entry(name: "Person " + $0, email: "\($0)@example.com", person: $0))
        }))
        for seed in UInt64(1)...600 {
            // Seconds of planning in a debug build: give the thread back between cases, so that the
            // simulated PagerDuty of other tests (served by Swift concurrency's few threads) answers.
            await Task.yield()
            var random = SeededRandom(seed: seed)
            let zone = random.pick(Self.zones)
            let turn = random.pick(Self.turns)
            let start = LocalDateTime(
                date: LocalDate(daysSinceEpoch: LocalDate(year: 2026, month: 1, day: 5)!.daysSinceEpoch + random.int(in: 0..<60)),
                time: LocalTime(minutesSinceMidnight: random.int(in: 0..<24) * 60)
            )
            let members = Array(Self.pool.shuffled(using: &random).prefix(random.int(in: 1...5)))
            let edit = random.pick(Edit.allCases)
            let freeze = random.pick([CalendarDuration(0, .minutes), CalendarDuration(1, .days), CalendarDuration(3, .days), CalendarDuration(1, .weeks), CalendarDuration(2, .weeks)])
            let now = zone.instant(for: start).adding(seconds: Int64(random.int(in: 0..<200 * 24)) * 3600 + Int64(random.int(in: 0..<60)) * 60)
            let freezeEnd = now.adding(seconds: freeze.nominalSeconds)
            let nowLocal = zone.local(at: now)

            // Pre-existing entries, except where the edit adds one (so that it is the only one there).
            var timeOff: [TimeOff] = []
            var swaps: [Swap] = []
            let era0 = RotationEra(from: start, members: members, turn: turn, location: Self.place)
            if !edit.isExplicit, random.chance(0.5) {
                let from = nowLocal.date.adding(days: random.int(in: -3...10))
                timeOff.append(TimeOff(person: random.pick(members), from: LocalDateTime(date: from, time: .midnight), until: LocalDateTime(date: from.adding(days: random.int(in: 1...4)), time: .midnight), location: Self.place))
            }
            if !edit.isExplicit, edit != .changeAfter, random.chance(0.5) {
                let k = era0.turnIndex(containing: now, in: zone) + random.int(in: 0...2)
                let j = k + random.int(in: 1...4)
                swaps.append(Swap(first: era0.turnStartLocal(k, in: zone), second: era0.turnStartLocal(j, in: zone), location: Self.place))
            }
            let base = Schedule(
                name: "random-\(seed)", zone: zone, rotation: Rotation(eras: [era0]), coverage: Self.coverage(&random),
                horizon: CalendarDuration(4, .weeks), freeze: freeze, timeOff: timeOff, swaps: swaps, location: Self.place
            )
            let (state, baseGaps) = Self.exported(base, now: now)
            if baseGaps { continue }

            var edited = base
            var era = era0
            switch edit {
            case .append:
                guard let newcomer = Self.pool.first(where: { !members.contains($0) }) else { continue }
                era.members.append(newcomer)
            case .remove:
                guard members.count > 1 else { continue }
                era.members.remove(at: random.int(in: 0..<members.count))
            case .reorder:
                era.members.shuffle(using: &random)
            case .turn:
                era.turn = random.pick(Self.turns)
            case .start:
                era.from = LocalDateTime(localSeconds: start.localSeconds + Int64(random.int(in: 1...48)) * 3600)
            case .coverage:
                edited.coverage = Self.coverage(&random)
            case .zone:
                edited.zone = random.pick(Self.zones)
            case .swap:
                let k = era0.turnIndex(containing: now, in: zone) + random.int(in: 0...1)
                guard era0.turnStart(k, in: zone) < freezeEnd else { continue }
                let j = k + random.int(in: 1...6)
                edited.swaps = [Swap(first: era0.turnStartLocal(k, in: zone), second: era0.turnStartLocal(j, in: zone), location: Self.place)]
            case .cover:
                let from = LocalDateTime(localSeconds: nowLocal.localSeconds - nowLocal.localSeconds % 3600 + Int64(random.int(in: 0...48)) * 3600)
                let until = LocalDateTime(localSeconds: from.localSeconds + Int64(random.int(in: 1...72)) * 3600)
                edited.assignments = [Assignment(person: random.pick(Self.pool), from: from, until: until, location: Self.place)]
            case .timeOff:
                let from = nowLocal.date.adding(days: random.int(in: 0...6))
                edited.timeOff = [TimeOff(person: random.pick(members), from: LocalDateTime(date: from, time: .midnight), until: LocalDateTime(date: from.adding(days: random.int(in: 1...3)), time: .midnight), location: Self.place)]
            case .changeInside, .changeAfter:
                var k = era0.turnIndex(containing: edit == .changeInside ? now : freezeEnd, in: zone)
                if era0.turnStart(k, in: zone) < (edit == .changeInside ? now : freezeEnd) { k += 1 }
                let from = era0.turnStartLocal(k, in: zone)
                guard from > start, edit == .changeAfter || zone.instant(for: from) < freezeEnd else { continue }
                let roster = Array(Self.pool.shuffled(using: &random).prefix(random.int(in: 1...5)))
                edited.rotation.eras.append(RotationEra(from: from, members: roster, turn: random.pick(Self.turns), location: Self.place))
            }
            edited.rotation.eras[0] = era
            let newExpansion = RotaExpander.expand(edited, over: DesiredOverrides.expansionWindow(edited, now: now))
            if newExpansion.gaps.contains(where: { $0.range.start < DesiredOverrides.horizonEnd(edited, now: now) }) { continue }
            let shifts = DesiredOverrides.wanted(newExpansion.shifts, schedule: edited, now: now)

            let finding = FreezeCheck.check(
                FreezeCheck.Input(destination: "d", schedule: edited, now: now, state: state, shifts: shifts, userIDs: userIDs, directory: directory)
            )
            // The truth: who holds the pager in the freeze, before and after.
            let window = InstantRange(start: now, end: min(freezeEnd, state.watermark ?? now))
            let before = state.overrides.map { Holding(InstantRange(start: $0.start, end: $0.end), $0.userID) }
            let after = shifts.map { Holding(InstantRange(start: max($0.start, now), end: $0.end), "U-" + $0.person) }
            let changed = window.isEmpty ? [] : OnCallTimeline.changes(before: before, after: after, within: window)

            if freeze.amount == 0 {
                #expect(finding == nil, "seed \(seed): freeze 0 refused")
                continue
            }
            if edit.isExplicit {
                #expect(finding == nil, "seed \(seed) \(edit): an explicit entry was refused: \(finding.map(FreezeCheck.message) ?? "")")
            } else {
                #expect(changed.isEmpty || finding != nil, "seed \(seed) \(edit): \(changed.count) frozen changes passed silently")
                if edit == .changeAfter {
                    #expect(changed.isEmpty && finding == nil, "seed \(seed): a change after the freeze moved a frozen shift")
                }
            }
            for change in finding?.changes ?? [] {
                #expect(window.start <= change.start && change.end <= window.end, "seed \(seed): \(change.range) outside the freeze")
            }
            if finding != nil { refused[edit, default: 0] += 1 } else { passed[edit, default: 0] += 1 }
        }
        // The generator exercises both outcomes.
        #expect(refused.values.reduce(0, +) > 100)
        #expect([Edit.swap, .cover, .timeOff, .changeInside, .changeAfter].allSatisfy { passed[$0, default: 0] > 5 }, "\(passed)")
    }
}
