import Foundation
import HandoffDestination
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTestSupport
import HandoffTime
import OrderedJSON
import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

private let now = TeamFixture.now

private let seed = TeamFixture.seed(dave: false, schedules: [.init(name: "Other", timeZone: "UTC", id: "POTHER1")])

/// The team of the plan scenarios, with `tail` (destinations, `moved`, `removed`) at the end.
private func team(_ tail: String = "destinations:\n" + TeamFixture.primaryDestination) -> String {
    "version: 1\n" + Scenario.connection + TeamFixture.people(dave: false) + TeamFixture.primarySchedule() + tail
}

private let renamed = "destinations:\n  primary-oncall: { schedule: primary, connection: acme, pagerduty_schedule: PPRIMAR }\n"

/// Issue 13 item 4: renaming a destination (`moved`) or letting go of one (`removed`) without churn.
@Suite("Destinations moved and removed (golden files)")
struct DestinationMoveScenarioTests {
    static let folder = (URL(fileURLWithPath: #filePath).deletingLastPathComponent().path as NSString).appendingPathComponent("Golden")

    private func checkGolden(_ plan: Plan, _ name: String) {
        for (suffix, text) in [("txt", PlanRenderer.text(plan)), ("md", PlanRenderer.markdown(plan)), ("json", PlanRenderer.json(plan).serialized())] {
            if let difference = Golden.check(text, name: "\(name).\(suffix)", folder: Self.folder) {
                Issue.record(Comment(rawValue: difference))
            }
        }
    }

    /// Runs `body` against a sandbox where the team was applied once at `now`.
    private func afterFirstApply(_ body: (Scenario) async throws -> Void) async throws {
        let scenario = try await Scenario.start(team(), seed: seed, now: now)
        do {
            let (_, report) = try await scenario.apply(at: now)
            #expect(report.succeeded && report.created == 5)
            try await body(scenario)
            await scenario.stop()
        } catch {
            await scenario.stop()
            throw error
        }
    }

    private func writes(_ scenario: Scenario) -> [String] {
        scenario.server.log.all.filter { $0.method == "POST" || $0.method == "DELETE" }.map { "\($0.method) \($0.route)" }
    }

    @Test("a destination renamed with a moved entry: the plan shows the move and no override change; apply calls nothing in PagerDuty")
    func moved() async throws {
        try await afterFirstApply { scenario in
            let before = await scenario.overrides("PPRIMAR")
            let ownedBefore = try await scenario.store.read().destinations["primary-pd"]
            try scenario.reconfigure(team(renamed + "moved:\n  - { from: primary-pd, to: primary-oncall }\n"))
            let plan = try await scenario.plan(at: now)
            checkGolden(plan, "destination-moved")
            #expect(plan.destinations.map(\.name) == ["primary-oncall"])
            #expect(plan.destinations[0].movedFrom == "primary-pd")
            #expect(plan.summary.create == 0 && plan.summary.delete == 0 && plan.summary.moved == 1)
            #expect(plan.hasChanges, "the state still has to learn the new name")
            #expect(PlanRenderer.summaryLine(plan).hasPrefix("Plan: 0 to add, 0 to delete, 1 to move."))

            scenario.server.log.reset()
            let (_, report) = try await scenario.apply(at: now)
            #expect(report.succeeded && report.created == 0 && report.deleted == 0, "\(report.failures)")
            #expect(writes(scenario).isEmpty, "no PagerDuty write for a rename")
            #expect(await scenario.overrides("PPRIMAR") == before)
            let state = try await scenario.store.read()
            #expect(state.destinations["primary-pd"] == nil)
            #expect(state.destinations["primary-oncall"] == ownedBefore, "watermark and owned overrides carried over")

            // Done: the entry may stay, and changes nothing any more.
            #expect(!(try await scenario.plan(at: now)).hasChanges)
            #expect(!(try await scenario.plan(at: now.adding(seconds: 3600))).hasChanges)
        }
    }

    @Test("a destination renamed without a moved entry: every override is deleted and created again, as before")
    func renamedWithoutMoved() async throws {
        try await afterFirstApply { scenario in
            try scenario.reconfigure(team(renamed))
            let plan = try await scenario.plan(at: now)
            checkGolden(plan, "destination-renamed")
            #expect(plan.summary.create == 5 && plan.summary.delete == 5 && plan.summary.moved == 0)
            #expect(plan.destinations.map(\.name) == ["primary-oncall", "primary-pd"])
            #expect(plan.destinations[1].removed && !plan.destinations[1].keepsOverrides)
        }
    }

    @Test("a moved entry together with a rotation change: the rename is recorded first, and the change applies to the renamed record")
    func movedAndChanged() async throws {
        try await afterFirstApply { scenario in
            try scenario.reconfigure(
                team(renamed + "moved:\n  - { from: primary-pd, to: primary-oncall }\n")
                    .replacingOccurrences(of: "members: [alice, bob, carol]", with: "members: [alice, bob]")
            )
            let plan = try await scenario.plan(at: now)
            #expect(plan.destinations.count == 1 && plan.destinations[0].movedFrom == "primary-pd")
            let deletes = plan.destinations[0].actions(.delete)
            #expect(!deletes.isEmpty && deletes.allSatisfy { $0.reasonWords() == "member left the rotation" || $0.reasonWords()?.hasPrefix("no longer desired") == true })
            let (_, report) = try await scenario.apply(at: now)
            #expect(report.succeeded && report.deleted == deletes.count, "\(report.failures)")
            let state = try await scenario.store.read()
            let live = Set(await scenario.overrides("PPRIMAR").filter { $0.end > now }.map(\.id))
            #expect(Set(state.destinations["primary-oncall"]?.overrides.map(\.id) ?? []) == live)
            #expect(state.destinations.count == 1)
            #expect(!(try await scenario.plan(at: now)).hasChanges)
        }
    }

    @Test("an apply killed right after the rename record loses nothing: the state has the new name, and the next plan changes nothing")
    func killedAfterRename() async throws {
        try await afterFirstApply { scenario in
            let owned = try await scenario.store.read().destinations["primary-pd"]
            try scenario.reconfigure(team(renamed + "moved:\n  - { from: primary-pd, to: primary-oncall }\n"))
            // What the applier records first, and then nothing: no finish, as if the process died.
            let session = try await scenario.store.acquire(LockHolder.current(operation: "apply", now: now), timeout: 0)
            try await session.record(StateChange(destination: "primary-pd", connection: "acme", destinationSchedule: "PPRIMAR", movedTo: "primary-oncall"))
            let journal = try String(contentsOfFile: scenario.store.path + ".journal", encoding: .utf8)
            #expect(journal.split(separator: "\n").count == 1 && journal.contains("\"moved_to\":\"primary-oncall\""))
            await session.release()
            let state = try await scenario.store.read()
            #expect(state.destinations["primary-pd"] == nil && state.destinations["primary-oncall"] == owned)
            let plan = try await scenario.plan(at: now)
            #expect(!plan.hasChanges && plan.destinations.allSatisfy { $0.movedFrom == nil })
        }
    }

    @Test("a move onto another PagerDuty schedule is refused at plan time: it would lose track of the overrides")
    func movedAcrossSchedules() async throws {
        try await afterFirstApply { scenario in
            try scenario.reconfigure(team("""
                destinations:
                  primary-oncall: { schedule: primary, connection: acme, pagerduty_schedule: POTHER1 }
                moved:
                  - { from: primary-pd, to: primary-oncall }

                """))
            await #expect {
                try await scenario.plan(at: now)
            } throws: { error in
                (error as? SyncError)?.messages == [
                    "destination \"primary-pd\" is moved to \"primary-oncall\", but \"primary-pd\" wrote PagerDuty schedule PPRIMAR through connection \"acme\" "
                        + "and \"primary-oncall\" writes POTHER1 through \"acme\"; a move leaves the overrides where they are, so drop the moved entry to have them deleted and created anew"
                ]
            }
        }
    }

    @Test("removed with keep_overrides: true: only the state goes, with no PagerDuty call; the overrides stay")
    func removedKept() async throws {
        try await afterFirstApply { scenario in
            let before = await scenario.overrides("PPRIMAR")
            try scenario.reconfigure(team("destinations: {}\nremoved:\n  - { destination: primary-pd, keep_overrides: true }\n"))
            let plan = try await scenario.plan(at: now)
            checkGolden(plan, "destination-removed-kept")
            #expect(plan.destinations.count == 1 && plan.destinations[0].removed && plan.destinations[0].keepsOverrides)
            #expect(plan.destinations[0].actions.isEmpty && plan.summary.forgotten == 1)

            scenario.server.log.reset()
            let (_, report) = try await scenario.apply(at: now)
            #expect(report.succeeded && report.deleted == 0, "\(report.failures)")
            #expect(scenario.server.log.all.isEmpty, "no PagerDuty call at all")
            #expect(await scenario.overrides("PPRIMAR") == before)
            #expect(try await scenario.store.read().destinations.isEmpty)
            #expect(!(try await scenario.plan(at: now)).hasChanges)
        }
    }

    @Test("removed with keep_overrides: false: the overrides are deleted, as for any destination that leaves")
    func removedDeleted() async throws {
        try await afterFirstApply { scenario in
            try scenario.reconfigure(team("destinations: {}\nremoved:\n  - { destination: primary-pd, keep_overrides: false }\n"))
            let plan = try await scenario.plan(at: now.adding(seconds: 600))
            checkGolden(plan, "destination-removed-deleted")
            #expect(plan.destinations[0].removed && !plan.destinations[0].keepsOverrides)
            #expect(plan.summary.delete == 5 && plan.summary.forgotten == 0)
            let (_, report) = try await scenario.apply(at: now.adding(seconds: 600))
            #expect(report.succeeded && report.deleted == 5)
            #expect(try await scenario.store.read().destinations.isEmpty)
        }
    }

    @Test("a saved plan keeps the move and the kept removal: the plan file reads back equal")
    func savedPlanRoundTrip() async throws {
        try await afterFirstApply { scenario in
            try scenario.reconfigure(team(renamed + "moved:\n  - { from: primary-pd, to: primary-oncall }\n"))
            let moved = try await scenario.plan(at: now)
            #expect(try PlanFile.decode(Array(PlanFile.encode(moved, configurationDirectory: ".").utf8)).plan == moved)
            try scenario.reconfigure(team("destinations: {}\nremoved:\n  - { destination: primary-pd, keep_overrides: true }\n"))
            let forgotten = try await scenario.plan(at: now)
            #expect(try PlanFile.decode(Array(PlanFile.encode(forgotten, configurationDirectory: ".").utf8)).plan == forgotten)
        }
    }
}
