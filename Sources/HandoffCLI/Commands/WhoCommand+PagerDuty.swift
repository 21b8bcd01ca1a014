import ArgumentParser
import HandoffConfig
import HandoffDestination
import HandoffSync
import HandoffTime
import OrderedJSON
import SafeText

/// `handoff who --source pagerduty`: what PagerDuty itself shows on call for each destination,
/// read through the destination interface (PagerDuty's final schedule of either kind), beside
/// what the configuration says (`--source configuration`, the default).
extension WhoCommand {
    enum Source: String, ExpressibleByArgument, CaseIterable {
        case configuration, pagerduty
    }

    /// How far before `--at` PagerDuty's rendering starts, so that the current shift shows since
    /// when it runs (a layer-based rendering cuts entries at the window's start); and how far it
    /// goes past the last handoff that may be shown, for the same reason at the other end.
    static let lookBackSeconds: Int64 = 14 * 86_400
    /// The longest look ahead: the schedule's horizon, at most 13 weeks.
    static let maximumLookAheadSeconds: Int64 = 91 * 86_400
    /// The most users looked up by id in one run (names and e-mails); beyond it a user is shown
    /// by id, so that a hostile rendering cannot make the program send a request per entry.
    static let maximumUserLookups = 200

    /// The destinations `--destination` and `--schedule` choose (all of them by default).
    func selectDestinations(_ configuration: Configuration) throws -> [Destination] {
        var chosen = configuration.destinations
        if !schedules.isEmpty {
            let names = Set(try selectSchedules(configuration).map(\.name))
            chosen = chosen.filter { names.contains($0.schedule) }
        }
        if !destinations.isEmpty {
            let known = configuration.destinations.map(\.name)
            for name in destinations where !known.contains(name) {
                throw CommandFailure("no destination \"\(name)\" in the configuration\(Suggestion.hint(for: name, in: known))")
            }
            let names = Set(destinations)
            chosen = chosen.filter { names.contains($0.name) }
        }
        guard !chosen.isEmpty else {
            let which = schedules.isEmpty ? "" : " exports the schedules chosen with --schedule"
            throw CommandFailure("no destination in the configuration\(which); --source pagerduty shows what PagerDuty holds for destinations")
        }
        return chosen
    }

    /// Asks PagerDuty, through each destination's connection, who it shows on call at `instant`
    /// and next; the destinations that answered are printed, and every one that could not be
    /// read is an error line naming it and where it is configured.
    func runPagerDuty(_ configuration: Configuration, at instant: Instant) async throws {
        let chosen = try selectDestinations(configuration)
        var options = try connectionOptions()
        options.sandboxNow = at == nil ? nil : instant
        let hub: ConnectionHub
        do {
            hub = try await ConnectionHub.open(Set(chosen.map(\.connection)), configuration: configuration, options: options)
        } catch {
            throw commandFailure(error)
        }
        var views: [PagerDutyView] = []
        var problems: [String] = []
        var people = PeopleLookup()
        for destination in chosen {
            do {
                views.append(try await view(destination, configuration, at: instant, hub: hub, people: &people))
            } catch {
                let reason = (error as? DestinationError)?.message ?? (error as? SyncError)?.description ?? "\(error)"
                problems.append("destination \"\(destination.name)\" (\(destination.location)) cannot be read from PagerDuty: \(reason)")
            }
        }
        await hub.close()
        if !views.isEmpty || problems.isEmpty {
            switch format {
            case .json: Terminal.standardOutput.write(Self.pagerDutyJSON(views, at: instant))
            case .text: Terminal.standardOutput.write(Self.pagerDutyText(views))
            }
        }
        if !problems.isEmpty { throw CommandFailure(problems.joined(separator: "\nerror: ")) }
    }

