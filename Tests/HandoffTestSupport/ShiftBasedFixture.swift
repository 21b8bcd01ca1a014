public import Foundation
public import HandoffTime
import PagerDuty
public import PagerDutySandbox

/// A simulated PagerDuty with one schedule of each kind, for the commands that read what
/// PagerDuty shows (`who --source pagerduty`, `import --list`), at `SandboxHarness.defaultNow`
/// (Sunday 2026-11-22 12:00 UTC, 13:00 in Berlin):
///
/// - `PLAYER1` "Layered", layer-based: alice and bob take weekly turns from Monday 2026-11-16
///   09:00 Berlin; a v2 override puts Mallory on Tuesday 24 09:00 → Wednesday 25 09:00.
/// - `PSHIFT1`, shift-based (a layered schedule upgraded in place, keeping its id): rotation 1
///   has alice and bob in weekly turns as above, rotation 2 carol and Mallory in daily turns, so
///   two people are always on call at once; a custom shift adds bob on Sunday 22 11:00 → 17:00
///   Berlin (three on call at `now`), and an override puts Mallory in bob's place on rotation 1
///   on Monday 23 09:00 → Tuesday 24 09:00. Its name carries a terminal escape.
///
/// Mallory's name is hostile (an ANSI escape, a bell, a line break): what PagerDuty sends must be
/// shown escaped.
public enum ShiftBasedFixture {
    public static let now = SandboxHarness.defaultNow
    public static let hostileName = "Mallory \u{1B}[31mMoss\u{7}\nforged: line"
    public static let shiftBasedName = "Shifts \u{1B}]0;owned\u{7}"

    static func at(_ text: String) -> Instant { Instant(rfc3339: text) ?? Instant(secondsSinceEpoch: 0) }

    public static var seed: SandboxSeed {
        let weekly = SandboxSeed.Layer(
            name: "Weekly", start: at("2026-11-16T08:00:00Z"), rotationVirtualStart: at("2026-11-16T08:00:00Z"),
            rotationTurnLengthSeconds: 604_800, users: ["alice@example.com", "bob@example.com"]
        )
        let daily = SandboxSeed.Layer(
            name: "Daily", start: at("2026-11-16T08:00:00Z"), rotationVirtualStart: at("2026-11-16T08:00:00Z"),
            rotationTurnLengthSeconds: 86_400, users: ["carol@example.com", "mallory@example.com"]
        )
        return SandboxSeed(
            users: [
                .init(name: "Alice Archer", email: "alice@example.com", id: "PALICE1"),
                .init(name: "Bob Brown", email: "bob@example.com", id: "PBOB001"),
                .init(name: "Carol Clark", email: "carol@example.com", id: "PCAROL1"),
                .init(name: hostileName, email: "mallory@example.com", id: "PMALL01"),
            ],
            schedules: [
                .init(name: "Layered", timeZone: "Europe/Berlin", id: "PLAYER1", layers: [weekly]),
                .init(name: shiftBasedName, timeZone: "Europe/Berlin", id: "PSHIFT1", layers: [weekly, daily]),
            ],
            overrides: [.init(schedule: "PLAYER1", start: at("2026-11-24T08:00:00Z"), end: at("2026-11-25T08:00:00Z"), user: "mallory@example.com")]
        )
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Upgrades `PSHIFT1` to shift-based and adds its custom shift and override through the v3
    /// client, as a person would in PagerDuty.
    public static func prepare(_ sandbox: SandboxHarness) async throws {
        guard try await sandbox.server.upgradeScheduleToV3(id: "PSHIFT1") else { throw Failure(description: "PSHIFT1 was not upgraded") }
        try await sandbox.withClient { client in
            let schedule = try await client.v3Schedule(id: "PSHIFT1")
            guard schedule.rotations.count == 2 else { throw Failure(description: "PSHIFT1 has \(schedule.rotations.count) rotations") }
            let shift = NewCustomShift(start: at("2026-11-22T10:00:00Z"), end: at("2026-11-22T16:00:00Z"), member: .user(id: "PBOB001"))
            if case .refused(let error) = try await client.createV3CustomShifts(scheduleID: "PSHIFT1", [shift]) { throw error }
            let override = NewOverrideShift(
                target: .rotation(id: schedule.rotations[0].id), start: at("2026-11-23T08:00:00Z"), end: at("2026-11-24T08:00:00Z"),
                overriddenMember: .user(id: "PBOB001"), overridingMember: .user(id: "PMALL01")
            )
            if case .refused(let error) = try await client.createV3Overrides(scheduleID: "PSHIFT1", [override]) { throw error }
        }
    }

    /// A configuration folder with the connection `acme` to `sandbox` and a destination for each
    /// schedule (`layered-pd`, `shifts-pd`), and `extra` appended under `destinations:`; removed
    /// after `body`.
    public static func withConfiguration<T: Sendable>(_ sandbox: SandboxHarness, extra: String = "", _ body: (URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-shift-based-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = """
            version: 1
            connections:
              acme: { type: pagerduty, token_env: HANDOFF_TEST_TOKEN, api_url: "\(sandbox.baseURL)" }
            people:
              alice: { name: Alice Archer, email: alice@example.com }
              bob:   { name: Bob Brown,    email: bob@example.com }
            schedules:
              layered:
                time_zone: Europe/Berlin
                rotation: { members: [alice, bob], start: 2026-11-16T09:00, turn: 1w }
                horizon: 2w
              shifts:
                time_zone: Europe/Berlin
                rotation: { members: [alice, bob], start: 2026-11-16T09:00, turn: 1w }
                horizon: 2w
            destinations:
              layered-pd: { schedule: layered, connection: acme, pagerduty_schedule: PLAYER1 }
              shifts-pd: { schedule: shifts, connection: acme, pagerduty_schedule: PSHIFT1 }
            \(extra)
            """
        try text.write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        return try await body(directory)
    }
}
