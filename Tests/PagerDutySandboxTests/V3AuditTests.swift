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

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

extension V3Sandbox {
    /// One request with exactly the headers given (no key or `Accept` added).
    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: [(HTTPField.Name, String)]) async throws -> Answer {
        var fields = HTTPFields()
        for (name, value) in headers { fields[name] = value }
        if body != nil { fields[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) }) { response in
            let text = String(buffer: response.body)
            return Answer(status: Int(response.status.code), text: text, json: try? JSONValue.parse(text))
        }
    }

    /// The audit records of `schedule` as `action type` lines, newest first, following every cursor.
    func auditLines(_ schedule: String, query: String = "", limit: Int = 100) async throws -> [String] {
        var lines: [String] = []
        var cursor: String?
        for _ in 0..<100 {
            let suffix = cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""
            let answer = try await call(.get, "/v3/schedules/\(schedule)/audit/records?limit=\(limit)\(query)\(suffix)")
            #expect(answer.status == 200, "\(answer.text)")
            for record in answer["records"]?.arrayValue ?? [] {
                lines.append("\(record["action"]?.stringValue ?? "?") \(record["details"]?["resource"]?["type"]?.stringValue ?? "?")")
            }
            cursor = answer["next_cursor"]?.stringValue
            if cursor == nil { break }
        }
        return lines
    }
}

/// `GET /v3/schedules/{id}/audit/records` (reference section 6.7, checklist row 1).
@Suite("Simulated PagerDuty: audit records of shift-based schedules")
struct V3AuditTests {
    private func override(_ rotation: String, _ start: String, _ end: String) -> String {
        #"{"type":"override_shift","rotation_id":"\#(rotation)","start_time":"\#(start)","end_time":"\#(end)","overridden_member":{"type":"user_member","user_id":"PALICE1"},"overriding_member":{"type":"user_member","user_id":"PCAROL1"}}"#
    }

    private func customShift(_ start: String, _ end: String) -> String {
        #"{"type":"custom_shift","start_time":"\#(start)","end_time":"\#(end)","assignments":[{"type":"shift_assignment","member":{"type":"user_member","user_id":"PCAROL1"}}]}"#
    }

    /// Every kind of v3 write once: schedule create and update, rotation, event create, update
    /// and delete, a custom shift and an override created, changed and deleted, a rotation deleted.
    private func writeEverything(_ sandbox: V3Sandbox) async throws -> String {
        let schedule = try await sandbox.createSchedule(timeZone: "UTC")
        #expect(try await sandbox.call(.put, "/v3/schedules/\(schedule)", #"{"schedule":{"name":"Renamed"}}"#).status == 200)
        let rotation = try await sandbox.createRotation(schedule)
        let event = try await sandbox.createEvent(schedule, rotation, V3Sandbox.event(start: "2026-11-23T09:00:00Z", end: "2026-11-27T17:00:00Z", zone: "UTC"))
        let eventPath = "/v3/schedules/\(schedule)/rotations/\(rotation)/events/\(event)"
        #expect(try await sandbox.call(.put, eventPath, #"{"event":{"effective_until":"2027-06-01T00:00:00Z"}}"#).status == 200)
        let shifts = try await sandbox.call(.post, "/v3/schedules/\(schedule)/custom_shifts", #"{"custom_shifts":[\#(customShift("2026-11-28T09:00:00Z", "2026-11-28T17:00:00Z"))]}"#)
        let shift = try #require(shifts["custom_shifts"]?.arrayValue?.first?["id"]?.stringValue)
        #expect(try await sandbox.call(.put, "/v3/schedules/\(schedule)/custom_shifts/\(shift)", #"{"custom_shift":{"end_time":"2026-11-28T18:00:00Z"}}"#).status == 200)
        let created = try await sandbox.call(.post, "/v3/schedules/\(schedule)/overrides", #"{"overrides":[\#(override(rotation, "2026-11-24T12:00:00Z", "2026-11-25T12:00:00Z"))]}"#)
        let overrideID = try #require(created["overrides"]?.arrayValue?.first?["id"]?.stringValue)
        #expect(try await sandbox.call(.put, "/v3/schedules/\(schedule)/overrides/\(overrideID)", #"{"override":{"end_time":"2026-11-25T13:00:00Z"}}"#).status == 200)
        #expect(try await sandbox.call(.delete, "/v3/schedules/\(schedule)/overrides/\(overrideID)").status == 204)
        #expect(try await sandbox.call(.delete, "/v3/schedules/\(schedule)/custom_shifts/\(shift)").status == 204)
        #expect(try await sandbox.call(.delete, eventPath).status == 204)
        #expect(try await sandbox.call(.delete, "/v3/schedules/\(schedule)/rotations/\(rotation)").status == 204)
        return schedule
    }

    @Test("every v3 write is recorded, newest first, with the caller's method and the key's last four characters; pages follow next_cursor without repeats")
    func recordsEveryWrite() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await writeEverything(sandbox)
            let expected = [
                "delete schedule_rotation", "delete schedule_event", "delete custom_shift", "delete override_shift", "update override_shift",
                "create override_shift", "update custom_shift", "create custom_shift", "update schedule_event", "create schedule_event",
                "create schedule_rotation", "update schedule", "create schedule",
            ]
            #expect(try await sandbox.auditLines(schedule) == expected)
            #expect(try await sandbox.auditLines(schedule, limit: 2) == expected, "pages of two")
            let first = try await sandbox.call(.get, "/v3/schedules/\(schedule)/audit/records")
            #expect(first["limit"]?.intValue == 25 && first["next_cursor"]?.isNull == true)
            let record = try #require(first["records"]?.arrayValue?.last)
            #expect(record["method"]?["type"]?.stringValue == "api_token")
            #expect(record["method"]?["truncated_token"]?.stringValue == String(SandboxHarness.key.suffix(4)))
            #expect(record["actors"]?.arrayValue?.count == 1)
            #expect(record["root_resource"]?["id"]?.stringValue == schedule && record["execution_time"]?.stringValue == "2026-11-22T12:00:00Z")
            // A rule of the listing: a cursor it never gave is refused.
            #expect(V3Sandbox.errorFields(try await sandbox.call(.get, "/v3/schedules/\(schedule)/audit/records?cursor=bm9wZQ==")) == ["cursor"])
        }
    }

