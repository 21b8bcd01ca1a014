import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import OrderedJSON
import Synchronization
@testable import PagerDutySandbox
import Testing

/// What a review of the simulated v3 API found: writes that interleave, overlaps inside one batch,
/// history rewritten, orphans, rules read loosely, and work without a bound.
@Suite("simulated PagerDuty v3: one write at a time, and its own bounds")
struct V3HardeningTests {
    private func weeklySchedule(_ sandbox: V3Sandbox) async throws -> (schedule: String, rotation: String) {
        let schedule = try await sandbox.createSchedule(timeZone: "UTC")
        let rotation = try await sandbox.createRotation(schedule)
        _ = try await sandbox.createEvent(schedule, rotation, V3Sandbox.event(start: "2026-11-23T09:00:00Z", end: "2026-11-27T17:00:00Z", zone: "UTC"))
        return (schedule, rotation)
    }

    private func override(_ rotation: String, _ start: String, _ end: String, to: String) -> String {
        #"{"type":"override_shift","rotation_id":"\#(rotation)","start_time":"\#(start)","end_time":"\#(end)","overridden_member":{"type":"user_member","user_id":"PALICE1"},"overriding_member":{"type":"user_member","user_id":"\#(to)"}}"#
    }

    @Test("with overlaps refused, two overlapping overrides in one batch are refused too, not only across requests")
    func overlapInsideOneBatch() async throws {
        var quirks = SandboxQuirks()
        quirks.v3.rejectOverlappingOverrides = true
        try await V3Sandbox.run(quirks: quirks) { sandbox in
            let (schedule, rotation) = try await weeklySchedule(sandbox)
            let first = override(rotation, "2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z", to: "PCAROL1")
            let second = override(rotation, "2026-11-24T12:00:00Z", "2026-11-24T14:00:00Z", to: "PBOB001")
            let answer = try await sandbox.call(.post, "/v3/schedules/\(schedule)/overrides", #"{"overrides":[\#(first),\#(second)]}"#)
            #expect(answer.status == 400, "\(answer.text)")
            #expect(V3Sandbox.errorFields(answer) == ["overrides[1]"])
            let listed = try await sandbox.call(.get, "/v3/schedules/\(schedule)/overrides?since=2026-11-23T00:00:00Z&until=2026-11-30T00:00:00Z")
            #expect(listed["overrides"]?.arrayValue?.isEmpty == true, "all or nothing: the first is not made either")
        }
    }

    @Test("v3 writes pass the gate one at a time: a second write waits until the first has written")
    func writesOneAtATime() async throws {
        let (waiting, someoneWaits) = AsyncStream<Void>.makeStream()
        let gate = SerialGate(onWait: { someoneWaits.yield() })
        let (inside, firstInside) = AsyncStream<Void>.makeStream()
        let (release, letFirstGo) = AsyncStream<Void>.makeStream()
        let order = OrderLog()
        let first = Task {
            await gate.run {
                firstInside.yield()
                for await _ in release {}
                order.append("first")
            }
        }
        for await _ in inside { break }
        let second = Task { await gate.run { order.append("second") } }
        let held = await FirstEvent.first(of: [{ @Sendable in for await _ in waiting { return true }; return false }], within: .seconds(10))
        #expect(held == true, "the second write was not held back")
        #expect(order.entries.isEmpty, "the second must not run while the first is inside")
        letFirstGo.finish()
        await first.value
        await second.value
        #expect(order.entries == ["first", "second"])
    }

    @Test("an ended custom shift cannot be changed, and deleting a future one takes its overrides with it")
    func customShiftHistoryAndOrphans() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule(timeZone: "UTC")
            let shift = #"{"type":"custom_shift","start_time":"2026-11-28T09:00:00Z","end_time":"2026-11-28T17:00:00Z","assignments":[{"type":"shift_assignment","member":{"type":"user_member","user_id":"PBOB001"}}]}"#
            let created = try await sandbox.call(.post, "/v3/schedules/\(schedule)/custom_shifts", #"{"custom_shifts":[\#(shift)]}"#)
            let shiftID = try #require(created["custom_shifts"]?.arrayValue?.first?["id"]?.stringValue)
            let onShift = #"{"type":"override_shift","custom_shift_id":"\#(shiftID)","start_time":"2026-11-28T10:00:00Z","end_time":"2026-11-28T12:00:00Z","overridden_member":{"type":"user_member","user_id":"PBOB001"},"overriding_member":{"type":"user_member","user_id":"PCAROL1"}}"#
            #expect(try await sandbox.call(.post, "/v3/schedules/\(schedule)/overrides", #"{"overrides":[\#(onShift)]}"#).status == 201)
            #expect(try await sandbox.call(.delete, "/v3/schedules/\(schedule)/custom_shifts/\(shiftID)").status == 204)
            let listed = try await sandbox.call(.get, "/v3/schedules/\(schedule)/overrides?since=2026-11-28T00:00:00Z&until=2026-11-29T00:00:00Z")
            #expect(listed["overrides"]?.arrayValue?.isEmpty == true, "\(listed.text)")

            // A shift that has ended is history: its end may not move, into the future or the past.
            let past = #"{"type":"custom_shift","start_time":"2026-11-23T09:00:00Z","end_time":"2026-11-23T17:00:00Z","assignments":[{"type":"shift_assignment","member":{"type":"user_member","user_id":"PBOB001"}}]}"#
            let made = try await sandbox.call(.post, "/v3/schedules/\(schedule)/custom_shifts", #"{"custom_shifts":[\#(past)]}"#)
            let pastID = try #require(made["custom_shifts"]?.arrayValue?.first?["id"]?.stringValue)
            sandbox.server.clock.set(Instant(secondsSinceEpoch: SandboxHarness.defaultNow.secondsSinceEpoch + 7 * 86_400))
            let revived = try await sandbox.call(.put, "/v3/schedules/\(schedule)/custom_shifts/\(pastID)", #"{"custom_shift":{"end_time":"2026-12-31T00:00:00Z"}}"#)
            #expect(revived.status == 400 && revived.text.contains("has ended"), "\(revived.text)")
        }
    }

    @Test("an EXDATE must be a date-time and its line exactly EXDATE; the too-many message comes once")
    func exdateReadStrictly() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule(timeZone: "UTC")
            let rotation = try await sandbox.createRotation(schedule)
            let path = "/v3/schedules/\(schedule)/rotations/\(rotation)/events"
            for recurrence in [["RRULE:FREQ=WEEKLY", "EXDATE:20261130"], ["RRULE:FREQ=WEEKLY", "EXDATEFOO:20261130T090000Z"]] {
                let answer = try await sandbox.call(.post, path, V3Sandbox.event(start: "2026-11-23T09:00:00Z", end: "2026-11-23T17:00:00Z", zone: "UTC", recurrence: recurrence))
                #expect(answer.status == 400, "\(recurrence): \(answer.text)")
            }
            let accepted = try await sandbox.call(.post, path, V3Sandbox.event(start: "2026-11-23T09:00:00Z", end: "2026-11-23T17:00:00Z", zone: "UTC", recurrence: ["RRULE:FREQ=WEEKLY", "EXDATE:20261130T090000Z"]))
            #expect(accepted.status == 201, "\(accepted.text)")
        }
        // 99 lines of 12 values each: past the 1,000 allowed on the 84th line, said once.
        let lines = (0..<99).map { line in
            "EXDATE:" + (0..<12).map { item -> String in
                let hour = line * 12 + item
                let date = LocalDate(daysSinceEpoch: 20_000 + hour / 24)
                return String(format: "%04d%02d%02dT%02d0000Z", date.year, date.month, date.day, hour % 24)
            }.joined(separator: ",")
        }
        guard case .failure(let problems) = V3Recurrence.parse(["RRULE:FREQ=DAILY"] + lines, zone: .utc) else {
            Issue.record("1,188 EXDATE values were accepted")
            return
        }
        #expect(problems.messages.filter { $0.contains("EXDATE values") }.count == 1, "\(problems.messages)")
    }

    @Test("a schedule holds at most 50 rotations: the 51st is refused with a sentence, not a 404")
    func rotationBound() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule(timeZone: "UTC")
            for _ in 0..<SandboxAPI.v3MaximumRotations { _ = try await sandbox.createRotation(schedule) }
            let refused = try await sandbox.call(.post, "/v3/schedules/\(schedule)/rotations", "{}")
            #expect(refused.status == 400)
            #expect(refused.text.contains("at most 50 rotations"), "\(refused.text)")
        }
    }
}

/// What ran, in order, written from several tasks.
private final class OrderLog: Sendable {
    private let list = Mutex<[String]>([])

    func append(_ entry: String) { list.withLock { $0.append(entry) } }
    var entries: [String] { list.withLock { $0 } }
}
