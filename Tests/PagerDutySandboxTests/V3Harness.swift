import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import Hummingbird
import HummingbirdTesting
import NIOCore
import OrderedJSON
@testable import PagerDutySandbox
import Testing

/// A simulated PagerDuty driven in memory for the shift-based (v3) tests: alice, bob and carol
/// (ids `PALICE1`, `PBOB001`, `PCAROL1`), one layered schedule `PPLAT01`, the test key, and the
/// clock fixed at `SandboxHarness.defaultNow` (Sunday 2026-11-22 12:00 UTC).
struct V3Sandbox: Sendable {
    let server: SandboxServer
    let client: any TestClientProtocol

    static func run(quirks: SandboxQuirks = SandboxQuirks(), layers: [SandboxSeed.Layer] = [], overrides: [SandboxSeed.Override] = [], _ body: @Sendable (V3Sandbox) async throws -> Void) async throws {
        var options = SandboxOptions()
        options.clock = SandboxClock(fixed: SandboxHarness.defaultNow)
        options.quirks = quirks
        options.seed = SandboxSeed(
            users: [
                .init(name: "Alice Archer", email: "alice@example.com", id: "PALICE1"),
                .init(name: "Bob Brown", email: "bob@example.com", id: "PBOB001"),
                .init(name: "Carol Clark", email: "carol@example.com", id: "PCAROL1"),
            ],
            schedules: [.init(name: "Platform", timeZone: "Europe/Berlin", id: "PPLAT01", layers: layers)],
            tokens: [.init(token: SandboxHarness.key, readOnly: false)],
            overrides: overrides
        )
        let server = try await SandboxServer(options: options)
        try await server.application().test(.router) { client in
            try await body(V3Sandbox(server: server, client: client))
        }
    }

    struct Answer: Sendable {
        var status: Int
        var text: String
        var json: JSONValue?

        subscript(key: String) -> JSONValue? { json?[key] }
    }

    /// One request; `body` is sent as JSON.
    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, key: String = SandboxHarness.key) async throws -> Answer {
        var fields = HTTPFields()
        fields[.authorization] = "Token token=\(key)"
        fields[.accept] = "application/vnd.pagerduty+json;version=2"
        if body != nil { fields[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) }) { response in
            let text = String(buffer: response.body)
            return Answer(status: Int(response.status.code), text: text, json: try? JSONValue.parse(text))
        }
    }

    /// Creates a schedule and returns its id.
    func createSchedule(name: String = "Shift-based", timeZone: String = "Europe/Berlin") async throws -> String {
        let answer = try await call(.post, "/v3/schedules", #"{"schedule":{"name":"\#(name)","time_zone":"\#(timeZone)","rotations":[]}}"#)
        #expect(answer.status == 201, "\(answer.text)")
        return try #require(answer["schedule"]?["id"]?.stringValue)
    }

    func createRotation(_ schedule: String) async throws -> String {
        let answer = try await call(.post, "/v3/schedules/\(schedule)/rotations", "{}")
        #expect(answer.status == 201, "\(answer.text)")
        return try #require(answer["rotation"]?["id"]?.stringValue)
    }

    /// An event body: first occurrence `start`–`end` (local times in `zone`), `rrule`, members.
    static func event(
        name: String = "Weekly", start: String, end: String, zone: String = "Europe/Berlin", since: String = "2026-11-22T12:00:00Z", until: String? = nil,
        recurrence: [String] = ["RRULE:FREQ=WEEKLY;INTERVAL=1"], strategy: String = "rotating_member_assignment_strategy",
        members: [String?] = ["PALICE1", "PBOB001"], shiftsPerMember: Int? = 1
    ) -> String {
        let memberText = members.map { $0.map { #"{"type":"user_member","user_id":"\#($0)"}"# } ?? #"{"type":"empty_member"}"# }.joined(separator: ",")
        let recurrenceText = recurrence.map { "\"\($0)\"" }.joined(separator: ",")
        let perMember = shiftsPerMember.map { #","shifts_per_member":\#($0)"# } ?? ""
        let untilText = until.map { #""\#($0)""# } ?? "null"
        return """
            {"event":{"name":"\(name)","start_time":{"date_time":"\(start)","time_zone":"\(zone)"},"end_time":{"date_time":"\(end)","time_zone":"\(zone)"},\
            "effective_since":"\(since)","effective_until":\(untilText),"recurrence":[\(recurrenceText)],\
            "assignment_strategy":{"type":"\(strategy)","members":[\(memberText)]\(perMember)}}}
            """
    }

    func createEvent(_ schedule: String, _ rotation: String, _ body: String) async throws -> String {
        let answer = try await call(.post, "/v3/schedules/\(schedule)/rotations/\(rotation)/events", body)
        #expect(answer.status == 201, "\(answer.text)")
        return try #require(answer["event"]?["id"]?.stringValue)
    }

    /// The final schedule's entries as `start end member source-type` lines, times in UTC.
    func finalSchedule(_ schedule: String, since: String, until: String, extra: String = "") async throws -> [String] {
        let answer = try await call(.get, "/v3/schedules/\(schedule)?include[]=final_schedule&since=\(since)&until=\(until)&time_zone=UTC\(extra)")
        #expect(answer.status == 200, "\(answer.text)")
        let entries = answer["schedule"]?["final_schedule"]?["computed_shift_assignments"]?.arrayValue ?? []
        return entries.map { entry in
            let member = entry["member"]?["user_id"]?.stringValue ?? "empty"
            let source = entry["source"]?["type"]?.stringValue ?? "?"
            return "\(entry["start_time"]?.stringValue ?? "?") \(entry["end_time"]?.stringValue ?? "?") \(member) \(source)"
        }
    }

    /// The field paths of a v3 400's `errors` map.
    static func errorFields(_ answer: Answer) -> [String] {
        answer["error"]?["errors"]?.objectValue?.map(\.0) ?? []
    }
}
