public import HandoffTime
public import PagerDuty
import SafeText

/// Turns PagerDuty schedules into Handoff configuration that means what PagerDuty means today:
/// one schedule per rotation layer, the layers' precedence expressed by cutting the coverage of
/// lower layers where a higher one is on call, and a comment on everything that could not be
/// said, so that nothing is dropped silently. A pure function of its input: the same schedules
/// give the same bytes.
public enum ImportWriter {
    /// What the writer needs besides the schedules.
    public struct Context: Sendable {
        /// The connection the destinations write through.
        public var connection: String
        /// Users of the layers, by id: only id, name, e-mail and time zone are read.
        public var users: [String: PagerDutyUser]
        /// People already in the configuration, by lowercased e-mail: they are referred to, not redefined.
        public var existingPeople: [String: String]
        /// Names the configuration already uses (people, schedules, destinations).
        public var takenNames: Set<String>
        /// The moment of the import: layers that ended before it are left out (and said so).
        public var now: Instant
        /// How far ahead the imported schedules export.
        public var horizon: String

        public init(connection: String, users: [String: PagerDutyUser], existingPeople: [String: String] = [:], takenNames: Set<String> = [], now: Instant, horizon: String = "8w") {
            self.connection = connection
            self.users = users
            self.existingPeople = existingPeople
            self.takenNames = takenNames
            self.now = now
            self.horizon = horizon
        }
    }

    /// One YAML document: its text and what it defines.
    public struct Document: Sendable, Hashable {
        public var text: String
        /// The PagerDuty schedules it holds, by id.
        public var scheduleIDs: [String]
        public var scheduleCount: Int
        public var destinationCount: Int
        public var personCount: Int
        /// Layers written commented out, or left out, with the reason.
        public var notes: [String]
    }

    /// A layer the schedules do not bring over unchanged.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// One document for all `schedules`, or one per schedule (`split`), each defining the people
    /// it is the first to use.
    public static func documents(_ schedules: [PagerDutySchedule], context: Context, split: Bool) throws -> [Document] {
        var names = NameAllocator(taken: context.takenNames)
        var people = PeopleAllocator(existing: context.existingPeople)
        var parts: [SchedulePart] = []
        for schedule in schedules {
            parts.append(try part(schedule, context: context, names: &names, people: &people))
        }
        return documents(parts, context: context, people: &people, split: split)
    }

    static func documents(_ parts: [SchedulePart], context: Context, people: inout PeopleAllocator, split: Bool) -> [Document] {
        let header = "# Imported from PagerDuty by `handoff import` at \(context.now) (connection \(context.connection)).\n"
        if split {
            return parts.map { part in
                compose([part], header: header, people: &people)
            }
        }
        return [compose(parts, header: header, people: &people)]
    }

    // MARK: - One PagerDuty schedule

    struct LayerEntry {
        var name: String
        var text: String
        var destination: String?
        var commentedOut: Bool
    }

    struct SchedulePart {
        var id: String
        var comments: [String]
        var layers: [LayerEntry]
        var personIDs: [String]
        var notes: [String]
    }

