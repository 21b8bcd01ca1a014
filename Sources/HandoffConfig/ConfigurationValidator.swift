import HandoffTime
import YAMLNodes
import SafeText

/// What the state still records about a destination, so validation can tell a user that a
/// connection cannot be removed while something exported through it remains in PagerDuty.
public struct StateUsage: Sendable, Hashable {
    public var destination: String
    public var connection: String

    public init(destination: String, connection: String) {
        self.destination = destination
        self.connection = connection
    }
}

/// Merges the files of a configuration into one graph and checks the rules that span entries and
/// files (DESIGN section 3): names defined twice, dangling references, people who are not members
/// where that matters, overlapping covers, destinations that would overwrite each other.
public enum ConfigurationValidator {
    static func merge(_ files: [FileDeclarations], directory: String) -> (configuration: Configuration, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []

        var state: StateSettings?
        for file in files {
            for settings in file.states {
                if let first = state {
                    diagnostics.append(
                        .error("\"state\" is set twice; it is already set at \(first.location.map(String.init(describing:)) ?? "another file")", at: settings.location)
                    )
                } else {
                    state = settings
                }
            }
        }

        let connections = unique(files.flatMap(\.connections), kind: "connection", name: \.name, location: \.location, into: &diagnostics)
        var people = unique(files.flatMap(\.people), kind: "person", name: \.key, location: \.location, into: &diagnostics)
        var schedules = unique(files.flatMap(\.schedules), kind: "schedule", name: \.name, location: \.location, into: &diagnostics)
        let destinations = unique(files.flatMap(\.destinations), kind: "destination", name: \.name, location: \.location, into: &diagnostics)

        // One e-mail, one person: PagerDuty users are found by address.
        var emails: [String: Person] = [:]
        for person in people {
            let key = person.email.lowercased()
            if let first = emails[key] {
                diagnostics.append(
                    .error(
                        "\(person.key) has the same e-mail address as \(first.key) (\(first.location)); each person needs an address of their own",
                        at: person.location
                    )
                )
            } else {
                emails[key] = person
            }
        }

        let declared = files.reduce(into: [String: Set<String>]()) { names, file in
            names.merge(file.declaredNames) { $0.union($1) }
        }
        let partialSchedules = files.reduce(into: Set<String>()) { $0.formUnion($1.partialSchedules) }
        var resolver = PersonResolver(people: people, emails: emails, declaredKeys: declared["person"] ?? [])
        for index in schedules.indices {
            resolver.resolve(&schedules[index], into: &diagnostics)
        }
        people += resolver.implicitPeople

        let connectionNames = declared["connection"] ?? []
        let scheduleNames = declared["schedule"] ?? []
        for destination in destinations {
            if !scheduleNames.contains(destination.schedule) {
                diagnostics.append(
                    .error(
                        "destination \"\(destination.name)\" uses schedule \"\(SafeText.excerpt(destination.schedule))\", which is not defined"
                            + Suggestion.hint(for: destination.schedule, in: scheduleNames),
                        at: destination.scheduleLocation
                    )
                )
            }
            if !connectionNames.contains(destination.connection) {
                diagnostics.append(
                    .error(
                        "destination \"\(destination.name)\" uses connection \"\(SafeText.excerpt(destination.connection))\", which is not defined"
                            + Suggestion.hint(for: destination.connection, in: connectionNames),
                        at: destination.connectionLocation
                    )
                )
            }
        }

        for schedule in schedules {
            checkMembership(schedule, into: &diagnostics)
            if !partialSchedules.contains(schedule.name) { checkAssignmentOverlaps(schedule, into: &diagnostics) }
        }
        let scheduleByName = Dictionary(
            schedules.filter { !partialSchedules.contains($0.name) }.map { ($0.name, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        checkSharedPagerDutySchedules(destinations, schedules: scheduleByName, into: &diagnostics)
        let moves = files.flatMap(\.moves)
        let removals = files.flatMap(\.removals)
        checkMovesAndRemovals(moves, removals, destinations: destinations, declared: declared["destination"] ?? [], into: &diagnostics)

        // A schedule that failed to decode may well list the people who seem idle; say nothing then.
        let allSchedulesDecoded = schedules.count == (declared["schedule"] ?? []).count
        let onCall = Set(schedules.flatMap { $0.members + $0.assignments.map(\.person) })
        for person in people where allSchedulesDecoded && !onCall.contains(person.key) {
            diagnostics.append(.warning("\(person.key) is never on call: no rotation lists them and no cover assigns them", at: person.location))
        }

        let configuration = Configuration(
            directory: directory,
            state: state ?? .default,
            connections: connections,
            people: people,
            schedules: schedules,
            destinations: destinations,
            moves: moves,
            removals: removals
        )
        return (configuration, diagnostics)
    }

    /// Checks that no connection the state still needs has been removed.
    public static func checkStateUsage(_ configuration: Configuration, usage: [StateUsage], statePath: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // A destination let go of with its overrides kept needs no connection: nothing is sent.
        let forgotten = configuration.destinationsForgotten
        let byConnection = Dictionary(grouping: usage.filter { !forgotten.contains($0.destination) }, by: \.connection)
        for (connection, users) in byConnection.sorted(by: { $0.key < $1.key }) where configuration.connection(named: connection) == nil {
            let names = users.map { "\"\($0.destination)\"" }.sorted().joined(separator: ", ")
            diagnostics.append(
                .error(
                    "connection \"\(connection)\" is removed, but the state (\(statePath)) still holds overrides exported through it by destination \(names)",
                    at: configuration.state.location,
                    detail: "Keep the connection until `handoff apply` has removed what those destinations exported, then remove it."
                )
            )
        }
        return diagnostics
    }

    // MARK: - Rules

    private static func unique<T>(
        _ items: [T],
        kind: String,
        name: KeyPath<T, String>,
        location: KeyPath<T, SourceLocation>,
        into diagnostics: inout [Diagnostic]
    ) -> [T] {
        var seen: [String: SourceLocation] = [:]
        var result: [T] = []
        for item in items {
            let itemName = item[keyPath: name]
            if let first = seen[itemName] {
                diagnostics.append(.error("\(kind) \"\(itemName)\" is defined twice; it is already defined at \(first)", at: item[keyPath: location]))
                continue
            }
            seen[itemName] = item[keyPath: location]
            result.append(item)
        }
        return result
    }

    /// `moved` names an old name that is gone and a new one that is configured; `removed` names a
    /// destination that is gone; no name is moved or removed twice.
    private static func checkMovesAndRemovals(
        _ moves: [MovedDestination],
        _ removals: [RemovedDestination],
        destinations: [Destination],
        declared: Set<String>,
        into diagnostics: inout [Diagnostic]
    ) {
        let configuredAt = Dictionary(destinations.map { ($0.name, $0.location) }, uniquingKeysWith: { first, _ in first })
        func place(_ name: String) -> String { configuredAt[name].map { " (at \($0))" } ?? "" }
        var movedFrom: [String: SourceLocation] = [:]
        var movedTo: [String: SourceLocation] = [:]
        for move in moves {
            if declared.contains(move.from) {
                diagnostics.append(
                    .error(
                        "destination \"\(move.from)\" is moved to \"\(move.to)\", but \"\(move.from)\" is still configured\(place(move.from)); a moved entry names the old name, which is no longer configured",
                        at: move.fromLocation
                    )
                )
            }
            if !declared.contains(move.to) {
                diagnostics.append(
                    .error(
                        "destination \"\(move.from)\" is moved to \"\(move.to)\", but no destination \"\(move.to)\" is configured"
                            + Suggestion.hint(for: move.to, in: declared),
                        at: move.toLocation
                    )
                )
            }
            if let first = movedFrom[move.from] {
                diagnostics.append(.error("destination \"\(move.from)\" is moved twice; it is already moved at \(first)", at: move.fromLocation))
            } else {
                movedFrom[move.from] = move.fromLocation
            }
            if let first = movedTo[move.to] {
                diagnostics.append(.error("two moved entries lead to destination \"\(move.to)\"; the other is at \(first)", at: move.toLocation))
            } else {
                movedTo[move.to] = move.toLocation
            }
        }
        var removed: [String: SourceLocation] = [:]
        for removal in removals {
            let name = removal.destination
            if declared.contains(name) {
                diagnostics.append(
                    .error(
                        "destination \"\(name)\" is removed, but it is still configured\(place(name)); take it out of \"destinations\" or drop this entry",
                        at: removal.destinationLocation
                    )
                )
            }
            if let first = removed[name] {
                diagnostics.append(.error("destination \"\(name)\" is removed twice; it is already removed at \(first)", at: removal.destinationLocation))
            } else {
                removed[name] = removal.destinationLocation
            }
            if let moved = movedFrom[name] {
                diagnostics.append(
                    .error("destination \"\(name)\" is both moved (at \(moved)) and removed; a destination is either renamed or let go of", at: removal.destinationLocation)
                )
            }
        }
    }

    /// Time off matters for members only: for anyone else it is most likely a typo.
    private static func checkMembership(_ schedule: Schedule, into diagnostics: inout [Diagnostic]) {
        let members = Set(schedule.members)
        for timeOff in schedule.timeOff where !members.contains(timeOff.person) {
            diagnostics.append(
                .error(
                    "\(SafeText.excerpt(timeOff.person)) is not a member of the rotation of schedule \"\(schedule.name)\"; time off matters only for members"
                        + Suggestion.hint(for: timeOff.person, in: members),
                    at: timeOff.personLocation
                )
            )
        }
    }

    private static func checkAssignmentOverlaps(_ schedule: Schedule, into diagnostics: inout [Diagnostic]) {
        let sorted = schedule.assignments.sorted { ($0.from, $0.location) < ($1.from, $1.location) }
        guard sorted.count > 1 else { return }
        for index in 1..<sorted.count {
            let previous = sorted[index - 1]
            let current = sorted[index]
            let previousRange = InstantRange(start: schedule.zone.instant(for: previous.from), end: schedule.zone.instant(for: previous.until))
            let currentRange = InstantRange(start: schedule.zone.instant(for: current.from), end: schedule.zone.instant(for: current.until))
            if previousRange.overlaps(currentRange) {
                diagnostics.append(
                    .error(
                        "this cover of \(current.person) (\(current.from) to \(current.until)) overlaps the cover of \(previous.person) "
                            + "at line \(previous.location.line) (\(previous.from) to \(previous.until)); covers of one schedule must not overlap",
                        at: current.location
                    )
                )
            }
        }
    }

    /// Two destinations may feed one PagerDuty schedule (follow-the-sun) only if their coverage
    /// never overlaps; otherwise each would overwrite the other's overrides. Checked over a year
    /// from the later rotation start, which covers every daylight-saving arrangement of a year.
    private static func checkSharedPagerDutySchedules(
        _ destinations: [Destination],
        schedules: [String: Schedule],
        into diagnostics: inout [Diagnostic]
    ) {
        let groups = Dictionary(grouping: destinations) { "\($0.connection)\u{0}\($0.pagerDutySchedule)" }
        for (_, group) in groups where group.count > 1 {
            let sorted = group.sorted { $0.location < $1.location }
            for (i, first) in sorted.enumerated() {
                for second in sorted[(i + 1)...] {
                    guard let a = schedules[first.schedule], let b = schedules[second.schedule] else { continue }
                    if let overlap = firstOverlap(a, b) {
                        let local = a.zone.local(at: overlap)
                        let offset = Instant.offsetText(a.zone.offset(at: overlap))
                        diagnostics.append(
                            .error(
                                "destinations \"\(first.name)\" and \"\(second.name)\" both write PagerDuty schedule \(second.pagerDutySchedule) "
                                    + "through connection \"\(second.connection)\", and their coverage overlaps "
                                    + "(first at \(local.date.weekday.abbreviation) \(local.date) \(local.time) \(offset), schedule \"\(a.name)\"'s time)",
                                at: second.location,
                                detail: "Give their schedules coverage windows that do not overlap, or send them to different PagerDuty schedules."
                            )
                        )
                    }
                }
            }
        }
    }

    private static func firstOverlap(_ a: Schedule, _ b: Schedule) -> Instant? {
        let start = max(a.zone.instant(for: a.rotation.eras[0].from), b.zone.instant(for: b.rotation.eras[0].from))
        let window = InstantRange(start: start, end: start.adding(seconds: 373 * 86_400))
        let left = a.coveredRanges(in: window, zone: a.zone.timeline(covering: window))
        let right = b.coveredRanges(in: window, zone: b.zone.timeline(covering: window))
        var i = 0
        var j = 0
        while i < left.count, j < right.count {
            if left[i].overlaps(right[j]) { return max(left[i].start, right[j].start) }
            if left[i].end <= right[j].end { i += 1 } else { j += 1 }
        }
        return nil
    }
}

/// Turns the names in rotations, time off and covers into person keys: a key as written, or an
/// e-mail address (of a defined person, or of someone known only by address).
private struct PersonResolver {
    let declaredKeys: Set<String>
    let emails: [String: Person]
    var implicitPeople: [Person] = []
    private var implicitByEmail: [String: String] = [:]

    init(people: [Person], emails: [String: Person], declaredKeys: Set<String>) {
        self.declaredKeys = declaredKeys
        self.emails = emails
    }

    mutating func resolve(_ schedule: inout Schedule, into diagnostics: inout [Diagnostic]) {
        for era in schedule.rotation.eras.indices {
            let locations = schedule.rotation.eras[era].memberLocations
            schedule.rotation.eras[era].members = schedule.rotation.eras[era].members.enumerated().map { index, name in
                resolve(name, at: locations[index], role: "a member", schedule: schedule.name, into: &diagnostics)
            }
        }
        for index in schedule.timeOff.indices {
            let entry = schedule.timeOff[index]
            schedule.timeOff[index].person = resolve(entry.person, at: entry.personLocation, role: "taking time off", schedule: schedule.name, into: &diagnostics)
        }
        for index in schedule.assignments.indices {
            let entry = schedule.assignments[index]
            schedule.assignments[index].person = resolve(
                entry.person, at: entry.personLocation, role: "covering", schedule: schedule.name, into: &diagnostics
            )
        }
    }

    private mutating func resolve(_ name: String, at location: SourceLocation, role: String, schedule: String, into diagnostics: inout [Diagnostic]) -> String {
        if name.contains("@") {
            if let person = emails[name.lowercased()] { return person.key }
            guard FileDecoder.isEmailAddress(name) else {
                diagnostics.append(.error("\"\(SafeText.excerpt(name))\" is not an e-mail address", at: location))
                return name
            }
            if let key = implicitByEmail[name.lowercased()] { return key }
            implicitByEmail[name.lowercased()] = name
            implicitPeople.append(Person(key: name, name: nil, email: name, location: location))
            return name
        }
        if !declaredKeys.contains(name) {
            diagnostics.append(
                .error(
                    "schedule \"\(schedule)\" names \"\(SafeText.excerpt(name))\" as \(role), but no person \"\(SafeText.excerpt(name))\" is defined under \"people\""
                        + Suggestion.hint(for: name, in: declaredKeys),
                    at: location
                )
            )
        }
        return name
    }
}
