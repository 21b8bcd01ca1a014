// MARK: - Reading parsed values

/// What readers ask of a parsed document: a member of an object, and a value as one type or nil.
/// None of them converts between types (a string "5" is not a number, 1 is not `true`), except
/// that a whole number written with a fraction or an exponent (`5.0`, `5e0`) reads as an integer,
/// as Foundation's reader did.
extension JSONValue {
    /// The value of `key` when this is an object that has it (keys are unique in a parsed
    /// document; in a built one, the first wins).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// The members of an object, in document order.
    public var objectValue: [(String, JSONValue)]? {
        if case .object(let pairs) = self { return pairs }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// A whole number within `Int64`.
    public var int64Value: Int64? {
        switch self {
        case .integer(let value): value
        case .number(let value): Int64(exactly: value)
        default: nil
        }
    }

    /// A whole number within `Int`.
    public var intValue: Int? { int64Value.flatMap { Int(exactly: $0) } }

    /// Any number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

}
