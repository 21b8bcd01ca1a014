import Foundation
import HandoffDestination
import HandoffPagerDuty
import HandoffTestSupport
import HandoffTime
import PagerDuty
import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant {
    guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
    return instant
}

private let seed = SandboxSeed(
    users: [.init(name: "Alice Archer", email: "alice@example.com")],
    schedules: [.init(name: "Platform", timeZone: "UTC", id: "PPLAT01")]
)

/// The PagerDuty adapter keeps PagerDuty's sentences word for word and gives the planner and
/// applier the kinds they branch on.
@Suite("PagerDuty as an override destination")
struct PagerDutyDestinationTests {
    @Test("users, listing, creating and deleting go through the client; an unknown user is nil and a missing override already gone")
    func roundTrip() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            try await sandbox.withClient { client in
                let destination = PagerDutyDestination(client: client)
                let users = try await destination.resolveUsers(emails: ["Alice@Example.com", "nobody@example.com"])
                let alice = try #require(users["alice@example.com"])
                #expect(users.count == 1 && alice.name == "Alice Archer")
                #expect(try await destination.user(id: alice.id) == alice)
                #expect(try await destination.user(id: "PNOSUCH") == nil)

                let planned = PlannedOverride(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), userID: alice.id)
                let results = try await destination.createOverrides(schedule: "PPLAT01", [planned])
                guard case .created(let record) = try #require(results.first) else {
                    Issue.record("not created: \(results)")
                    return
                }
                #expect(record.userID == alice.id && record.start == planned.start && record.end == planned.end && !record.deletePending)
                let window = InstantRange(start: at("2026-11-24T08:00:00Z"), end: at("2026-11-25T00:00:00Z"))
                #expect(try await destination.overrides(schedule: "PPLAT01", overlapping: window) == [record])
                #expect(try await destination.deleteOverride(schedule: "PPLAT01", id: record.id, target: .schedule) == .deleted)
                #expect(try await destination.deleteOverride(schedule: "PPLAT01", id: record.id, target: .schedule) == .alreadyGone)
            }
        }
    }

    @Test("a read-only key is .readOnlyKey with PagerDuty's sentence; a lost create answer is .outcomeUnknown")
    func failures() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let user = try #require(await sandbox.server.store.snapshot().users.first)
            let planned = PlannedOverride(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), userID: user.id)
            try await sandbox.withClient(key: SandboxHarness.readOnlyKey) { client in
                let readOnly = await #expect(throws: DestinationError.self) {
                    try await PagerDutyDestination(client: client).deleteOverride(schedule: "PPLAT01", id: "Q1", target: .schedule)
                }
                #expect(readOnly?.kind == .readOnlyKey)
                #expect(readOnly?.message == "the API key of connection \"sandbox\" is read-only: PagerDuty refused to delete override Q1 of schedule PPLAT01 (403); apply needs a read-write key")
            }
            sandbox.server.updateFaults { $0.dropNextPosts = 1 }
            try await sandbox.withClient { client in
                let lost = await #expect(throws: DestinationError.self) {
                    try await PagerDutyDestination(client: client).createOverrides(schedule: "PPLAT01", [planned])
                }
                #expect(lost?.kind == .outcomeUnknown)
                #expect(lost?.message.hasPrefix("the response to create 1 override on schedule PPLAT01 was lost (") == true)
            }
            #expect(await sandbox.server.store.overrides(scheduleID: "PPLAT01").count == 1)
        }
    }

    @Test("an item PagerDuty refuses is rejected with the sentence the applier reports")
    func rejectedItem() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            try await sandbox.withClient { client in
                let planned = PlannedOverride(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), userID: "PNOSUCH")
                let results = try await PagerDutyDestination(client: client).createOverrides(schedule: "PPLAT01", [planned])
                guard case .rejected(let item, let reason) = try #require(results.first) else {
                    Issue.record("not rejected: \(results)")
                    return
                }
                #expect(item == planned)
                #expect(reason.hasPrefix("PagerDuty refused the override 2026-11-23T09:00:00Z → 2026-11-24T09:00:00Z for user PNOSUCH ("))
            }
        }
    }
}
