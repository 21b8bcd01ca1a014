import Foundation
import HandoffTestSupport
import HandoffTime
import NIOHTTP1
@testable import PagerDuty
import Testing

/// The v3 client against scripted answers: the variants of the reference sheet that the
/// simulated PagerDuty does not serve by default (wrong-kind 404s, contradictions, abridged and
/// bare objects, offsets, endless pages), each in the fewest requests.
@Suite("PagerDuty v3 answers, scripted")
struct V3AnswerTests {
    typealias Reply = RecordingHTTPServer.Reply

    static func at(_ text: String) -> Instant {
        guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
        return instant
    }

    static func reply(_ status: HTTPResponseStatus, _ body: String) -> Reply {
        Reply(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    static let notFound = reply(.notFound, #"{"error": {"message": "Not Found", "code": 2100}}"#)
    static let v3Schedule = reply(.ok, #"{"schedule": {"id": "PSHIFT1", "type": "schedule_v3", "name": "Shifts", "time_zone": "Etc/UTC", "rotations": []}}"#)
    static let v2Schedule = reply(.ok, #"{"schedule": {"id": "PLAYER1", "type": "schedule", "name": "Layers", "time_zone": "UTC", "schedule_layers": []}}"#)
    static let namesV2 = reply(.badRequest, #"{"error": {"message": "This schedule is layer-based; use the v2 Schedules API", "code": 2001}}"#)
    static let namesV3 = reply(.badRequest, #"{"error": {"message": "Invalid Input Provided", "code": 2001, "errors": ["Schedule is shift-based. Use the v3 Schedules API (/v3/schedules)"]}}"#)
    static let bare400 = reply(.badRequest, #"{"error": {"message": "Invalid Request", "code": 2001}}"#)

    /// A server answering `v3` to `/v3/…` and `v2` to every other path, and the client's answer.
    static func detect(
        v3: Reply,
        v2: Reply,
        expected: ScheduleKind? = nil
    ) async throws -> (result: Result<DetectedSchedule, PagerDutyError>, paths: [String]) {
        let server = try await RecordingHTTPServer.start { request in request.uri.hasPrefix("/v3/") ? v3 : v2 }
        let result: Result<DetectedSchedule, PagerDutyError>
        do {
            result = .success(
                try await PagerDutyClient.withClient(configuration: HostileAnswerTests.configuration(server)) {
                    try await $0.detectScheduleKind(id: "PSCHED1", expected: expected)
                }
            )
        } catch let error as PagerDutyError {
            result = .failure(error)
        }
        try await server.stop()
        return (result, server.requests.map { String($0.uri.prefix { $0 != "?" }) })
    }

    // MARK: - Kind detection

    @Test("a shift-based schedule is known from one request, asked of v3 first")
    func detectShiftBased() async throws {
        let (result, paths) = try await Self.detect(v3: Self.v3Schedule, v2: Self.namesV3)
        #expect(try result.get().kind == .shiftBased)
        guard case .shiftBased(let schedule?) = try result.get() else {
            Issue.record("no schedule: \(result)")
            return
        }
        #expect(schedule.name == "Shifts" && schedule.timeZone == "Etc/UTC")
        #expect(paths == ["/v3/schedules/PSCHED1"])
    }

    @Test("a layered id: v3's 400 naming the v2 API settles it in one request, a bare 400 takes a look at v2")
    func detectLayerBased() async throws {
        let named = try await Self.detect(v3: Self.namesV2, v2: Self.v2Schedule)
        #expect(try named.result.get() == .layerBased(nil))
        #expect(named.paths == ["/v3/schedules/PSCHED1"])

        let bare = try await Self.detect(v3: Self.bare400, v2: Self.v2Schedule)
        #expect(try bare.result.get().kind == .layerBased)
        #expect(bare.paths == ["/v3/schedules/PSCHED1", "/schedules/PSCHED1"])
    }

    @Test("the remembered kind is asked first: one request when it still holds, and an upgrade seen in each v2 variant")
    func detectExpected() async throws {
        let still = try await Self.detect(v3: Self.namesV2, v2: Self.v2Schedule, expected: .layerBased)
        #expect(try still.result.get().kind == .layerBased)
        #expect(still.paths == ["/schedules/PSCHED1"])

        // Upgraded in place: v2 answers 400 naming v3 (newer), or 404 code 2100 (older).
        let named = try await Self.detect(v3: Self.v3Schedule, v2: Self.namesV3, expected: .layerBased)
        #expect(try named.result.get() == .shiftBased(nil))
        #expect(named.paths == ["/schedules/PSCHED1"])
        let notFound = try await Self.detect(v3: Self.v3Schedule, v2: Self.notFound, expected: .layerBased)
        #expect(try notFound.result.get().kind == .shiftBased)
        #expect(notFound.paths == ["/schedules/PSCHED1", "/v3/schedules/PSCHED1"])
        // v2 answering the v3 type itself (a 200) says so too.
        let typed = try await Self.detect(
            v3: Self.v3Schedule,
            v2: Self.reply(.ok, #"{"schedule": {"id": "PSCHED1", "type": "schedule_v3"}}"#),
            expected: .layerBased
        )
        #expect(try typed.result.get() == .shiftBased(nil))
    }

    @Test("missing takes a 404 from both APIs; contradicting answers are an error, not a guess")
    func detectMissingAndContradiction() async throws {
        let missing = try await Self.detect(v3: Self.notFound, v2: Self.notFound)
        #expect(try missing.result.get() == .missing)
        #expect(missing.paths == ["/v3/schedules/PSCHED1", "/schedules/PSCHED1"])

        // A 404 on one side and a refusal of the request on the other is not "missing": the
        // refusal may be about the request (a window too long), not the id.
        let halfMissing = try await Self.detect(v3: Self.notFound, v2: Self.bare400)
        guard case .failure(let undecided) = halfMissing.result else {
            Issue.record("a 404 and a 400 were decided: \(halfMissing.result)")
            return
        }
        #expect(undecided.kind == .invalidResponse)
        #expect(undecided.message.contains("contradict each other (404 from the shift-based API, 400: Invalid Request from the layer-based API)"), "\(undecided.message)")

        // The v3 API refuses the request and the v2 one says the schedule is shift-based: the
        // kind is known, and the refusal's reasons are what to act on.
        let refusedRead = try await Self.detect(v3: Self.bare400, v2: Self.namesV3)
        guard case .failure(let error) = refusedRead.result else {
            Issue.record("a refused read was decided: \(refusedRead.result)")
            return
        }
        #expect(error.kind == .rejected)
        #expect(error.message == "schedule PSCHED1 on connection \"acme\" is shift-based, but PagerDuty refused to read it: Invalid Request")
    }

    @Test("401 and 5xx during detection are errors as for any read, not a kind")
    func detectFailures() async throws {
        let unauthorized = try await Self.detect(v3: Self.reply(.unauthorized, #"{"error": {"message": "Unauthorized", "code": 2006}}"#), v2: Self.v2Schedule)
        guard case .failure(let error) = unauthorized.result else {
            Issue.record("decided: \(unauthorized.result)")
            return
        }
        #expect(error.kind == .unauthorized)
    }

    // MARK: - Wrong kind on other routes

    @Test("a v3 route refusing a layered id is wrongScheduleKind, naming what the schedule is")
    func wrongKindOnV3Route() async throws {
        let server = try await RecordingHTTPServer.start { _ in Self.namesV2 }
        let window = InstantRange(start: Self.at("2026-12-01T00:00:00Z"), end: Self.at("2026-12-08T00:00:00Z"))
        let error = await #expect(throws: PagerDutyError.self) {
            try await PagerDutyClient.withClient(configuration: HostileAnswerTests.configuration(server)) {
                try await $0.v3Overrides(scheduleID: "PLAYER1", overlapping: window)
            }
        }
        #expect(error?.kind == .wrongScheduleKind && error?.scheduleKind == .layerBased)
        #expect(
            error?.message
                == "PagerDuty schedule PLAYER1 on connection \"acme\" is layer-based (v2), not shift-based: PagerDuty refused to list the overrides "
                + "of shift-based schedule PLAYER1 (400: This schedule is layer-based; use the v2 Schedules API (code 2001))"
        )
        try await server.stop()
    }

    @Test("a v2 route refusing a shift-based id keeps its sentence and says the kind")
    func wrongKindOnV2Route() async throws {
        let server = try await RecordingHTTPServer.start { _ in Self.namesV3 }
        let window = InstantRange(start: Self.at("2026-12-01T00:00:00Z"), end: Self.at("2026-12-08T00:00:00Z"))
        let error = await #expect(throws: PagerDutyError.self) {
            try await PagerDutyClient.withClient(configuration: HostileAnswerTests.configuration(server)) {
                try await $0.overrides(scheduleID: "PSHIFT1", overlapping: window)
            }
        }
        #expect(error?.kind == .wrongScheduleKind && error?.scheduleKind == .shiftBased)
        #expect(error?.message.hasPrefix("PagerDuty refused to list the overrides of schedule PSHIFT1 (400: Invalid Input Provided: Schedule is shift-based.") == true)
        try await server.stop()
    }
}
