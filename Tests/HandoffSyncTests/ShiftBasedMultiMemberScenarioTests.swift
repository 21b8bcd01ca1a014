import Foundation
import HandoffDestination
import HandoffPlan
import HandoffSync
import HandoffTestSupport
import HandoffTime
@testable import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

/// Monday 2026-11-23, 11:00 in Berlin.
private let now = TeamFixture.now
private let mallory = "PMALL01"

/// `PSHIFT1`: one weekly rotation handing over on Mondays 09:00 Berlin, carol, alice and bob from
/// 2026-11-02 (Handoff's people a turn later), so the export overrides every turn.
private let seed = SandboxSeed(
    users: [
        .init(name: "Alice Archer", email: "alice@example.com", id: "PALICE1"),
        .init(name: "Bob Brown", email: "bob@example.com", id: "PBOB001"),
        .init(name: "Carol Chen", email: "carol@example.com", id: "PCAROL1"),
        .init(name: "Mallory Manual", email: "mallory@example.com", id: mallory),
    ],
    schedules: [
        .init(name: "Platform", timeZone: "Europe/Berlin", id: "PSHIFT1", type: SandboxSchedule.v3Type, rotations: [
            .init(events: [
                SandboxSeed.Event(
                    name: "Weekly", start: at("2026-11-02T08:00:00Z"), end: at("2026-11-09T08:00:00Z"), recurrence: ["RRULE:FREQ=WEEKLY"],
                    members: ["PCAROL1", "PALICE1", "PBOB001"]
                ),
            ]),
        ]),
    ]
)

private func config(manualChanges: String) -> String {
    "version: 1\nfreeze: 0\n" + Scenario.connection + TeamFixture.people(dave: false) + """
        schedules:
          primary:
            time_zone: Europe/Berlin
            rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
            horizon: 3w

        destinations:
          primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PSHIFT1, manual_changes: \(manualChanges) }

        """
}

/// A custom shift of Mallory and Bob at once, made by a person in PagerDuty after Handoff's
/// export (PagerDuty's API makes one member per shift; the web app can make more): with
/// `manual_changes: keep` it stays and is reported once; with `revert` the plan deletes it once,
/// naming both, and apply sends one request.
@Suite("Shift-based scenario: a custom shift of several members made by hand", .serialized)
struct ShiftBasedMultiMemberScenarioTests {
    static let folder = (URL(fileURLWithPath: #filePath).deletingLastPathComponent().path as NSString).appendingPathComponent("Golden")
    static let shared = InstantRange(start: at("2026-11-25T10:00:00Z"), end: at("2026-11-25T12:00:00Z"))

    /// Writes the shared shift to the simulator's store; its id.
    static func addShared(_ scenario: Scenario) async throws -> String {
        let added = try await scenario.server.store.updateSchedule(id: "PSHIFT1") { schedule, ids in
            let shift = SandboxV3CustomShift(
                id: ids.next(), assignmentID: ids.next(), start: shared.start, end: shared.end, member: SandboxV3Member(userID: mallory),
                extraMembers: [SandboxV3Member(userID: "PBOB001")]
            )
            schedule.v3?.customShifts.append(shift)
            return (shift.id, true)
        }
        return try #require(added)
    }

    @Test("kept and reported once with keep; deleted once with revert (one request, both members named), then no changes")
    func keptAndReverted() async throws {
        for manualChanges in ["keep", "revert"] {
            let scenario = try await Scenario.start(config(manualChanges: manualChanges), seed: seed, now: now)
            do {
                #expect(try await scenario.apply(at: now).1.succeeded)
                let id = try await Self.addShared(scenario)
                let plan = try await scenario.plan(at: now)
                let mentions = plan.destinations.flatMap { $0.actions }.filter { $0.overrideID == id }
                #expect(mentions.count == 1, "one action for the shift: \(PlanRenderer.text(plan))")
                #expect(mentions.first?.person == "Mallory Manual and Bob Brown", "\(mentions)")
                if manualChanges == "keep" {
                    #expect(mentions.first?.kind == .keep && plan.summary.kept == 1 && !plan.hasChanges, "\(PlanRenderer.text(plan))")
                } else {
                    #expect(mentions.first?.kind == .delete && plan.summary.delete == 1 && plan.summary.create == 0, "\(PlanRenderer.text(plan))")
                    if let difference = Golden.check(PlanRenderer.text(plan), name: "v3-multi-member-reverted.txt", folder: Self.folder) {
                        Issue.record(Comment(rawValue: difference))
                    }
                    scenario.server.log.reset()
                    let (_, report) = try await scenario.apply(at: now)
                    #expect(report.succeeded, "\(report.failures)")
                    #expect(scenario.server.log.all.filter { $0.method == "DELETE" }.count == 1, "\(scenario.server.log.all)")
                    let left = await scenario.server.store.schedule(id: "PSHIFT1")?.v3?.customShifts ?? []
                    #expect(!left.contains { $0.id == id }, "\(left)")
                    let again = try await scenario.plan(at: now)
                    #expect(!again.hasChanges, "\(PlanRenderer.text(again))")
                }
                await scenario.stop()
            } catch {
                await scenario.stop()
                throw error
            }
        }
    }
}
