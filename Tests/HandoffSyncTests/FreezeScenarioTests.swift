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

private func at(_ text: String) -> Instant {
    guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
    return instant
}

/// Monday 2026-11-23, 11:00 in Berlin: the quickstart's primary rotation has Alice on call since
/// 09:00, and the freeze (1w) runs to Monday 2026-11-30 11:00.
private let now = at("2026-11-23T10:00:00Z")

/// The quickstart's primary schedule (swap, time off and cover included), against the simulated
/// PagerDuty, with Grace as a new hire.
private func quickstart(members: String = "[alice, bob, carol]", changes: String = "", timeOff: String = "carol", freeze: String = "") -> String {
    """
    version: 1
    \(Scenario.connection)
    people:
      alice: { name: Alice Archer, email: alice@example.com }
      bob:   { name: Bob Brown,    email: bob@example.com }
      carol: { name: Carol Chen,   email: carol@example.com }
      grace: { name: Grace Green,  email: grace@example.com }

    schedules:
      platform-primary:
        time_zone: Europe/Berlin
        rotation:
          members: \(members)
          start: 2026-11-02T09:00
          turn: 1w
    \(changes)
        horizon: 8w
    \(freeze)
        time_off:
          - { person: \(timeOff), from: 2026-12-21, until: 2027-01-04 }
        assignments:
          - { person: bob, from: 2026-12-24T09:00, until: 2026-12-27T09:00 }
        swaps:
          - [2026-11-30T09:00, 2026-12-07T09:00]

    destinations:
      platform-primary-pd: { schedule: platform-primary, connection: acme, pagerduty_schedule: PPRIMAR }

    """
}

private let seed = SandboxSeed(
    users: [
        .init(name: "Alice Archer", email: "alice@example.com"), .init(name: "Bob Brown", email: "bob@example.com"),
        .init(name: "Carol Chen", email: "carol@example.com"), .init(name: "Grace Green", email: "grace@example.com"),
    ],
    schedules: [.init(name: "Primary", timeZone: "Europe/Berlin", id: "PPRIMAR")]
)

