import Foundation
import HandoffPlan
import HandoffSync
import HandoffTestSupport
import HandoffTime
import OrderedJSON
import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

private let now = TeamFixture.now

private func team(timeOff: String = "") -> String {
    "version: 1\n" + Scenario.connection + TeamFixture.people(dave: false) + TeamFixture.primarySchedule(extra: timeOff + "\n")
        + "destinations:\n" + TeamFixture.primaryDestination
}

private let seed = TeamFixture.seed(dave: false)

/// Issue 13 item 5: time off written as dates is handed over at the rota's own handoff times.
@Suite("Time off given as dates, planned against the simulated PagerDuty (golden files)")
struct TimeOffPlanTests {
    static let folder = (URL(fileURLWithPath: #filePath).deletingLastPathComponent().path as NSString).appendingPathComponent("Golden")

    @Test("date-only time off on a 09:00 rota: handed over at 09:00 on either side, and no override starts or ends at 00:00")
    func dateOnlyTimeOff() async throws {
        let scenario = try await Scenario.start(team(), seed: seed, now: now)
        do {
            try await scenario.apply(at: now)
            // Carol is away from Thursday 3 December and back on Wednesday 9 December, inside her
            // turn of Monday 7 December 09:00: written as dates, so no 00:00 handover.
            try scenario.reconfigure(team(timeOff: """
                    time_off:
                      - { person: carol, from: 2026-12-03, until: 2026-12-09 }
                """))
            let plan = try await scenario.plan(at: now)
            await scenario.stop()
            let zone = try #require(TimeZone(identifier: "Europe/Berlin"))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let changed = plan.destinations[0].actions(.create) + plan.destinations[0].actions(.delete)
            #expect(!changed.isEmpty)
            for action in changed {
                for instant in [action.start, action.end] {
                    let date = Date(timeIntervalSince1970: TimeInterval(instant.secondsSinceEpoch))
                    let time = calendar.dateComponents([.hour, .minute], from: date)
                    #expect(time.hour == 9 && time.minute == 0, "\(action.kind) \(action.range) \(action.person) is not handed over at 09:00")
                }
            }
            // Alice, next in the rotation, covers Carol's turn until 09:00 on the day Carol is back;
            // Carol takes the rest of her week. Nobody holds a stub from or to midnight.
            #expect(plan.destinations[0].actions(.create).map { "\($0.start) \($0.end) \($0.person)" } == [
                "2026-12-07T08:00:00Z 2026-12-09T08:00:00Z Alice Archer",
                "2026-12-09T08:00:00Z 2026-12-14T08:00:00Z Carol Chen",
            ])
            #expect(plan.destinations[0].actions(.delete).map { "\($0.start) \($0.end) \($0.person)" } == [
                "2026-12-07T08:00:00Z 2026-12-14T08:00:00Z Carol Chen"
            ])
            for (suffix, text) in [("txt", PlanRenderer.text(plan)), ("md", PlanRenderer.markdown(plan)), ("json", PlanRenderer.json(plan).serialized())] {
                if let difference = Golden.check(text, name: "time-off-dates.\(suffix)", folder: Self.folder) {
                    Issue.record(Comment(rawValue: difference))
                }
            }
        } catch {
            await scenario.stop()
            throw error
        }
    }
}
