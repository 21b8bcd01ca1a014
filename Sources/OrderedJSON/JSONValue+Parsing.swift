import SafeText

// MARK: - Parsing

/// Handoff's one JSON reader: strict RFC 8259 over UTF-8 bytes, for files Handoff wrote (state,
/// journal, saved plans, history) and for answers from PagerDuty, which are hostile input
/// (DESIGN 9). Every input either parses or fails with a `ParseError` naming the byte offset; none
/// traps, recurses without bound or allocates beyond a small multiple of its size.
///
/// Choices where RFC 8259 leaves room:
/// - UTF-8 only, no byte order mark; invalid UTF-8, raw control characters in strings and lone
///   surrogates (`\uD800` without its pair) are refused.
/// - Nesting is bounded (`Limits.depth`), and so is the input's size (`Limits.bytes`).
/// - A number without fraction or exponent that fits `Int64` is `.integer`, exactly; any other
///   number is `.number(Double)`, correctly rounded; one beyond `Double`'s range is refused.
/// - An object with the same key twice is refused: readers of one document must never disagree
///   about which value counts (Foundation's reader kept the last, others keep the first).
/// - Only JSON's whitespace (space, tab, line feed, carriage return) around values; anything after
///   the value is refused.
extension JSONValue {
    /// Why a document is not JSON, and where: the offset of the first byte that is wrong.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Bytes from the start of the document.
        public var offset: Int
        /// One lower-case phrase, e.g. "a string is not closed".
        public var reason: String

        public init(offset: Int, reason: String) {
            self.offset = offset
            self.reason = reason
        }

        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// How much a document may hold.
    public struct Limits: Sendable, Hashable {
        /// Arrays and objects inside each other.
        public var depth: Int
        /// The document's size.
        public var bytes: Int

        public init(depth: Int = 512, bytes: Int = 1 << 30) {
            self.depth = depth
            self.bytes = bytes
        }
    }

    /// The value of a document, or the first reason it is not strict JSON.
    public static func parse(_ bytes: some Collection<UInt8>, limits: Limits = Limits()) throws(ParseError) -> JSONValue {
        guard bytes.count <= limits.bytes else {
            throw ParseError(offset: limits.bytes, reason: "the document is larger than \(limits.bytes) bytes")
        }
        let result: Result<JSONValue, ParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONParser(buffer, depthLimit: limits.depth)
            return Result { () throws(ParseError) -> JSONValue in try parser.document() }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(ParseError) -> JSONValue in
            var parser = JSONParser(buffer, depthLimit: limits.depth)
            return try parser.document()
        }
    }

    /// The value of a document held in a string.
    public static func parse(_ text: String, limits: Limits = Limits()) throws(ParseError) -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }
}

/// A recursive-descent reader over a buffer; recursion is bounded by `depthLimit`.
private struct JSONParser {
    typealias ParseError = JSONValue.ParseError

