import HandoffTime
import YAMLNodes
import SafeText

/// `schedules:` and the top-level `freeze`: each schedule's zone, horizon, freeze, time off and
/// explicit covers (its rotation, coverage and swaps have files of their own).
extension FileDecoder {
    /// A `freeze`: a duration, or `0` for none; at most as long as the longest horizon.
    mutating func decodeFreeze(_ node: YAMLNode) -> CalendarDuration? {
        guard let text = reader.string(node, "\"freeze\"") else { return nil }
        if text == "0" { return CalendarDuration(0, .minutes) }
        guard let value = CalendarDuration(parsing: text) else {
            reader.error(
                "\"freeze\" must be a duration such as \"3d\" or \"1w\", or 0 for none, not \"\(SafeText.excerpt(text))\"",
                at: node,
                detail: "A duration is a whole number followed by m (minutes), h (hours), d (days) or w (weeks)."
            )
            return nil
        }
        guard value.nominalSeconds <= Int64(Schedule.maximumHorizonDays) * 86_400 else {
            reader.error("freeze \(value) is longer than the limit of 2 years (\(Schedule.maximumHorizonDays)d)", at: node)
            return nil
        }
        return value
    }

    mutating func decodeSchedule(_ name: String, key: YAMLNode, _ node: YAMLNode) -> Schedule? {
        let context = "schedule \"\(name)\""
        let allowed = ["time_zone", "rotation", "coverage", "horizon", "freeze", "time_off", "assignments", "swaps", "description"]
        guard let fields = reader.fields(of: node, allowed: allowed, in: context) else { return nil }
        let zone = fields.required("time_zone", in: context, reader: &reader, missingAt: key.location).flatMap {
            reader.zone($0, "\"time_zone\"")
        }
        let decodedRotation = fields.required("rotation", in: context, reader: &reader, missingAt: key.location).flatMap {
            decodeRotation($0, schedule: name, zone: zone)
        }
        let coverage = fields["coverage"].map { decodeCoverage($0) } ?? []
        var horizon = Schedule.defaultHorizon
        if let horizonNode = fields["horizon"], let value = reader.duration(horizonNode, "\"horizon\"") {
            if value.nominalSeconds > Int64(Schedule.maximumHorizonDays) * 86_400 {
                reader.error("horizon \(value) is longer than the limit of 2 years (\(Schedule.maximumHorizonDays)d)", at: horizonNode)
            } else {
                horizon = value
            }
        }
        var freeze = Schedule.defaultFreeze
        if let freezeNode = fields["freeze"], let value = decodeFreeze(freezeNode) {
            freeze = value
            output.explicitFreezes.insert(name)
        }
        let timeOff = fields["time_off"].map { decodeRanges($0, what: "time_off", itemName: "time off") } ?? []
        let assignments = fields["assignments"].map { decodeRanges($0, what: "assignments", itemName: "assignment") } ?? []
        if let node = fields["description"] { _ = reader.string(node, "\"description\"", allowingLineBreaks: true) }
        // Keep a schedule whose zone or rotation timing is wrong (already reported), so that its
        // members and covers are still checked; checks that need its times are skipped.
        guard let (rotation, rotationComplete) = decodedRotation else { return nil }
        let complete = zone != nil && rotationComplete
        if !complete { output.partialSchedules.insert(name) }
        let effectiveZone = zone ?? Zone.utc
        let swaps = complete ? (fields["swaps"].map { decodeSwaps($0, schedule: name, rotation: rotation, zone: effectiveZone) } ?? []) : []
        return Schedule(
            name: name,
            zone: effectiveZone,
            rotation: rotation,
            coverage: coverage,
            horizon: horizon,
            freeze: freeze,
            timeOff: timeOff,
            assignments: assignments,
            swaps: swaps,
            location: key.location
        )
    }

    /// The rotation and whether it is complete; placeholders stand in for an invalid start or turn

    /// The entries of `time_off` or `assignments`, which are written alike.
    private mutating func decodeRanges(_ node: YAMLNode, what: String, itemName: String) -> [PersonRange] {
        guard let items = reader.list(node, "\"\(what)\"") else { return [] }
        var ranges: [PersonRange] = []
        for item in items {
            guard let fields = reader.fields(of: item, allowed: ["person", "from", "until"], in: "a \(itemName) entry") else { continue }
            let personNode = fields.required("person", in: "a \(itemName) entry", reader: &reader)
            let person = personNode.flatMap { reader.string($0, "\"person\"") }
            let fromNode = fields.required("from", in: "a \(itemName) entry", reader: &reader)
            let untilNode = fields.required("until", in: "a \(itemName) entry", reader: &reader)
            let from = fromNode.flatMap { reader.dateOrDateTime($0, "\"from\"") }
            let until = untilNode.flatMap { reader.dateOrDateTime($0, "\"until\"") }
            guard let person, let personNode, let from, let until, let fromNode, let untilNode else { continue }
            guard until.value > from.value else {
                let fromText = fromNode.scalar?.value ?? "\(from.value)"
                let untilText = untilNode.scalar?.value ?? "\(until.value)"
                reader.error("\"until\" (\(untilText)) must be after \"from\" (\(fromText))", at: untilNode)
                continue
            }
            ranges.append(
                PersonRange(
                    person: person, from: from.value, until: until.value, fromIsDate: from.isDate, untilIsDate: until.isDate,
                    location: item.location, personLocation: personNode.location
                )
            )
        }
        return ranges
    }
}