    @Test("the window: since defaults to now minus 24 hours, until to now, at most 31 days apart (400 beyond)")
    func window() async throws {
        try await V3Sandbox.run { sandbox in
            let schedule = try await sandbox.createSchedule()
            sandbox.server.clock.set(at("2026-11-23T13:00:00Z"))
            _ = try await sandbox.createRotation(schedule)
            sandbox.server.clock.set(at("2026-11-24T12:00:00Z"))
            #expect(try await sandbox.auditLines(schedule) == ["create schedule_rotation"], "the create of two days ago is older than 24 hours")
            #expect(try await sandbox.auditLines(schedule, query: "&since=2026-11-22T00:00:00Z") == ["create schedule_rotation", "create schedule"])
            #expect(try await sandbox.auditLines(schedule, query: "&since=2026-11-22T00:00:00Z&until=2026-11-23T00:00:00Z") == ["create schedule"])
            let long = try await sandbox.call(.get, "/v3/schedules/\(schedule)/audit/records?since=2026-10-01T00:00:00Z&until=2026-11-02T00:00:00Z")
            #expect(long.status == 400 && V3Sandbox.errorFields(long) == ["until"], "\(long.text)")
            #expect(try await sandbox.call(.get, "/v3/schedules/\(schedule)/audit/records?since=2026-10-01T00:00:00Z&until=2026-11-01T00:00:00Z").status == 200, "31 days")
            #expect(V3Sandbox.errorFields(try await sandbox.call(.get, "/v3/schedules/\(schedule)/audit/records?since=yesterday")) == ["since"])
        }
    }

    @Test("a layered id is refused as on the other v3 routes, an unknown id is 404; a bearer token is recorded as oauth; a scoped token needs audit_records.read")
    func kindsAndCallers() async throws {
        try await V3Sandbox.run { sandbox in
            let layered = try await sandbox.call(.get, "/v3/schedules/PPLAT01/audit/records")
            #expect(layered.status == 400 && layered.text.contains("v2 Schedules API"))
            #expect(try await sandbox.call(.get, "/v3/schedules/PNOSUCH/audit/records").status == 404)
            let schedule = try await sandbox.createSchedule()
            let bearer = try await sandbox.send(.post, "/v3/schedules/\(schedule)/rotations", "{}", headers: [(.authorization, "Bearer \(SandboxHarness.key)")])
            #expect(bearer.status == 201)
            let records = try await sandbox.call(.get, "/v3/schedules/\(schedule)/audit/records")["records"]?.arrayValue ?? []
            #expect(records.first?["method"]?["type"]?.stringValue == "oauth" && records.last?["method"]?["type"]?.stringValue == "api_token")
            try await sandbox.server.store.addToken("scoped-reader-token-0001", readOnly: false, scopes: ["schedules.read"])
            try await sandbox.server.store.addToken("scoped-auditor-token-0002", readOnly: false, scopes: ["audit_records.read"])
            #expect(try await sandbox.call(.get, "/v3/schedules/\(schedule)/audit/records", key: "scoped-reader-token-0001").status == 403)
            #expect(try await sandbox.call(.get, "/v3/schedules/\(schedule)/audit/records", key: "scoped-auditor-token-0002").status == 200)
        }
    }