    static func part(_ schedule: PagerDutySchedule, context: Context, names: inout NameAllocator, people: inout PeopleAllocator) throws -> SchedulePart {
        // Everything PagerDuty sent is written through YAMLText: escaped, one line, never raw.
        let id = YAMLText.scalar(schedule.id)
        guard isScheduleID(schedule.id) else {
            throw Failure(description: "PagerDuty schedule \(YAMLText.quoted(schedule.id)) has an id that is not letters and digits (up to 32), which a destination cannot name; nothing was written")
        }
        guard let zone = Zone(identifier: schedule.timeZone) else {
            throw Failure(description: "PagerDuty schedule \(id) has the time zone \(YAMLText.quoted(schedule.timeZone)), which is not an IANA time zone Handoff knows")
        }
        var comments = ["PagerDuty schedule \(id) \(YAMLText.quoted(String(schedule.name.prefix(YAMLText.commentLimit)))) (\(YAMLText.scalar(schedule.timeZone))), \(count(schedule.scheduleLayers.count, "layer"))."]
        var notes: [String] = []
        // PagerDuty's GET lists the layer that takes precedence first (reference section 6).
        var covered = WeekCoverage(all: false)
        let live = schedule.scheduleLayers.filter { layer in
            if let end = layer.end, end <= context.now {
                let note = "layer \(layerLabel(layer)) ended at \(end) and is not imported"
                comments.append("Not imported: \(note).")
                notes.append("\(id): \(note)")
                return false
            }
            return true
        }
        var entries: [LayerEntry] = []
        var personIDs: [String] = []
        let base = slug(schedule.name, fallback: "schedule")
        for (position, layer) in live.enumerated() {
            var layerNotes: [String] = []
            let name = names.claim(live.count == 1 ? base : "\(base)-\(slug(layer.name ?? "layer-\(live.count - position)", fallback: "layer"))")
            let own = try WeekCoverage(layer.restrictions, notes: &layerNotes)
            let effective = own.subtracting(covered)
            let hiddenBy = covered
            covered.formUnion(own)
            if layer.users.isEmpty {
                let note = "layer \(layerLabel(layer)) has no members and is not imported"
                comments.append("Not imported: \(note).")
                notes.append("\(id): \(note)")
                continue
            }
            if own != effective {
                layerNotes.append(
                    effective.isEmpty
                        ? "the layers above it are on call whenever it is, so it never shows in PagerDuty"
                        : "its coverage is cut where a layer above it is on call, as PagerDuty shows it"
                )
            }
            if let end = layer.end {
                layerNotes.append("it ends at \(end) in PagerDuty, and Handoff has no end for a rotation: remove this schedule then")
            }
            if layer.start > context.now {
                layerNotes.append("it starts at \(layer.start) in PagerDuty; Handoff exports its turns from now on")
            }
            let start = zone.local(at: layer.rotationVirtualStart)
            if zone.instant(for: start) != layer.rotationVirtualStart {
                layerNotes.append(
                    "its rotation starts at \(layer.rotationVirtualStart), which the wall clock of \(YAMLText.scalar(schedule.timeZone)) cannot name exactly (seconds, or an hour that happens twice); the start is \(start)"
                )
            }
            let hidden = effective.isEmpty
            let members = try layer.users.map { member -> String in
                // Only the people of layers written out are defined: a hidden layer's would never be on call.
                if !hidden, !personIDs.contains(member.user.id) { personIDs.append(member.user.id) }
                return try people.key(for: member.user.id, users: context.users, names: &names)
            }
            var lines: [String] = []
            lines.append("  \(name):")
            lines.append("    time_zone: \(YAMLText.scalar(schedule.timeZone))")
            lines.append("    rotation: { members: [\(members.joined(separator: ", "))], start: \(start), turn: \(turn(layer.rotationTurnLengthSeconds)) }")
            // A hidden layer is shown as PagerDuty has it, for whoever wants it back.
            let shown = hidden ? own : effective
            if !shown.isFull {
                lines.append("    coverage:")
                for window in shown.windows() { lines.append("      - \(window)") }
            }
            lines.append("    horizon: \(context.horizon)")
            var header = ["  # Layer \(layerLabel(layer)) of PagerDuty schedule \(id)."]
            header += layerNotes.map { "  # Note: \($0)." }
            if hidden {
                header.append("  # Not imported: hidden everywhere by the layers above it (\(hiddenBy.isFull ? "on call around the clock" : "their coverage includes all of its own")).")
                notes.append("\(id): layer \(layerLabel(layer)) is hidden by the layers above it and is written commented out")
            } else {
                notes += layerNotes.map { "\(id): layer \(layerLabel(layer)): \($0)" }
            }
            let text = (header + (hidden ? lines.map { "  # " + $0.dropFirst(2) } : lines)).joined(separator: "\n")
            let destination = hidden ? nil : "  \(names.claim("\(name)-pd")): { schedule: \(name), connection: \(context.connection), pagerduty_schedule: \(id) }"
            entries.append(LayerEntry(name: name, text: text, destination: destination, commentedOut: hidden))
        }
        return SchedulePart(id: schedule.id, comments: comments, layers: entries, personIDs: personIDs, notes: notes)
    }

    static func compose(_ parts: [SchedulePart], header: String, people: inout PeopleAllocator) -> Document {
        var text = header
        for part in parts {
            for comment in part.comments { text += "# \(comment)\n" }
        }
        text += "version: 1\n"
        let newPeople = parts.flatMap(\.personIDs).compactMap { people.definition(for: $0) }.sorted()
        if !newPeople.isEmpty {
            text += "\npeople:\n"
            for line in newPeople { text += "  \(line)\n" }
        }
        let layers = parts.flatMap(\.layers)
        if !layers.isEmpty {
            text += "\nschedules:\n"
            text += layers.map(\.text).joined(separator: "\n\n") + "\n"
        }
        let destinations = layers.compactMap(\.destination)
        if !destinations.isEmpty {
            text += "\ndestinations:\n"
            for line in destinations { text += line + "\n" }
        }
        return Document(
            text: text,
            scheduleIDs: parts.map(\.id),
            scheduleCount: layers.filter { !$0.commentedOut }.count,
            destinationCount: destinations.count,
            personCount: newPeople.count,
            notes: parts.flatMap(\.notes)
        )
    }

    // MARK: - Pieces

    /// `1w`, `2d`, `12h`, `90m`: the largest unit that divides the length, so day and week turns
    /// keep their wall-clock handoff (as PagerDuty renders whole days) and others are fixed spans.
    static func turn(_ seconds: Int) -> String {
        if seconds % 604_800 == 0 { return "\(seconds / 604_800)w" }
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        return "\(max(1, seconds / 60))m"
    }

