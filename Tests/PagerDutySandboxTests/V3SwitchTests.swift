import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import HummingbirdTesting
import NIOCore
import OrderedJSON
@testable import PagerDutySandbox
import Testing

/// The remaining v3 switches in both positions, pagination, and hostile input.
@Suite("Simulated PagerDuty: v3 switches, pagination and odd input")
struct V3SwitchTests {
    @Test("errors: a map of field paths by default, a list of strings with 'Invalid Input Provided' by switch")
    func errorShapes() async throws {
        try await V3Sandbox.run { sandbox in
            let map = try await sandbox.call(.post, "/v3/schedules", #"{"schedule":{}}"#)
            #expect(map.text == #"{"error":{"message":"Invalid Request","code":2001,"errors":{"schedule.name":["is required"],"schedule.time_zone":["time zone cannot be empty"]}}}"#)
            sandbox.server.updateQuirks { $0.v3.errorsAsList = true }
            let list = try await sandbox.call(.post, "/v3/schedules", #"{"schedule":{}}"#)
            #expect(list.text == #"{"error":{"message":"Invalid Input Provided","code":2001,"errors":["schedule.name is required","schedule.time_zone time zone cannot be empty"]}}"#)
            #expect(try await sandbox.call(.get, "/v3/schedules/PNOSUCH").text == #"{"error":{"message":"Not Found","code":2100}}"#, "404 keeps v2's shape")
        }
    }

    @Test("pagination: sub-resources 25 by default and at most 100, schedules 100 and 1000; out-of-range limits clamped or refused by switch; bad offsets refused")
    func pagination() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule()
            for _ in 0..<3 { _ = try await sandbox.createRotation(schedule) }
            let path = "/v3/schedules/\(schedule)/rotations"
            let first = try await sandbox.call(.get, "\(path)?limit=2")
            #expect(first["rotations"]?.arrayValue?.count == 2 && first["more"]?.boolValue == true && first["limit"]?.intValue == 2)
            let second = try await sandbox.call(.get, "\(path)?limit=2&offset=2")
            #expect(second["rotations"]?.arrayValue?.count == 1 && second["more"]?.boolValue == false && second["offset"]?.intValue == 2)
            #expect(try await sandbox.call(.get, "\(path)?offset=99999999999")["rotations"]?.arrayValue?.isEmpty == true)
            #expect(try await sandbox.call(.get, "\(path)?limit=0")["limit"]?.intValue == 1)
            #expect(try await sandbox.call(.get, "\(path)?limit=101")["limit"]?.intValue == 100)
            #expect(try await sandbox.call(.get, "/v3/schedules?limit=5000")["limit"]?.intValue == 1000)
            #expect(try await sandbox.call(.get, "/v3/schedules")["limit"]?.intValue == 100)
            #expect(V3Sandbox.errorFields(try await sandbox.call(.get, "\(path)?offset=-1")) == ["offset"])
            #expect(V3Sandbox.errorFields(try await sandbox.call(.get, "\(path)?limit=ten")) == ["limit"])
            sandbox.server.updateQuirks { $0.v3.rejectOutOfRangeLimit = true }
            #expect(V3Sandbox.errorFields(try await sandbox.call(.get, "\(path)?limit=101")) == ["limit"])
            #expect(V3Sandbox.errorFields(try await sandbox.call(.get, "\(path)?limit=0")) == ["limit"])
            #expect(try await sandbox.call(.get, "/v3/schedules?limit=1000").status == 200)
            #expect(V3Sandbox.errorFields(try await sandbox.call(.get, "/v3/schedules?limit=1001")) == ["limit"])
            #expect(try await sandbox.call(.get, "/v3/schedules?total=true")["total"]?.intValue == 1)
            sandbox.server.updateQuirks { $0.v3.totalWhenAsked = false }
            #expect(try await sandbox.call(.get, "/v3/schedules?total=true")["total"] == nil)
        }
    }

