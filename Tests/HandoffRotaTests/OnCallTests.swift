import HandoffConfig
import HandoffRota
import HandoffTestSupport
import HandoffTime
import Testing

private func at(_ text: String) -> Instant {
    guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
    return instant
}

/// A weekly rotation (Monday 09:00 in Berlin) where Bob covers Alice's turn from Thursday: his
/// cover runs straight into his own turn.
private let text = """
    version: 1
    connections:
      acme: { type: pagerduty, token_env: PAGERDUTY_TOKEN }
    people:
      alice: { email: alice@example.com }
      bob:   { email: bob@example.com }
      carol: { email: carol@example.com }
    schedules:
      primary:
        time_zone: Europe/Berlin
        rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
        assignments:
          - { person: bob, from: 2026-11-05T09:00, until: 2026-11-09T09:00 }
    destinations:
      primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PABC123 }

    """

@Suite("who is on call: handoffs")
struct OnCallTests {
    private func schedule() throws -> Schedule {
        let loaded = ConfigFixtures.load(text)
        return try #require(loaded.configuration?.schedule(named: "primary"), "\(loaded.diagnostics)")
    }

    @Test("back-to-back shifts of one person are one handoff: a cover running into their own turn")
    func coverThenOwnTurn() throws {
        let schedule = try schedule()
        // The expansion keeps the two shifts (one override each).
        let shifts = RotaExpander.expand(schedule, over: InstantRange(start: at("2026-11-05T08:00:00Z"), end: at("2026-11-16T08:00:00Z"))).shifts
        #expect(shifts.filter { $0.person == "bob" }.count == 2)

        let before = OnCallStatus.at(at("2026-11-03T12:00:00Z"), schedule: schedule, next: 3)
        #expect(before.current?.person == "alice")
        #expect(before.current?.end == at("2026-11-05T08:00:00Z"))
        #expect(before.upcoming.map(\.person) == ["bob", "carol", "alice"])
        #expect(before.upcoming.first?.range == InstantRange(start: at("2026-11-05T08:00:00Z"), end: at("2026-11-16T08:00:00Z")))

        // During the cover: Bob is on call until his own turn ends.
        let during = OnCallStatus.at(at("2026-11-06T12:00:00Z"), schedule: schedule, next: 2)
        #expect(during.current?.person == "bob")
        #expect(during.current?.end == at("2026-11-16T08:00:00Z"))
        #expect(during.upcoming.map(\.person) == ["carol", "alice"])
    }

    @Test("no entry follows one of the same person: every listed entry is a handoff")
    func entriesAreHandoffs() throws {
        let status = OnCallStatus.at(at("2026-11-03T12:00:00Z"), schedule: try schedule(), next: 20)
        let entries = [status.current].compactMap { $0 } + status.upcoming
        #expect(entries.count == 21)
        for (earlier, later) in zip(entries, entries.dropFirst()) {
            #expect(earlier.person != later.person, "\(earlier) then \(later)")
        }
    }

    @Test("nights of one person's turn are one entry: on call only in its pieces, nobody between them, and the rest of the turn comes next")
    func coveragePiecesAreOneEntry() throws {
        let loaded = ConfigFixtures.load("""
            version: 1
            people:
              dave: { email: dave@example.com }
              erin: { email: erin@example.com }
            schedules:
              nights:
                time_zone: America/New_York
                rotation: { members: [dave, erin], start: 2026-11-02T22:00, turn: 1w }
                coverage:
                  - { from: "22:00", to: "06:00" }
                time_off:
                  - { person: dave, from: 2026-11-18T22:00, until: 2026-11-19T06:00 }

            """)
        let schedule = try #require(loaded.configuration?.schedule(named: "nights"), "\(loaded.diagnostics)")
        // Tuesday 03:00 in New York: Dave's second night.
        let night = OnCallStatus.at(at("2026-11-04T08:00:00Z"), schedule: schedule, next: 3)
        #expect(night.current?.person == "dave")
        #expect(night.current?.range == InstantRange(start: at("2026-11-03T03:00:00Z"), end: at("2026-11-09T11:00:00Z")))
        #expect(night.current?.shifts == 7)
        #expect(night.current?.pieces.count == 7)
        #expect(night.upcoming.map(\.person) == ["erin", "dave", "erin"])
        // Erin covering one of Dave's nights splits his turn into three entries.
        #expect(night.upcoming[1].range == InstantRange(start: at("2026-11-17T03:00:00Z"), end: at("2026-11-18T11:00:00Z")))  // Mon and Tue nights

        // Tuesday noon: nobody is on call, though it is Dave's turn; his next night comes next.
        let noon = OnCallStatus.at(at("2026-11-04T17:00:00Z"), schedule: schedule, next: 2)
        #expect(noon.current == nil)
        #expect(noon.upcoming.first?.person == "dave")
        #expect(noon.upcoming.first?.range == InstantRange(start: at("2026-11-05T03:00:00Z"), end: at("2026-11-09T11:00:00Z")))
        #expect(noon.upcoming.first?.isOnCall(at: at("2026-11-05T17:00:00Z")) == false)
        #expect(noon.upcoming.map(\.person) == ["dave", "erin"])
    }
}
