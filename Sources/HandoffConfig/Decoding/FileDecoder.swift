import Foundation
import HandoffTime
import YAMLNodes
import SafeText

/// What one file declares, before the files are merged and cross-checked.
struct FileDeclarations: Sendable {
    var path: String
    var versions: [(value: Int, location: SourceLocation)] = []
    var states: [StateSettings] = []
    var connections: [Connection] = []
    var people: [Person] = []
    var schedules: [Schedule] = []
    var destinations: [Destination] = []
    var moves: [MovedDestination] = []
    var removals: [RemovedDestination] = []
    var diagnostics: [Diagnostic] = []
    /// Every name declared, by kind ("connection", "person", ...), including entries that failed
    /// to decode, so that references to them do not also report "not defined".
    var declaredNames: [String: Set<String>] = [:]
    /// Schedules decoded with placeholders for invalid parts (already reported); they take part
    /// in reference checks but not in checks that need their times.
    var partialSchedules: Set<String> = []
}

/// Decodes the top-level keys of one file into model values (DESIGN section 3). Checks that need
/// only the file itself (types, formats, ranges, turn starts within a schedule) happen here;
/// checks across files happen in `ConfigurationValidator`.
struct FileDecoder {
    static let topLevelKeys = ["version", "state", "connections", "people", "schedules", "destinations", "moved", "removed"]
    static let supportedVersion = 1

    private var reader = NodeReader()
    private var output: FileDeclarations

    private init(path: String) {
        output = FileDeclarations(path: path)
    }

    static func decode(_ root: YAMLNode?, path: String) -> FileDeclarations {
        var decoder = FileDecoder(path: path)
        if let root, !root.isNull { decoder.decodeRoot(root) }
        decoder.output.diagnostics = decoder.reader.diagnostics
        return decoder.output
    }

    private mutating func decodeRoot(_ root: YAMLNode) {
        guard root.mapping != nil else {
            reader.error(
                "a configuration file must be a mapping of top-level keys (\(Self.topLevelKeys.joined(separator: ", "))), not \(root.kindDescription)",
                at: root
            )
            return
        }
        guard let fields = reader.fields(of: root, allowed: Self.topLevelKeys, in: "the top level") else { return }
        if let node = fields["version"] { decodeVersion(node) }
        if let node = fields["state"] { decodeState(node) }
        if let node = fields["connections"] {
            for entry in reader.namedEntries(of: node, kind: "connection") {
                output.declaredNames["connection", default: []].insert(entry.name)
                if let connection = decodeConnection(entry.name, key: entry.key, entry.value) { output.connections.append(connection) }
            }
        }
        if let node = fields["people"] {
            for entry in reader.namedEntries(of: node, kind: "person") {
                output.declaredNames["person", default: []].insert(entry.name)
                if let person = decodePerson(entry.name, key: entry.key, entry.value) { output.people.append(person) }
            }
        }
        if let node = fields["schedules"] {
            for entry in reader.namedEntries(of: node, kind: "schedule") {
                output.declaredNames["schedule", default: []].insert(entry.name)
                if let schedule = decodeSchedule(entry.name, key: entry.key, entry.value) { output.schedules.append(schedule) }
            }
        }
        if let node = fields["destinations"] {
            for entry in reader.namedEntries(of: node, kind: "destination") {
                output.declaredNames["destination", default: []].insert(entry.name)
                if let destination = decodeDestination(entry.name, key: entry.key, entry.value) {
                    output.destinations.append(destination)
                }
            }
        }
        if let node = fields["moved"] { decodeMoves(node) }
        if let node = fields["removed"] { decodeRemovals(node) }
    }

    // MARK: version and state

    private mutating func decodeVersion(_ node: YAMLNode) {
        guard let version = reader.integer(node, "\"version\"") else { return }
        guard version == Self.supportedVersion else {
            reader.error("configuration version \(version) is not supported; this Handoff reads version \(Self.supportedVersion)", at: node)
            return
        }
        output.versions.append((version, node.location))
    }

