import HandoffTime
import YAMLNodes
import SafeText

/// A schedule's `coverage`: the weekly windows in which it needs someone on call.
extension FileDecoder {
    mutating func decodeCoverage(_ node: YAMLNode) -> [CoverageWindow] {
        guard let items = reader.list(node, "\"coverage\"") else { return [] }
        var windows: [CoverageWindow] = []
        for item in items {
            guard let fields = reader.fields(of: item, allowed: ["days", "from", "to"], in: "a coverage window") else { continue }
            var days = Weekday.allCases
            if let daysNode = fields["days"] {
                guard let names = reader.stringList(daysNode, "\"days\"", itemName: "a day") else { continue }
                var parsed: [Weekday] = []
                for (name, location) in names {
                    if let day = Self.weekday(name) {
                        parsed.append(day)
                    } else {
                        reader.error(
                            "\"\(SafeText.excerpt(name))\" is not a day; use mon, tue, wed, thu, fri, sat or sun\(Suggestion.hint(for: name, in: Weekday.allCases.map(\.shortName)))",
                            at: location
                        )
                    }
                }
                guard parsed.count == names.count else { continue }
                if parsed.isEmpty {
                    reader.error("\"days\" lists no day; leave it out to mean every day", at: daysNode)
                    continue
                }
                days = Array(Set(parsed)).sorted()
            }
            let from = fields.required("from", in: "a coverage window", reader: &reader).flatMap { reader.localTime($0, "\"from\"") }
            let to = fields.required("to", in: "a coverage window", reader: &reader).flatMap { reader.localTime($0, "\"to\"") }
            guard let from, let to else { continue }
            if from.minutes == 1440 {
                reader.error("\"from\" must be before 24:00", at: fields["from"] ?? item)
                continue
            }
            let window = CoverageWindow(days: days, from: from, to: to, location: item.location)
            if window.lengthInMinutes == 0 {
                reader.warning(
                    "coverage window from \(from) to \(to) has zero length and covers nothing",
                    at: item.location,
                    detail: "For a whole day write from \"00:00\" to \"24:00\"."
                )
            }
            windows.append(window)
        }
        return windows
    }

    static func weekday(_ name: String) -> Weekday? {
        let lowered = name.lowercased()
        if let day = Weekday(shortName: lowered) { return day }
        let full = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        return full.firstIndex(of: lowered).flatMap { Weekday(rawValue: $0 + 1) }
    }
}
