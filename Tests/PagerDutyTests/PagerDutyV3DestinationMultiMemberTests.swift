import HandoffDestination
import HandoffPagerDuty
import HandoffTestSupport
import HandoffTime
import PagerDuty
@testable import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant {
    guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
    return instant
}

/// A custom shift with several members, as a person can make one in PagerDuty's web app (the
/// API, the simulated one too, creates one member per shift; the test writes it to the
/// simulator's store directly): the adapter lists it as one object whose person is all of its
/// members, names them together, and deletes it with one request, once.
@Suite("PagerDuty v3 destination: a custom shift of several members", .serialized)
struct PagerDutyV3DestinationMultiMemberTests {
    typealias Base = PagerDutyV3DestinationSandboxTests
    static let shift = InstantRange(start: at("2026-11-25T10:00:00Z"), end: at("2026-11-25T14:00:00Z"))

    /// Adds to `PSHIFT1` a custom shift of Alice, Bob and a vacant seat; its id.
    static func addShared(_ sandbox: SandboxHarness) async throws -> String {
        let added = try await sandbox.server.store.updateSchedule(id: "PSHIFT1") { schedule, ids in
            let shared = SandboxV3CustomShift(
                id: ids.next(), assignmentID: ids.next(), start: shift.start, end: shift.end, member: SandboxV3Member(userID: Base.alice),
                extraMembers: [SandboxV3Member(userID: Base.bob), SandboxV3Member(userID: nil)]
            )
            schedule.v3?.customShifts.append(shared)
            return (shared.id, true)
        }
        return try #require(added)
    }

    @Test("listed once, as one custom shift whose person is every member (no single user, so never matched or adopted); named together; PagerDuty shows both")
    func listedOnce() async throws {
        try await Base.with { sandbox, destination, _ in
            let id = try await Self.addShared(sandbox)
            // A one-member custom shift beside it is listed as before.
            let single = NewCustomShift(start: at("2026-11-26T10:00:00Z"), end: at("2026-11-26T12:00:00Z"), member: .user(id: Base.carol))
            let made = try await destination.createOverrides(schedule: "PSHIFT1", [PlannedOverride(start: single.start, end: single.end, userID: Base.carol, target: .customShift)])
            let singleRecord = try #require(try Base.created(made).first)

            let listed = try await destination.overrides(schedule: "PSHIFT1", overlapping: Base.window)
            let key = "\(Base.alice),\(Base.bob),empty"
            #expect(listed.filter { $0.id == id } == [OverrideRecord(id: id, start: Self.shift.start, end: Self.shift.end, userID: key, target: .customShift)], "\(listed)")
            #expect(listed.filter { $0.id == singleRecord.id } == [singleRecord])
            #expect(Set(listed.map(\.id)).count == listed.count, "one record per object: \(listed)")
            for member in [Base.alice, Base.bob] {
                #expect(!listed.contains { $0.id == id && $0.userID == member }, "never one member's own object")
            }

            let named = try await destination.user(id: key)
            #expect(named == DestinationUser(id: key, name: "Alice Archer, Bob Brown and a vacant seat", email: "alice@example.com, bob@example.com"))
            #expect(try await destination.user(id: Base.alice)?.name == "Alice Archer")

            let shown = try await destination.onCall(schedule: "PSHIFT1", over: Self.shift).entries
            for member in [Base.alice, Base.bob] {
                #expect(shown.contains { $0.userID == member && $0.range == Self.shift }, "PagerDuty shows \(member): \(shown)")
            }
        }
    }

    @Test("a custom shift of vacant seats alone puts nobody on call: not listed, so never reverted as drift")
    func vacantSeatsNotListed() async throws {
        try await Base.with { sandbox, destination, _ in
            let added = try await sandbox.server.store.updateSchedule(id: "PSHIFT1") { schedule, ids in
                let vacant = SandboxV3CustomShift(
                    id: ids.next(), assignmentID: ids.next(), start: Self.shift.start, end: Self.shift.end, member: SandboxV3Member(userID: nil),
                    extraMembers: [SandboxV3Member(userID: nil)]
                )
                schedule.v3?.customShifts.append(vacant)
                return (vacant.id, true)
            }
            let id = try #require(added)
            let listed = try await destination.overrides(schedule: "PSHIFT1", overlapping: Base.window)
            #expect(!listed.contains { $0.id == id }, "\(listed)")
        }
    }

    @Test("deleted with one request for all its members; a second delete of the id in the run is answered without a request")
    func deletedOnce() async throws {
        try await Base.with { sandbox, destination, _ in
            let id = try await Self.addShared(sandbox)
            _ = try await destination.overrides(schedule: "PSHIFT1", overlapping: Base.window)
            sandbox.server.log.reset()
            let first = try await destination.deleteOverride(schedule: "PSHIFT1", id: id, target: .customShift)
            #expect(first == .deleted)
            #expect(sandbox.server.log.counts == ["DELETE /v3/schedules/{id}/custom_shifts/{custom_shift_id}": 1], "\(sandbox.server.log.counts)")
            let second = try await destination.deleteOverride(schedule: "PSHIFT1", id: id, target: .customShift)
            #expect(second == .alreadyGone)
            #expect(sandbox.server.log.total == 1, "\(sandbox.server.log.all)")

            let listed = try await destination.overrides(schedule: "PSHIFT1", overlapping: Base.window)
            #expect(!listed.contains { $0.id == id }, "\(listed)")
            let shown = try await destination.onCall(schedule: "PSHIFT1", over: Self.shift).entries
            #expect(!shown.contains { if case .customShift = $0.source { true } else { false } }, "\(shown)")
        }
    }
}