    let bytes: UnsafeBufferPointer<UInt8>
    let depthLimit: Int
    var position = 0
    var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, depthLimit: Int) {
        self.bytes = bytes
        self.depthLimit = depthLimit
    }

    mutating func document() throws(ParseError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw ParseError(offset: 0, reason: "the document starts with a byte order mark")
        }
        skipWhitespace()
        let value = try self.value()
        skipWhitespace()
        guard position == bytes.count else { throw ParseError(offset: position, reason: "something follows the value") }
        return value
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func value() throws(ParseError) -> JSONValue {
        guard let byte = peek() else { throw ParseError(offset: position, reason: "a value is missing") }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw ParseError(offset: position, reason: "a value is expected")
        }
    }

    private mutating func literal(_ word: StaticString) throws(ParseError) {
        let start = position
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw ParseError(offset: start, reason: "a value is expected") }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] {
            throw ParseError(offset: start, reason: "a value is expected")
        }
        position += count
    }

    private mutating func enter() throws(ParseError) {
        guard depth < depthLimit else { throw ParseError(offset: position, reason: "arrays and objects are nested deeper than \(depthLimit) levels") }
        depth += 1
    }

    private mutating func object() throws(ParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var pairs: [(String, JSONValue)] = []
        var keys: Set<String> = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .object(pairs)
        }
        while true {
            skipWhitespace()
            let keyOffset = position
            guard peek() == UInt8(ascii: "\"") else { throw ParseError(offset: position, reason: "an object key (a string) is expected") }
            let key = try string()
            // Small objects (nearly all of them) are checked by a scan, larger ones by a set.
            let duplicate: Bool
            if pairs.count < 16 {
                duplicate = pairs.contains { $0.0 == key }
            } else {
                if keys.isEmpty { keys = Set(pairs.map(\.0)) }
                duplicate = !keys.insert(key).inserted
            }
            if duplicate { throw ParseError(offset: keyOffset, reason: "an object has the key \"\(SafeTextKey.excerpt(key))\" twice") }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw ParseError(offset: position, reason: "a colon is expected after an object key") }
            position += 1
            skipWhitespace()
            pairs.append((key, try value()))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(pairs)
            default: throw ParseError(offset: position, reason: "a comma or the end of the object is expected")
            }
        }
    }

    private mutating func array() throws(ParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try value())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(items)
            default: throw ParseError(offset: position, reason: "a comma or the end of the array is expected")
            }
        }
    }

    // MARK: Strings

    private mutating func string() throws(ParseError) -> String {
        let open = position
        position += 1
        let start = position
        // The common case: no escapes. Scan to the closing quote, then check the UTF-8 once.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                guard let text = String(validating: slice, as: UTF8.self) else { throw invalidUTF8(from: start) }
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw ParseError(offset: position, reason: "a string holds a raw control character") }
            position += 1
        }
        guard position < bytes.count else { throw ParseError(offset: open, reason: "a string is not closed") }
        // With escapes: copy the plain runs and decode each escape.
        var decoded: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: decoded, as: UTF8.self) else { throw invalidUTF8(from: start) }
                position += 1
                return text
            case UInt8(ascii: "\\"):
                try escape(into: &decoded)
            case 0..<0x20:
                throw ParseError(offset: position, reason: "a string holds a raw control character")
            default:
                decoded.append(byte)
                position += 1
            }
        }
        throw ParseError(offset: open, reason: "a string is not closed")
    }

    private mutating func escape(into decoded: inout [UInt8]) throws(ParseError) {
        let start = position
        guard position + 1 < bytes.count else { throw ParseError(offset: start, reason: "a string is not closed") }
        let letter = bytes[position + 1]
        position += 2
        switch letter {
        case UInt8(ascii: "\""): decoded.append(0x22)
        case UInt8(ascii: "\\"): decoded.append(0x5C)
        case UInt8(ascii: "/"): decoded.append(0x2F)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hex4(escapeAt: start)
            var scalarValue = UInt32(unit)
            if (0xD800..<0xDC00).contains(unit) {
                // A high surrogate must be followed by an escaped low one.
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw ParseError(offset: start, reason: "a string holds a lone surrogate")
                }
                let lowStart = position
                position += 2
                let low = try hex4(escapeAt: lowStart)
                guard (0xDC00..<0xE000).contains(low) else { throw ParseError(offset: start, reason: "a string holds a lone surrogate") }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            } else if (0xDC00..<0xE000).contains(unit) {
                throw ParseError(offset: start, reason: "a string holds a lone surrogate")
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { throw ParseError(offset: start, reason: "a string holds a lone surrogate") }
            decoded.append(contentsOf: UTF8.encode(scalar).map { Array($0) } ?? [])
        default:
            throw ParseError(offset: start, reason: "a string holds an unknown escape")
        }
    }

    /// Four hexadecimal digits after `\u`.
    private mutating func hex4(escapeAt start: Int) throws(ParseError) -> UInt16 {
        guard bytes.count - position >= 4 else { throw ParseError(offset: start, reason: "a \\u escape lacks its four hexadecimal digits") }
        var unit: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw ParseError(offset: start, reason: "a \\u escape lacks its four hexadecimal digits")
            }
            unit = unit << 4 | UInt16(digit)
            position += 1
        }
        return unit
    }

    /// The offset of the first byte that is not valid UTF-8 after `start`.
    private func invalidUTF8(from start: Int) -> ParseError {
        var offset = start
        var iterator = UnsafeBufferPointer(rebasing: bytes[start...]).makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: break loop
            }
        }
        return ParseError(offset: offset, reason: "a string is not valid UTF-8")
    }

    // MARK: Numbers

    private mutating func number() throws(ParseError) -> JSONValue {
        let start = position
        var integral = true
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw ParseError(offset: start, reason: "a number lacks its digits") }
        position += 1
        if first == UInt8(ascii: "0"), let next = peek(), isDigit(next) {
            throw ParseError(offset: start, reason: "a number starts with a zero")
        }
        skipDigits()
        if peek() == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard let digit = peek(), isDigit(digit) else { throw ParseError(offset: start, reason: "a number lacks the digits of its fraction") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            integral = false
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek(), isDigit(digit) else { throw ParseError(offset: start, reason: "a number lacks the digits of its exponent") }
            skipDigits()
        }
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
        if integral, let value = Self.int64(slice) { return .integer(value) }
        let text = String(decoding: slice, as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw ParseError(offset: start, reason: "a number is beyond the range of a double") }
        return .number(value)
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// An optional minus and digits as an `Int64`, or nil when beyond its range.
    private static func int64(_ digits: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let negative = digits.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var value: Int64 = 0
        while index < digits.count {
            let digit = Int64(digits[index] &- UInt8(ascii: "0"))
            // Accumulated negatively, so that Int64.min fits.
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowMinus) = times.subtractingReportingOverflow(digit)
            guard !overflowTimes, !overflowMinus else { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        let (positive, overflow) = Int64(0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }
}

/// Keys named in error messages are cut and escaped: the document may be hostile.
private enum SafeTextKey {
    static func excerpt(_ key: String) -> String { SafeText.excerpt(key, limit: 40) }
}
