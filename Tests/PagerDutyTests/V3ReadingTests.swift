import Foundation
import Synchronization
import HandoffTestSupport
import HandoffTime
import NIOHTTP1
@testable import PagerDuty
import Testing

/// v3 answers read safely: offsets and `Z` alike, what PagerDuty may leave out, both error
/// shapes with every detail escaped, pages bounded, and the retry rules of PUT and POST.
@Suite("PagerDuty v3 reading, errors and retries")
struct V3ReadingTests {
    private let key = APIKey("u+abcdefghijklmnopqrst")
    static let at = V3AnswerTests.at

    // MARK: - Models

    @Test("a schedule with its rotation, event and final schedule is read; offsets and Z are the same instant")
    func scheduleDecoding() throws {
        let body = #"""
            {"schedule": {"id": "PSHIFT1", "type": "schedule_v3", "name": "Shifts", "time_zone": "Europe/Berlin",
              "rotations": [{"id": "AGOROT", "type": "rotation", "events": [{"id": "AGOEV", "type": "event", "name": "Weekly",
                "start_time": {"date_time": "2026-11-23T09:00:00", "time_zone": "Europe/Berlin"},
                "end_time": {"date_time": "2026-11-30T08:00:00Z", "time_zone": "Europe/Berlin"},
                "effective_since": "2026-11-20T00:00:00.123+00:00", "effective_until": null,
                "recurrence": ["RRULE:FREQ=WEEKLY;INTERVAL=1"],
                "assignment_strategy": {"type": "rotating_member_assignment_strategy", "shifts_per_member": 1,
                  "members": [{"type": "user_member", "user_id": "PALICE1"}, {"type": "empty_member"}, {"type": "shadow_member", "user_id": "PX"}]}}]}],
              "final_schedule": {"type": "final_schedule", "rendered_coverage_percentage": 87.5, "computed_shift_assignments": [
                {"type": "computed_shift_assignment", "start_time": "2026-11-23T10:00:00+02:00", "end_time": "2026-11-24T08:00:00Z",
                 "member": {"type": "user_member", "user_id": "PALICE1"}, "source": {"type": "schedule_rotation", "rotation_id": "AGOROT"}},
                {"start_time": "2026-11-24T08:00:00Z", "end_time": "2026-11-25T08:00:00Z", "member": {"type": "user_member", "user_id": "PBOB001"},
                 "source": {"type": "schedule_rotation_override", "rotation_id": "AGOROT", "override_id": "AGOOV"}},
                {"start_time": "2026-11-24T12:00:00Z", "end_time": "2026-11-24T14:00:00Z", "member": {"type": "empty_member"},
                 "source": {"type": "custom_shift", "shift_id": "AGOCS"}},
                {"start_time": "2026-11-24T12:00:00Z", "end_time": "2026-11-24T14:00:00Z", "member": {"type": "empty_member"}, "source": {"type": "tomorrow_s_kind"}}]}}}
            """#
        let schedule = try JSONDecoder().decode(V3Single<PagerDutyV3Schedule>.self, from: Data(body.utf8)).value
        #expect(schedule.rotations.map(\.id) == ["AGOROT"])
        let event = try #require(schedule.rotations.first?.events.first)
        // Wall-clock 09:00 in Berlin (offset-less) is 08:00Z in November.
        #expect(event.startTime.instant == Self.at("2026-11-23T08:00:00Z"))
        #expect(event.endTime.instant == Self.at("2026-11-30T08:00:00Z") && event.endTime.timeZone == "Europe/Berlin")
        #expect(event.effectiveSince == Self.at("2026-11-20T00:00:00Z") && event.effectiveUntil == nil)
        #expect(event.assignmentStrategy?.members == [.user(id: "PALICE1"), .empty, .unknown(type: "shadow_member")])
        #expect(event.assignmentStrategy?.isRotating == true && event.assignmentStrategy?.shiftsPerMember == 1)
        let shifts = try #require(schedule.finalSchedule?.computedShiftAssignments)
        #expect(shifts.first?.start == Self.at("2026-11-23T08:00:00Z"))
        #expect(shifts.map(\.source.kind) == [.rotation, .rotationOverride, .customShift, .unknown("tomorrow_s_kind")])
        #expect(shifts[1].source.overrideID == "AGOOV" && shifts[2].source.shiftID == "AGOCS")
        #expect(shifts[2].member == .empty && shifts[3].member == .empty)
        #expect(schedule.finalSchedule?.renderedCoveragePercentage == 87.5)
    }

    @Test("a final-schedule entry without its member or source, or a member with neither type nor user, is refused, not taken for a vacant seat or a gap")
    func malformedEntriesRefused() throws {
        let entries = [
            #"{"start_time": "2026-11-24T12:00:00Z", "end_time": "2026-11-24T14:00:00Z", "source": {"type": "schedule_rotation", "rotation_id": "R"}}"#,
            #"{"start_time": "2026-11-24T12:00:00Z", "end_time": "2026-11-24T14:00:00Z", "member": {"type": "user_member", "user_id": "PA"}}"#,
            #"{"start_time": "2026-11-24T12:00:00Z", "end_time": "2026-11-24T14:00:00Z", "member": {}, "source": {"type": "schedule_rotation", "rotation_id": "R"}}"#,
        ]
        for entry in entries {
            #expect(throws: DecodingError.self, "\(entry)") { try JSONDecoder().decode(PagerDutyComputedShift.self, from: Data(entry.utf8)) }
        }
    }

    @Test("an abridged override (PagerDuty's own examples), a bare object and a custom shift are read")
    func shiftDecoding() throws {
        let abridged = #"{"override": {"id": "AGOOV", "type": "override_shift", "start_time": "2026-11-24T08:00:00Z", "end_time": "2026-11-25T08:00:00Z"}}"#
        let override = try JSONDecoder().decode(V3Single<PagerDutyOverrideShift>.self, from: Data(abridged.utf8)).value
        #expect(override.target == nil && override.overriddenMember == nil && override.overridingMember == nil)
        let bare = #"{"id": "AGOOV", "rotation_id": "R", "start_time": "2026-11-24T09:00:00+01:00", "end_time": "2026-11-25T08:00:00Z", "overriding_member": {"type": "user_member", "user_id": "PB"}}"#
        let read = try JSONDecoder().decode(V3Single<PagerDutyOverrideShift>.self, from: Data(bare.utf8)).value
        #expect(read.target == .rotation(id: "R") && read.start == Self.at("2026-11-24T08:00:00Z") && read.overridingMember == .user(id: "PB"))
        let both = #"{"id": "X", "rotation_id": "R", "custom_shift_id": "C", "start_time": "2026-11-24T08:00:00Z", "end_time": "2026-11-25T08:00:00Z"}"#
        #expect(try JSONDecoder().decode(PagerDutyOverrideShift.self, from: Data(both.utf8)).target == nil)

        let page = #"{"custom_shifts": [{"id": "AGOCS", "type": "custom_shift", "start_time": "2026-11-24T08:00:00Z", "end_time": "2026-11-24T09:00:00Z", "assignments": [{"id": "A1", "type": "shift_assignment", "member": {"type": "user_member", "user_id": "PB"}}]}], "limit": 100, "offset": 0, "more": false}"#
        let shifts = try JSONDecoder().decode(V3Page<PagerDutyCustomShift>.self, from: Data(page.utf8))
        #expect(shifts.items.first?.member == .user(id: "PB") && shifts.more == false)
        // A user_member without a user is refused, never read as nobody.
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PagerDutyShiftMember.self, from: Data(#"{"type": "user_member"}"#.utf8)) }
    }

    // MARK: - Errors

    @Test("a v3 400 with errors as a field map is read as field: message, in order, every one")
    func errorMap() {
        let body = #"{"error": {"message": "Invalid Request", "code": 2001, "errors": {"event.effective_since": ["must be at most 12 months ahead"], "override.end_time": ["must be after start_time", "must be in the future"], "rotation.events": "too many"}}}"#
        let error = ErrorBody(bytes: Array(body.utf8), key: key)
        #expect(error.errors == ["event.effective_since: must be at most 12 months ahead", "override.end_time: must be after start_time", "override.end_time: must be in the future", "rotation.events: too many"])
        #expect(error.summary == "Invalid Request: event.effective_since: must be at most 12 months ahead; override.end_time: must be after start_time; override.end_time: must be in the future; rotation.events: too many (code 2001)")
    }

    @Test("a v3 400 with errors as a list (Invalid Input Provided) is read with every detail")
    func errorList() {
        let body = #"{"error": {"message": "Invalid Input Provided", "code": 2001, "errors": ["Time zone cannot be empty", "Name cannot be empty"]}}"#
        let error = ErrorBody(bytes: Array(body.utf8), key: key)
        #expect(error.summary == "Invalid Input Provided: Time zone cannot be empty; Name cannot be empty (code 2001)")
    }

    @Test("field names and messages of an error map are escaped and redacted")
    func errorMapEscaped() {
        let body = #"{"error": {"message": "Invalid", "errors": {"override.\u001b]0;owned\u0007end\r\nX": ["key u+abcdefghijklmnopqrst \u001b[2J"]}}}"#
        let error = ErrorBody(bytes: Array(body.utf8), key: key)
        #expect(error.errors == [#"override.\u{1B}]0;owned\u{7}end\u{D}\u{A}X: key <redacted> \u{1B}[2J"#])
    }

    @Test("a refused batch of overrides is .refused with PagerDuty's message and every detail; nothing is retried")
    func refusedBatch() async throws {
        let body = #"{"error": {"message": "Invalid Request", "code": 2001, "errors": {"overrides[0].end_time": ["must be after start_time"], "overrides[1].overriding_member": ["user not found"]}}}"#
        let server = try await RecordingHTTPServer.start { _ in V3AnswerTests.reply(.badRequest, body) }
        let override = NewOverrideShift(
            target: .rotation(id: "R"), start: Self.at("2026-12-01T09:00:00Z"), end: Self.at("2026-12-01T08:00:00Z"),
            overriddenMember: .user(id: "PA"), overridingMember: .user(id: "PB")
        )
        let result = try await PagerDutyClient.withClient(configuration: HostileAnswerTests.configuration(server)) {
            try await $0.createV3Overrides(scheduleID: "PSHIFT1", [override, override])
        }
        guard case .refused(let error) = result else {
            Issue.record("not refused: \(result)")
            return
        }
        #expect(error.kind == .rejected && error.status == 400 && error.apiCode == 2001 && error.apiMessage == "Invalid Request")
        #expect(error.apiErrors == ["overrides[0].end_time: must be after start_time", "overrides[1].overriding_member: user not found"])
        #expect(
            error.message
                == "PagerDuty refused to create 2 overrides on shift-based schedule PSHIFT1 (400: Invalid Request: overrides[0].end_time: must be after start_time; "
                + "overrides[1].overriding_member: user not found (code 2001))"
        )
        #expect(server.requests.count == 1)
        try await server.stop()
    }

    // MARK: - Pagination bounds

    @Test("a list that says more but sends nothing is refused, not read forever")
    func emptyPageWithMore() async throws {
        let server = try await RecordingHTTPServer.start { _ in V3AnswerTests.reply(.ok, #"{"rotations": [], "limit": 100, "offset": 0, "more": true}"#) }
        let error = await #expect(throws: PagerDutyError.self) {
            try await PagerDutyClient.withClient(configuration: HostileAnswerTests.configuration(server)) { try await $0.v3Rotations(scheduleID: "PSHIFT1") }
        }
        #expect(error?.kind == .invalidResponse)
        #expect(server.requests.count == 1)
        try await server.stop()
    }

    @Test("a list that never ends stops at 10,000 items: refused for overrides, cut for the schedule list")
    func endlessList() async throws {
        let overrides = (0..<100).map { #"{"id": "O\#($0)", "rotation_id": "R", "start_time": "2026-12-01T00:00:00Z", "end_time": "2026-12-02T00:00:00Z"}"# }
        let schedules = (0..<1_000).map { #"{"id": "P\#($0)", "type": "schedule_v3_reference", "summary": "S"}"# }
        let server = try await RecordingHTTPServer.start { request in
            request.uri.contains("/overrides")
                ? V3AnswerTests.reply(.ok, #"{"overrides": [\#(overrides.joined(separator: ","))], "more": true}"#)
                : V3AnswerTests.reply(.ok, #"{"schedules": [\#(schedules.joined(separator: ","))], "more": true}"#)
        }
        let window = InstantRange(start: Self.at("2026-12-01T00:00:00Z"), end: Self.at("2026-12-08T00:00:00Z"))
        let error = await #expect(throws: PagerDutyError.self) {
            try await PagerDutyClient.withClient(configuration: HostileAnswerTests.configuration(server)) { try await $0.v3Overrides(scheduleID: "PSHIFT1", overlapping: window) }
        }
        #expect(error?.message == "PagerDuty has more than 10000 overrides to list the overrides of shift-based schedule PSHIFT1 on connection \"acme\"; Handoff reads at most 10000, so narrow the window")
        #expect(server.requests.count == 100)
        #expect(server.requests.last?.uri.contains("limit=100&offset=9900") == true)
        let listed = try await PagerDutyClient.withClient(configuration: HostileAnswerTests.configuration(server)) { try await $0.listV3Schedules() }
        #expect(listed.count == 10_000)
        #expect(server.requests.count == 110)
        try await server.stop()
    }

    // MARK: - Retries

    @Test("a PUT is retried after a 5xx (it is idempotent); a POST is not: its outcome is unknown")
    func putRetriedPostNot() async throws {
        let failures = Counter()
        let override = #"{"override": {"id": "AGOOV", "rotation_id": "R", "start_time": "2026-12-01T09:00:00Z", "end_time": "2026-12-02T09:00:00Z", "overridden_member": {"type": "user_member", "user_id": "PA"}, "overriding_member": {"type": "user_member", "user_id": "PC"}}}"#
        let server = try await RecordingHTTPServer.start { _ in
            failures.next() < 2 ? V3AnswerTests.reply(.badGateway, "{}") : V3AnswerTests.reply(.ok, override)
        }
        let change = OverrideShiftChange(end: Self.at("2026-12-02T09:00:00Z"), overridingMember: .user(id: "PC"))
        let moved = try await PagerDutyClient.withClient(configuration: HostileAnswerTests.configuration(server)) {
            try await $0.updateV3Override(scheduleID: "PSHIFT1", overrideID: "AGOOV", change)
        }
        #expect(moved.overridingMember == .user(id: "PC") && moved.end == Self.at("2026-12-02T09:00:00Z"))
        #expect(server.requests.map(\.method) == ["PUT", "PUT", "PUT"])
        try await server.stop()

        let failing = try await RecordingHTTPServer.start { _ in V3AnswerTests.reply(.badGateway, "{}") }
        let error = await #expect(throws: PagerDutyError.self) {
            try await PagerDutyClient.withClient(configuration: HostileAnswerTests.configuration(failing)) {
                try await $0.createV3CustomShifts(scheduleID: "PSHIFT1", [NewCustomShift(start: Self.at("2026-12-01T09:00:00Z"), end: Self.at("2026-12-01T17:00:00Z"), member: .user(id: "PB"))])
            }
        }
        #expect(error?.kind == .outcomeUnknown)
        #expect(error?.message == "PagerDuty answered 502 to create 1 custom shift on shift-based schedule PSHIFT1; whether it happened is unknown")
        #expect(failing.requests.count == 1)
        try await failing.stop()
    }

    @Test("a 201 that does not say which created override is which is an unknown outcome")
    func unmatchedCreation() async throws {
        let requested = NewOverrideShift(
            target: .rotation(id: "R"), start: Self.at("2026-12-01T09:00:00Z"), end: Self.at("2026-12-01T17:00:00Z"),
            overriddenMember: .user(id: "PA"), overridingMember: .user(id: "PB")
        )
        let answers = [
            #"{"overrides": []}"#,
            #"{"overrides": [{"id": "O1", "start_time": "2026-12-01T10:00:00Z", "end_time": "2026-12-01T17:00:00Z"}]}"#,
            #"{"overrides": [{"id": "O1", "rotation_id": "OTHER", "start_time": "2026-12-01T09:00:00Z", "end_time": "2026-12-01T17:00:00Z"}]}"#,
            #"{"something": "else"}"#,
        ]
        for answer in answers {
            let server = try await RecordingHTTPServer.start { _ in V3AnswerTests.reply(.created, answer) }
            let error = await #expect(throws: PagerDutyError.self) {
                try await PagerDutyClient.withClient(configuration: HostileAnswerTests.configuration(server)) { try await $0.createV3Overrides(scheduleID: "PSHIFT1", [requested]) }
            }
            #expect(error?.kind == .outcomeUnknown, "\(answer)")
            try await server.stop()
        }
        // An abridged answer (times and id only) is matched, and filled in from the request.
        let server = try await RecordingHTTPServer.start { _ in
            V3AnswerTests.reply(.created, #"{"overrides": [{"id": "O1", "type": "override_shift", "start_time": "2026-12-01T10:00:00+01:00", "end_time": "2026-12-01T17:00:00Z"}]}"#)
        }
        let created = try await PagerDutyClient.withClient(configuration: HostileAnswerTests.configuration(server)) { try await $0.createV3Overrides(scheduleID: "PSHIFT1", [requested]) }
        #expect(created == .created([PagerDutyOverrideShift(id: "O1", target: .rotation(id: "R"), start: requested.start, end: requested.end, overriddenMember: .user(id: "PA"), overridingMember: .user(id: "PB"))]))
        try await server.stop()
    }

    @Test("delete outcomes: 204 deleted, 200 truncated, 404 not found, 400 already ended only when a read shows it ended, otherwise a refusal")
    func deleteOutcomes() async throws {
        let now = Instant(secondsSinceEpoch: 1_795_348_800)  // 2026-11-22T12:00:00Z
        let ended = #"{"custom_shift": {"id": "AGOCS", "type": "custom_shift", "start_time": "2026-11-20T09:00:00Z", "end_time": "2026-11-21T09:00:00Z", "assignments": []}}"#
        let future = #"{"custom_shift": {"id": "AGOCS", "type": "custom_shift", "start_time": "2026-11-30T09:00:00Z", "end_time": "2026-12-01T09:00:00Z", "assignments": []}}"#
        let refusal = #"{"error": {"message": "Invalid Request", "code": 2001, "errors": {"custom_shift.end_time": ["has already passed"]}}}"#
        let statuses: [(HTTPResponseStatus, String, read: String?, ShiftDeletion?)] = [
            (.noContent, "", nil, .deleted),
            (.ok, "{}", nil, .truncated),
            (.notFound, #"{"error": {"message": "Not Found", "code": 2100}}"#, nil, .notFound),
            (.badRequest, refusal, ended, .alreadyEnded(["custom_shift.end_time: has already passed"])),
            // A 400 on a shift that has not ended is a refusal, never taken for done.
            (.badRequest, refusal, future, nil),
        ]
        for (status, body, read, expected) in statuses {
            let server = try await RecordingHTTPServer.start { request in
                if request.method == "GET", let read { return V3AnswerTests.reply(.ok, read) }
                return V3AnswerTests.reply(status, body)
            }
            let configuration = HostileAnswerTests.configuration(server)
            if let expected {
                let outcome = try await PagerDutyClient.withClient(configuration: configuration) {
                    try await $0.deleteV3CustomShift(scheduleID: "PSHIFT1", customShiftID: "AGOCS", now: now)
                }
                #expect(outcome == expected)
            } else {
                let error = await #expect(throws: PagerDutyError.self) {
                    try await PagerDutyClient.withClient(configuration: configuration) {
                        try await $0.deleteV3CustomShift(scheduleID: "PSHIFT1", customShiftID: "AGOCS", now: now)
                    }
                }
                #expect(error?.kind == .rejected && error?.message.contains("has already passed") == true, "\(String(describing: error))")
            }
            try await server.stop()
        }
    }
}

/// Counts calls from the server's event loop.
final class Counter: Sendable {
    private let value = Mutex(0)
    /// The count before this call.
    func next() -> Int {
        value.withLock { count in
            count += 1
            return count - 1
        }
    }
}
