public import HandoffPlan
public import HandoffTime

/// What the reconciler suites share: hours from a fixed instant, and the people of destination
/// user ids `A`, `B`, `C` (Ana, Ben and Cho, the configuration's `a`, `b` and `c`) and `X`
/// (Xavier, whom the configuration does not know).
public enum ReconcilerFixture {
    /// `hours` after Sunday 2026-11-22 12:00 UTC.
    public static func t(_ hours: Int64) -> Instant { Instant(secondsSinceEpoch: 1_795_348_800 + hours * 3600) }

    public static let directory = PeopleDirectory(users: [
        "A": .init(name: "Ana", email: "ana@example.com", person: "a"),
        "B": .init(name: "Ben", email: "ben@example.com", person: "b"),
        "C": .init(name: "Cho", email: "cho@example.com", person: "c"),
        "X": .init(name: "Xavier", email: "x@example.com"),
    ])
}
