public import YAMLNodes

/// Test input with emoji markers (`1️⃣`, `2️⃣`, …) where findings are expected, in the manner of
/// swift-format's tests: the markers are removed and their line and column remembered, so a test
/// states positions by pointing at them instead of counting.
public struct MarkedText: Sendable {
    public let text: String
    public let marks: [String: Mark]

    public static let markers = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

    public init(_ marked: String) {
        var text = ""
        var marks: [String: Mark] = [:]
        var line = 1
        var column = 1
        var rest = Substring(marked)
        outer: while !rest.isEmpty {
            for marker in MarkedText.markers where rest.hasPrefix(marker) {
                marks[marker] = Mark(line: line, column: column)
                rest = rest.dropFirst(marker.count)
                continue outer
            }
            let character = rest.removeFirst()
            text.append(character)
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        self.text = text
        self.marks = marks
    }

    /// The mark of `marker`; fails the calling test by trapping when the marker is missing,
    /// which is a mistake in the test itself.
    public subscript(marker: String) -> Mark {
        guard let mark = marks[marker] else { fatalError("marker \(marker) is not in the test input") }
        return mark
    }
}
