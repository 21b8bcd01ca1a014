public import HandoffTime
public import PagerDutySandbox

/// The team of the plan scenarios (plan, handover, destination-move and time-off suites), written
/// once: alice, bob and carol (and dave, who is on no rota) in the quickstart's weekly Berlin
/// rotation, planned at Monday 2026-11-23 11:00 Berlin time against PagerDuty schedule `PPRIMAR`.
public enum TeamFixture {
    /// The instant written in RFC 3339; a typo in a test stops the run at once.
    public static func at(_ text: String) -> Instant {
        guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
        return instant
    }

    /// Monday 2026-11-23, 11:00 in Berlin: Alice's turn (turn 3 of alice, bob, carol from 2026-11-02).
    public static let now = at("2026-11-23T10:00:00Z")

    /// The `people:` block: alice, bob, carol, and dave when `dave`.
    public static func people(dave: Bool = true) -> String {
        let team = """
            people:
              alice: { name: Alice Archer, email: alice@example.com }
              bob:   { name: Bob Brown, email: bob@example.com }
              carol: { name: Carol Chen, email: carol@example.com }

            """
        return team + (dave ? "  dave:  { name: Dave Diaz, email: dave@example.com }\n" : "") + "\n"
    }

    /// The `schedules:` block with the primary schedule: Berlin, alice, bob and carol a week each
    /// from Monday 2026-11-02 09:00, planned `horizon` ahead; `extra` lines end the schedule.
    public static func primarySchedule(horizon: String = "4w", extra: String = "") -> String {
        """
        schedules:
          primary:
            time_zone: Europe/Berlin
            rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
            horizon: \(horizon)

        """ + extra
    }

    /// The destination of the primary schedule, as one line of a `destinations:` block.
    public static let primaryDestination = "  primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PPRIMAR }\n"

    /// The simulated PagerDuty's side: the people of `people(dave:)` followed by `users`, and the
    /// primary schedule `PPRIMAR` followed by `schedules`.
    public static func seed(dave: Bool = true, users: [SandboxSeed.User] = [], schedules: [SandboxSeed.Schedule] = []) -> SandboxSeed {
        var team: [SandboxSeed.User] = [
            .init(name: "Alice Archer", email: "alice@example.com"), .init(name: "Bob Brown", email: "bob@example.com"),
            .init(name: "Carol Chen", email: "carol@example.com"),
        ]
        if dave { team.append(.init(name: "Dave Diaz", email: "dave@example.com")) }
        return SandboxSeed(users: team + users, schedules: [.init(name: "Primary", timeZone: "Europe/Berlin", id: "PPRIMAR")] + schedules)
    }
}
