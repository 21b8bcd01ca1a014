import HandoffTestSupport
import HandoffTime
@testable import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

/// The stepping budget one request shares across every event and rotation it expands, and the
/// arithmetic jump of DAILY and WEEKLY without BYDAY to the window. Steps are counted, never timed.
@Suite("Simulated PagerDuty: v3 expansion steps within one budget per request")
struct V3StepBudgetTests {
    private static func event(start: String, seconds: Int64, zone: String, members: Int, recurrence: [String]) -> SandboxV3Event {
        SandboxV3Event(
            id: "E", name: "n", start: at(start), end: at(start).adding(seconds: seconds), timeZone: zone, effectiveSince: at(start), effectiveUntil: nil,
            recurrence: recurrence, everyMember: false, members: (0..<members).map { SandboxV3Member(userID: "U\($0)") }, shiftsPerMember: 1)
    }

    @Test("50 rotations of 5 events from the year 1 with INTERVAL=1, asked about one week of 2026: one request takes at most the shared budget of steps, not 200,000 per event")
    func hostileSeedStaysWithinSharedBudget() {
        let rules = [
            "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH", "RRULE:FREQ=MONTHLY", "RRULE:FREQ=HOURLY;BYDAY=MO", "RRULE:FREQ=DAILY",
        ]
        var details = SandboxV3Details()
        for index in 0..<50 {
            var rotation = SandboxV3Rotation(id: "R\(index)")
            rotation.events = rules.map { Self.event(start: "0001-01-01T00:00:00Z", seconds: 3600, zone: "Europe/Berlin", members: 3, recurrence: [$0]) }
            details.rotations.append(rotation)
        }
        let window = InstantRange(start: at("2026-03-23T00:00:00Z"), end: at("2026-03-30T00:00:00Z"))
        var steps = V3StepBudget()
        _ = V3FinalSchedule.assignments(details, window: window, fixedUTC: false, steps: &steps)
        // Unshared, the four rules that step from the year 1 would take about 50 × (3 × 200,000 + 24,300) steps.
        #expect(steps.used == V3StepBudget.perRequest && steps.isExhausted)
        // An injected budget is kept to the step, and a spent one expands nothing more.
        var small = V3StepBudget(steps: 1234)
        #expect(V3FinalSchedule.baseAssignments(details, window: window, fixedUTC: false, steps: &small).isEmpty)
        #expect(small.used == 1234)
        #expect(V3FinalSchedule.assignments(details, window: window, fixedUTC: false, steps: &small).isEmpty && small.used == 1234)
    }

    @Test("DAILY and WEEKLY without BYDAY jump to the window by arithmetic: a handful of steps, and the turns (RDATE counted, EXDATE keeping its turn, COUNT ending the rule) as stepping gives them")
    func arithmeticJumpKeepsTurns() throws {
        let zone = try #require(Zone(identifier: "Europe/Berlin"))
        let window = InstantRange(start: at("2026-03-20T00:00:00Z"), end: at("2026-04-10T00:00:00Z"))
        // Every third day at 09:00 Berlin from 1 January 1990, an RDATE in 1995 that is no rule
        // start (one extra turn), one occurrence in the window excluded (its turn stays taken).
        let daily = Self.event(
            start: "1990-01-01T08:00:00Z", seconds: 8 * 3600, zone: "Europe/Berlin", members: 7,
            recurrence: ["RRULE:FREQ=DAILY;INTERVAL=3", "RDATE:19950615T120000Z", "EXDATE;TZID=Europe/Berlin:20260329T090000"])
        let rule = try V3Recurrence.parse(daily.recurrence, zone: zone).get()
        var steps = V3StepBudget()
        let found = V3Expansion.occurrences(of: daily, rule: rule, window: window, fixedUTC: false, steps: &steps).map { occurrence in
            "\(occurrence.range.start) \(V3Expansion.members(of: daily, occurrence: occurrence.index).first?.userID ?? "-")"
        }
        #expect(steps.used < 20, "stepped \(steps.used) periods")
        let startDay = try #require(LocalDate(year: 1990, month: 1, day: 1)).daysSinceEpoch
        let excluded = try #require(LocalDate(year: 2026, month: 3, day: 29)).daysSinceEpoch
        var expected: [String] = []
        for day in stride(from: startDay, to: startDay + 20_000, by: 3) where day != excluded {
            let start = zone.instant(forLocalSeconds: Int64(day) * 86_400 + 9 * 3600)
            guard start.adding(seconds: 8 * 3600) > window.start, start < window.end else { continue }
            expected.append("\(start) U\(((day - startDay) / 3 + 1) % 7)")
        }
        #expect(expected.count == 6 && found == expected)

        // Every second week from Monday 3 January 2000 at 10:00 Berlin: COUNT=2000 still runs in
        // 2026, COUNT=500 ended in 2019.
        for (count, runs) in [(2000, true), (500, false)] {
            let weekly = Self.event(start: "2000-01-03T09:00:00Z", seconds: 3600, zone: "Europe/Berlin", members: 5, recurrence: ["RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=\(count)"])
            let weeklyRule = try V3Recurrence.parse(weekly.recurrence, zone: zone).get()
            var weeklySteps = V3StepBudget()
            let turns = V3Expansion.occurrences(of: weekly, rule: weeklyRule, window: window, fixedUTC: false, steps: &weeklySteps).map { occurrence in
                "\(occurrence.range.start) \(V3Expansion.members(of: weekly, occurrence: occurrence.index).first?.userID ?? "-")"
            }
            #expect(weeklySteps.used < 20, "stepped \(weeklySteps.used) periods")
            let first = try #require(LocalDate(year: 2000, month: 1, day: 3)).daysSinceEpoch
            let expectedTurns = stride(from: first, to: first + 14 * count, by: 14).compactMap { day -> String? in
                let start = zone.instant(forLocalSeconds: Int64(day) * 86_400 + 10 * 3600)
                guard start.adding(seconds: 3600) > window.start, start < window.end else { return nil }
                return "\(start) U\(((day - first) / 14) % 5)"
            }
            #expect(turns == expectedTurns && turns.isEmpty == !runs, "COUNT=\(count): \(turns)")
        }
    }
}
