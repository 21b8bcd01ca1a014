import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import OrderedJSON
@testable import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

/// Custom shifts and overrides, and how they shape the final schedule (checklist rows 14-19).
@Suite("Simulated PagerDuty: v3 custom shifts, overrides and the final schedule")
struct V3ShiftTests {
    /// A UTC schedule with one rotation: alice Mon 09:00 to Fri 17:00, then bob the next week;
    /// weekends are a gap.
    private func weekdaySchedule(_ sandbox: V3Sandbox) async throws -> (schedule: String, rotation: String) {
        let schedule = try await sandbox.createSchedule(timeZone: "UTC")
        let rotation = try await sandbox.createRotation(schedule)
        _ = try await sandbox.createEvent(schedule, rotation, V3Sandbox.event(start: "2026-11-23T09:00:00Z", end: "2026-11-27T17:00:00Z", zone: "UTC"))
        return (schedule, rotation)
    }

    private func override(_ rotation: String, _ start: String, _ end: String, from: String = "PALICE1", to: String = "PCAROL1") -> String {
        #"{"type":"override_shift","rotation_id":"\#(rotation)","start_time":"\#(start)","end_time":"\#(end)","overridden_member":{"type":"user_member","user_id":"\#(from)"},"overriding_member":{"type":"user_member","user_id":"\#(to)"}}"#
    }

    private func customShift(_ start: String, _ end: String, user: String = "PCAROL1") -> String {
        #"{"type":"custom_shift","start_time":"\#(start)","end_time":"\#(end)","assignments":[{"type":"shift_assignment","member":{"type":"user_member","user_id":"\#(user)"}}]}"#
    }

    @Test("an override splits the rotation entry it replaces, a custom shift fills a gap, each with its source; coverage counts both")
    func finalScheduleWithOverrideAndCustomShift() async throws {
        try await V3Sandbox.run { sandbox in
            let (schedule, rotation) = try await weekdaySchedule(sandbox)
            let created = try await sandbox.call(.post, "/v3/schedules/\(schedule)/overrides", #"{"overrides":[\#(override(rotation, "2026-11-24T12:00:00Z", "2026-11-25T12:00:00Z"))]}"#)
            #expect(created.status == 201)
            let overrideID = try #require(created["overrides"]?.arrayValue?.first?["id"]?.stringValue)
            #expect(overrideID.count == 26)
            let shifts = try await sandbox.call(.post, "/v3/schedules/\(schedule)/custom_shifts", #"{"custom_shifts":[\#(customShift("2026-11-28T09:00:00Z", "2026-11-28T17:00:00Z", user: "PBOB001"))]}"#)
            #expect(shifts.status == 201)
            let shift = try #require(shifts["custom_shifts"]?.arrayValue?.first)
            #expect(shift["assignments"]?.arrayValue?.first?["id"]?.stringValue?.count == 26)
            let lines = try await sandbox.finalSchedule(schedule, since: "2026-11-23T00:00:00Z", until: "2026-11-30T00:00:00Z")
            #expect(lines == [
                "2026-11-23T09:00:00Z 2026-11-24T12:00:00Z PALICE1 schedule_rotation",
                "2026-11-24T12:00:00Z 2026-11-25T12:00:00Z PCAROL1 schedule_rotation_override",
                "2026-11-25T12:00:00Z 2026-11-27T17:00:00Z PALICE1 schedule_rotation",
                "2026-11-28T09:00:00Z 2026-11-28T17:00:00Z PBOB001 custom_shift",
            ])
            let read = try await sandbox.call(.get, "/v3/schedules/\(schedule)?include[]=final_schedule&since=2026-11-23T00:00:00Z&until=2026-11-30T00:00:00Z")
            let entries = read["schedule"]?["final_schedule"]?["computed_shift_assignments"]?.arrayValue ?? []
            #expect(entries[1]["source"]?["override_id"]?.stringValue == overrideID && entries[1]["source"]?["rotation_id"]?.stringValue == rotation)
            #expect(entries[3]["source"]?["shift_id"]?.stringValue == shift["id"]?.stringValue)
            // 104 of 168 hours by the rotation, 8 by the custom shift.
            #expect(read["schedule"]?["final_schedule"]?["rendered_coverage_percentage"]?.doubleValue == 66.67)
            // An override of the custom shift itself.
            let shiftID = try #require(shift["id"]?.stringValue)
            let onShift = #"{"overrides":[{"type":"override_shift","custom_shift_id":"\#(shiftID)","start_time":"2026-11-28T13:00:00Z","end_time":"2026-11-28T17:00:00Z","overridden_member":{"type":"user_member","user_id":"PBOB001"},"overriding_member":{"type":"user_member","user_id":"PALICE1"}}]}"#
            #expect(try await sandbox.call(.post, "/v3/schedules/\(schedule)/overrides", onShift).status == 201)
            let after = try await sandbox.finalSchedule(schedule, since: "2026-11-28T00:00:00Z", until: "2026-11-29T00:00:00Z")
            #expect(after == ["2026-11-28T09:00:00Z 2026-11-28T13:00:00Z PBOB001 custom_shift", "2026-11-28T13:00:00Z 2026-11-28T17:00:00Z PALICE1 custom_shift_override"])
            let overflow = try await sandbox.finalSchedule(schedule, since: "2026-11-26T00:00:00Z", until: "2026-11-27T00:00:00Z", extra: "&overflow=true")
            #expect(overflow == ["2026-11-25T12:00:00Z 2026-11-27T17:00:00Z PALICE1 schedule_rotation"], "whole with overflow=true")
        }
    }