/// Issue 13, item 1: announced shifts do not move silently.
@Suite("Freeze: announced shifts do not move silently (golden files)")
struct FreezeScenarioTests {
    static let folder = (URL(fileURLWithPath: #filePath).deletingLastPathComponent().path as NSString).appendingPathComponent("Golden")

    private func check(_ text: String, _ name: String) {
        if let difference = Golden.check(text, name: name, folder: Self.folder) { Issue.record(Comment(rawValue: difference)) }
    }

    private func checkPlan(_ plan: Plan, _ name: String) {
        check(PlanRenderer.text(plan), "\(name).txt")
        check(PlanRenderer.markdown(plan), "\(name).md")
        check(PlanRenderer.json(plan).serialized(), "\(name).json")
    }

    /// The error a refused plan throws, as `handoff` prints it after `error: `.
    private func refusal(_ scenario: Scenario, at instant: Instant) async throws -> String {
        do {
            _ = try await scenario.plan(at: instant)
        } catch let error as SyncError {
            return error.messages.joined(separator: "\nerror: ") + "\n"
        }
        Issue.record("the plan was not refused")
        return ""
    }

    private func withScenario(_ body: (Scenario) async throws -> Void) async throws {
        let scenario = try await Scenario.start(quickstart(), seed: seed, now: now)
        do {
            try await body(scenario)
            await scenario.stop()
        } catch {
            await scenario.stop()
            throw error
        }
    }

    @Test("appending a member to the quickstart's primary rotation is refused, with the changes entry that delays it; applied, it changes nothing before its from")
    func memberAppended() async throws {
        try await withScenario { scenario in
            #expect(try await scenario.apply(at: now).1.succeeded)
            let exported = await scenario.overrides("PPRIMAR")
            try scenario.reconfigure(quickstart(members: "[alice, bob, carol, grace]"))
            let message = try await refusal(scenario, at: now)
            check(message, "frozen-member-appended.error.txt")
            #expect(message.hasPrefix("the configuration changes who is on call for schedule \"platform-primary\" within its freeze"))
            #expect(message.contains("- { from: 2026-12-14T09:00, members: [alice, bob, carol, grace], turn: 1w }"))
            // Applying is refused the same way, before anything is written.
            await #expect(throws: SyncError.self) { try await scenario.apply(at: now) }
            #expect(await scenario.overrides("PPRIMAR") == exported)

            // The suggestion pasted: the rotation as it was, and the entry.
            try scenario.reconfigure(quickstart(changes: """
                      changes:
                        - { from: 2026-12-14T09:00, members: [alice, bob, carol, grace], turn: 1w }
                """))
            let plan = try await scenario.plan(at: now)
            let from = at("2026-12-14T08:00:00Z")
            #expect(plan.hasChanges)
            #expect(plan.destinations[0].actions.allSatisfy { $0.start >= from })
            #expect(plan.frozenChanges.isEmpty && !plan.frozenChangesAllowed)
            checkPlan(plan, "frozen-member-appended-delayed")
        }
    }

    @Test("appending a member with --allow-frozen-changes: the plan says so on its first line, and a saved plan carries it")
    func memberAppendedAllowed() async throws {
        try await withScenario { scenario in
            #expect(try await scenario.apply(at: now).1.succeeded)
            try scenario.reconfigure(quickstart(members: "[alice, bob, carol, grace]"))
            let plan = try await scenario.plan(at: now, allowFrozenChanges: true)
            #expect(plan.frozenChangesAllowed)
            let first = try #require(plan.frozenChanges.first)
            #expect(first.start == now && first.before?.name == "Alice Archer" && first.after?.name == "Grace Green")
            #expect(PlanRenderer.text(plan).hasPrefix("! Announced shifts change hands, as --allow-frozen-changes allows:"))
            checkPlan(plan, "frozen-member-appended-allowed")
            let saved = try PlanFile.decode(Array(PlanFile.encode(plan, configurationDirectory: "x").utf8)).plan
            func shown(_ changes: [FrozenChange]) -> [String] { changes.map { "\($0.range) \($0.before?.name ?? "-") \($0.after?.name ?? "-")" } }
            #expect(saved.frozenChangesAllowed && shown(saved.frozenChanges) == shown(plan.frozenChanges))
            let (_, report) = try await scenario.apply(at: now, allowFrozenChanges: true)
            #expect(report.succeeded)
        }
    }

    @Test("removing a member who holds a frozen shift is refused, with an assignments entry for each of their frozen shifts")
    func memberRemoved() async throws {
        try await withScenario { scenario in
            #expect(try await scenario.apply(at: now).1.succeeded)
            // Alice is on call now: she leaves the rotation.
            try scenario.reconfigure(quickstart(members: "[bob, carol]"))
            let message = try await refusal(scenario, at: now)
            check(message, "frozen-member-removed.error.txt")
            #expect(message.contains("      assignments:\n        - { person: "))
            #expect(message.contains("from: 2026-11-23T11:00, until: 2026-11-30T09:00 }"))
        }
    }

    @Test("swaps, covers, time off and changes entries inside the freeze name their time: no error")
    func explicitEntries() async throws {
        try await withScenario { scenario in
            #expect(try await scenario.apply(at: now).1.succeeded)
            // A new era from Monday 2026-11-30 09:00, inside the freeze (which ends at 11:00).
            try scenario.reconfigure(quickstart(changes: """
                      changes:
                        - { from: 2026-11-30T09:00, members: [grace, bob, carol, alice], turn: 1d }
                """))
            let changed = try await scenario.plan(at: now)
            #expect(changed.summary.create > 0 && changed.frozenChanges.isEmpty)

            // Bob covers Wednesday; Alice is off on Friday (Bob stands in).
            try scenario.reconfigure(
                quickstart().replacingOccurrences(of: """
                          - { person: bob, from: 2026-12-24T09:00, until: 2026-12-27T09:00 }
                    """, with: """
                          - { person: bob, from: 2026-12-24T09:00, until: 2026-12-27T09:00 }
                          - { person: bob, from: 2026-11-25T09:00, until: 2026-11-26T09:00 }
                    """).replacingOccurrences(of: """
                          - { person: carol, from: 2026-12-21, until: 2027-01-04 }
                    """, with: """
                          - { person: carol, from: 2026-12-21, until: 2027-01-04 }
                          - { person: alice, from: 2026-11-27, until: 2026-11-28 }
                    """)
            )
            let plan = try await scenario.plan(at: now)
            #expect(plan.summary.create > 0 && plan.frozenChanges.isEmpty)
            #expect(try await scenario.apply(at: now).1.succeeded)
            // Taking them back inside the freeze is a change like any other.
            try scenario.reconfigure(quickstart())
            _ = try await refusal(scenario, at: now)
        }
    }

    @Test("freeze: 0 turns the check off; a first export has nothing frozen")
    func freezeOff() async throws {
        try await withScenario { scenario in
            try scenario.reconfigure(quickstart(members: "[alice, bob, carol, grace]"))
            #expect(try await scenario.apply(at: now).1.succeeded, "first export")
            try scenario.reconfigure(quickstart(freeze: "    freeze: 0"))
            let plan = try await scenario.plan(at: now)
            #expect(plan.hasChanges && plan.frozenChanges.isEmpty)
        }
    }
}
