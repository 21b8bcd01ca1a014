import HandoffTestSupport
import PagerDutySandbox

/// The Berlin "Platform" schedule (PPLAT01) the sandbox suites share: a weekly layer handing off
/// Mondays 09:00 (alice, bob) under a business-hours layer (Carol, daily 09:00 for 8 hours).
enum PlatformFixture {
    /// `carol` is Carol's address as the seed spells it: the server suite spells it in mixed
    /// case to check that addresses match without regard to case.
    static func schedule(carol: String = "carol@example.com") -> SandboxSeed.Schedule {
        let start = TeamFixture.at("2026-11-02T09:00:00+01:00")
        return SandboxSeed.Schedule(
            name: "Platform",
            timeZone: "Europe/Berlin",
            id: "PPLAT01",
            layers: [
                .init(
                    name: "Weekly",
                    start: start,
                    rotationVirtualStart: start,
                    rotationTurnLengthSeconds: 604_800,
                    users: ["alice@example.com", "bob@example.com"]
                ),
                .init(
                    name: "Business hours",
                    start: start,
                    rotationVirtualStart: start,
                    rotationTurnLengthSeconds: 86_400,
                    users: [carol],
                    restrictions: [.init(type: "daily_restriction", startTimeOfDay: "09:00:00", durationSeconds: 28_800)]
                ),
            ]
        )
    }
}