    /// One destination's rendering around `instant`: handoffs joined, the current and next ones,
    /// the people in them looked up.
    private func view(_ destination: Destination, _ configuration: Configuration, at instant: Instant, hub: ConnectionHub, people: inout PeopleLookup) async throws -> PagerDutyView {
        let zone = configuration.schedule(named: destination.schedule)?.zone ?? .utc
        let horizon = configuration.schedule(named: destination.schedule)?.horizon.nominalSeconds ?? Self.maximumLookAheadSeconds
        let ahead = min(max(horizon, 86_400), Self.maximumLookAheadSeconds)
        // Rendered a margin past what is shown, so that the last handoff shown ends where it
        // really ends (a layer-based rendering cuts entries at the window's edges).
        let shownEnd = instant.adding(seconds: ahead)
        let window = InstantRange(start: instant.adding(seconds: -Self.lookBackSeconds), end: shownEnd.adding(seconds: Self.lookBackSeconds))
        let target = try hub.destination(destination.connection)
        let rendering = try await target.onCall(schedule: destination.pagerDutySchedule, over: window)
        let stretches = Self.joined(rendering.entries)
        let current = stretches.filter { $0.start <= instant && instant < $0.end }
        let upcoming = Array(stretches.filter { $0.start > instant && $0.start < shownEnd }.prefix(next))
        for entry in current + upcoming {
            guard let id = entry.userID else { continue }
            try await people.lookUp(id, connection: destination.connection, in: target)
        }
        let known = people
        let shown: (OnCallEntry) -> ShownEntry = { entry in
            ShownEntry(entry: entry, user: entry.userID.flatMap { known.user($0, connection: destination.connection) })
        }
        return PagerDutyView(destination: destination, kind: rendering.kind, zone: zone, current: current.map(shown), upcoming: upcoming.map(shown))
    }

    /// Entries of one seat that follow each other without a gap (same user, same source) become
    /// one handoff, as `who` shows the configuration's; in start order.
    static func joined(_ entries: [OnCallEntry]) -> [OnCallEntry] {
        struct Open: Hashable {
            var userID: String?
            var source: OnCallSource
            var end: Instant
        }
        var result: [OnCallEntry] = []
        var open: [Open: Int] = [:]
        for entry in entries.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
            let key = Open(userID: entry.userID, source: entry.source, end: entry.start)
            if let index = open.removeValue(forKey: key) {
                result[index].end = max(result[index].end, entry.end)
                open[Open(userID: entry.userID, source: entry.source, end: result[index].end)] = index
            } else {
                open[Open(userID: entry.userID, source: entry.source, end: entry.end)] = result.count
                result.append(entry)
            }
        }
        return result.sorted { ($0.start, $0.end, $0.userID ?? "") < ($1.start, $1.end, $1.userID ?? "") }
    }
}

// MARK: - People

/// PagerDuty's users by id, looked up once per connection and at most
/// `WhoCommand.maximumUserLookups` times in a run.
struct PeopleLookup {
    private var found: [String: [String: DestinationUser?]] = [:]
    private var lookups = 0

    mutating func lookUp(_ id: String, connection: String, in destination: any OverrideDestination) async throws {
        guard found[connection]?[id] == nil, lookups < WhoCommand.maximumUserLookups else { return }
        lookups += 1
        let user = try await destination.user(id: id)
        found[connection, default: [:]][id] = .some(user)
    }

    /// The user when looked up; `.some(nil)` when PagerDuty has no such user, nil when not asked.
    func user(_ id: String, connection: String) -> DestinationUser?? {
        found[connection]?[id]
    }
}

/// An entry with its user as PagerDuty names them.
struct ShownEntry {
    var entry: OnCallEntry
    /// nil: not looked up; `.some(nil)`: PagerDuty has no such user.
    var user: DestinationUser??
}

/// What `who --source pagerduty` shows of one destination.
struct PagerDutyView {
    var destination: Destination
    var kind: String?
    var zone: Zone
    var current: [ShownEntry]
    var upcoming: [ShownEntry]
}

// MARK: - Output

extension WhoCommand {
    static func pagerDutyText(_ views: [PagerDutyView]) -> String {
        var output = ""
        for (index, view) in views.enumerated() {
            if index > 0 { output += "\n" }
            let kind = view.kind.map { ", \($0)" } ?? ""
            output += "\(SafeText.line(view.destination.name)) (PagerDuty schedule \(SafeText.line(view.destination.pagerDutySchedule))\(kind), \(view.zone.identifier))\n"
            let all = view.current + view.upcoming
            let width = all.map { personText($0).count }.max() ?? 0
            func row(_ label: String, _ shown: ShownEntry) -> String {
                let name = personText(shown)
                let source = sourceText(shown.entry.source).map { "  \($0)" } ?? ""
                let span = DisplayTime.span(shown.entry.range, in: view.zone)
                return "  \(label)  \(name)\(String(repeating: " ", count: width - name.count))  \(span)\(source)\n"
            }
            if view.current.isEmpty { output += "  on call  nobody\n" }
            for (offset, shown) in view.current.enumerated() { output += row(offset == 0 ? "on call" : "       ", shown) }
            for (offset, shown) in view.upcoming.enumerated() { output += row(offset == 0 ? "next   " : "       ", shown) }
        }
        return output
    }

