import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import OrderedJSON
@testable import PagerDutySandbox
import Testing

/// `/v3/schedules`, rotations, events and the final schedule of the simulated PagerDuty.
@Suite("Simulated PagerDuty: shift-based (v3) schedules, rotations, events, final schedule")
struct V3ScheduleTests {
    @Test("a schedule is created (UTC stored as Etc/UTC), read, updated, listed among v3 schedules only, and deleted")
    func scheduleLifecycle() async throws {
        try await V3Sandbox.run { sandbox in
            let created = try await sandbox.call(.post, "/v3/schedules", #"{"schedule":{"name":"Ops","time_zone":"UTC","description":"d","teams":[{"id":"PTEAM01","type":"team_reference"}]}}"#)
            #expect(created.status == 201)
            let id = try #require(created["schedule"]?["id"]?.stringValue)
            #expect(created["schedule"]?["type"]?.stringValue == "schedule_v3")
            #expect(created["schedule"]?["time_zone"]?.stringValue == "Etc/UTC")
            #expect(created["schedule"]?["rotations"]?.arrayValue?.isEmpty == true)
            #expect(id.count == 7 && id.hasPrefix("P"))
            let read = try await sandbox.call(.get, "/v3/schedules/\(id)")
            #expect(read.status == 200 && read["schedule"]?["name"]?.stringValue == "Ops")
            #expect(read["schedule"]?["final_schedule"] == nil, "no window, no final schedule")
            let updated = try await sandbox.call(.put, "/v3/schedules/\(id)", #"{"schedule":{"name":"Ops 2"}}"#)
            #expect(updated.status == 200 && updated["schedule"]?["name"]?.stringValue == "Ops 2")
            #expect(updated["schedule"]?["time_zone"]?.stringValue == "Etc/UTC", "a partial update keeps the rest")
            let list = try await sandbox.call(.get, "/v3/schedules")
            let items = list["schedules"]?.arrayValue ?? []
            #expect(items.map { $0["id"]?.stringValue } == [id], "the layered PPLAT01 is not listed")
            #expect(items.first?["type"]?.stringValue == "schedule_v3_reference")
            #expect(items.first?["summary"]?.stringValue == "Ops 2")
            #expect(list["limit"]?.intValue == 100 && list["more"]?.boolValue == false && list["total"] == nil)
            #expect(try await sandbox.call(.get, "/v3/schedules?team_ids[]=PTEAM01")["schedules"]?.arrayValue?.count == 1)
            #expect(try await sandbox.call(.get, "/v3/schedules?team_ids[]=POTHER1")["schedules"]?.arrayValue?.count == 0)
            #expect(try await sandbox.call(.get, "/v3/schedules?query=ops")["schedules"]?.arrayValue?.count == 1)
            #expect(try await sandbox.call(.get, "/v3/schedules?total=true")["total"]?.intValue == 1)
            #expect(try await sandbox.call(.delete, "/v3/schedules/\(id)").status == 204)
            #expect(try await sandbox.call(.get, "/v3/schedules/\(id)").status == 404)
            let v2List = try await sandbox.call(.get, "/schedules")
            #expect(v2List["schedules"]?.arrayValue?.map { $0["id"]?.stringValue } == ["PPLAT01"])
        }
    }

    @Test("schedule create and update refuse what the API refuses, every problem in the errors map")
    func scheduleRefusals() async throws {
        try await V3Sandbox.run { sandbox in
            let missing = try await sandbox.call(.post, "/v3/schedules", #"{"schedule":{"description":"x"}}"#)
            #expect(missing.status == 400)
            #expect(V3Sandbox.errorFields(missing) == ["schedule.name", "schedule.time_zone"])
            #expect(missing["error"]?["code"]?.intValue == 2001)
            let long = String(repeating: "n", count: 256)
            let bad = try await sandbox.call(
                .post, "/v3/schedules", #"{"schedule":{"name":"\#(long)","time_zone":"Mars/Base","rotations":[{}],"escalation_policies":[]}}"#)
            #expect(V3Sandbox.errorFields(bad) == ["schedule.name", "schedule.time_zone", "schedule.rotations", "schedule.escalation_policies"])
            #expect(try await sandbox.call(.post, "/v3/schedules", "[1,2]").status == 400)
            #expect(try await sandbox.call(.post, "/v3/schedules", "not json").status == 400)
            let id = try await sandbox.createSchedule()
            #expect(try await sandbox.call(.put, "/v3/schedules/\(id)", #"{"schedule":{"time_zone":"Nowhere"}}"#).status == 400)
            #expect(try await sandbox.call(.put, "/v3/schedules/PNOSUCH", #"{"schedule":{"name":"x"}}"#).status == 404)
        }
    }

    @Test("a weekly rotating event hands over at 09:00 Berlin; the final schedule names each rotation entry's source")
    func weeklyRotation() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule()
            let rotation = try await sandbox.createRotation(schedule)
            #expect(rotation.count == 26 && rotation.hasPrefix("AG"))
            let event = try await sandbox.createEvent(
                schedule, rotation, V3Sandbox.event(start: "2026-11-23T09:00:00+01:00", end: "2026-11-30T09:00:00+01:00"))
            let lines = try await sandbox.finalSchedule(schedule, since: "2026-11-23T00:00:00Z", until: "2026-12-14T00:00:00Z")
            #expect(lines == [
                "2026-11-23T08:00:00Z 2026-11-30T08:00:00Z PALICE1 schedule_rotation",
                "2026-11-30T08:00:00Z 2026-12-07T08:00:00Z PBOB001 schedule_rotation",
                "2026-12-07T08:00:00Z 2026-12-14T00:00:00Z PALICE1 schedule_rotation",
            ])
            let read = try await sandbox.call(.get, "/v3/schedules/\(schedule)?include[]=final_schedule&since=2026-11-23T00:00:00Z&until=2026-11-24T00:00:00Z")
            let final = try #require(read["schedule"]?["final_schedule"])
            #expect(final["type"]?.stringValue == "final_schedule")
            #expect(final["rendered_coverage_percentage"]?.doubleValue == 66.67, "16 of 24 hours")
            let entry = try #require(final["computed_shift_assignments"]?.arrayValue?.first)
            #expect(entry["source"]?["rotation_id"]?.stringValue == rotation)
            #expect(entry["start_time"]?.stringValue == "2026-11-23T09:00:00+01:00", "rendered in the schedule's zone by default")
            let rotations = read["schedule"]?["rotations"]?.arrayValue ?? []
            #expect(rotations.first?["events"]?.arrayValue?.first?["id"]?.stringValue == event)
            #expect(rotations.first?["type"]?.stringValue == "schedule_rotation")
            let got = try await sandbox.call(.get, "/v3/schedules/\(schedule)/rotations/\(rotation)/events/\(event)")
            #expect(got["event"]?["start_time"]?["time_zone"]?.stringValue == "Europe/Berlin")
            #expect(got["event"]?["effective_since"]?.stringValue == "2026-11-22T12:00:00Z")
            #expect(got["event"]?["assignment_strategy"]?["shifts_per_member"]?.intValue == 1)
        }
    }
}
