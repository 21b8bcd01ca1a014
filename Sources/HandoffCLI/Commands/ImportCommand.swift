import ArgumentParser
import DurableFiles
import Foundation
import HandoffConfig
import HandoffImport
import HandoffSync
import HandoffTime
import OrderedJSON
import PagerDuty

/// `handoff import`: the rotations teams already have in PagerDuty, as configuration, so adopting
/// Handoff starts from what PagerDuty shows today.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write configuration for existing PagerDuty schedules, or list them.",
        discussion: """
            Reads schedules and users through a connection of the configuration in DIR (only the \
            schedules and users endpoints; of a user only id, name, e-mail and time zone). Each \
            active layer becomes a schedule with its members, start, turn and coverage, and a \
            destination back to its PagerDuty schedule. Where layers overlap, the higher one wins \
            in PagerDuty: the lower layers' coverage is cut there, and a layer hidden everywhere \
            is written commented out. Anything that cannot be said exactly is a comment in the \
            output. People already in the configuration are referred to by their keys.

            A shift-based (v3) schedule is read with its rotations, custom shifts and overrides: \
            each event whose recurrence a rotation can say exactly (daily or weekly, members \
            taking whole turns) becomes a schedule; a custom shift inside one becomes an \
            assignment. Vacant or concurrent seats, other RRULE forms, EXDATEs, ends, rotations \
            on call at the same time, custom shifts elsewhere and overrides are named in comments.

            The YAML goes to standard output, or to --out: a file, or a folder that receives one \
            file per schedule. Existing files are never overwritten without --force.

            Examples:
              handoff import --connection acme --list
              handoff import --connection acme --schedule PABC123 --out teams/platform.yaml
              handoff import --connection acme --all --out imported/
            """
    )

    @Argument(help: "The configuration directory that defines the connection.", completion: .directory)
    var directory: String = "."

    @Option(help: "The connection to read PagerDuty through.")
    var connection: String

    @Flag(help: "List the PagerDuty schedules the key can see instead, layer-based and shift-based, each with its kind.")
    var list = false

    @Option(name: .customLong("schedule"), help: "Import this PagerDuty schedule (id; repeatable).")
    var schedules: [String] = []

    @Flag(help: "Import every schedule the key can see.")
    var all = false

    @Option(help: "Write to this file, or to this folder (one file per schedule), instead of standard output.", completion: .file())
    var out: String?

    @Flag(help: "Overwrite files that exist.")
    var force = false

    @Option(help: "With --list: text or json.")
    var format: ListFormat = .text

    @Option(help: "Import as if it were this RFC 3339 time: layers that ended before it are left out.")
    var now: String?

    enum ListFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func validate() throws {
        let modes = [list, !schedules.isEmpty, all].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("say what to do: --list, --schedule ID (repeatable) or --all") }
        if list, out != nil { throw ValidationError("--out goes with --schedule or --all, not --list") }
        if !list, format != .text { throw ValidationError("--format goes with --list") }
        _ = try parseNow(now)
    }

    func run() async throws {
        let instant = try parseNow(now)
        let configuration = try loadValidConfiguration(directory)
        var options = try connectionOptions()
        options.sandboxNow = now == nil ? nil : instant
        let hub = try await ConnectionHub.open([connection], configuration: configuration, options: options)
        do {
            try await run(configuration, client: try hub.pagerDutyClient(connection), now: instant)
            await hub.close()
        } catch {
            await hub.close()
            throw error
        }
    }

    private func run(_ configuration: Configuration, client: PagerDutyClient, now: Instant) async throws {
        if list {
            let found = try await Self.listSchedules(client)
            Terminal.standardOutput.write(format == .json ? Self.listJSON(found) : Self.listText(found))
            return
        }
        let source = try await ImportSource.fetch(all ? nil : schedules, client: client, now: now)
        var existing: [String: String] = [:]
        for person in configuration.people { existing[person.email.lowercased()] = person.key }
        let taken = Set(configuration.people.map(\.key) + configuration.schedules.map(\.name) + configuration.destinations.map(\.name))
        let context = ImportWriter.Context(connection: connection, users: source.users, existingPeople: existing, takenNames: taken, now: now)
        let folder = out.map { Self.isFolder($0) } ?? false
        let documents: [ImportWriter.Document]
        do {
            documents = try ImportWriter.documents(source, context: context, split: folder)
        } catch let failure as ImportWriter.Failure {
            throw CommandFailure(failure.description)
        }
        try write(documents, folder: folder)
        let terminal = Terminal.standardError
        for note in documents.flatMap(\.notes) { terminal.write("note: \(note)\n") }
        let schedulesCount = documents.reduce(0) { $0 + $1.scheduleCount }
        let destinationsCount = documents.reduce(0) { $0 + $1.destinationCount }
        let peopleCount = documents.reduce(0) { $0 + $1.personCount }
        terminal.write(
            "Imported \(plural(source.order.count, "PagerDuty schedule")): \(plural(schedulesCount, "schedule")), \(plural(destinationsCount, "destination")), \(plural(peopleCount, "new person", "new people")). Run `handoff validate` and `handoff plan` to review.\n"
        )
    }

    private func write(_ documents: [ImportWriter.Document], folder: Bool) throws {
        guard let out else {
            Terminal.standardOutput.write(documents.map(\.text).joined(separator: "\n"))
            return
        }
        var targets: [(String, String)] = []
        if folder {
            // Names from a slug of the id, never the id itself: nothing lands outside --out.
            for (document, name) in zip(documents, ImportWriter.fileNames(for: documents)) {
                targets.append(((out as NSString).appendingPathComponent(name), document.text))
            }
        } else {
            targets.append((out, documents.map(\.text).joined(separator: "\n")))
        }
        if !force {
            let existing = targets.map(\.0).filter { FileManager.default.fileExists(atPath: $0) }
            guard existing.isEmpty else {
                let verb = existing.count == 1 ? "exists" : "exist"
                throw CommandFailure("\(existing.joined(separator: ", ")) already \(verb); nothing was written; pass --force to overwrite")
            }
        }
        if folder { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
        for (path, text) in targets {
            do {
                try DurableFile.write(Array(text.utf8), to: path)
            } catch {
                throw CommandFailure("could not write \(path): \(error)")
            }
            Terminal.standardError.write("Wrote \(path)\n")
        }
    }

    /// A folder when it ends with `/`, or exists as one.
    private static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return path.hasSuffix("/") || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
    }
}
