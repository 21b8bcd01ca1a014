public import Foundation
public import HandoffTime
public import PagerDutySandbox

/// The setting of the apply tests that run the built binary against a simulated PagerDuty in the
/// test process: three people, a daily rotation exported three weeks ahead to two PagerDuty
/// schedules, so that an apply works on two destinations at once.
public enum ApplyFixture {
    public static let now = "2026-11-23T10:00:00Z"
    public static let nowInstant = Instant(rfc3339: now) ?? Instant(secondsSinceEpoch: 0)
    /// The PagerDuty schedules the rotation is exported to.
    public static let scheduleIDs = ["PDAILY1", "PDAILY2"]

    /// The configuration, with `state` (a `state:` line) when not the local default.
    public static func configuration(members: String = "alice, bob, carol", url: String, state: String? = nil) -> String {
        """
        version: 1
        \(state.map { "\($0)\n" } ?? "")connections:
          acme: { type: pagerduty, token_env: HANDOFF_TEST_TOKEN, api_url: "\(url)" }
        people:
          alice: { email: alice@example.com }
          bob:   { email: bob@example.com }
          carol: { email: carol@example.com }
        schedules:
          daily:
            time_zone: Europe/Berlin
            rotation: { members: [\(members)], start: 2026-11-02T09:00, turn: 1d }
            horizon: 3w
        destinations:
          daily-pd: { schedule: daily, connection: acme, pagerduty_schedule: PDAILY1 }
          daily-mirror-pd: { schedule: daily, connection: acme, pagerduty_schedule: PDAILY2 }

        """
    }

    /// A sandbox at `now` with `latency` on every request and a read-write `token`, and an empty
    /// folder; both are gone after `body`, whatever happens.
    public static func withSandbox(latency: Int, token: String, _ body: (SandboxServer, URL) async throws -> Void) async throws {
        var options = SandboxOptions()
        options.clock = SandboxClock(fixed: nowInstant)
        options.seed = SandboxSeed(
            users: ["alice", "bob", "carol"].map { SandboxSeed.User(name: $0.capitalized, email: "\($0)@example.com") },
            schedules: scheduleIDs.map { .init(name: "Daily \($0.suffix(1))", timeZone: "Europe/Berlin", id: $0) },
            tokens: [.init(token: token, readOnly: false)]
        )
        options.faults.latency = .fixed(milliseconds: latency)
        let server = try await SandboxServer(options: options)
        try await server.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-apply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            try await body(server, directory)
            await server.stop()
            try? FileManager.default.removeItem(at: directory)
        } catch {
            await server.stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// What is wrong with the live overrides of the rotation after an apply: two alike, or one
    /// Handoff created that the state (`owned`) does not know. Empty when it converged.
    public static func problems(_ server: SandboxServer, owned: Set<String>) async -> [String] {
        var problems: [String] = []
        for scheduleID in scheduleIDs {
            let live = await server.store.overrides(scheduleID: scheduleID).filter { $0.end > nowInstant }
            let identities = live.map { "\($0.userID) \($0.start) \($0.end)" }
            if live.isEmpty { problems.append("\(scheduleID): nothing exported") }
            if Set(identities).count != identities.count { problems.append("\(scheduleID): two live overrides alike") }
            let untracked = live.filter { !owned.contains($0.id) }
            if !untracked.isEmpty { problems.append("\(scheduleID): created overrides missing from the state: \(untracked.map(\.id))") }
        }
        return problems
    }
}
