internal import CYAML
import SafeText

/// Reads one YAML document into a tree of located nodes through libyaml's event API.
///
/// libyaml tokenises and parses; this loader adds what libyaml leaves to its callers: anchors and
/// aliases (expansion bounded by `YAMLLimits.maxExpandedNodes`), merge keys (`<<`), duplicate-key
/// detection, a nesting bound, and "one document per file".
public enum YAMLLoader {
    /// What a file holds: its root node (nil for an empty file) and every problem found.
    public struct Result: Sendable {
        public var root: YAMLNode?
        public var errors: [YAMLError]
    }

    public static func load(_ text: String, path: String, limits: YAMLLimits = .default) -> Result {
        load(Array(text.utf8), path: path, limits: limits)
    }

    public static func load(_ bytes: [UInt8], path: String, limits: YAMLLimits = .default) -> Result {
        if bytes.count > limits.maxBytes {
            let error = YAMLError(
                "the file is \(bytes.count) bytes, more than the limit of \(limits.maxBytes)",
                at: SourceLocation(path: path, line: 1, column: 1)
            )
            return Result(root: nil, errors: [error])
        }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            let error = YAMLError("libyaml could not start (out of memory)", at: SourceLocation(path: path, line: 1, column: 1))
            return Result(root: nil, errors: [error])
        }
        defer { yaml_parser_delete(parser) }

        // libyaml keeps a pointer into the input for the whole parse; the trailing NUL gives an
        // empty input a valid pointer too.
        var input = bytes
        input.append(0)
        return input.withUnsafeBufferPointer { buffer -> Result in
            yaml_parser_set_input_string(parser, buffer.baseAddress, bytes.count)
            var builder = TreeBuilder(path: path, limits: limits, bytes: bytes)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) == 1 else {
                    builder.recordParserError(parser.pointee)
                    break
                }
                let done = builder.handle(event)
                yaml_event_delete(&event)
                if done { break }
            }
            return Result(root: builder.root, errors: builder.errors)
        }
    }
}

// MARK: - Tree building

private struct TreeBuilder {
    let path: String
    let limits: YAMLLimits
    let bytes: [UInt8]

    var root: YAMLNode?
    var errors: [YAMLError] = []
    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var openAnchors: Set<String> = []
    private var documents = 0
    private var expandedNodes = 0
    /// Nodes counted because an alias repeated them: tells the "billion laughs" case from a
    /// document that is simply too large.
    private var aliasedNodes = 0

    init(path: String, limits: YAMLLimits, bytes: [UInt8]) {
        self.path = path
        self.limits = limits
        self.bytes = bytes
    }

    private struct Anchored {
        var node: YAMLNode
        var weight: Int
    }

    private enum Entry {
        case pair(YAMLPair)
        case merge([YAMLNode])
    }

    private struct Frame {
        var isMapping: Bool
        var start: Mark
        var anchor: String?
        var tag: String?
        var items: [YAMLNode] = []
        var entries: [Entry] = []
        var pendingKey: YAMLNode?
        var pendingKeyIsDuplicate = false
        var firstKeyMarks: [String: Mark] = [:]
        /// Nodes this collection stands for with its aliases expanded, itself included.
        var weight = 1
    }

