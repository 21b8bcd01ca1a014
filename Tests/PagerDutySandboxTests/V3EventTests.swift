import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import OrderedJSON
@testable import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

/// Events: RRULE expansion (wall clock across DST, rotating turns, EXDATE, COUNT/UNTIL) and the
/// rules on create, update and delete (checklist rows 11-13).
@Suite("Simulated PagerDuty: v3 events and their expansion")
struct V3EventTests {
    @Test("a weekly 09:00 Berlin handoff stays at 09:00 local across the DST change; the fixed-UTC switch keeps 08:00 UTC")
    func wallClockAcrossDST() async throws {
        for fixed in [false, true] {
            var quirks = SandboxQuirks()
            quirks.v3.expandInFixedUTC = fixed
            try await V3Sandbox.run(quirks: quirks) { sandbox in
                let schedule = try await sandbox.createSchedule()
                let rotation = try await sandbox.createRotation(schedule)
                _ = try await sandbox.createEvent(schedule, rotation, V3Sandbox.event(start: "2027-03-15T09:00:00", end: "2027-03-22T09:00:00"))
                let lines = try await sandbox.finalSchedule(schedule, since: "2027-03-15T00:00:00Z", until: "2027-04-05T00:00:00Z")
                let handoff = fixed ? "2027-03-29T08:00:00Z" : "2027-03-29T07:00:00Z"
                #expect(lines == [
                    "2027-03-15T08:00:00Z 2027-03-22T08:00:00Z PALICE1 schedule_rotation",
                    "2027-03-22T08:00:00Z \(handoff) PBOB001 schedule_rotation",
                    "\(handoff) 2027-04-05T00:00:00Z PALICE1 schedule_rotation",
                ])
            }
        }
    }

    @Test("rotating members hold shifts_per_member occurrences each, an EXDATE removes one without moving the turns; every-member seats everyone; COUNT ends it")
    func rotatingStrategy() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule(timeZone: "UTC")
            let rotation = try await sandbox.createRotation(schedule)
            _ = try await sandbox.createEvent(
                schedule, rotation,
                V3Sandbox.event(
                    start: "2026-11-23T09:00:00Z", end: "2026-11-23T17:00:00Z", zone: "UTC",
                    recurrence: ["RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "EXDATE:20261125T090000Z"], members: ["PALICE1", "PBOB001", "PCAROL1"], shiftsPerMember: 2))
            let lines = try await sandbox.finalSchedule(schedule, since: "2026-11-23T00:00:00Z", until: "2026-12-02T00:00:00Z")
            #expect(lines.map { String($0.prefix(10)) + " " + $0.split(separator: " ")[2] } == [
                "2026-11-23 PALICE1", "2026-11-24 PALICE1", "2026-11-26 PBOB001", "2026-11-27 PCAROL1", "2026-11-30 PCAROL1", "2026-12-01 PALICE1",
            ])
            let second = try await sandbox.createRotation(schedule)
            _ = try await sandbox.createEvent(
                schedule, second,
                V3Sandbox.event(
                    start: "2026-11-28T00:00:00Z", end: "2026-11-28T06:00:00Z", zone: "UTC", recurrence: ["RRULE:FREQ=WEEKLY;COUNT=1"],
                    strategy: "every_member_assignment_strategy", members: ["PBOB001", nil], shiftsPerMember: nil))
            let weekend = try await sandbox.finalSchedule(schedule, since: "2026-11-28T00:00:00Z", until: "2026-12-12T00:00:00Z")
            #expect(weekend.filter { $0.hasPrefix("2026-11-28") } == [
                "2026-11-28T00:00:00Z 2026-11-28T06:00:00Z PBOB001 schedule_rotation", "2026-11-28T00:00:00Z 2026-11-28T06:00:00Z empty schedule_rotation",
            ])
            #expect(!weekend.contains { $0.hasPrefix("2026-12-05") }, "COUNT=1")
        }
    }

    @Test("expansion: UNTIL ends a rule, WEEKLY with BYDAY and INTERVAL=2, and a rule from the distant past stops at its bound without trapping")
    func expansionDirect() throws {
        let zone = try #require(Zone(identifier: "Europe/Berlin"))
        var event = SandboxV3Event(
            id: "E", name: "n", start: at("2026-11-23T08:00:00Z"), end: at("2026-11-23T16:00:00Z"), timeZone: "Europe/Berlin", effectiveSince: at("2026-11-01T00:00:00Z"),
            effectiveUntil: nil, recurrence: [], everyMember: false, members: [SandboxV3Member(userID: "A")], shiftsPerMember: 1)
        let rule = try V3Recurrence.parse(["RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20261210T000000Z"], zone: zone).get()
        let window = InstantRange(start: at("2026-11-01T00:00:00Z"), end: at("2027-01-01T00:00:00Z"))
        let starts = V3Expansion.occurrences(of: event, rule: rule, window: window, fixedUTC: false).map { $0.range.start.description }
        #expect(starts == ["2026-11-23T08:00:00Z", "2026-11-25T08:00:00Z", "2026-12-07T08:00:00Z", "2026-12-09T08:00:00Z"])
        event.start = at("0001-01-01T00:00:00Z")
        event.end = at("0001-01-01T01:00:00Z")
        event.effectiveSince = at("0001-01-01T00:00:00Z")
        let daily = try V3Recurrence.parse(["RRULE:FREQ=DAILY"], zone: .utc).get()
        let far = InstantRange(start: at("9999-01-01T00:00:00Z"), end: at("9999-12-31T00:00:00Z"))
        #expect(V3Expansion.occurrences(of: event, rule: daily, window: far, fixedUTC: false).isEmpty, "200,000 days from year 1 do not reach 9999")
    }

    @Test("event create refuses what row 12 refuses: members, shifts_per_member, users, recurrence, effective_since a year ahead (switch), a sixth event, an overlap")
    func createRefusals() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule()
            let rotation = try await sandbox.createRotation(schedule)
            let path = "/v3/schedules/\(schedule)/rotations/\(rotation)/events"
            let start = "2026-11-23T09:00:00+01:00"
            let end = "2026-11-23T17:00:00+01:00"
            let cases: [(String, String)] = [
                (V3Sandbox.event(start: start, end: end, members: []), "event.assignment_strategy.members"),
                (V3Sandbox.event(start: start, end: end, members: Array(repeating: "PALICE1", count: 21)), "event.assignment_strategy.members"),
                (V3Sandbox.event(start: start, end: end, shiftsPerMember: nil), "event.assignment_strategy.shifts_per_member"),
                (V3Sandbox.event(start: start, end: end, shiftsPerMember: 0), "event.assignment_strategy.shifts_per_member"),
                (V3Sandbox.event(start: start, end: end, members: ["PNOBODY"]), "event.assignment_strategy.members[0].user_id"),
                (V3Sandbox.event(start: start, end: end, recurrence: ["RRULE:FREQ=YEARLY"]), "event.recurrence"),
                (V3Sandbox.event(start: start, end: end, recurrence: ["RRULE:FREQ=DAILY", "RRULE:FREQ=WEEKLY"]), "event.recurrence"),
                (V3Sandbox.event(start: start, end: end, recurrence: ["RRULE:FREQ=DAILY;BYSETPOS=1"]), "event.recurrence"),
                (V3Sandbox.event(start: start, end: end, recurrence: ["RRULE:FREQ=DAILY", "RDATE;VALUE=PERIOD:20261201T090000Z/PT1H"]), "event.recurrence"),
                (V3Sandbox.event(start: start, end: end, recurrence: ["RRULE:FREQ=DAILY;INTERVAL=0"]), "event.recurrence"),
                (V3Sandbox.event(start: start, end: end, recurrence: ["RRULE:FREQ=DAILY;COUNT=99999999999"]), "event.recurrence"),
                (V3Sandbox.event(start: start, end: end, recurrence: ["RRULE:FREQ=DAILY;COUNT=2;UNTIL=20261201T000000Z"]), "event.recurrence"),
                (V3Sandbox.event(start: end, end: start), "event.end_time"),
                (V3Sandbox.event(start: start, end: end, since: "2028-01-01T00:00:00Z"), "event.effective_since"),
                (V3Sandbox.event(start: start, end: end, strategy: "user_assignment_strategy"), "event.assignment_strategy.type"),
            ]
            for (body, field) in cases {
                let answer = try await sandbox.call(.post, path, body)
                #expect(answer.status == 400 && V3Sandbox.errorFields(answer).contains(field), "\(field): \(answer.text)")
            }
            #expect(try await sandbox.call(.post, path, #"{"name":"no envelope"}"#).status == 400)
            sandbox.server.updateQuirks { $0.v3.rejectEffectiveSinceBeyondYear = false }
            let later = try await sandbox.createEvent(schedule, rotation, V3Sandbox.event(start: start, end: end, since: "2028-01-01T00:00:00Z", recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO"]))
            #expect(try await sandbox.call(.delete, "\(path)/\(later)").status == 204)
            // A past effective_since becomes now.
            let clamped = try await sandbox.call(.post, path, V3Sandbox.event(start: start, end: end, since: "2020-01-01T00:00:00Z", recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO"]))
            #expect(clamped["event"]?["effective_since"]?.stringValue == "2026-11-22T12:00:00Z")
            for day in ["TU", "WE", "TH", "FR"] {
                let dayStart = "2026-11-2\(["TU": 4, "WE": 5, "TH": 6, "FR": 7][day] ?? 0)T09:00:00+01:00"
                let dayEnd = dayStart.replacingOccurrences(of: "T09:", with: "T17:")
                _ = try await sandbox.createEvent(schedule, rotation, V3Sandbox.event(start: dayStart, end: dayEnd, recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=\(day)"]))
            }
            let sixth = try await sandbox.call(.post, path, V3Sandbox.event(start: "2026-11-28T09:00:00+01:00", end: "2026-11-28T17:00:00+01:00"))
            #expect(V3Sandbox.errorFields(sixth) == ["rotation.events"])
            let other = try await sandbox.createRotation(schedule)
            _ = try await sandbox.createEvent(schedule, other, V3Sandbox.event(start: start, end: end, recurrence: ["RRULE:FREQ=DAILY"]))
            let overlap = try await sandbox.call(.post, "/v3/schedules/\(schedule)/rotations/\(other)/events", V3Sandbox.event(start: "2026-11-24T12:00:00+01:00", end: "2026-11-24T13:00:00+01:00"))
            #expect(overlap.status == 400 && overlap.text.contains("overlaps event"))
            let listed = try await sandbox.call(.get, path)
            #expect(listed["events"]?.arrayValue?.count == 5 && listed["limit"]?.intValue == 25)
        }
    }

    @Test("event update: a future event takes every field, an active one only effective_until, a past one nothing; delete keeps an active event's history")
    func updateAndDelete() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule(timeZone: "UTC")
            let rotation = try await sandbox.createRotation(schedule)
            let path = "/v3/schedules/\(schedule)/rotations/\(rotation)/events"
            let active = try await sandbox.createEvent(
                schedule, rotation, V3Sandbox.event(start: "2026-11-16T09:00:00Z", end: "2026-11-23T09:00:00Z", zone: "UTC"))
            let other = try await sandbox.createRotation(schedule)
            let futurePath = "/v3/schedules/\(schedule)/rotations/\(other)/events"
            let future = try await sandbox.createEvent(
                schedule, other,
                V3Sandbox.event(start: "2027-02-01T09:00:00Z", end: "2027-02-01T10:00:00Z", zone: "UTC", since: "2027-01-01T00:00:00Z", recurrence: ["RRULE:FREQ=DAILY"]))
            let renamed = try await sandbox.call(.put, "\(futurePath)/\(future)", #"{"event":{"name":"Renamed","assignment_strategy":{"type":"every_member_assignment_strategy","members":[{"type":"user_member","user_id":"PCAROL1"}]}}}"#)
            #expect(renamed.status == 200 && renamed["event"]?["name"]?.stringValue == "Renamed")
            #expect(renamed["event"]?["assignment_strategy"]?["type"]?.stringValue == "every_member_assignment_strategy")
            let refused = try await sandbox.call(.put, "\(path)/\(active)", #"{"event":{"name":"x","start_time":{"date_time":"2026-11-16T09:00:00Z","time_zone":"UTC"},"effective_until":"2026-12-01T00:00:00Z"}}"#)
            #expect(refused.status == 400 && V3Sandbox.errorFields(refused) == ["event.name", "event.start_time"])
            let ended = try await sandbox.call(.put, "\(path)/\(active)", #"{"event":{"effective_until":"2026-12-01T09:00:00Z"}}"#)
            #expect(ended.status == 200 && ended["event"]?["effective_until"]?.stringValue == "2026-12-01T09:00:00Z")
            sandbox.server.clock.set(at("2026-12-02T00:00:00Z"))
            #expect(try await sandbox.call(.put, "\(path)/\(active)", #"{"event":{"effective_until":"2026-12-05T00:00:00Z"}}"#).status == 400, "past")
            sandbox.server.clock.set(at("2026-11-25T12:00:00Z"))
            #expect(try await sandbox.call(.delete, "\(futurePath)/\(future)").status == 204)
            #expect(try await sandbox.call(.get, "\(futurePath)/\(future)").status == 404)
            #expect(try await sandbox.call(.delete, "\(path)/\(active)").status == 204)
            #expect(try await sandbox.call(.get, "\(path)/\(active)").status == 404, "hidden once deleted")
            let lines = try await sandbox.finalSchedule(schedule, since: "2026-11-23T00:00:00Z", until: "2026-12-01T00:00:00Z")
            #expect(lines == [
                "2026-11-23T00:00:00Z 2026-11-23T09:00:00Z PALICE1 schedule_rotation", "2026-11-23T09:00:00Z 2026-11-25T12:00:00Z PBOB001 schedule_rotation",
            ], "history up to the deletion stays")
            #expect(try await sandbox.call(.delete, "\(path)/\(active)").status == 404)
            #expect(try await sandbox.call(.put, "\(path)/ENOSUCH", #"{"event":{}}"#).status == 404)
        }
    }

    @Test("deleting a rotation keeps its past, ends its active event now and drops future ones; it is gone from the API")
    func deleteRotation() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule(timeZone: "UTC")
            let rotation = try await sandbox.createRotation(schedule)
            _ = try await sandbox.createEvent(schedule, rotation, V3Sandbox.event(start: "2026-11-16T09:00:00Z", end: "2026-11-23T09:00:00Z", zone: "UTC"))
            #expect(try await sandbox.call(.get, "/v3/schedules/\(schedule)/rotations/\(rotation)")["rotation"]?["events"]?.arrayValue?.count == 1)
            sandbox.server.clock.set(at("2026-11-24T00:00:00Z"))
            #expect(try await sandbox.call(.delete, "/v3/schedules/\(schedule)/rotations/\(rotation)").status == 204)
            #expect(try await sandbox.call(.get, "/v3/schedules/\(schedule)/rotations/\(rotation)").status == 404)
            #expect(try await sandbox.call(.get, "/v3/schedules/\(schedule)/rotations")["rotations"]?.arrayValue?.isEmpty == true)
            let lines = try await sandbox.finalSchedule(schedule, since: "2026-11-22T12:00:00Z", until: "2026-12-01T00:00:00Z")
            #expect(lines == [
                "2026-11-22T12:00:00Z 2026-11-23T09:00:00Z PALICE1 schedule_rotation", "2026-11-23T09:00:00Z 2026-11-24T00:00:00Z PBOB001 schedule_rotation",
            ])
        }
    }
}
