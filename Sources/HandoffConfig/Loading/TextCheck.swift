import YAMLNodes

/// Tells text from bytes that must not be echoed.
enum TextCheck {
    /// The place of the first byte that makes `bytes` something other than UTF-8 text (an invalid
    /// sequence or a NUL), or nil for text.
    static func firstNonText(in bytes: [UInt8]) -> Mark? {
        var offset: Int?
        if let nul = bytes.firstIndex(of: 0) { offset = nul }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var position = 0
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                position += UTF8.width(scalar)
            case .emptyInput:
                break decoding
            case .error:
                offset = min(offset ?? position, position)
                break decoding
            }
            if let found = offset, position > found { break }
        }
        guard let offset else { return nil }
        var line = 1
        var column = 1
        var index = 0
        while index < offset {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if bytes[index] & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return Mark(line: line, column: column)
    }
}
