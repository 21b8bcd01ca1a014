import Foundation
import HandoffDestination
@testable import HandoffPagerDuty
import HandoffTestSupport
import HandoffTime
import PagerDuty
import Testing

private func at(_ text: String) -> Instant {
    guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
    return instant
}

/// The PagerDuty adapter's answer to "who does PagerDuty show on call": either kind of schedule,
/// found with the client's kind detection; sources kept; hostile renderings bounded.
@Suite("PagerDuty on call, as the destination reads it")
struct PagerDutyOnCallTests {
    private static let window = InstantRange(start: at("2026-11-22T00:00:00Z"), end: at("2026-11-25T00:00:00Z"))

    @Test("a shift-based schedule: concurrent entries with their sources (two rotations, a custom shift, an override on a rotation), read in the one request that found the kind")
    func shiftBased() async throws {
        try await SandboxHarness.with(now: ShiftBasedFixture.now, seed: ShiftBasedFixture.seed) { sandbox in
            try await ShiftBasedFixture.prepare(sandbox)
            try await sandbox.withClient(key: SandboxHarness.readOnlyKey) { client in
                let destination = PagerDutyDestination(client: client)
                let before = await client.statistics().total
                let onCall = try await destination.onCall(schedule: "PSHIFT1", over: Self.window)
                #expect(await client.statistics().total - before == 1)
                #expect(onCall.kind == "shift-based")
                let now = ShiftBasedFixture.now
                let current = onCall.entries.filter { $0.range.contains(now) }
                #expect(Set(current.compactMap(\.userID)) == ["PALICE1", "PCAROL1", "PBOB001"])
                #expect(current.filter { if case .rotation = $0.source { true } else { false } }.count == 2)
                #expect(current.contains { $0.userID == "PBOB001" && { if case .customShift(let id) = $0.source { id != nil } else { false } }($0) })
                let override = try #require(onCall.entries.first { if case .rotationOverride = $0.source { true } else { false } })
                #expect(override.userID == "PMALL01" && override.start == at("2026-11-23T08:00:00Z") && override.end == at("2026-11-24T08:00:00Z"))
                if case .rotationOverride(let rotation, let overrideID) = override.source {
                    #expect(rotation != nil && overrideID != nil)
                }
                #expect(zip(onCall.entries, onCall.entries.dropFirst()).allSatisfy { $0.start <= $1.start })
            }
        }
    }

    @Test("a layer-based schedule: its final schedule, the override layer's entry marked as an override; a schedule neither API knows is .notFound in one sentence")
    func layerBasedAndMissing() async throws {
        try await SandboxHarness.with(now: ShiftBasedFixture.now, seed: ShiftBasedFixture.seed) { sandbox in
            try await sandbox.withClient(key: SandboxHarness.readOnlyKey) { client in
                let destination = PagerDutyDestination(client: client)
                let onCall = try await destination.onCall(schedule: "PLAYER1", over: Self.window)
                #expect(onCall.kind == "layer-based")
                #expect(onCall.entries.map(\.userID) == ["PALICE1", "PBOB001", "PMALL01"])
                #expect(onCall.entries.map(\.source) == [.layers, .layers, .layerOverride])
                let missing = await #expect(throws: DestinationError.self) {
                    try await destination.onCall(schedule: "PNOPE00", over: Self.window)
                }
                #expect(missing?.kind == .notFound)
                #expect(missing?.message == "no such PagerDuty schedule PNOPE00 on connection \"sandbox\" (neither the layer-based nor the shift-based API knows it)")
            }
        }
    }

    private static func v3Schedule(_ assignments: [String]) throws -> PagerDutyV3Schedule {
        let json = #"{"id":"PSHIFT1","type":"schedule_v3","name":"S","time_zone":"UTC","final_schedule":{"rendered_coverage_percentage":100,"computed_shift_assignments":["#
            + assignments.joined(separator: ",") + "]}}"
        return try JSONDecoder().decode(PagerDutyV3Schedule.self, from: Data(json.utf8))
    }

    private static func assignment(_ start: String, _ end: String, member: String, source: String) -> String {
        #"{"start_time":"\#(start)","end_time":"\#(end)","member":\#(member),"source":\#(source)}"#
    }

    @Test("vacant seats stay (as nobody), unknown member types and empty or reversed entries are left out, unknown sources kept by name")
    func hostileRendering() throws {
        let schedule = try Self.v3Schedule([
            Self.assignment("2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z", member: #"{"type":"empty_member"}"#, source: #"{"type":"schedule_rotation","rotation_id":"R1"}"#),
            Self.assignment("2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z", member: #"{"type":"team_member","team_id":"T"}"#, source: #"{"type":"schedule_rotation"}"#),
            Self.assignment("2026-11-23T00:00:00Z", "2026-11-22T00:00:00Z", member: #"{"type":"user_member","user_id":"P1"}"#, source: #"{"type":"custom_shift"}"#),
            Self.assignment("2026-11-22T06:00:00Z", "2026-11-22T07:00:00Z", member: #"{"type":"user_member","user_id":"P2"}"#, source: #"{"type":"shadow\u001b[2J"}"#),
        ])
        let onCall = try PagerDutyDestination.onCall(shiftBased: schedule, window: Self.window)
        #expect(onCall.entries.count == 2)
        #expect(onCall.entries[0].userID == nil && onCall.entries[0].source == .rotation(id: "R1"))
        #expect(onCall.entries[1].userID == "P2" && onCall.entries[1].source == .other("shadow\u{1B}[2J"))
    }

    @Test("a rendering with more entries than Handoff reads is refused in one sentence, not sorted without end")
    func bounded() throws {
        let one = Self.assignment("2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z", member: #"{"type":"user_member","user_id":"P1"}"#, source: #"{"type":"schedule_rotation"}"#)
        let schedule = try Self.v3Schedule(Array(repeating: one, count: PagerDutyDestination.maximumOnCallEntries + 1))
        let error = #expect(throws: DestinationError.self) { try PagerDutyDestination.onCall(shiftBased: schedule, window: Self.window) }
        #expect(error?.message == "PagerDuty's final schedule of PSHIFT1 has 20001 entries over the window asked for; Handoff reads at most 20000")
    }

    @Test("a destination other than PagerDuty says it cannot tell (the interface's default)")
    func defaultUnsupported() async throws {
        let destination = InMemoryDestination(users: [], now: ShiftBasedFixture.now)
        let error = await #expect(throws: DestinationError.self) { try await destination.onCall(schedule: "S", over: Self.window) }
        #expect(error?.kind == .unsupported)
    }
}