    /// Handles one event; returns true when loading must stop.
    mutating func handle(_ event: yaml_event_t) -> Bool {
        let start = mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT, YAML_DOCUMENT_END_EVENT:
            return false
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                fail("a file holds one document, but a second document starts here; split it into two files", at: start)
                return true
            }
            return false
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            return alias(named: name, at: start, end: mark(event.end_mark))
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let value = data.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: data.length), as: UTF8.self) } ?? ""
            let node = YAMLNode(
                content: .scalar(YAMLScalar(value, style: style(data.style))),
                tag: string(data.tag),
                path: path,
                start: start,
                end: mark(event.end_mark)
            )
            if let anchor = string(data.anchor) {
                anchors[anchor] = Anchored(node: node, weight: 1)
            }
            return add(node, weight: 1, at: start)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            return open(Frame(isMapping: false, start: start, anchor: string(data.anchor), tag: string(data.tag)))
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            return open(Frame(isMapping: true, start: start, anchor: string(data.anchor), tag: string(data.tag)))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            return close(end: mark(event.end_mark))
        default:
            return false
        }
    }

    private mutating func open(_ frame: Frame) -> Bool {
        if stack.count >= limits.maxDepth {
            fail("lists and mappings are nested more than \(limits.maxDepth) levels deep", at: frame.start)
            return true
        }
        if count(1, at: frame.start) { return true }
        if let anchor = frame.anchor { openAnchors.insert(anchor) }
        stack.append(frame)
        return false
    }

    private mutating func close(end: Mark) -> Bool {
        guard let frame = stack.popLast() else { return false }
        let content: YAMLNode.Content
        if frame.isMapping {
            content = .mapping(Self.resolveMerges(frame.entries, explicitKeys: frame.firstKeyMarks))
        } else {
            content = .sequence(frame.items)
        }
        let node = YAMLNode(content: content, tag: frame.tag, path: path, start: frame.start, end: end)
        if let anchor = frame.anchor {
            openAnchors.remove(anchor)
            anchors[anchor] = Anchored(node: node, weight: frame.weight)
        }
        return add(node, weight: frame.weight, at: frame.start, counted: true)
    }

    private mutating func alias(named name: String, at start: Mark, end: Mark) -> Bool {
        if openAnchors.contains(name) {
            fail("alias *\(SafeText.excerpt(name)) refers to the node that contains it; a value cannot include itself", at: start)
            return add(nullNode(at: start, end: end), weight: 1, at: start)
        }
        guard let anchored = anchors[name] else {
            let shown = SafeText.excerpt(name)
            fail("undefined alias *\(shown); define the anchor &\(shown) before using it", at: start)
            return add(nullNode(at: start, end: end), weight: 1, at: start)
        }
        aliasedNodes += anchored.weight
        if count(anchored.weight, at: start) { return true }
        return add(anchored.node, weight: anchored.weight, at: start, counted: true)
    }

    /// Counts nodes toward the expansion budget; returns true (after recording the error) when
    /// the budget is exceeded.
    private mutating func count(_ nodes: Int, at place: Mark) -> Bool {
        expandedNodes += nodes
        guard expandedNodes > limits.maxExpandedNodes else { return false }
        if aliasedNodes == 0 {
            fail(
                "this document holds more than \(limits.maxExpandedNodes) nodes (keys, values, lists and mappings), "
                    + "the node limit of the loader; split it into smaller files",
                at: place
            )
        } else {
            fail(
                "aliases expand this document to more than \(limits.maxExpandedNodes) values; "
                    + "an alias of an alias of a list multiplies its size (a \"billion laughs\" document)",
                at: place
            )
        }
        return true
    }

    private mutating func add(_ node: YAMLNode, weight: Int, at place: Mark, counted: Bool = false) -> Bool {
        if !counted, count(weight, at: place) { return true }
        guard var frame = stack.popLast() else {
            root = node
            return false
        }
        frame.weight += weight
        if !frame.isMapping {
            frame.items.append(node)
        } else if let key = frame.pendingKey {
            frame.pendingKey = nil
            if frame.pendingKeyIsDuplicate {
                frame.pendingKeyIsDuplicate = false
            } else if Self.isMergeKey(key) {
                if let sources = mergeSources(node) { frame.entries.append(.merge(sources)) }
            } else {
                frame.entries.append(.pair(YAMLPair(key: key, value: node)))
            }
        } else {
            frame.pendingKey = node
            if let scalar = node.scalar, !Self.isMergeKey(node) {
                if let first = frame.firstKeyMarks[scalar.value] {
                    fail("duplicate key \"\(SafeText.excerpt(scalar.value))\"; it is already defined at line \(first.line)", at: node.start)
                    frame.pendingKeyIsDuplicate = true
                } else {
                    frame.firstKeyMarks[scalar.value] = node.start
                }
            }
        }
        stack.append(frame)
        return false
    }

    private static func isMergeKey(_ node: YAMLNode) -> Bool {
        guard let scalar = node.scalar, scalar.value == "<<" else { return false }
        return scalar.style == .plain && (node.tag == nil || node.tag == "tag:yaml.org,2002:merge")
    }

    private mutating func mergeSources(_ value: YAMLNode) -> [YAMLNode]? {
        switch value.content {
        case .mapping:
            return [value]
        case .sequence(let items) where items.allSatisfy({ $0.mapping != nil }):
            return items
        default:
            fail("a merge key (<<) takes a mapping or a list of mappings, not \(value.kindDescription)", at: value.start)
            return nil
        }
    }

    /// Applies merge keys: explicit keys win over merged ones, and among merged mappings the
    /// earlier one wins, as the YAML merge-key specification says.
    private static func resolveMerges(_ entries: [Entry], explicitKeys: [String: Mark]) -> [YAMLPair] {
        var pairs: [YAMLPair] = []
        pairs.reserveCapacity(entries.count)
        var mergedKeys: Set<String> = []
        for entry in entries {
            switch entry {
            case .pair(let pair):
                pairs.append(pair)
            case .merge(let sources):
                for source in sources {
                    for pair in source.mapping ?? [] {
                        if let key = pair.key.scalar?.value {
                            if explicitKeys[key] != nil || !mergedKeys.insert(key).inserted { continue }
                        }
                        pairs.append(pair)
                    }
                }
            }
        }
        return pairs
    }

    private func nullNode(at start: Mark, end: Mark) -> YAMLNode {
        YAMLNode(content: .scalar(YAMLScalar("")), path: path, start: start, end: end)
    }

    private mutating func fail(_ message: String, at place: Mark) {
        errors.append(YAMLError(message, at: SourceLocation(path: path, start: place)))
    }

    // MARK: libyaml errors

    mutating func recordParserError(_ parser: yaml_parser_t) {
        let problem = parser.problem.map { String(cString: $0) } ?? "the YAML could not be read"
        var place: Mark
        if parser.error == YAML_READER_ERROR {
            place = mark(forByteOffset: parser.problem_offset)
        } else {
            place = mark(parser.problem_mark)
        }
        place = clamp(place)
        var message = "invalid YAML: \(problem)"
        if parser.error == YAML_READER_ERROR, problem.contains("UTF-8") || problem.contains("utf-8") {
            message = "invalid YAML: the file is not valid UTF-8 (\(problem))"
        }
        if let context = parser.context.map({ String(cString: $0) }) {
            let contextMark = clamp(mark(parser.context_mark))
            if contextMark != place {
                message += ", \(context) at line \(contextMark.line), column \(contextMark.column)"
            } else {
                message += ", \(context)"
            }
        }
        if character(at: place) == UInt8(ascii: "\t") {
            message += "; YAML does not allow tabs for indentation, use spaces"
        }
        errors.append(YAMLError(message, at: SourceLocation(path: path, start: place)))
    }

    /// libyaml can report the end of input one line past the last line; point at the last
    /// character instead so the caret lands on real text.
    private func clamp(_ place: Mark) -> Mark {
        let lines = lineStarts()
        guard place.line > lines.count else { return place }
        let lastStart = lines.last ?? 0
        let text = bytes[lastStart...]
        let length = String(decoding: text, as: UTF8.self).unicodeScalars.count
        return Mark(line: max(lines.count, 1), column: length + 1)
    }

    private func lineStarts() -> [Int] {
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") && index + 1 < bytes.count {
            starts.append(index + 1)
        }
        return starts
    }

    private func mark(forByteOffset offset: Int) -> Mark {
        let end = min(offset, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<end where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        // Count characters, not bytes, up to the offending byte.
        let column = bytes[lineStart..<end].reduce(0) { $0 + (($1 & 0xC0) == 0x80 ? 0 : 1) } + 1
        return Mark(line: line, column: column)
    }

    private func character(at place: Mark) -> UInt8? {
        let starts = lineStarts()
        guard place.line >= 1, place.line <= starts.count else { return nil }
        var index = starts[place.line - 1]
        var column = 1
        while index < bytes.count, column < place.column {
            index += 1
            while index < bytes.count, (bytes[index] & 0xC0) == 0x80 { index += 1 }
            column += 1
        }
        return index < bytes.count ? bytes[index] : nil
    }

    // MARK: conversions

    private func mark(_ mark: yaml_mark_t) -> Mark {
        Mark(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    private func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }
}
