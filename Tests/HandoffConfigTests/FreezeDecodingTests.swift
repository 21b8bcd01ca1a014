import HandoffConfig
import HandoffTestSupport
import HandoffTime
import Testing

/// `freeze`, per schedule and at the top level (issue 13, item 1).
@Suite("Configuration: freeze")
struct FreezeDecodingTests {
    private func schedules(_ extra: String, top: String = "") -> String {
        """
        version: 1
        \(top)
        people:
          alice: { email: alice@example.com }
        schedules:
          a:
            time_zone: UTC
            rotation: { members: [alice], start: 2026-11-02T09:00, turn: 1w }
        \(extra)
          b:
            time_zone: UTC
            rotation: { members: [alice], start: 2026-11-02T09:00, turn: 1w }

        """
    }

    @Test("a schedule freezes a week by default; its own freeze wins over the top-level one; 0 turns it off")
    func values() throws {
        let plain = try #require(ConfigFixtures.load(schedules("")).configuration)
        #expect(plain.schedule(named: "a")?.freeze == CalendarDuration(1, .weeks))
        let own = try #require(ConfigFixtures.load(schedules("    freeze: 3d", top: "freeze: 0")).configuration)
        #expect(own.schedule(named: "a")?.freeze == CalendarDuration(3, .days))
        #expect(own.schedule(named: "b")?.freeze.amount == 0)
        let off = try #require(ConfigFixtures.load(schedules("    freeze: 0")).configuration)
        #expect(off.schedule(named: "a")?.freeze.amount == 0 && off.schedule(named: "b")?.freeze == CalendarDuration(1, .weeks))
    }

    @Test("a freeze that is not a duration, one over two years, and a top-level freeze set twice are errors at their place")
    func errors() {
        let bad = ConfigFixtures.load(schedules("    freeze: soon"))
        #expect(bad.diagnostics.map(\.description) == [
            "handoff.yaml:9:13: error: \"freeze\" must be a duration such as \"3d\" or \"1w\", or 0 for none, not \"soon\""
        ])
        let long = ConfigFixtures.load(schedules("    freeze: 105w"))
        #expect(long.diagnostics.map(\.description) == ["handoff.yaml:9:13: error: freeze 105w is longer than the limit of 2 years (730d)"])
        let twice = ConfigFixtures.load([("a.yaml", schedules("", top: "freeze: 2d")), ("b.yaml", "freeze: 3d\n")])
        #expect(twice.diagnostics.map(\.description) == ["b.yaml:1:9: error: the top-level \"freeze\" is set twice; it is already set at a.yaml:2:9"])
    }
}