    @Test("schedule switches: empty rotations tolerated or not, PUT partial or wanting name and time zone, include[] without a window ignored or refused")
    func scheduleSwitches() async throws {
        try await V3Sandbox.run { sandbox in
            let id = try await sandbox.createSchedule()
            #expect(try await sandbox.call(.put, "/v3/schedules/\(id)", #"{"schedule":{"description":"only this"}}"#).status == 200)
            #expect(try await sandbox.call(.get, "/v3/schedules/\(id)?include[]=final_schedule").status == 200)
            sandbox.server.updateQuirks {
                $0.v3.tolerateEmptyRotations = false
                $0.v3.requireNameAndTimeZoneOnUpdate = true
                $0.v3.rejectIncludeWithoutWindow = true
            }
            let refused = try await sandbox.call(.post, "/v3/schedules", #"{"schedule":{"name":"x","time_zone":"UTC","rotations":[]}}"#)
            #expect(V3Sandbox.errorFields(refused) == ["schedule.rotations"])
            let put = try await sandbox.call(.put, "/v3/schedules/\(id)", #"{"schedule":{"description":"only this"}}"#)
            #expect(V3Sandbox.errorFields(put) == ["schedule.name", "schedule.time_zone"])
            #expect(put.text.contains("time zone cannot be empty"))
            #expect(try await sandbox.call(.put, "/v3/schedules/\(id)", #"{"schedule":{"name":"n","time_zone":"Europe/Berlin"}}"#).status == 200)
            #expect(V3Sandbox.errorFields(try await sandbox.call(.get, "/v3/schedules/\(id)?include[]=final_schedule")) == ["since"])
        }
    }

    @Test("vacant seats appear as empty_member entries and count as covered only by switch")
    func emptyMemberCoverage() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule(timeZone: "UTC")
            let rotation = try await sandbox.createRotation(schedule)
            _ = try await sandbox.createEvent(
                schedule, rotation, V3Sandbox.event(start: "2026-11-23T00:00:00Z", end: "2026-11-24T00:00:00Z", zone: "UTC", recurrence: ["RRULE:FREQ=DAILY"], members: ["PALICE1", nil]))
            let uri = "/v3/schedules/\(schedule)?include[]=final_schedule&since=2026-11-23T00:00:00Z&until=2026-11-25T00:00:00Z"
            let read = try await sandbox.call(.get, uri)
            let members = read["schedule"]?["final_schedule"]?["computed_shift_assignments"]?.arrayValue?.map { $0["member"]?["type"]?.stringValue }
            #expect(members == ["user_member", "empty_member"])
            #expect(read["schedule"]?["final_schedule"]?["rendered_coverage_percentage"]?.doubleValue == 50)
            sandbox.server.updateQuirks { $0.v3.emptyMemberCountsAsCovered = true }
            #expect(try await sandbox.call(.get, uri)["schedule"]?["final_schedule"]?["rendered_coverage_percentage"]?.doubleValue == 100)
        }
    }

