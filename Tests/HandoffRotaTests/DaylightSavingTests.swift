import HandoffConfig
import HandoffRota
import HandoffTestSupport
import HandoffTime
import Testing

/// Expected instants are written by hand from each zone's rules, not computed by the code under
/// test: a transition is where two implementations most often disagree.
@Suite("Rotation engine across daylight-saving changes, hand-checked")
struct DaylightSavingTests {
    /// One schedule from YAML, with the given members and rotation.
    private func schedule(zone: String, start: String, turn: String, members: [String] = ["ana", "ben"], extra: String = "") throws -> Schedule {
        let people = members.map { "  \($0): { email: \($0)@example.com }" }.joined(separator: "\n")
        let text = """
            people:
            \(people)
            schedules:
              s:
                time_zone: \(zone)
                rotation: { members: [\(members.joined(separator: ", "))], start: \(start), turn: \(turn) }
            \(extra)

            """
        let loaded = ConfigFixtures.load(text)
        #expect(loaded.diagnostics.filter { $0.severity == .error }.isEmpty, "\(loaded.diagnostics)")
        return try #require(loaded.configuration?.schedule(named: "s"))
    }

    private func at(_ text: String) -> Instant {
        guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text)") }
        return instant
    }

    /// `start → end person` in UTC, for compact expectations.
    private func shifts(_ schedule: Schedule, _ from: String, _ until: String) -> [String] {
        let expansion = RotaExpander.expand(schedule, over: InstantRange(start: at(from), end: at(until)))
        #expect(expansion.gaps.isEmpty)
        return expansion.shifts.map { "\($0.start) \($0.end) \($0.person)" }
    }

    @Test("Europe/Berlin: a daily 02:30 handoff in the spring-forward gap happens at 03:30, turns of 24 and 23 hours")
    func berlinSpring() throws {
        let s = try schedule(zone: "Europe/Berlin", start: "2027-03-26T02:30", turn: "1d")
        #expect(shifts(s, "2027-03-27T01:30:00Z", "2027-03-30T00:30:00Z") == [
            "2027-03-27T01:30:00Z 2027-03-28T01:30:00Z ben",  // Sat 02:30 CET → Sun 03:30 CEST (the gap): 24 h
            "2027-03-28T01:30:00Z 2027-03-29T00:30:00Z ana",  // Sun 03:30 CEST → Mon 02:30 CEST: 23 h
            "2027-03-29T00:30:00Z 2027-03-30T00:30:00Z ben",
        ])
    }

    @Test("Europe/Berlin: a daily 02:30 handoff in the fall-back hour takes the first 02:30, a 25-hour turn")
    func berlinFall() throws {
        let s = try schedule(zone: "Europe/Berlin", start: "2026-10-23T02:30", turn: "1d")
        #expect(shifts(s, "2026-10-24T00:30:00Z", "2026-10-27T01:30:00Z") == [
            "2026-10-24T00:30:00Z 2026-10-25T00:30:00Z ben",  // Sat 02:30 CEST → Sun 02:30 CEST (first of the two)
            "2026-10-25T00:30:00Z 2026-10-26T01:30:00Z ana",  // → Mon 02:30 CET: 25 h
            "2026-10-26T01:30:00Z 2026-10-27T01:30:00Z ben",
        ])
    }

    @Test("Europe/Berlin: a weekly Sunday 02:30 rotation across both transitions")
    func berlinWeekly() throws {
        let s = try schedule(zone: "Europe/Berlin", start: "2026-10-18T02:30", turn: "1w", members: ["ana", "ben", "cho"])
        let october = shifts(s, "2026-10-18T00:30:00Z", "2026-11-01T01:30:00Z")
        #expect(october == [
            "2026-10-18T00:30:00Z 2026-10-25T00:30:00Z ana",  // CEST to the first 02:30 of the fall-back night
            "2026-10-25T00:30:00Z 2026-11-01T01:30:00Z ben",  // 169 hours
        ])
        let march = shifts(s, "2027-03-21T01:30:00Z", "2027-04-04T00:30:00Z")
        #expect(march == [
            "2027-03-21T01:30:00Z 2027-03-28T01:30:00Z ben",  // turn 22: 02:30 CET → the gap, read as 03:30 CEST
            "2027-03-28T01:30:00Z 2027-04-04T00:30:00Z cho",  // 167 hours
        ])
    }

    @Test("America/New_York: a weekly Monday 09:00 rotation keeps 09:00 across both changes")
    func newYorkWeekly() throws {
        let s = try schedule(zone: "America/New_York", start: "2026-10-26T09:00", turn: "1w")
        #expect(shifts(s, "2026-10-26T13:00:00Z", "2026-11-09T14:00:00Z") == [
            "2026-10-26T13:00:00Z 2026-11-02T14:00:00Z ana",  // EDT → EST: 169 h
            "2026-11-02T14:00:00Z 2026-11-09T14:00:00Z ben",
        ])
        #expect(shifts(s, "2027-03-08T14:00:00Z", "2027-03-15T13:00:00Z") == [
            "2027-03-08T14:00:00Z 2027-03-15T13:00:00Z ben",  // turn 19, EST → EDT: 167 h
        ])
    }

    @Test("America/New_York: 12-hour turns are fixed spans and drift an hour on the wall clock")
    func newYorkFixedTurns() throws {
        let s = try schedule(zone: "America/New_York", start: "2026-10-31T08:00", turn: "12h")
        #expect(shifts(s, "2026-10-31T12:00:00Z", "2026-11-02T00:00:00Z") == [
            "2026-10-31T12:00:00Z 2026-11-01T00:00:00Z ana",  // 08:00 EDT
            "2026-11-01T00:00:00Z 2026-11-01T12:00:00Z ben",  // 20:00 EDT
            "2026-11-01T12:00:00Z 2026-11-02T00:00:00Z ana",  // now 07:00 EST: the fixed span drifts
        ])
    }

    @Test("Australia/Lord_Howe: the 30-minute change, a handoff in the gap and in the repeated half hour")
    func lordHowe() throws {
        // 2026-10-04 02:00 (+10:30) jumps to 02:30 (+11:00): 02:15 does not exist, read with +10:30.
        let spring = try schedule(zone: "Australia/Lord_Howe", start: "2026-10-02T02:15", turn: "1d")
        #expect(shifts(spring, "2026-10-02T15:45:00Z", "2026-10-04T15:15:00Z") == [
            "2026-10-02T15:45:00Z 2026-10-03T15:45:00Z ben",
            "2026-10-03T15:45:00Z 2026-10-04T15:15:00Z ana",  // 02:45 (+11:00) → next 02:15 (+11:00): 23.5 h
        ])
        // 2027-04-04 02:00 (+11:00) falls back to 01:30 (+10:30): 01:45 happens twice, the first counts.
        let autumn = try schedule(zone: "Australia/Lord_Howe", start: "2027-04-02T01:45", turn: "1d")
        #expect(shifts(autumn, "2027-04-02T14:45:00Z", "2027-04-04T15:15:00Z") == [
            "2027-04-02T14:45:00Z 2027-04-03T14:45:00Z ben",  // turn 1
            "2027-04-03T14:45:00Z 2027-04-04T15:15:00Z ana",  // 24.5 h
        ])
    }

    @Test("Pacific/Chatham: +12:45 and +13:45, a 03:00 handoff in the gap")
    func chatham() throws {
        // 2026-09-27 02:45 (+12:45) jumps to 03:45 (+13:45): 03:00 is read with +12:45, i.e. 14:15Z.
        let s = try schedule(zone: "Pacific/Chatham", start: "2026-09-26T03:00", turn: "1d")
        #expect(shifts(s, "2026-09-25T14:15:00Z", "2026-09-27T13:15:00Z") == [
            "2026-09-25T14:15:00Z 2026-09-26T14:15:00Z ana",
            "2026-09-26T14:15:00Z 2026-09-27T13:15:00Z ben",  // 04:00 (+13:45) → 03:00 (+13:45): 23 h
        ])
    }

    @Test("America/Santiago: the change at midnight, a midnight handoff that does not exist, and an hour that repeats")
    func santiago() throws {
        // 2026-09-06 00:00 (-04:00) jumps to 01:00 (-03:00).
        let spring = try schedule(zone: "America/Santiago", start: "2026-09-04T00:00", turn: "1d")
        #expect(shifts(spring, "2026-09-05T04:00:00Z", "2026-09-07T03:00:00Z") == [
            "2026-09-05T04:00:00Z 2026-09-06T04:00:00Z ben",  // the missing midnight is read with -04:00: 01:00 -03:00
            "2026-09-06T04:00:00Z 2026-09-07T03:00:00Z ana",
        ])
        // 2027-04-04 00:00 (-03:00) falls back to 2027-04-03 23:00 (-04:00): 23:30 on the 3rd happens twice.
        let autumn = try schedule(zone: "America/Santiago", start: "2027-04-01T23:30", turn: "1d")
        #expect(shifts(autumn, "2027-04-02T02:30:00Z", "2027-04-05T03:30:00Z") == [
            "2027-04-02T02:30:00Z 2027-04-03T02:30:00Z ana",
            "2027-04-03T02:30:00Z 2027-04-04T02:30:00Z ben",  // ends at the first of the two 23:30s (-03:00)
            "2027-04-04T02:30:00Z 2027-04-05T03:30:00Z ana",  // 25 h
        ])
    }

    @Test("Asia/Kolkata: no daylight saving, +05:30 all year")
    func kolkata() throws {
        let s = try schedule(zone: "Asia/Kolkata", start: "2026-01-05T09:00", turn: "1w")
        #expect(shifts(s, "2026-07-06T03:30:00Z", "2026-07-20T03:30:00Z") == [
            "2026-07-06T03:30:00Z 2026-07-13T03:30:00Z ana",
            "2026-07-13T03:30:00Z 2026-07-20T03:30:00Z ben",
        ])
    }

    @Test("coverage windows cut turns, cross midnight, and follow the wall clock across a change")
    func coverageAcrossChange() throws {
        let s = try schedule(
            zone: "Europe/Berlin",
            start: "2027-03-22T09:00",
            turn: "1w",
            extra: """
                    coverage:
                      - { days: [fri, sat], from: "22:00", to: "06:00" }
                """
        )
        #expect(shifts(s, "2027-03-26T00:00:00Z", "2027-03-29T00:00:00Z") == [
            "2027-03-26T21:00:00Z 2027-03-27T05:00:00Z ana",  // Fri 22:00 CET → Sat 06:00 CET
            "2027-03-27T21:00:00Z 2027-03-28T04:00:00Z ana",  // Sat 22:00 CET → Sun 06:00 CEST: 7 h
        ])
    }

    @Test("time off goes to the next free member; nobody free is a gap, named")
    func timeOff() throws {
        let s = try schedule(
            zone: "UTC",
            start: "2026-11-02T09:00",
            turn: "1w",
            members: ["ana", "ben", "cho"],
            extra: """
                    time_off:
                      - { person: ana, from: 2026-11-03T00:00, until: 2026-11-05T00:00 }
                      - { person: ben, from: 2026-11-04T00:00, until: 2026-11-06T00:00 }
                      - { person: cho, from: 2026-11-04T12:00, until: 2026-11-04T18:00 }
                """
        )
        let expansion = RotaExpander.expand(s, over: InstantRange(start: at("2026-11-02T09:00:00Z"), end: at("2026-11-09T09:00:00Z")))
        #expect(expansion.shifts.map { "\($0.start) \($0.end) \($0.person)" } == [
            "2026-11-02T09:00:00Z 2026-11-03T00:00:00Z ana",
            "2026-11-03T00:00:00Z 2026-11-04T00:00:00Z ben",  // ana is off; ben is next and free
            "2026-11-04T00:00:00Z 2026-11-04T12:00:00Z cho",  // ben is off too; cho is free until noon
            "2026-11-04T18:00:00Z 2026-11-05T00:00:00Z cho",
            "2026-11-05T00:00:00Z 2026-11-09T09:00:00Z ana",
        ])
        #expect(expansion.shifts.map(\.reason)[1] == .timeOffCover(absent: "ana"))
        #expect(expansion.gaps.map(\.description) == [
            "nobody can be on call for schedule \"s\" from Wed 2026-11-04 12:00 → Wed 2026-11-04 18:00 +00:00: "
                + "ana, ben, cho are all off; add an explicit cover or move the time off"
        ])
    }

    @Test("time off given as dates is handed over at the rota's handoffs, weekly: at the handoff time of day (09:00), neither at midnight nor for the whole week")
    func timeOffDatesWeekly() throws {
        let s = try schedule(
            zone: "Europe/Berlin",
            start: "2026-11-02T09:00",
            turn: "1w",
            members: ["ana", "ben", "cho"],
            extra: """
                    time_off:
                      - { person: cho, from: 2026-11-14, until: 2026-11-17 }        # Sat to Mon, back on Tue 17th; her turn from Mon 16th 09:00
                      - { person: ana, from: 2026-11-25T13:00, until: 2026-11-28 }  # exact start, a date as end
                """
        )
        let expansion = RotaExpander.expand(s, over: InstantRange(start: at("2026-11-09T08:00:00Z"), end: at("2026-12-07T08:00:00Z")))
        #expect(expansion.gaps.isEmpty)
        #expect(expansion.shifts.map { "\($0.start) \($0.end) \($0.person) \($0.reason)" } == [
            "2026-11-09T08:00:00Z 2026-11-16T08:00:00Z ben rotation",
            // cho is off from 09:00 before Sat 14th (Fri 13th) to 09:00 on Tue 17th, the day she is back:
            // ana covers the first day of cho's turn only, and cho takes the rest of her week.
            "2026-11-16T08:00:00Z 2026-11-17T08:00:00Z ana timeOffCover(absent: \"cho\")",
            "2026-11-17T08:00:00Z 2026-11-23T08:00:00Z cho rotation",
            // ana leaves at 13:00 as written, and comes back at 09:00 on Sat 28th, not at Sat 00:00.
            "2026-11-23T08:00:00Z 2026-11-25T12:00:00Z ana rotation",
            "2026-11-25T12:00:00Z 2026-11-28T08:00:00Z ben timeOffCover(absent: \"ana\")",
            "2026-11-28T08:00:00Z 2026-11-30T08:00:00Z ana rotation",
            "2026-11-30T08:00:00Z 2026-12-07T08:00:00Z ben rotation",
        ])
    }

    @Test("time off given as dates across the spring-forward change: handed over at 09:00 CET before and 09:00 CEST after")
    func timeOffDatesAcrossDaylightSaving() throws {
        let s = try schedule(
            zone: "Europe/Berlin",
            start: "2027-03-22T09:00",
            turn: "1d",
            extra: """
                    time_off:
                      - { person: ana, from: 2027-03-28, until: 2027-03-29 }    # Sunday, the day clocks go forward
                """
        )
        #expect(shifts(s, "2027-03-26T08:00:00Z", "2027-03-30T07:00:00Z") == [
            "2027-03-26T08:00:00Z 2027-03-27T08:00:00Z ana",
            "2027-03-27T08:00:00Z 2027-03-28T07:00:00Z ben",  // Sat 09:00 CET → Sun 09:00 CEST, his own turn
            "2027-03-28T07:00:00Z 2027-03-29T07:00:00Z ben",  // ana's Sunday turn, to Mon 09:00 CEST, not to midnight
            "2027-03-29T07:00:00Z 2027-03-30T07:00:00Z ben",
        ])
    }

    @Test("time off given as dates with coverage across midnight: the cover takes the whole turn, not the evening only")
    func timeOffDatesWithCoverage() throws {
        let s = try schedule(
            zone: "Europe/Berlin",
            start: "2026-11-02T20:00",
            turn: "1d",
            members: ["ana", "ben", "cho"],
            extra: """
                    coverage:
                      - { from: "20:00", to: "02:00" }
                    time_off:
                      - { person: cho, from: 2026-11-04, until: 2026-11-05 }    # Wednesday, her turn from 20:00
                """
        )
        let expansion = RotaExpander.expand(s, over: InstantRange(start: at("2026-11-03T19:00:00Z"), end: at("2026-11-06T19:00:00Z")))
        #expect(expansion.shifts.map { "\($0.start) \($0.end) \($0.person) \($0.reason)" } == [
            "2026-11-03T19:00:00Z 2026-11-04T01:00:00Z ben rotation",
            "2026-11-04T19:00:00Z 2026-11-05T01:00:00Z ana timeOffCover(absent: \"cho\")",  // not cut at Thu 00:00
            "2026-11-05T19:00:00Z 2026-11-06T01:00:00Z ana rotation",
        ])
    }

    @Test("an explicit cover wins over the rotation and over time off; swaps exchange whole turns")
    func coversAndSwaps() throws {
        let s = try schedule(
            zone: "UTC",
            start: "2026-11-02T09:00",
            turn: "1w",
            members: ["ana", "ben", "cho"],
            extra: """
                    time_off:
                      - { person: ben, from: 2026-11-09, until: 2026-11-17 }
                    assignments:
                      - { person: ben, from: 2026-11-10T09:00, until: 2026-11-11T09:00 }
                    swaps:
                      - [2026-11-02T09:00, 2026-11-16T09:00]
                """
        )
        let expansion = RotaExpander.expand(s, over: InstantRange(start: at("2026-11-02T09:00:00Z"), end: at("2026-11-23T09:00:00Z")))
        #expect(expansion.gaps.isEmpty)
        #expect(expansion.shifts.map { "\($0.start) \($0.end) \($0.person) \($0.reason)" } == [
            "2026-11-02T09:00:00Z 2026-11-09T09:00:00Z cho swap",
            "2026-11-09T09:00:00Z 2026-11-10T09:00:00Z cho timeOffCover(absent: \"ben\")",
            "2026-11-10T09:00:00Z 2026-11-11T09:00:00Z ben assignment",
            "2026-11-11T09:00:00Z 2026-11-16T09:00:00Z cho timeOffCover(absent: \"ben\")",
            "2026-11-16T09:00:00Z 2026-11-23T09:00:00Z ana swap",
        ])
    }

    @Test("a roster change takes effect at its turn and changes nothing before it")
    func rosterChange() throws {
        let before = try schedule(zone: "Europe/Berlin", start: "2026-11-02T09:00", turn: "1w", members: ["ana", "ben", "cho"])
        let text = """
            people:
              ana: { email: ana@example.com }
              ben: { email: ben@example.com }
              cho: { email: cho@example.com }
              dev: { email: dev@example.com }
            schedules:
              s:
                time_zone: Europe/Berlin
                rotation:
                  members: [ana, ben, cho]
                  start: 2026-11-02T09:00
                  turn: 1w
                  changes:
                    - { from: 2026-12-07T09:00, members: [dev, ana, ben, cho], turn: 2w }

            """
        let changed = try #require(ConfigFixtures.load(text).configuration?.schedule(named: "s"))
        let window = InstantRange(start: at("2026-11-02T08:00:00Z"), end: at("2027-01-04T08:00:00Z"))
        let old = RotaExpander.expand(before, over: window).shifts
        let new = RotaExpander.expand(changed, over: window).shifts
        let cut = at("2026-12-07T08:00:00Z")
        #expect(new.filter { $0.start < cut } == old.filter { $0.start < cut })
        #expect(new.filter { $0.start >= cut }.map { "\($0.start) \($0.person)" } == [
            "2026-12-07T08:00:00Z dev",
            "2026-12-21T08:00:00Z ana",
        ])
    }

    @Test("a rotation begun in 2015 with 30-minute turns is expanded for a week in 2027 directly")
    func farFromStart() throws {
        let s = try schedule(zone: "Europe/Berlin", start: "2015-01-05T00:00", turn: "30m", members: ["ana", "ben", "cho"])
        let expansion = RotaExpander.expand(s, over: InstantRange(start: at("2027-06-07T00:00:00Z"), end: at("2027-06-14T00:00:00Z")))
        #expect(expansion.shifts.count == 7 * 48)
        // 2015-01-04T23:00Z + k·30 min: 2027-06-07T00:00Z is turn 217,730 → members[217730 mod 3] = cho.
        #expect(expansion.shifts.first?.person == "cho")
        #expect(expansion.shifts.first?.turn == 217_730)
    }
}