    static func layerLabel(_ layer: PagerDutyScheduleLayer) -> String {
        let name = layer.name.map { YAMLText.quoted(String($0.prefix(YAMLText.commentLimit))) } ?? "(unnamed)"
        return layer.id.map { "\(name) (\(YAMLText.scalar(String($0.prefix(YAMLText.commentLimit)))))" } ?? name
    }

    /// What a destination's `pagerduty_schedule` accepts: ASCII letters and digits, up to 32.
    static func isScheduleID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 32 && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// The file of each document when they go to a folder: `pagerduty-ID.yaml`, the id reduced
    /// to `[a-z0-9-]` and 64 characters, unique among them. Never a path: an id such as
    /// `../../x` cannot lead out of the folder.
    public static func fileNames(for documents: [Document]) -> [String] {
        fileNames(scheduleIDs: documents.map(\.scheduleIDs.first))
    }

    /// The file names for documents holding these PagerDuty schedules first (nil: none).
    public static func fileNames(scheduleIDs: [String?]) -> [String] {
        var names = NameAllocator(taken: [])
        return scheduleIDs.map { scheduleID in
            var base = "pagerduty"
            if let id = scheduleID {
                var slug = ""
                for scalar in id.lowercased().unicodeScalars {
                    let allowed = scalar.isASCII && (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar))
                    if allowed {
                        slug.unicodeScalars.append(scalar)
                    } else if !slug.isEmpty, slug.last != "-" {
                        slug += "-"
                    }
                    if slug.count >= 64 { break }
                }
                while slug.hasSuffix("-") { slug.removeLast() }
                base += "-" + (slug.isEmpty ? "schedule" : slug)
            }
            return names.claim(base) + ".yaml"
        }
    }

    /// Lowercase ASCII letters, digits, `-`, `_` and `.`; other runs become one `-`.
    static func slug(_ text: String, fallback: String) -> String {
        var result = ""
        var pendingDash = false
        for scalar in text.lowercased().unicodeScalars {
            let allowed = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "."
            if allowed {
                if pendingDash, !result.isEmpty { result += "-" }
                pendingDash = false
                result.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        while let first = result.first, first == "." || first == "_" { result.removeFirst() }
        return result.isEmpty ? fallback : String(result.prefix(100))
    }

    static func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
}

/// Names made unique against the configuration and each other: `name`, `name-2`, `name-3`…
struct NameAllocator {
    private var taken: Set<String>

    init(taken: Set<String>) { self.taken = taken }

    mutating func claim(_ wanted: String) -> String {
        var candidate = wanted
        var suffix = 2
        while taken.contains(candidate) {
            candidate = "\(wanted)-\(suffix)"
            suffix += 1
        }
        taken.insert(candidate)
        return candidate
    }

    /// Gives back a name claimed for something that was not written after all.
    mutating func release(_ name: String) {
        taken.remove(name)
    }
}

/// Person keys: the configuration's own where the e-mail is known, else the e-mail's local part.
struct PeopleAllocator {
    private let existing: [String: String]
    private var keys: [String: String] = [:]
    private var pending: [String: String] = [:]
    private var defined: Set<String> = []

    init(existing: [String: String]) { self.existing = existing }

    mutating func key(for userID: String, users: [String: PagerDutyUser], names: inout NameAllocator) throws -> String {
        if let key = keys[userID] { return key }
        guard let user = users[userID] else {
            throw ImportWriter.Failure(description: "PagerDuty user \(YAMLText.scalar(userID)) is a member of a layer but could not be read")
        }
        if let known = existing[user.email.lowercased()] {
            keys[userID] = known
            return known
        }
        let local = user.email.split(separator: "@").first.map(String.init) ?? user.email
        let key = names.claim(ImportWriter.slug(local, fallback: "person"))
        keys[userID] = key
        // The name is written as the person's `name`, so that `who` and `plan` show the same name
        // PagerDuty does. A name the configuration would refuse (control or bidirectional
        // characters, or blank) stays a comment, escaped, so the file still loads.
        if !user.name.allSatisfy(\.isWhitespace), SafeText.firstUnsafe(in: user.name) == nil {
            pending[userID] = "\(key): { name: \(YAMLText.scalar(user.name)), email: \(YAMLText.scalar(user.email)) }"
        } else {
            pending[userID] = "\(key): { email: \(YAMLText.scalar(user.email)) }  # \(YAMLText.comment(user.name))"
        }
        return key
    }

    /// The definition of a person not yet written in any document, once.
    mutating func definition(for userID: String) -> String? {
        guard let line = pending[userID], !defined.contains(userID) else { return nil }
        defined.insert(userID)
        return line
    }
}
