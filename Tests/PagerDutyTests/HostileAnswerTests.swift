import Foundation
import HandoffTestSupport
import HandoffDestination
import HandoffTime
import NIOHTTP1
import PagerDuty
import Testing

/// PagerDuty's answers are hostile input too (issue 12, review findings 1 to 4): no header or
/// body may trap, wait without bound, or print the key or raw control characters.
@Suite("Hostile PagerDuty answers")
struct HostileAnswerTests {
    /// A key a hostile server echoes; no piece of 8 characters of it may be shown.
    static let secret = "pd-Echo+Key_0123456789-abcdefghij-KLMNOP"

    static func keyPieces(in text: String) -> [String] {
        let characters = Array(secret)
        return (0...(characters.count - 8)).map { String(characters[$0..<($0 + 8)]) }.filter { text.contains($0) }
    }

    static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    static func configuration(_ server: RecordingHTTPServer, clock: VirtualClientClock = VirtualClientClock()) -> PagerDutyClient.Configuration {
        var configuration = PagerDutyClient.Configuration(baseURL: "http://127.0.0.1:\(server.port)", key: APIKey(secret), connectionName: "acme")
        configuration.clock = clock
        return configuration
    }

    static func json(_ object: Any) -> String {
        (try? JSONSerialization.data(withJSONObject: object)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static let override = PlannedOverride(
        start: Instant(rfc3339: "2026-12-01T09:00:00Z")!,
        end: Instant(rfc3339: "2026-12-01T17:00:00Z")!,
        userID: "PUSER01"
    )

    // MARK: - 1: ratelimit-reset and ratelimit-remaining

    @Test("a 429 naming an absurd ratelimit-reset neither traps nor waits longer than five minutes", arguments: ["inf", "1e300", "-5", "nan", "1e9", "-inf"])
    func absurdRateLimitReset(reset: String) async throws {
        let server = try await RecordingHTTPServer.start { _ in
            RecordingHTTPServer.Reply(
                status: .tooManyRequests,
                headers: [("Content-Type", "application/json"), ("ratelimit-reset", reset), ("ratelimit-remaining", "0")],
                body: #"{"error": {"message": "Too many requests"}}"#
            )
        }
        let clock = VirtualClientClock()
        var configuration = Self.configuration(server, clock: clock)
        configuration.maxRateLimitWaits = 3
        do {
            _ = try await PagerDutyClient.withClient(configuration: configuration) { try await $0.listUsers() }
            Issue.record("endless 429s were accepted")
        } catch let error as PagerDutyError {
            #expect(error.kind == .rateLimited)
        }
        #expect(!clock.sleeps.isEmpty)
        #expect(clock.sleeps.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 300 }, "\(reset): waited \(clock.sleeps)")
        if reset == "1e9" {
            #expect(clock.sleeps.contains { $0 >= 299 }, "a long reset is honoured up to the bound: \(clock.sleeps)")
        }
        #expect(server.requests.count == 4)
        try await server.stop()
    }

    @Test("an absurd ratelimit-remaining on a success neither traps nor stops the run", arguments: ["1e300", "-1e300", "nan", "inf", "0.5"])
    func absurdRateLimitRemaining(remaining: String) async throws {
        let server = try await RecordingHTTPServer.start { _ in
            RecordingHTTPServer.Reply(
                status: .ok,
                headers: [("Content-Type", "application/json"), ("ratelimit-remaining", remaining), ("ratelimit-reset", "1e300")],
                body: #"{"users": [], "more": false}"#
            )
        }
        let clock = VirtualClientClock()
        let users = try await PagerDutyClient.withClient(configuration: Self.configuration(server, clock: clock)) { client in
            _ = try await client.listUsers()
            return try await client.listUsers()
        }
        #expect(users.isEmpty)
        #expect(clock.sleeps.allSatisfy { $0.isFinite && $0 <= 300 }, "\(remaining): waited \(clock.sleeps)")
        try await server.stop()
    }

    @Test("the system clock bounds a wait it is asked for instead of trapping", arguments: [Double.infinity, 1e300, 1e18])
    func systemClockBoundsWaits(seconds: Double) async throws {
        let task = Task {
            // Cancelled first: a bounded wait ends at once with CancellationError instead of waiting.
            withUnsafeCurrentTask { $0?.cancel() }
            try await SystemClientClock().sleep(seconds: seconds)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        // Nothing to wait for: returns at once.
        try await SystemClientClock().sleep(seconds: .nan)
        try await SystemClientClock().sleep(seconds: -5)
    }

    // MARK: - 2: a created override's status

    @Test("a bulk create answer whose status is not a whole number is an unknown outcome, not a trap", arguments: ["1e300", "-1e300", "201.5"])
    func absurdCreationStatus(status: String) async throws {
        let body = #"[{"status": \#(status), "override": {"id": "PO1", "start": "2026-12-01T09:00:00Z", "end": "2026-12-01T17:00:00Z", "user": {"id": "PUSER01", "type": "user_reference"}}}]"#
        let server = try await RecordingHTTPServer.start { _ in
            RecordingHTTPServer.Reply(status: .created, headers: [("Content-Type", "application/json")], body: body)
        }
        do {
            let results = try await PagerDutyClient.withClient(configuration: Self.configuration(server)) {
                try await $0.createOverrides(scheduleID: "PSCHED1", [Self.override])
            }
            Issue.record("status \(status) was taken as \(results)")
        } catch let error as PagerDutyError {
            #expect(error.kind == .outcomeUnknown)
        }
        try await server.stop()
    }

    // MARK: - 3: redaction before the cut

    @Test("an error body echoing the key across the 300-character cut shows no piece of it", arguments: [250, 280, 292, 296])
    func keyAcrossTheCut(padding: Int) async throws {
        let echo = String(repeating: "a", count: padding) + Self.secret + " was refused"
        let body = Self.json(["error": ["message": echo, "code": 2001, "errors": [echo, "b" + echo]]])
        let server = try await RecordingHTTPServer.start { _ in
            RecordingHTTPServer.Reply(status: .badRequest, headers: [("Content-Type", "application/json")], body: body)
        }
        do {
            _ = try await PagerDutyClient.withClient(configuration: Self.configuration(server)) { try await $0.listUsers() }
            Issue.record("a 400 was accepted")
        } catch let error as PagerDutyError {
            let text = "\(error)" + String(reflecting: error) + error.apiErrors.joined()
            #expect(text.hasPrefix("PagerDuty refused to list users (400: aaa"), "\(text)")
            #expect(Self.keyPieces(in: text).isEmpty, "\(Self.keyPieces(in: text)) in \(text)")
        }
        try await server.stop()
    }

    // MARK: - 4: reasons for rejected overrides

    /// 1000 reasons, each echoing the key between terminal escapes and line breaks.
    static let hostileReasons = (0..<1000).map { "reason \($0) \u{1B}]0;owned\u{7}\(secret)\r\n\u{1B}[31m" + String(repeating: "z", count: $0 % 3 == 0 ? 2_000 : 0) }

    static func checkReasons(_ results: [OverrideCreation]) {
        #expect(results.count == 1)
        for result in results {
            guard case .rejected(_, _, let errors) = result else {
                Issue.record("not rejected: \(result)")
                continue
            }
            #expect(errors.count == 20)
            #expect(errors.first?.hasPrefix(#"reason 0 \u{1B}]0;owned\u{7}<redacted>\u{D}\u{A}"#) == true, "\(errors.first ?? "")")
            for error in errors {
                #expect(Self.keyPieces(in: error).isEmpty, "\(error)")
                #expect(!Self.hasControlCharacters(error), "\(error.debugDescription)")
                #expect(error.count <= 400)
            }
        }
    }

    @Test("per-item reasons of a bulk create are redacted, escaped, cut and at most 20")
    func perItemReasons() async throws {
        for errors in [Self.hostileReasons as Any, Self.hostileReasons[0] as Any] {
            let body = Self.json([["status": 400, "errors": errors]])
            let server = try await RecordingHTTPServer.start { _ in
                RecordingHTTPServer.Reply(status: .created, headers: [("Content-Type", "application/json")], body: body)
            }
            let results = try await PagerDutyClient.withClient(configuration: Self.configuration(server)) {
                try await $0.createOverrides(scheduleID: "PSCHED1", [Self.override])
            }
            if errors is String {
                guard case .rejected(_, _, let reasons) = results.first else {
                    Issue.record("not rejected: \(results)")
                    continue
                }
                #expect(reasons.count == 1)
                #expect(reasons.allSatisfy { Self.keyPieces(in: $0).isEmpty && !Self.hasControlCharacters($0) }, "\(reasons)")
            } else {
                Self.checkReasons(results)
            }
            try await server.stop()
        }
    }

    @Test("reasons of a bulk create refused whole (400) are redacted, escaped, cut and at most 20")
    func refusedWholeReasons() async throws {
        let body = Self.json(["error": ["message": "Invalid \(Self.secret)", "code": 2001, "errors": Self.hostileReasons]])
        let server = try await RecordingHTTPServer.start { _ in
            RecordingHTTPServer.Reply(status: .badRequest, headers: [("Content-Type", "application/json")], body: body)
        }
        let results = try await PagerDutyClient.withClient(configuration: Self.configuration(server)) {
            try await $0.createOverrides(scheduleID: "PSCHED1", [Self.override])
        }
        Self.checkReasons(results)

        let messageOnly = Self.json(["error": ["message": "Invalid \u{1B}[2J\(Self.secret)"]])
        let second = try await RecordingHTTPServer.start { _ in
            RecordingHTTPServer.Reply(status: .badRequest, headers: [("Content-Type", "application/json")], body: messageOnly)
        }
        let refused = try await PagerDutyClient.withClient(configuration: Self.configuration(second)) {
            try await $0.createOverrides(scheduleID: "PSCHED1", [Self.override])
        }
        #expect(refused.map { if case .rejected(_, _, let errors) = $0 { errors } else { [] } } == [[#"Invalid \u{1B}[2J<redacted>"#]])
        try await server.stop()
        try await second.stop()
    }
}