    @Test("odd input is refused, not trapped on: long ids and names, huge numbers, wrong JSON types, a window of centuries, long recurrence lines, too many items")
    func hostileInput() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule()
            let rotation = try await sandbox.createRotation(schedule)
            let longID = String(repeating: "X", count: 5000)
            #expect(try await sandbox.call(.get, "/v3/schedules/\(longID)").status == 404)
            #expect(try await sandbox.call(.get, "/v3/schedules/\(schedule)/rotations/\(longID)/events").status == 404)
            #expect(try await sandbox.call(.get, "/v3/schedules/\(schedule)/nothing/here").status == 404)
            #expect(try await sandbox.call(.post, "/v3/schedules/\(schedule)/rotations", "[]").status == 400)
            #expect(try await sandbox.call(.post, "/v3/schedules/\(schedule)/rotations").status == 201, "an empty body makes a rotation")
            let events = "/v3/schedules/\(schedule)/rotations/\(rotation)/events"
            let odd = [
                #"{"event":{"name":5,"start_time":"2026-11-23","end_time":[],"effective_since":true,"recurrence":"RRULE:FREQ=DAILY","assignment_strategy":{"type":null,"members":{},"shifts_per_member":1e300}}}"#,
                #"{"event":{"name":"x","start_time":{"date_time":"99999-01-01T00:00:00Z","time_zone":"UTC"},"end_time":{"date_time":"2026-11-23T00:00:00Z","time_zone":"\#(longID)"},"effective_since":"2026-11-23T00:00:00Z","recurrence":["RRULE:\#(longID)"],"assignment_strategy":{"type":"rotating_member_assignment_strategy","members":[{"type":"user_member","user_id":"\#(longID)"}],"shifts_per_member":-5}}}"#,
                V3Sandbox.event(start: "2026-11-23T09:00:00Z", end: "2026-11-23T10:00:00Z", recurrence: ["RRULE:FREQ=DAILY;INTERVAL=9223372036854775807"]),
                V3Sandbox.event(start: "2026-11-23T09:00:00Z", end: "2026-11-23T10:00:00Z", recurrence: ["RRULE:FREQ=DAILY", "EXDATE:" + Array(repeating: "20261124T090000Z", count: 120).joined(separator: ",")]),
                V3Sandbox.event(start: "2026-11-23T09:00:00Z", end: "2026-11-23T10:00:00Z", recurrence: ["RRULE:FREQ=DAILY", "EXDATE;TZID=Mars/Olympus:20261124T090000", "EXDATE:2026-11-24"]),
            ]
            for body in odd {
                let answer = try await sandbox.call(.post, events, body)
                #expect(answer.status == 400, "\(answer.text.prefix(300))")
            }
            let longName = try await sandbox.call(.post, "/v3/schedules", #"{"schedule":{"name":"\#(String(repeating: "é", count: 300))","time_zone":"UTC","description":"\#(String(repeating: "d", count: 1025))"}}"#)
            #expect(V3Sandbox.errorFields(longName) == ["schedule.name", "schedule.description"])
            let centuries = try await sandbox.call(.get, "/v3/schedules/\(schedule)?include[]=final_schedule&since=2026-01-01T00:00:00Z&until=2526-01-01T00:00:00Z")
            #expect(V3Sandbox.errorFields(centuries) == ["until"])
            let item = #"{"type":"custom_shift","start_time":"2026-11-23T09:00:00Z","end_time":"2026-11-23T10:00:00Z","assignments":[{"type":"shift_assignment","member":{"type":"user_member","user_id":"PALICE1"}}]}"#
            let many = #"{"custom_shifts":[\#(Array(repeating: item, count: 1001).joined(separator: ","))]}"#
            #expect(try await sandbox.call(.post, "/v3/schedules/\(schedule)/custom_shifts", many).status == 400)
            // A long-running daily rule over the longest window answers, bounded.
            _ = try await sandbox.createEvent(schedule, rotation, V3Sandbox.event(start: "2026-11-23T09:00:00Z", end: "2026-11-23T10:00:00Z", zone: "UTC", recurrence: ["RRULE:FREQ=DAILY"]))
            let long = try await sandbox.call(.get, "/v3/schedules/\(schedule)?include[]=final_schedule&since=2026-11-22T00:00:00Z&until=2031-11-01T00:00:00Z")
            #expect(long["schedule"]?["final_schedule"]?["computed_shift_assignments"]?.arrayValue?.count == 1804, "one a day from 2026-11-23 to 2031-10-31")
            var fields = HTTPFields()
            fields[.authorization] = "Token token=\(SandboxHarness.key)"
            let noType = try await sandbox.client.execute(uri: "/v3/schedules", method: .post, headers: fields, body: .init(string: #"{"schedule":{"name":"x","time_zone":"UTC"}}"#)) { $0.status.code }
            #expect(noType == 400, "a write without Content-Type: application/json")
        }
    }
}