    private mutating func decodeState(_ node: YAMLNode) {
        let allowed = ["backend", "path", "url_env", "schema", "workspace", "history_days"]
        guard let fields = reader.fields(of: node, allowed: allowed, in: "\"state\"") else { return }
        enum BackendName: String, CaseIterable { case local, postgres }
        var backend = BackendName.local
        if let node = fields["backend"] {
            guard let value = reader.choice(node, "\"backend\"", BackendName.self) else { return }
            backend = value
        }
        switch backend {
        case .local:
            for key in ["url_env", "schema", "workspace", "history_days"] {
                if let keyNode = fields.keyNode(key) {
                    reader.error("\"\(key)\" applies to the postgres state backend only", at: keyNode)
                }
            }
            var path = StateSettings.defaultLocalPath
            if let node = fields["path"], let value = reader.string(node, "\"path\"") {
                if let problem = ContainedPath.problem(value) {
                    reader.error("the state \"path\" must name a file inside the configuration directory, but \(problem)", at: node)
                }
                path = value
            }
            output.states.append(StateSettings(backend: .local(path: path), location: node.location))
        case .postgres:
            if let keyNode = fields.keyNode("path") {
                reader.error("\"path\" applies to the local state backend only", at: keyNode)
            }
            var urlVariable = "HANDOFF_STATE_URL"
            if let node = fields["url_env"], let value = reader.string(node, "\"url_env\"") {
                guard Self.isEnvironmentVariableName(value) else {
                    reader.error("\"url_env\" must name an environment variable (letters, digits and _), not \"\(SafeText.excerpt(value))\"", at: node)
                    return
                }
                urlVariable = value
            }
            var schema = "handoff"
            if let node = fields["schema"], let value = reader.string(node, "\"schema\"") {
                guard Self.isSQLIdentifier(value) else {
                    reader.error("\"schema\" must be a plain SQL name (lower-case letters, digits and _), not \"\(SafeText.excerpt(value))\"", at: node)
                    return
                }
                schema = value
            }
            var workspace = "default"
            if let node = fields["workspace"], let value = reader.string(node, "\"workspace\"") { workspace = value }
            var historyDays = 90
            if let node = fields["history_days"], let value = reader.integer(node, "\"history_days\"") {
                guard value >= 1 else {
                    reader.error("\"history_days\" must be at least 1, not \(value)", at: node)
                    return
                }
                historyDays = value
            }
            output.states.append(
                StateSettings(
                    backend: .postgres(urlEnvironmentVariable: urlVariable, schema: schema, workspace: workspace, historyDays: historyDays),
                    location: node.location
                )
            )
        }
    }

    static func isEnvironmentVariableName(_ text: String) -> Bool {
        let letter: (Unicode.Scalar) -> Bool = { ("A"..."Z").contains($0) || ("a"..."z").contains($0) || $0 == "_" }
        guard let first = text.unicodeScalars.first, letter(first) else { return false }
        return text.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }

