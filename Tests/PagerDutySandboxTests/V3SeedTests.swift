import Foundation
import HandoffTestSupport
import HandoffTime
import OrderedJSON
@testable import PagerDutySandbox
import Testing

/// Shift-based schedules from a seed file (the built-in simulated PagerDuty starts from one).
@Suite("Simulated PagerDuty: v3 schedules in a seed")
struct V3SeedTests {
    private let yaml = """
        users:
          - { name: Alice Archer, email: alice@example.com, id: PALICE1 }
          - { name: Bob Brown, email: bob@example.com, id: PBOB001 }
        schedules:
          - name: Platform (shift-based)
            id: PSHIFT1
            type: schedule_v3
            time_zone: Europe/Berlin
            rotations:
              - events:
                  - name: Weekly
                    start: 2026-11-02T09:00:00+01:00
                    end: 2026-11-09T09:00:00+01:00
                    recurrence: ["RRULE:FREQ=WEEKLY"]
                    members: [alice@example.com, bob@example.com]
                    shifts_per_member: 1
        """

    @Test("a seeded schedule_v3 with a rotation and a weekly event becomes a shift-based schedule whose rotation hands over weekly")
    func seeded() async throws {
        let seed = try SandboxSeed.parse(Array(yaml.utf8), path: "seed.yaml")
        var options = SandboxOptions()
        options.seed = seed
        options.clock = SandboxClock(fixed: SandboxHarness.defaultNow)
        let server = try await SandboxServer(options: options)
        let schedule = try #require(await server.store.schedule(id: "PSHIFT1"))
        #expect(schedule.isV3)
        let details = try #require(schedule.v3)
        let window = InstantRange(start: TeamFixture.at("2026-11-23T00:00:00Z"), end: TeamFixture.at("2026-12-07T00:00:00Z"))
        let lines = V3FinalSchedule.assignments(details, window: window, fixedUTC: false).map { "\($0.range.start) \($0.member.userID ?? "empty")" }
        #expect(lines == ["2026-11-16T08:00:00Z PALICE1", "2026-11-23T08:00:00Z PBOB001", "2026-11-30T08:00:00Z PALICE1"])
    }

    @Test("a seeded event with a recurrence the sandbox does not support, or an unknown member, is a load error naming it")
    func refused() async throws {
        let monthly = try SandboxSeed.parse(Array(yaml.replacingOccurrences(of: "FREQ=WEEKLY", with: "FREQ=YEARLY").utf8), path: "seed.yaml")
        let error = await #expect(throws: SandboxSeed.LoadError.self) { try await SandboxStore(dataPath: nil, seed: monthly) }
        #expect(error?.description.contains("event 1 of rotation 1 of schedule Platform (shift-based)") == true)
        let stranger = try SandboxSeed.parse(
            Array(yaml.replacingOccurrences(of: "members: [alice@example.com, bob@example.com]", with: "members: [zed@example.com]").utf8), path: "seed.yaml")
        await #expect(throws: SandboxSeed.LoadError.self) { try await SandboxStore(dataPath: nil, seed: stranger) }
    }
}
