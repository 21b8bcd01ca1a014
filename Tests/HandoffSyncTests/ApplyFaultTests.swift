import Foundation
import HandoffConnectionKinds
import HandoffDestination
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTestSupport
import HandoffTime
import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant {
    guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
    return instant
}

private let now = at("2026-11-23T10:00:00Z")

/// Rosters change within a day here to exercise faults: the freeze (issue 13) is off.
private func config(_ members: String) -> String {
    "version: 1\nfreeze: 0\n" + Scenario.connection + """
        people:
          alice: { email: alice@example.com }
          bob:   { email: bob@example.com }
          carol: { email: carol@example.com }
          dave:  { email: dave@example.com }
        schedules:
          daily:
            time_zone: Europe/Berlin
            rotation: { members: [\(members)], start: 2026-11-02T09:00, turn: 1d }
            horizon: 6w
          business:
            time_zone: America/New_York
            rotation: { members: [\(members)], start: 2026-11-02T09:00, turn: 1d }
            coverage: [{ days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00" }]
            horizon: 6w
        destinations:
          daily-pd: { schedule: daily, connection: acme, pagerduty_schedule: PDAILY1 }
          business-pd: { schedule: business, connection: acme, pagerduty_schedule: PBUSIN1 }

        """
}

private let seed = SandboxSeed(
    users: ["alice", "bob", "carol", "dave"].map { SandboxSeed.User(name: $0.capitalized, email: "\($0)@example.com") },
    schedules: [.init(name: "Daily", timeZone: "Europe/Berlin", id: "PDAILY1"), .init(name: "Business", timeZone: "America/New_York", id: "PBUSIN1")]
)

@Suite("apply under faults")
struct ApplyFaultTests {
    /// Live overrides that are no two alike, all owned by the state, and a plan with no changes.
    private func expectConverged(_ scenario: Scenario, at instant: Instant, _ context: String) async throws {
        let state = try await scenario.store.read()
        let owned = state.allOwnedIDs
        for schedule in ["PDAILY1", "PBUSIN1"] {
            let live = await scenario.overrides(schedule).filter { $0.end > instant }
            let identities = live.map { "\($0.userID) \($0.start) \($0.end)" }
            #expect(Set(identities).count == identities.count, "\(context): two live overrides alike on \(schedule)")
            let untracked = live.filter { !owned.contains($0.id) }
            #expect(untracked.isEmpty, "\(context): overrides created but not in the state: \(untracked.map(\.id))")
        }
        let plan = try await scenario.plan(at: instant)
        #expect(!plan.hasChanges, "\(context): still changes after converging: \(PlanRenderer.text(plan))")
    }

    /// Applies until a run succeeds (at most `limit` runs), as a daily pipeline would.
    private func applyUntilDone(_ scenario: Scenario, at instant: Instant, limit: Int = 12) async throws -> Int {
        for run in 1...limit {
            let (_, report) = try await scenario.apply(at: instant, batchSize: 5)
            if report.succeeded { return run }
        }
        return limit + 1
    }

    @Test("with 10% 5xx, 429 bursts, random latency and dropped POST responses, repeated applies converge exactly")
    func faultsConverge() async throws {
        let scenario = try await Scenario.start(config("alice, bob, carol"), seed: seed, now: now)
        do {
            scenario.server.updateFaults {
                $0.serverErrorRate = 0.1
                $0.latency = .random(milliseconds: 0...4)
                $0.rateLimitBurst = 3
                $0.rateLimitHeaders = false
                $0.dropAfterPostRate = 0.25
                $0.dropNextPosts = 2
                $0.seed = 7
            }
            let runs = try await applyUntilDone(scenario, at: now)
            #expect(runs <= 12)
            scenario.server.updateFaults { $0.serverErrorRate = 0; $0.dropAfterPostRate = 0 }
            try await expectConverged(scenario, at: now, "first export")
            // Faults came into play: POST answers were lost and resolved by listing (more than the
            // two listings a plan makes), requests were refused.
            #expect(scenario.server.log.counts["GET /schedules/{id}/overrides"] ?? 0 > 2)
            #expect(scenario.server.log.all.contains { $0.status == 429 })

            // A roster change under the same faults: creates and deletes, again exactly.
            scenario.server.updateFaults {
                $0.serverErrorRate = 0.1
                $0.dropAfterPostRate = 0.25
                $0.rateLimitBurst = 2
            }
            try scenario.reconfigure(config("dave, carol, bob, alice"))
            let later = now.adding(seconds: 3600)
            #expect(try await applyUntilDone(scenario, at: later) <= 12)
            scenario.server.updateFaults { $0.serverErrorRate = 0; $0.dropAfterPostRate = 0 }
            try await expectConverged(scenario, at: later, "roster change")
            await scenario.stop()
        } catch {
            await scenario.stop()
            throw error
        }
    }