    static func isSQLIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) || first == "_", text.count <= 63 else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    // MARK: connections

    private mutating func decodeConnection(_ name: String, key: YAMLNode, _ node: YAMLNode) -> Connection? {
        let context = "connection \"\(name)\""
        let secretKeys = ["token", "api_key", "api_token", "key"]
        let allowed = ["type", "token_env", "api_url", "data", "seed", "description"]
        guard let fields = reader.fields(of: node, allowed: allowed + secretKeys, in: context) else { return nil }
        for secret in secretKeys {
            guard let keyNode = fields.keyNode(secret) else { continue }
            reader.error(
                "a PagerDuty key is never written in the configuration; put it in an environment variable and name that variable with \"token_env\"",
                at: keyNode
            )
        }
        if let node = fields["description"] { _ = reader.string(node, "\"description\"", allowingLineBreaks: true) }
        enum TypeName: String, CaseIterable { case pagerduty, sandbox }
        guard let typeNode = fields.required("type", in: context, reader: &reader, missingAt: key.location),
            let type = reader.choice(typeNode, "\"type\"", TypeName.self)
        else { return nil }
        switch type {
        case .pagerduty:
            for other in ["data", "seed"] {
                if let keyNode = fields.keyNode(other) { reader.error("\"\(other)\" applies to sandbox connections only", at: keyNode) }
            }
            guard let tokenNode = fields.required("token_env", in: context, reader: &reader, missingAt: key.location),
                let variable = reader.string(tokenNode, "\"token_env\"")
            else { return nil }
            guard Self.isEnvironmentVariableName(variable) else {
                reader.error("\"token_env\" must name an environment variable (letters, digits and _), not \"\(SafeText.excerpt(variable))\"", at: tokenNode)
                return nil
            }
            var apiURL = Connection.defaultAPIURL
            if let urlNode = fields["api_url"], let value = reader.string(urlNode, "\"api_url\"") {
                // Where the key may go is `APIHostPolicy`'s one rule, checked after decoding.
                apiURL = value.hasSuffix("/") ? String(value.dropLast()) : value
            }
            return Connection(
                name: name,
                kind: .pagerDuty(tokenEnvironmentVariable: variable, apiURL: apiURL),
                location: key.location,
                apiURLLocation: fields["api_url"]?.location
            )
        case .sandbox:
            for other in ["token_env", "api_url"] {
                if let keyNode = fields.keyNode(other) {
                    reader.error("\"\(other)\" applies to pagerduty connections only; a sandbox needs no key", at: keyNode)
                }
            }
            var data = Connection.defaultSandboxDataPath
            if let dataNode = fields["data"], let value = reader.string(dataNode, "\"data\"") {
                if let problem = ContainedPath.problem(value) {
                    reader.error("\"data\" must name a file inside the configuration directory, but \(problem)", at: dataNode)
                }
                data = value
            }
            var seed: String?
            if let seedNode = fields["seed"], let value = reader.string(seedNode, "\"seed\"") {
                if let problem = ContainedPath.problem(value) {
                    reader.error("\"seed\" must name a file inside the configuration directory, but \(problem)", at: seedNode)
                }
                seed = value
            }
            return Connection(name: name, kind: .sandbox(dataPath: data, seedPath: seed), location: key.location)
        }
    }

    // MARK: people

    private mutating func decodePerson(_ key: String, key keyNode: YAMLNode, _ node: YAMLNode) -> Person? {
        let context = "person \"\(key)\""
        guard let fields = reader.fields(of: node, allowed: ["name", "email"], in: context) else { return nil }
        var name: String?
        if let nameNode = fields["name"] { name = reader.string(nameNode, "\"name\"") }
        guard let emailNode = fields.required("email", in: context, reader: &reader, missingAt: keyNode.location),
            let email = reader.string(emailNode, "\"email\"")
        else { return nil }
        guard Self.isEmailAddress(email) else {
            reader.error("\"\(SafeText.excerpt(email))\" is not an e-mail address", at: emailNode)
            return nil
        }
        return Person(key: key, name: name, email: email, location: keyNode.location)
    }

    static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            text.count <= 254
        else { return false }
        return !text.contains { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }
    }

    // MARK: destinations

    private mutating func decodeDestination(_ name: String, key: YAMLNode, _ node: YAMLNode) -> Destination? {
        let context = "destination \"\(name)\""
        let allowed = ["schedule", "connection", "pagerduty_schedule", "manual_changes", "description"]
        guard let fields = reader.fields(of: node, allowed: allowed, in: context) else { return nil }
        let scheduleNode = fields.required("schedule", in: context, reader: &reader, missingAt: key.location)
        let connectionNode = fields.required("connection", in: context, reader: &reader, missingAt: key.location)
        let pagerDutyNode = fields.required("pagerduty_schedule", in: context, reader: &reader, missingAt: key.location)
        let schedule = scheduleNode.flatMap { reader.string($0, "\"schedule\"") }
        let connection = connectionNode.flatMap { reader.string($0, "\"connection\"") }
        var pagerDutySchedule = pagerDutyNode.flatMap { reader.string($0, "\"pagerduty_schedule\"") }
        if let id = pagerDutySchedule, let idNode = pagerDutyNode,
            !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) || id.count > 32
        {
            reader.error("\"pagerduty_schedule\" must be a PagerDuty schedule id such as PABC123, not \"\(SafeText.excerpt(id))\"", at: idNode)
            pagerDutySchedule = nil
        }
        var manualChanges = Destination.ManualChanges.keep
        if let node = fields["manual_changes"] {
            guard let value = reader.choice(node, "\"manual_changes\"", Destination.ManualChanges.self) else { return nil }
            manualChanges = value
        }
        if let node = fields["description"] { _ = reader.string(node, "\"description\"", allowingLineBreaks: true) }
        guard let schedule, let connection, let pagerDutySchedule, let scheduleNode, let connectionNode else { return nil }
        return Destination(
            name: name,
            schedule: schedule,
            connection: connection,
            pagerDutySchedule: pagerDutySchedule,
            manualChanges: manualChanges,
            location: key.location,
            scheduleLocation: scheduleNode.location,
            connectionLocation: connectionNode.location
        )
    }

    // MARK: moved and removed

    /// `moved: [{ from: old-name, to: new-name }]`; whether the names are configured is checked
    /// across files, by `ConfigurationValidator`.
    private mutating func decodeMoves(_ node: YAMLNode) {
        guard let items = reader.list(node, "\"moved\"") else { return }
        for item in items {
            let context = "a moved entry"
            guard let fields = reader.fields(of: item, allowed: ["from", "to"], in: context) else { continue }
            let fromNode = fields.required("from", in: context, reader: &reader)
            let toNode = fields.required("to", in: context, reader: &reader)
            let from = fromNode.flatMap { destinationName($0, "\"from\"") }
            let to = toNode.flatMap { destinationName($0, "\"to\"") }
            guard let from, let to, let fromNode, let toNode else { continue }
            guard from != to else {
                reader.error("a moved entry must name two different destinations, but both are \"\(from)\"", at: toNode)
                continue
            }
            output.moves.append(MovedDestination(from: from, to: to, location: item.location, fromLocation: fromNode.location, toLocation: toNode.location))
        }
    }

    /// `removed: [{ destination: name, keep_overrides: true }]`; `keep_overrides` is required, as
    /// either answer is a deliberate choice about what stays in PagerDuty.
    private mutating func decodeRemovals(_ node: YAMLNode) {
        guard let items = reader.list(node, "\"removed\"") else { return }
        for item in items {
            let context = "a removed entry"
            guard let fields = reader.fields(of: item, allowed: ["destination", "keep_overrides"], in: context) else { continue }
            let destinationNode = fields.required("destination", in: context, reader: &reader)
            let keepNode = fields.required("keep_overrides", in: context, reader: &reader)
            let destination = destinationNode.flatMap { destinationName($0, "\"destination\"") }
            let keep = keepNode.flatMap { reader.boolean($0, "\"keep_overrides\"") }
            guard let destination, let keep, let destinationNode else { continue }
            output.removals.append(
                RemovedDestination(destination: destination, keepOverrides: keep, location: item.location, destinationLocation: destinationNode.location)
            )
        }
    }

    private mutating func destinationName(_ node: YAMLNode, _ what: String) -> String? {
        guard let name = reader.string(node, what) else { return nil }
        guard NodeReader.isValidName(name) else {
            reader.error(
                "\(what) must be a destination name (ASCII letters, digits, \"-\", \"_\" and \".\", starting with a letter or digit), not \"\(SafeText.excerpt(name))\"",
                at: node
            )
            return nil
        }
        return name
    }

    // MARK: schedules

    private mutating func decodeSchedule(_ name: String, key: YAMLNode, _ node: YAMLNode) -> Schedule? {
        let context = "schedule \"\(name)\""
        let allowed = ["time_zone", "rotation", "coverage", "horizon", "time_off", "assignments", "swaps", "description"]
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
            timeOff: timeOff.map { TimeOff(person: $0.person, from: $0.from, until: $0.until, location: $0.location, personLocation: $0.personLocation) },
            assignments: assignments.map {
                Assignment(person: $0.person, from: $0.from, until: $0.until, location: $0.location, personLocation: $0.personLocation)
            },
            swaps: swaps,
            location: key.location
        )
    }

    /// The rotation and whether it is complete; placeholders stand in for an invalid start or turn
    /// (already reported) so that its members can still be checked.
    private mutating func decodeRotation(_ node: YAMLNode, schedule: String, zone: Zone?) -> (Rotation, Bool)? {
        let context = "the rotation of schedule \"\(schedule)\""
        guard let fields = reader.fields(of: node, allowed: ["members", "start", "turn", "changes"], in: context) else { return nil }
        let members = fields.required("members", in: context, reader: &reader).flatMap { decodeMembers($0, context: context) }
        let start = fields.required("start", in: context, reader: &reader).flatMap { reader.localDateTime($0, "\"start\"") }
        let turn = fields.required("turn", in: context, reader: &reader).flatMap { decodeTurn($0) }
        guard let members else { return nil }
        var complete = start != nil && turn != nil
        let placeholderStart = LocalDateTime(date: LocalDate(daysSinceEpoch: 0), time: .midnight)
        var eras = [
            RotationEra(
                from: start ?? placeholderStart,
                members: members.map(\.0),
                turn: turn ?? CalendarDuration(1, .weeks),
                location: node.location,
                memberLocations: members.map(\.1)
            )
        ]
        guard let changesNode = fields["changes"], let changes = reader.list(changesNode, "\"changes\"") else {
            return (Rotation(eras: eras), complete)
        }
        for change in changes {
            guard let changeFields = reader.fields(of: change, allowed: ["from", "members", "turn"], in: "a rotation change") else {
                complete = false
                continue
            }
            let fromNode = changeFields.required("from", in: "a rotation change", reader: &reader)
            let from = fromNode.flatMap { reader.localDateTime($0, "\"from\"") }
            let previous = eras[eras.count - 1]
            var era = RotationEra(
                from: from ?? previous.from,
                members: previous.members,
                turn: previous.turn,
                location: change.location,
                memberLocations: previous.memberLocations
            )
            if let membersNode = changeFields["members"] {
                if let members = decodeMembers(membersNode, context: "a rotation change") {
                    era.members = members.map(\.0)
                    era.memberLocations = members.map(\.1)
                } else {
                    complete = false
                }
            }
            if let turnNode = changeFields["turn"] {
                if let turn = decodeTurn(turnNode) { era.turn = turn } else { complete = false }
            }
            guard let from, let fromNode else {
                complete = false
                continue
            }
            if complete {
                if from <= previous.from {
                    reader.error(
                        "a rotation change from \(from) must be later than the start of the rotation before it (\(previous.from))",
                        at: fromNode
                    )
                    complete = false
                } else if let zone, previous.turnIndex(startingAt: from, in: zone) == nil {
                    let k = previous.turnIndex(containing: zone.instant(for: from), in: zone)
                    reader.error(
                        "a rotation change from \(from) is not the start of a turn of the rotation before it; "
                            + "the nearest turns start at \(previous.turnStartLocal(k, in: zone)) and \(previous.turnStartLocal(k + 1, in: zone))",
                        at: fromNode,
                        detail: "A change takes effect at a handoff, so that no turn is cut in two."
                    )
                    complete = false
                }
            }
            eras.append(era)
        }
        return (Rotation(eras: eras), complete)
    }

    private mutating func decodeMembers(_ node: YAMLNode, context: String) -> [(String, SourceLocation)]? {
        guard let members = reader.stringList(node, "\"members\"", itemName: "a member") else { return nil }
        guard !members.isEmpty else {
            reader.error("\(context) has no members; list at least one person", at: node)
            return nil
        }
        return members
    }

    private mutating func decodeTurn(_ node: YAMLNode) -> CalendarDuration? {
        guard let turn = reader.duration(node, "\"turn\"") else { return nil }
        guard turn >= RotationEra.minimumTurn, turn <= RotationEra.maximumTurn else {
            reader.error("a turn must last from \(RotationEra.minimumTurn) to \(RotationEra.maximumTurn), not \(turn)", at: node)
            return nil
        }
        return turn
    }

    private mutating func decodeCoverage(_ node: YAMLNode) -> [CoverageWindow] {
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

    private struct PersonRange {
        var person: String
        var from: LocalDateTime
        var until: LocalDateTime
        var location: SourceLocation
        var personLocation: SourceLocation
    }

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
            guard until > from else {
                let fromText = fromNode.scalar?.value ?? "\(from)"
                let untilText = untilNode.scalar?.value ?? "\(until)"
                reader.error("\"until\" (\(untilText)) must be after \"from\" (\(fromText))", at: untilNode)
                continue
            }
            ranges.append(PersonRange(person: person, from: from, until: until, location: item.location, personLocation: personNode.location))
        }
        return ranges
    }

    private mutating func decodeSwaps(_ node: YAMLNode, schedule: String, rotation: Rotation, zone: Zone) -> [Swap] {
        guard let items = reader.list(node, "\"swaps\"") else { return [] }
        var swaps: [Swap] = []
        // Each turn may be swapped once, so that the swaps stay a permutation of the turns: a turn
        // named twice would vanish from one member and be held twice by another.
        var swappedTurns: [LocalDateTime: Int] = [:]
        for item in items {
            guard let pair = item.sequence, pair.count == 2 else {
                reader.error("a swap must be a list of two turn starts, such as [2026-12-07T09:00, 2026-12-14T09:00], not \(item.kindDescription)", at: item)
                continue
            }
            let first = reader.localDateTime(pair[0], "a swapped turn")
            let second = reader.localDateTime(pair[1], "a swapped turn")
            guard let first, let second else { continue }
            let firstIsTurn = checkTurnStart(first, at: pair[0], schedule: schedule, rotation: rotation, zone: zone)
            let secondIsTurn = checkTurnStart(second, at: pair[1], schedule: schedule, rotation: rotation, zone: zone)
            guard firstIsTurn, secondIsTurn else { continue }
            if first == second {
                reader.error("a swap must name two different turns, but both are \(first)", at: pair[1])
                continue
            }
            var repeated = false
            for (turn, node) in [(first, pair[0]), (second, pair[1])] {
                guard let line = swappedTurns[turn] else { continue }
                reader.error("the turn starting \(turn) is already swapped at line \(line); a turn can take part in one swap only", at: node)
                repeated = true
            }
            guard !repeated else { continue }
            swappedTurns[first] = item.location.line
            swappedTurns[second] = item.location.line
            swaps.append(Swap(first: first, second: second, location: item.location))
        }
        return swaps
    }

    /// True when `local` begins a turn of the era in force then; records the error otherwise.
    private mutating func checkTurnStart(_ local: LocalDateTime, at node: YAMLNode, schedule: String, rotation: Rotation, zone: Zone) -> Bool {
        guard let era = rotation.eras.last(where: { $0.from <= local }) else {
            reader.error("\(local) is before the rotation of schedule \"\(schedule)\" starts (\(rotation.eras[0].from))", at: node)
            return false
        }
        if era.turnIndex(startingAt: local, in: zone) != nil { return true }
        let k = era.turnIndex(containing: zone.instant(for: local), in: zone)
        reader.error(
            "\(local) is not the start of a turn of schedule \"\(schedule)\"; the nearest turns start at "
                + "\(era.turnStartLocal(k, in: zone)) and \(era.turnStartLocal(k + 1, in: zone))",
            at: node
        )
        return false
    }
}
