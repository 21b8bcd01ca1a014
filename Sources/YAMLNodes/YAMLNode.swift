import SafeText
/// One value of a YAML document with the place it was written, so that decoding errors can point
/// at the exact line and column. Aliases are already resolved and merge keys already applied.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    /// The explicit tag (`!!str`, `!custom`), in libyaml's expanded form; nil when implicit.
    public var tag: String?
    public var path: String
    public var start: Mark
    public var end: Mark

    public init(content: Content, tag: String? = nil, path: String, start: Mark, end: Mark) {
        self.content = content
        self.tag = tag
        self.path = path
        self.start = start
        self.end = end
    }

    /// The place of the node, for messages.
    public var location: SourceLocation {
        SourceLocation(path: path, start: start, end: end == start ? nil : end)
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// A plain `~`, `null` or empty scalar: what YAML means by "no value".
    public var isNull: Bool {
        guard let scalar, tag == nil || tag == YAMLScalar.nullTag else { return false }
        return scalar.isPlainNull
    }

    /// How the node is named in messages ("a mapping", "a list", "the string \"x\""); a long or
    /// unprintable value is cut and escaped, since messages are printed.
    public var kindDescription: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            if isNull { return "an empty value" }
            return "\"\(SafeText.excerpt(scalar.value))\""
        }
    }
}

/// A key and its value in a mapping, both with their places.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// The text of a scalar and how it was written: a quoted `"09:00"` or `"no"` is always a string,
/// whatever a plain scalar of the same text would mean.
public struct YAMLScalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var value: String
    public var style: Style

    public init(_ value: String, style: Style = .plain) {
        self.value = value
        self.style = style
    }

    public static let nullTag = "tag:yaml.org,2002:null"

    public var isPlain: Bool { style == .plain }

    var isPlainNull: Bool {
        guard style == .plain else { return false }
        switch value {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }
}

extension YAMLNode {
    /// The value of the first pair whose key is the plain text `key`.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.value == key }?.value
    }
}