    @Test("custom shifts: exactly one assignment, a window to list, only end_time once started, delete removes, truncates or refuses")
    func customShifts() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule(timeZone: "UTC")
            let path = "/v3/schedules/\(schedule)/custom_shifts"
            let none = #"{"custom_shifts":[{"type":"custom_shift","start_time":"2026-11-23T09:00:00Z","end_time":"2026-11-23T10:00:00Z","assignments":[]}]}"#
            #expect(V3Sandbox.errorFields(try await sandbox.call(.post, path, none)) == ["custom_shifts[0].assignments"])
            let assignment = #"{"type":"shift_assignment","member":{"type":"user_member","user_id":"PALICE1"}}"#
            let two = #"{"custom_shifts":[{"type":"custom_shift","start_time":"2026-11-23T09:00:00Z","end_time":"2026-11-23T10:00:00Z","assignments":[\#(assignment),\#(assignment)]}]}"#
            #expect(try await sandbox.call(.post, path, two).status == 400)
            let mixed = #"{"custom_shifts":[\#(customShift("2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z")),\#(customShift("2026-11-23T09:00:00Z", "2026-11-23T08:00:00Z"))]}"#
            #expect(V3Sandbox.errorFields(try await sandbox.call(.post, path, mixed)) == ["custom_shifts[1].end_time"])
            #expect(try await sandbox.call(.get, "\(path)?since=2026-11-01T00:00:00Z&until=2026-12-01T00:00:00Z")["custom_shifts"]?.arrayValue?.isEmpty == true, "all or nothing")
            #expect(try await sandbox.call(.post, path, #"{"custom_shifts":[]}"#).status == 400)
            let body = #"{"custom_shifts":[\#(customShift("2026-11-22T10:00:00Z", "2026-11-22T14:00:00Z")),\#(customShift("2026-11-23T09:00:00Z", "2026-11-23T17:00:00Z")),\#(customShift("2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z"))]}"#
            let created = try await sandbox.call(.post, path, body)
            let ids = created["custom_shifts"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.count == 3)
            let missing = try await sandbox.call(.get, path)
            #expect(V3Sandbox.errorFields(missing) == ["since", "until"])
            let listed = try await sandbox.call(.get, "\(path)?since=2026-11-23T12:00:00Z&until=2026-11-24T00:00:00Z&time_zone=Europe/Berlin")
            #expect(listed["custom_shifts"]?.arrayValue?.map { $0["start_time"]?.stringValue } == ["2026-11-23T13:00:00+01:00"], "clipped, in the zone asked")
            let started = ids[0]
            #expect(V3Sandbox.errorFields(try await sandbox.call(.put, "\(path)/\(started)", #"{"custom_shift":{"start_time":"2026-11-22T11:00:00Z"}}"#)) == ["custom_shift.start_time"])
            #expect(try await sandbox.call(.put, "\(path)/\(started)", #"{"custom_shift":{"end_time":"2026-11-22T15:00:00Z"}}"#)["custom_shift"]?["end_time"]?.stringValue == "2026-11-22T15:00:00Z")
            let moved = try await sandbox.call(.put, "\(path)/\(ids[1])", #"{"custom_shift":{"start_time":"2026-11-23T08:00:00Z","assignments":[\#(assignment)]}}"#)
            #expect(moved.status == 200 && moved["custom_shift"]?["start_time"]?.stringValue == "2026-11-23T08:00:00Z")
            #expect(try await sandbox.call(.delete, "\(path)/\(ids[2])").status == 400, "ended")
            #expect(try await sandbox.call(.delete, "\(path)/\(started)").status == 204)
            #expect(try await sandbox.call(.get, "\(path)/\(started)")["custom_shift"]?["end_time"]?.stringValue == "2026-11-22T12:00:00Z", "cut to now")
            #expect(try await sandbox.call(.delete, "\(path)/\(ids[1])").status == 204)
            #expect(try await sandbox.call(.get, "\(path)/\(ids[1])").status == 404, "removed")
        }
    }

    @Test("override create: type, exactly one source of this schedule, times, members; all or nothing, or partial by switch")
    func overrideCreateRules() async throws {
        try await V3Sandbox.run { sandbox in
            let (schedule, rotation) = try await weekdaySchedule(sandbox)
            let path = "/v3/schedules/\(schedule)/overrides"
            let good = override(rotation, "2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z")
            let cases: [(String, String)] = [
                (good.replacingOccurrences(of: "override_shift", with: "override"), "overrides[0].type"),
                (good.replacingOccurrences(of: #""rotation_id""#, with: #""other""#), "overrides[0]"),
                (good.replacingOccurrences(of: #""rotation_id":"#, with: #""custom_shift_id":"x","rotation_id":"#), "overrides[0]"),
                (good.replacingOccurrences(of: rotation, with: "AGNOSUCH"), "overrides[0].rotation_id"),
                (override(rotation, "2026-11-24T17:00:00Z", "2026-11-24T09:00:00Z"), "overrides[0].end_time"),
                (override(rotation, "2026-11-20T09:00:00Z", "2026-11-21T09:00:00Z"), "overrides[0].end_time"),
                (override(rotation, "2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z", to: "PNOBODY"), "overrides[0].overriding_member.user_id"),
                (good.replacingOccurrences(of: #""overridden_member":{"type":"user_member","user_id":"PALICE1"},"#, with: ""), "overrides[0].overridden_member"),
            ]
            for (item, field) in cases {
                let answer = try await sandbox.call(.post, path, #"{"overrides":[\#(item)]}"#)
                #expect(answer.status == 400 && V3Sandbox.errorFields(answer).contains(field), "\(field): \(answer.text)")
            }
            let batch = #"{"overrides":[\#(good),\#(cases[4].0)]}"#
            #expect(try await sandbox.call(.post, path, batch).status == 400)
            #expect(try await sandbox.call(.get, "\(path)?since=2026-11-01T00:00:00Z&until=2026-12-01T00:00:00Z")["overrides"]?.arrayValue?.isEmpty == true)
            sandbox.server.updateQuirks { $0.v3.partialOverrideBatches = true }
            let partial = try await sandbox.call(.post, path, batch)
            #expect(partial.status == 201 && partial["overrides"]?.arrayValue?.count == 1)
            sandbox.server.updateQuirks { $0.v3.rejectOverrideEndingInPast = false }
            #expect(try await sandbox.call(.post, path, #"{"overrides":[\#(cases[5].0)]}"#).status == 201, "a past override by switch")
            let empty = good.replacingOccurrences(of: #"{"type":"user_member","user_id":"PCAROL1"}"#, with: #"{"type":"empty_member"}"#)
            #expect(try await sandbox.call(.post, path, #"{"overrides":[\#(empty)]}"#).status == 201)
            sandbox.server.updateQuirks { $0.v3.allowEmptyMemberInOverrides = false }
            #expect(V3Sandbox.errorFields(try await sandbox.call(.post, path, #"{"overrides":[\#(empty)]}"#)) == ["overrides[0].overriding_member.type"])
        }
    }

    @Test("override switches (b)-(d): the overridden member must be assigned, the source must cover the window, overlaps refused; off, the newest wins")
    func overrideSourceSwitches() async throws {
        try await V3Sandbox.run { sandbox in
            let (schedule, rotation) = try await weekdaySchedule(sandbox)
            let path = "/v3/schedules/\(schedule)/overrides"
            let wrongMember = override(rotation, "2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z", from: "PBOB001")
            let inGap = override(rotation, "2026-11-28T09:00:00Z", "2026-11-28T17:00:00Z")
            let first = override(rotation, "2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z", to: "PCAROL1")
            let second = override(rotation, "2026-11-24T12:00:00Z", "2026-11-24T14:00:00Z", to: "PBOB001")
            #expect(try await sandbox.call(.post, path, #"{"overrides":[\#(wrongMember),\#(inGap),\#(first),\#(second)]}"#).status == 201, "all off by default")
            let lines = try await sandbox.finalSchedule(schedule, since: "2026-11-24T00:00:00Z", until: "2026-11-25T00:00:00Z")
            #expect(lines == [
                "2026-11-23T09:00:00Z 2026-11-24T09:00:00Z PALICE1 schedule_rotation".replacingOccurrences(of: "2026-11-23T09", with: "2026-11-24T00"),
                "2026-11-24T09:00:00Z 2026-11-24T12:00:00Z PCAROL1 schedule_rotation_override",
                "2026-11-24T12:00:00Z 2026-11-24T14:00:00Z PBOB001 schedule_rotation_override",
                "2026-11-24T14:00:00Z 2026-11-24T17:00:00Z PCAROL1 schedule_rotation_override",
                "2026-11-24T17:00:00Z 2026-11-25T00:00:00Z PALICE1 schedule_rotation",
            ], "the newest of two overlapping overrides wins; one naming an unassigned member changes nothing")
            sandbox.server.updateQuirks {
                $0.v3.requireOverriddenMemberAssigned = true
                $0.v3.requireSourceShiftInWindow = true
                $0.v3.rejectOverlappingOverrides = true
            }
            #expect(V3Sandbox.errorFields(try await sandbox.call(.post, path, #"{"overrides":[\#(wrongMember)]}"#)).contains("overrides[0].overridden_member"))
            #expect(V3Sandbox.errorFields(try await sandbox.call(.post, path, #"{"overrides":[\#(inGap)]}"#)) == ["overrides[0]"])
            let overlap = try await sandbox.call(.post, path, #"{"overrides":[\#(second)]}"#)
            #expect(overlap.status == 400 && overlap.text.contains("overlaps another override"))
        }
    }

    @Test("override list: a window is required, crossing overrides are clipped or left out by switch, times in the zone asked or UTC by switch")
    func overrideListing() async throws {
        try await V3Sandbox.run { sandbox in
            let (schedule, rotation) = try await weekdaySchedule(sandbox)
            let path = "/v3/schedules/\(schedule)/overrides"
            _ = try await sandbox.call(.post, path, #"{"overrides":[\#(override(rotation, "2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z"))]}"#)
            #expect(V3Sandbox.errorFields(try await sandbox.call(.get, "\(path)?since=2026-11-24T00:00:00Z")) == ["until"])
            #expect(V3Sandbox.errorFields(try await sandbox.call(.get, "\(path)?since=yesterday&until=2026-11-24T00:00:00Z")) == ["since"])
            let query = "\(path)?since=2026-11-24T12:00:00Z&until=2026-11-25T00:00:00Z&time_zone=Europe/Berlin"
            let clipped = try await sandbox.call(.get, query)
            #expect(clipped["overrides"]?.arrayValue?.first?["start_time"]?.stringValue == "2026-11-24T13:00:00+01:00")
            #expect(clipped["limit"]?.intValue == 25 && clipped["more"]?.boolValue == false)
            #expect(try await sandbox.call(.get, query + "&overflow=true")["overrides"]?.arrayValue?.first?["start_time"]?.stringValue == "2026-11-24T10:00:00+01:00")
            sandbox.server.updateQuirks {
                $0.v3.dropCrossingOverrides = true
                $0.v3.listTimesInUTC = true
            }
            #expect(try await sandbox.call(.get, query)["overrides"]?.arrayValue?.isEmpty == true)
            #expect(try await sandbox.call(.get, query + "&overflow=true")["overrides"]?.arrayValue?.first?["start_time"]?.stringValue == "2026-11-24T09:00:00Z")
        }
    }

    @Test("override update and delete: in place before start, only end_time after (switch), immutable fields ignored or refused (switch), delete by timing with switched statuses")
    func overrideUpdateAndDelete() async throws {
        try await V3Sandbox.run { sandbox in
            let (schedule, rotation) = try await weekdaySchedule(sandbox)
            let path = "/v3/schedules/\(schedule)/overrides"
            let created = try await sandbox.call(.post, path, #"{"overrides":[\#(override(rotation, "2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z")),\#(override(rotation, "2026-11-23T09:00:00Z", "2026-11-24T08:00:00Z"))]}"#)
            let ids = created["overrides"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.count == 2)
            let moved = try await sandbox.call(.put, "\(path)/\(ids[0])", #"{"override":{"start_time":"2026-11-24T10:00:00Z","overriding_member":{"type":"user_member","user_id":"PBOB001"},"overridden_member":{"type":"user_member","user_id":"PBOB001"}}}"#)
            #expect(moved.status == 200)
            #expect(moved["override"]?["start_time"]?.stringValue == "2026-11-24T10:00:00Z" && moved["override"]?["overriding_member"]?["user_id"]?.stringValue == "PBOB001")
            #expect(moved["override"]?["overridden_member"]?["user_id"]?.stringValue == "PALICE1", "overridden_member ignored")
            sandbox.server.updateQuirks { $0.v3.rejectImmutableOverrideFields = true }
            #expect(V3Sandbox.errorFields(try await sandbox.call(.put, "\(path)/\(ids[0])", #"{"override":{"rotation_id":"x"}}"#)) == ["override.rotation_id"])
            #expect(try await sandbox.call(.get, "\(path)/\(ids[0])")["override"]?["id"]?.stringValue == ids[0])
            sandbox.server.clock.set(at("2026-11-24T12:00:00Z"))
            #expect(V3Sandbox.errorFields(try await sandbox.call(.put, "\(path)/\(ids[0])", #"{"override":{"start_time":"2026-11-24T11:00:00Z"}}"#)) == ["override.start_time"])
            sandbox.server.updateQuirks { $0.v3.onlyEndTimeAfterOverrideStart = false }
            #expect(try await sandbox.call(.put, "\(path)/\(ids[0])", #"{"override":{"start_time":"2026-11-24T11:00:00Z"}}"#).status == 200)
            #expect(try await sandbox.call(.put, "\(path)/\(ids[1])", #"{"override":{"end_time":"2026-11-24T09:00:00Z"}}"#).status == 400, "ended")
            #expect(try await sandbox.call(.delete, "\(path)/\(ids[1])").status == 400, "ended")
            sandbox.server.updateQuirks { $0.v3.endedOverrideDeleteStatus = 404 }
            #expect(try await sandbox.call(.delete, "\(path)/\(ids[1])").status == 404)
            #expect(try await sandbox.call(.delete, "\(path)/\(ids[0])").status == 204, "in progress")
            #expect(try await sandbox.call(.get, "\(path)/\(ids[0])")["override"]?["end_time"]?.stringValue == "2026-11-24T12:00:00Z")
            let later = try await sandbox.call(.post, path, #"{"overrides":[\#(override(rotation, "2026-11-25T09:00:00Z", "2026-11-26T09:00:00Z")),\#(override(rotation, "2026-11-24T10:00:00Z", "2026-11-25T08:00:00Z"))]}"#)
            let laterIDs = later["overrides"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(try await sandbox.call(.delete, "\(path)/\(laterIDs[0])").status == 204)
            #expect(try await sandbox.call(.get, "\(path)/\(laterIDs[0])").status == 404, "a future override is removed")
            sandbox.server.updateQuirks { $0.v3.inProgressOverrideDeleteStatus = 200 }
            #expect(try await sandbox.call(.delete, "\(path)/\(laterIDs[1])").status == 200)
            let unknown = try await sandbox.call(.delete, "\(path)/AGNOSUCH")
            #expect(unknown.status == 404 && unknown.text == #"{"error":{"message":"Not Found","code":2100}}"#)
        }
    }
}