    /// `Name <e-mail>` as PagerDuty has them, escaped; a vacant seat, or a user by id when
    /// PagerDuty has no such user or it was not looked up.
    static func personText(_ shown: ShownEntry) -> String {
        guard let id = shown.entry.userID else { return "nobody (unassigned)" }
        switch shown.user {
        case .some(.some(let user)): return SafeText.line("\(user.name) <\(user.email)>")
        case .some(.none): return "user \(SafeText.line(id)) (not in PagerDuty)"
        case .none: return "user \(SafeText.line(id))"
        }
    }

    /// Why the entry is on call, in words, ids escaped; nil for a layer-based schedule's layers.
    static func sourceText(_ source: OnCallSource) -> String? {
        func id(_ text: String?) -> String { text.map { " " + SafeText.line($0) } ?? "" }
        switch source {
        case .layers: return nil
        case .layerOverride: return "override"
        case .rotation(let rotation): return "rotation\(id(rotation))"
        case .rotationOverride(let rotation, let override): return "override\(id(override)) on rotation\(id(rotation))"
        case .customShift(let shift): return "custom shift\(id(shift))"
        case .customShiftOverride(let shift, let override): return "override\(id(override)) on custom shift\(id(shift))"
        case .other(let type): return "source \(SafeText.line(type))"
        }
    }

    static func pagerDutyJSON(_ views: [PagerDutyView], at instant: Instant) -> String {
        let items: [JSONValue] = views.map { view in
            .object([
                "name": .string(view.destination.name),
                "schedule": .string(view.destination.schedule),
                "connection": .string(view.destination.connection),
                "pagerduty_schedule": .string(view.destination.pagerDutySchedule),
                "kind": view.kind.map(JSONValue.string) ?? .null,
                "time_zone": .string(view.zone.identifier),
                "on_call": .array(view.current.map { entryJSON($0, view.zone) }),
                "next": .array(view.upcoming.map { entryJSON($0, view.zone) }),
            ])
        }
        return JSONValue.object(["at": .string(instant.description), "source": .string("pagerduty"), "destinations": .array(items)]).serialized()
    }

    private static func entryJSON(_ shown: ShownEntry, _ zone: Zone) -> JSONValue {
        let user = shown.user.flatMap { $0 }
        return .object([
            "person": user.map { JSONValue.string($0.name) } ?? .null,
            "email": user.map { JSONValue.string($0.email) } ?? .null,
            "user_id": shown.entry.userID.map(JSONValue.string) ?? .null,
            "start": .string(DisplayTime.rfc3339(shown.entry.start, in: zone)),
            "end": .string(DisplayTime.rfc3339(shown.entry.end, in: zone)),
            "source": sourceJSON(shown.entry.source),
        ])
    }

    private static func sourceJSON(_ source: OnCallSource) -> JSONValue {
        let id: (String?) -> JSONValue? = { $0.map(JSONValue.string) }
        switch source {
        case .layers: return .object(["type": .string("layers")])
        case .layerOverride: return .object(["type": .string("override")])
        case .rotation(let rotation): return .object(["type": .string("rotation"), "rotation_id": id(rotation)])
        case .rotationOverride(let rotation, let override):
            return .object(["type": .string("rotation_override"), "rotation_id": id(rotation), "override_id": id(override)])
        case .customShift(let shift): return .object(["type": .string("custom_shift"), "custom_shift_id": id(shift)])
        case .customShiftOverride(let shift, let override):
            return .object(["type": .string("custom_shift_override"), "custom_shift_id": id(shift), "override_id": id(override)])
        case .other(let type): return .object(["type": .string("other"), "name": .string(type)])
        }
    }
}
