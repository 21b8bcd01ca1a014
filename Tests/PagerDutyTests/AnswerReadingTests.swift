import HandoffDestination
import HandoffTime
@testable import PagerDuty
import Testing

/// PagerDuty's answers are read by OrderedJSON's strict reader: what it refuses is an answer that
/// says nothing, never a guess.
@Suite("PagerDuty answers through the strict JSON reader")
struct AnswerReadingTests {
    private let key = APIKey("u+abcdefghijklmnopqrst")
    private let request = PlannedOverride(start: Instant(secondsSinceEpoch: 1_795_348_800), end: Instant(secondsSinceEpoch: 1_795_352_400), userID: "PU1")

    private func results(_ body: String) -> [OverrideCreation]? {
        PagerDutyClient.creationResults(Array(body.utf8), requested: [request], key: key)
    }

    @Test("a creation answer with a key twice is unknown, not read one way or the other")
    func duplicateKeys() {
        #expect(results(#"[{"status": 201, "status": 400, "override": {"id": "Q1", "start": "2026-11-17T08:00:00Z", "end": "2026-11-17T09:00:00Z", "user": {"id": "PU1"}}}]"#) == nil)
        #expect(results(#"[{"status": 400, "errors": ["no"]}]"#) != nil)
    }

    @Test("invalid UTF-8, lone surrogates, deep nesting and trailing garbage are unknown answers")
    func hostileBodies() {
        #expect(PagerDutyClient.creationResults([0x5B, 0x22, 0xFF, 0x22, 0x5D], requested: [request], key: key) == nil)
        #expect(results(#"[{"status": 400, "errors": ["\ud800"]}]"#) == nil)
        #expect(results(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)) == nil)
        #expect(results(#"[{"status": 400, "errors": ["no"]}] trailing"#) == nil)
    }

    @Test("an error body with a key twice says nothing, rather than one of its messages")
    func errorBodyDuplicate() {
        let body = ErrorBody(bytes: Array(#"{"error": {"message": "first", "message": "second"}}"#.utf8), key: key)
        #expect(body.message == nil && body.summary == nil)
        let plain = ErrorBody(bytes: Array(#"{"error": {"message": "Invalid Input Provided", "code": 2001, "errors": ["Start must be a valid date and time"]}}"#.utf8), key: key)
        #expect(plain.summary == "Invalid Input Provided: Start must be a valid date and time (code 2001)")
    }
}
