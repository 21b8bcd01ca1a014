import Foundation
import OrderedJSON
import Testing

@Suite("OrderedJSON: the strict reader")
struct JSONParsingTests {
    private func parse(_ text: String) throws(JSONValue.ParseError) -> JSONValue { try JSONValue.parse(text) }

    private func failure(_ bytes: [UInt8], limits: JSONValue.Limits = .init()) -> JSONValue.ParseError? {
        do {
            _ = try JSONValue.parse(bytes, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    private func failure(_ text: String) -> JSONValue.ParseError? { failure(Array(text.utf8)) }

    // MARK: Values

    @Test("every kind of value, with object keys in document order")
    func everyKind() throws {
        let value = try parse(#" { "z": 1, "a": [true, false, null, -2.5, "x"], "m": {} , "e": [] } "#)
        #expect(value == .object([
            ("z", .integer(1)),
            ("a", .array([.bool(true), .bool(false), .null, .number(-2.5), .string("x")])),
            ("m", .object([])),
            ("e", .array([])),
        ]))
        #expect(value.objectValue?.map(\.0) == ["z", "a", "m", "e"])
        #expect(value["z"]?.intValue == 1)
        #expect(value["a"]?.arrayValue?.count == 5)
        #expect(value["missing"] == nil)
        #expect(try parse("\"top\"") == .string("top"))
        #expect(try parse("7") == .integer(7))
    }

    @Test("what it serializes, it reads back equal", arguments: [
        JSONValue.object([("a", .string("line\nbreak \"quoted\" \\ \u{1B}[31m \u{202E} é 日本 🎉")), ("b", .integer(Int64.min)), ("c", .integer(Int64.max))]),
        .array([.number(0.1), .number(-1.5e-300), .number(1.7976931348623157e308), .bool(true), .null]),
        .object([("nested", .array([.object([("k", .array([]))])]))]),
    ])
    func roundTrip(_ value: JSONValue) throws {
        #expect(try JSONValue.parse(value.serialized()) == value)
        #expect(try JSONValue.parse(value.serialized(pretty: false)) == value)
    }

    @Test("strings: every escape, and surrogate pairs")
    func escapes() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u65E5\ud83c\udf89""#) == .string("\"\\/\u{08}\u{0C}\n\r\tAé日🎉"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    }

    // MARK: Numbers

    @Test("integers are exact within Int64; others are doubles, correctly rounded")
    func numbers() throws {
        #expect(try parse("9223372036854775807") == .integer(Int64.max))
        #expect(try parse("-9223372036854775808") == .integer(Int64.min))
        #expect(try parse("9223372036854775808") == .number(9_223_372_036_854_775_808))
        #expect(try parse("-0") == .integer(0))
        #expect(try parse("1.0").intValue == 1)
        #expect(try parse("1e2").intValue == 100)
        #expect(try parse("1.5").intValue == nil)
        #expect(try parse("0.1") == .number(0.1))
        #expect(try parse("1e-400") == .number(0))
        #expect(try parse("123456789012345678901234567890").intValue == nil)
        #expect(try parse("123456789012345678901234567890").doubleValue == 1.2345678901234568e29)
    }

    @Test("numbers beyond a double, and ones JSON does not allow, are refused", arguments: [
        "1e400", "-1e400", String(repeating: "9", count: 400) + ".0", "01", "-", "+1", ".5", "1.", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity", "1_000",
    ])
    func badNumbers(_ text: String) {
        #expect(failure(text) != nil)
    }

    // MARK: Hostile input

    @Test("10,000 levels of nesting are refused at the limit, not a crash")
    func deepNesting() {
        let arrays = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(failure(arrays)?.offset == 512)
        #expect(failure(arrays)?.reason == "arrays and objects are nested deeper than 512 levels")
        let objects = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(failure(objects)?.offset == 512 * 5)
        let unclosed = String(repeating: "[", count: 10_000)
        #expect(failure(unclosed) != nil)
        // Up to the limit is fine.
        let fine = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(failure(fine) == nil)
    }

    @Test("lone surrogates are refused", arguments: [#""\ud800""#, #""\udc00""#, #""\ud800x""#, #""\ud800\u0041""#, #""\ud800\udbff""#, #""\ud83c\""#])
    func loneSurrogates(_ text: String) {
        #expect(failure(text)?.reason == "a string holds a lone surrogate")
        #expect(failure(text)?.offset == 1)
    }

    @Test("invalid UTF-8 is refused, with the offset of the first bad byte")
    func invalidUTF8() {
        #expect(failure([0x22, 0x61, 0xFF, 0x22]) == JSONValue.ParseError(offset: 2, reason: "a string is not valid UTF-8"))
        #expect(failure([0x22, 0x61, 0x5C, 0x6E, 0xC3, 0x22]) != nil)
        // An overlong encoding of "/" and an encoded surrogate.
        #expect(failure([0x22, 0xC0, 0xAF, 0x22]) != nil)
        #expect(failure([0x22, 0xED, 0xA0, 0x80, 0x22]) != nil)
        #expect(failure([0xEF, 0xBB, 0xBF, 0x31])?.reason == "the document starts with a byte order mark")
    }

    @Test("trailing garbage and truncated documents are refused", arguments: [
        ("{} x", 3), ("1 2", 2), ("[1,]", 3), ("{\"a\":1,}", 7), ("[1", 2), ("{\"a\"", 4), ("\"abc", 0), ("", 0), ("   ", 3),
        ("{'a':1}", 1), ("tru", 0), ("nul", 0), ("[1 2]", 3), ("{\"a\" 1}", 5), ("{1:2}", 1), ("\"a\u{0001}b\"", 2), ("\"\\x\"", 1), ("\"\\u12\"", 1),
    ])
    func garbage(_ text: String, _ offset: Int) {
        #expect(failure(text)?.offset == offset)
    }

    @Test("a key twice in one object is refused, in small and large objects")
    func duplicateKeys() {
        #expect(failure(#"{"a":1,"b":2,"a":3}"#) == JSONValue.ParseError(offset: 13, reason: "an object has the key \"a\" twice"))
        let many = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(failure("{" + many + "}") == nil)
        #expect(failure("{" + many + ",\"k39\":0}") != nil)
        // The same key in different objects is fine.
        #expect(failure(#"[{"a":1},{"a":2}]"#) == nil)
        // A hostile key is escaped and cut in the message.
        #expect(failure("{\"\u{1B}[31m\":1,\"\u{1B}[31m\":2}")?.reason.contains("\u{1B}") == false)
    }

    @Test("the size limit refuses a document before reading it")
    func sizeLimit() {
        #expect(failure(Array("[1, 2, 3]".utf8), limits: .init(bytes: 4)) == JSONValue.ParseError(offset: 4, reason: "the document is larger than 4 bytes"))
        #expect(failure(Array("[1]".utf8), limits: .init(bytes: 4)) == nil)
    }

    @Test("the description names the offset")
    func description() {
        #expect(failure("[1,]")?.description == "a value is expected at byte 3")
    }

    @Test("random byte strings neither crash nor hang", arguments: [1, 2, 3])
    func fuzz(_ seed: UInt64) async throws {
        var generator = SplitMix(seed: seed)
        let alphabet = Array(#"{}[]",:0123456789-+.eEtrufalsn \u\"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xA9, 0xED, 0xFF]
        for round in 0..<20_000 {
            // Gives the thread back now and then, so that tests waiting on a simulated PagerDuty
            // (on Swift concurrency's few threads) are not starved.
            if round % 200 == 0 { await Task.yield() }
            let length = Int(generator.next() % 40)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            if let value = try? JSONValue.parse(bytes) {
                // What parses, serializes and parses back to the same value.
                // (`1.0` is written `1` and read back as an integer: compare the texts.)
                #expect(try JSONValue.parse(value.serialized()).serialized() == value.serialized())
            }
        }
    }

    @Test("it reads what Foundation writes, equal to Foundation's reading")
    func agreesWithFoundation() throws {
        let object: [String: Any] = ["a": [1, 2.5, "x", true, NSNull()], "b": ["c": "d\u{1}é"]]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let value = try JSONValue.parse(Array(data))
        #expect(value == .object([
            ("a", .array([.integer(1), .number(2.5), .string("x"), .bool(true), .null])),
            ("b", .object([("c", .string("d\u{1}é"))])),
        ]))
    }
}

/// A small deterministic generator for the fuzz test.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