    @Test("a read-only key fails at the first write with the client's sentence, and nothing is left untracked")
    func readOnlyKey() async throws {
        let scenario = try await Scenario.start(config("alice, bob"), seed: seed, now: now)
        do {
            try await scenario.server.store.addToken(SandboxHarness.key, readOnly: true)
            let (_, report) = try await scenario.apply(at: now)
            #expect(!report.succeeded)
            #expect(report.created == 0)
            #expect(report.failures.count == 2)
            for (failure, destination) in zip(report.failures, ["business-pd", "daily-pd"]) {
                #expect(failure.hasPrefix("destination \(destination): the API key of connection \"acme\" is read-only: PagerDuty refused to create "))
                #expect(failure.hasSuffix(" (403); apply needs a read-write key"))
            }
            #expect(await scenario.overrides("PDAILY1").isEmpty)
            #expect(try await scenario.store.read().destinations.isEmpty)
            await scenario.stop()
        } catch {
            await scenario.stop()
            throw error
        }
    }

    @Test("killed after PagerDuty confirmed a delete and before recording it: a clean apply, then a revert of the configuration, covers every shift again with no drift")
    func killedBetweenDeleteAndRecord() async throws {
        let scenario = try await Scenario.start(config("alice, bob, carol"), seed: seed, now: now)
        do {
            #expect(try await scenario.apply(at: now).1.succeeded)
            // Carol leaves: her overrides are deleted. The first delete PagerDuty confirms is never
            // recorded, and nothing after it is: the process died at that instant.
            try scenario.reconfigure(config("alice, bob"))
            let later = now.adding(seconds: 600)
            let killed = try await applyKilledAfterFirstDelete(scenario, at: later)
            #expect(!killed.succeeded)
            #expect(killed.deleted == 0, "no delete was recorded")
            let gone = try await scenario.store.read().destinations.values.flatMap(\.overrides).filter(\.deletePending)
            #expect(!gone.isEmpty, "the deletes were marked pending before they were sent")

            // A clean apply of the same configuration, then the configuration goes back.
            #expect(try await scenario.apply(at: later).1.succeeded)
            try scenario.reconfigure(config("alice, bob, carol"))
            let revert = try await scenario.plan(at: later)
            #expect(revert.summary.drift == 0, "\(PlanRenderer.text(revert))")
            #expect(try await scenario.apply(at: later).1.succeeded)
            try await expectConverged(scenario, at: later, "after the revert")
            let final = try await scenario.plan(at: later)
            #expect(final.summary.drift == 0 && final.summary.kept == 0, "\(PlanRenderer.text(final))")
            // Every desired shift is an owned live override again.
            for destination in final.destinations {
                let live = Set(await scenario.overrides(destination.destinationSchedule).filter { $0.end > later }.map(\.id))
                let owned = try await scenario.store.read().destinations[destination.name]?.overrides.filter { $0.end > later } ?? []
                #expect(!owned.isEmpty && owned.allSatisfy { live.contains($0.id) && !$0.deletePending }, "\(destination.name)")
            }
            await scenario.stop()
        } catch {
            await scenario.stop()
            throw error
        }
    }

    /// Plans and applies as `apply --auto-approve` does, through a session that dies, like a
    /// process under `kill -9`, at the record of the first delete PagerDuty confirmed.
    private func applyKilledAfterFirstDelete(_ scenario: Scenario, at instant: Instant) async throws -> Applier.Report {
        try await scenario.applyKilled(at: instant, wrap: { DiesAtFirstDeleteRecord($0) }, check: { #expect($0.summary.delete > 0) })
    }
}

/// A state session whose process dies at the first record of a confirmed delete: that record and
/// every later one are never written.
private actor DiesAtFirstDeleteRecord: StateSession {
    private let inner: any StateSession
    private var dead = false

    init(_ inner: any StateSession) {
        self.inner = inner
    }

    var initialState: HandoffState { get async { await inner.initialState } }
    var currentState: HandoffState { get async { await inner.currentState } }

    func record(_ change: StateChange) async throws {
        if !change.deleted.isEmpty { dead = true }
        if dead { throw StateError(.writeFailed, "the process was killed") }
        try await inner.record(change)
    }

    func finish() async throws -> HandoffState {
        throw StateError(.writeFailed, "the process was killed")
    }

    func replace(with state: HandoffState) async throws {
        throw StateError(.writeFailed, "the process was killed")
    }

    func release() async {}
}