    @Test("override and custom-shift writes are recorded by default and left out under the switch (unconfirmed)", arguments: [true, false])
    func shiftWritesSwitch(recorded: Bool) async throws {
        var quirks = SandboxQuirks()
        quirks.v3.auditShiftWrites = recorded
        try await V3Sandbox.run(quirks: quirks) { sandbox in
            let schedule = try await writeEverything(sandbox)
            let lines = try await sandbox.auditLines(schedule)
            let shiftLines = lines.filter { $0.hasSuffix("override_shift") || $0.hasSuffix("custom_shift") }
            #expect(shiftLines.count == (recorded ? 6 : 0))
            #expect(lines.count - shiftLines.count == 7)
        }
    }

    @Test("the full key never appears in any answer, nor in the data file outside the account's own key list")
    func keyNeverShown() async throws {
        let secret = "q7Zt-Kp2Vx-9mWr-L4nB-H8sJ"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("h4-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let dataPath = directory.appendingPathComponent("sandbox.json").path
        var options = SandboxOptions()
        options.clock = SandboxClock(fixed: SandboxHarness.defaultNow)
        options.dataPath = dataPath
        options.seed = SandboxSeed(
            users: [
                .init(name: "Alice Archer", email: "alice@example.com", id: "PALICE1"),
                .init(name: "Bob Brown", email: "bob@example.com", id: "PBOB001"),
                .init(name: "Carol Clark", email: "carol@example.com", id: "PCAROL1"),
            ],
            schedules: [.init(name: "Platform", timeZone: "Europe/Berlin", id: "PPLAT01")],
            tokens: [.init(token: secret, readOnly: false)]
        )
        let server = try await SandboxServer(options: options)
        let answers = try await server.application().test(.router) { client in
            let sandbox = V3Sandbox(server: server, client: client)
            var texts: [String] = []
            let schedule = try await sandbox.call(.post, "/v3/schedules", #"{"schedule":{"name":"S","time_zone":"UTC"}}"#, key: secret)
            texts.append(schedule.text)
            let id = try #require(schedule["schedule"]?["id"]?.stringValue)
            texts.append(try await sandbox.send(.post, "/v3/schedules/\(id)/rotations", "{}", headers: [(.authorization, "Bearer \(secret)")]).text)
            texts.append(try await sandbox.call(.put, "/v3/schedules/\(id)", #"{"schedule":{"name":"T"}}"#, key: secret).text)
            texts.append(try await sandbox.call(.get, "/v3/schedules/\(id)/audit/records", key: secret).text)
            texts.append(try await sandbox.call(.get, "/v3/schedules/\(id)/audit/records?limit=1", key: secret).text)
            texts.append(try await sandbox.call(.get, "/v3/schedules/\(id)", key: secret).text)
            return texts
        }
        #expect(answers[3].contains(#""truncated_token":"H8sJ""#), "the last four characters, and only them")
        let pieces = (0...(secret.count - 5)).map { String(Array(secret)[$0..<($0 + 5)]) }
        for text in answers {
            #expect(!pieces.contains { text.contains($0) }, "no five characters of the key in \(text)")
        }
        let file = try String(contentsOfFile: dataPath, encoding: .utf8)
        #expect(file.components(separatedBy: secret).count == 2, "the key once, in the account's key list")
        let data = try JSONDecoder().decode(SandboxData.self, from: Data(file.utf8))
        #expect(data.tokens.map(\.token) == [secret])
        var withoutKeys = data
        withoutKeys.tokens = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let rest = try #require(String(data: try encoder.encode(withoutKeys), encoding: .utf8))
        #expect(rest.contains("H8sJ"), "the audit records are in the file")
        #expect(!pieces.contains { rest.contains($0) }, "no five characters of the key anywhere else in the file")
    }
}
