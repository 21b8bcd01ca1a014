import Foundation
import HandoffConfig
import HandoffImport
import HandoffRota
import HandoffTestSupport
import HandoffTime
import PagerDuty
import PagerDutySandbox
import Testing

/// `handoff import` against the simulated PagerDuty: what it writes, and that the rotations it
/// writes agree with what PagerDuty renders from the original layers.
@Suite("Import from PagerDuty")
struct ImportTests {
    /// 2026-10-12T00:00:00Z: the next eight weeks cross the end of daylight saving time in Europe
    /// (25 October) and in North America (1 November).
    static let now = Instant(rfc3339: "2026-10-12T00:00:00Z") ?? Instant(secondsSinceEpoch: 0)

    static func at(_ text: String) -> Instant { Instant(rfc3339: text) ?? Instant(secondsSinceEpoch: 0) }

    static let people = ["alice", "bob", "carol", "dave", "erin"]

    static func weekdays(_ time: String, seconds: Int) -> [SandboxSeed.Restriction] {
        (1...5).map { SandboxSeed.Restriction(type: "weekly_restriction", startTimeOfDay: time, durationSeconds: seconds, startDayOfWeek: $0) }
    }

    /// Layers in POST order: the last takes precedence.
    static let seed = SandboxSeed(
        users: people.map { SandboxSeed.User(name: $0.capitalized + " Example", email: "\($0)@example.com", id: "PU\($0.uppercased())") },
        schedules: [
            .init(name: "Platform Primary", timeZone: "Europe/Berlin", id: "PWEEKLY", layers: [
                .init(name: "Layer 1", start: at("2026-09-07T07:00:00Z"), rotationVirtualStart: at("2026-09-07T07:00:00Z"), rotationTurnLengthSeconds: 604_800, users: ["alice@example.com", "bob@example.com", "carol@example.com"]),
            ]),
            .init(name: "Payments business hours", timeZone: "America/New_York", id: "PBUSINE", layers: [
                .init(name: "Layer 1", start: at("2026-09-01T13:00:00Z"), rotationVirtualStart: at("2026-09-01T13:00:00Z"), rotationTurnLengthSeconds: 86_400,
                      users: ["dave@example.com", "erin@example.com", "alice@example.com"], restrictions: weekdays("09:00:00", seconds: 8 * 3_600)),
            ]),
            .init(name: "Nights", timeZone: "Europe/Berlin", id: "PNIGHTS", layers: [
                .init(name: "Layer 1", start: at("2026-10-01T20:00:00Z"), rotationVirtualStart: at("2026-10-01T20:00:00Z"), rotationTurnLengthSeconds: 43_200,
                      users: ["bob@example.com", "carol@example.com"], restrictions: [.init(type: "daily_restriction", startTimeOfDay: "22:00:00", durationSeconds: 8 * 3_600)]),
            ]),
            .init(name: "Support", timeZone: "America/Los_Angeles", id: "PLAYERS", layers: [
                .init(name: "Around the clock", start: at("2026-09-07T16:00:00Z"), rotationVirtualStart: at("2026-09-07T16:00:00Z"), rotationTurnLengthSeconds: 604_800,
                      users: ["alice@example.com", "bob@example.com"]),
                .init(name: "Weekday days", start: at("2026-09-07T16:00:00Z"), rotationVirtualStart: at("2026-09-07T16:00:00Z"), rotationTurnLengthSeconds: 86_400,
                      users: ["carol@example.com", "dave@example.com", "erin@example.com"], restrictions: weekdays("09:00:00", seconds: 9 * 3_600)),
                .init(name: "Old layer", start: at("2026-01-05T16:00:00Z"), end: at("2026-09-07T16:00:00Z"), rotationVirtualStart: at("2026-01-05T16:00:00Z"), rotationTurnLengthSeconds: 604_800,
                      users: ["erin@example.com"]),
            ]),
            .init(name: "Shadowed", timeZone: "Europe/London", id: "PSHADOW", layers: [
                .init(name: "Weekends", start: at("2026-09-05T09:00:00Z"), rotationVirtualStart: at("2026-09-05T09:00:00Z"), rotationTurnLengthSeconds: 604_800,
                      users: ["dave@example.com"], restrictions: [.init(type: "weekly_restriction", startTimeOfDay: "18:00:00", durationSeconds: 63 * 3_600, startDayOfWeek: 5)]),
                .init(name: "Everything", start: at("2026-09-05T09:00:00Z"), rotationVirtualStart: at("2026-09-05T09:00:00Z"), rotationTurnLengthSeconds: 2 * 86_400,
                      users: ["erin@example.com", "alice@example.com"]),
            ]),
        ]
    )

    static let ids = ["PWEEKLY", "PBUSINE", "PNIGHTS", "PLAYERS", "PSHADOW"]

    func imported(_ sandbox: SandboxHarness, ids: [String] = ImportTests.ids) async throws -> (ImportSource, [ImportWriter.Document]) {
        try await sandbox.withClient { client in
            let source = try await ImportSource.fetch(ids, client: client)
            let context = ImportWriter.Context(connection: "acme", users: source.users, now: Self.now)
            return (source, try ImportWriter.documents(source.schedules, context: context, split: false))
        }
    }

    /// Loads the imported YAML beside a file defining the connection.
    func load(_ text: String, url: String) throws -> LoadedConfiguration {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "connections:\n  acme: { type: pagerduty, token_env: PAGERDUTY_TOKEN, api_url: \"\(url)\" }\n"
            .write(to: directory.appendingPathComponent("connections.yaml"), atomically: true, encoding: .utf8)
        try text.write(to: directory.appendingPathComponent("imported.yaml"), atomically: true, encoding: .utf8)
        return ConfigurationLoader.load(directory: directory.path)
    }

    struct Stretch: Equatable, CustomStringConvertible {
        var start: Instant
        var end: Instant
        var email: String
        var description: String { "\(start)–\(end) \(email)" }
    }

    /// Joins touching stretches of the same person: an override per covered piece and a rendered
    /// entry per turn say the same thing when one ends where the next begins.
    static func joined(_ stretches: [Stretch]) -> [Stretch] {
        var result: [Stretch] = []
        for stretch in stretches.sorted(by: { $0.start < $1.start }) where stretch.start < stretch.end {
            if let last = result.last, last.end == stretch.start, last.email == stretch.email {
                result[result.count - 1].end = stretch.end
            } else {
                result.append(stretch)
            }
        }
        return result
    }

    @Test("every imported schedule agrees with PagerDuty's final schedule for 8 weeks, instant for instant, across daylight-saving changes")
    func agreement() async throws {
        try await SandboxHarness.with(now: Self.now, seed: Self.seed) { sandbox in
            let (source, documents) = try await imported(sandbox)
            let loaded = try load(documents[0].text, url: sandbox.baseURL)
            #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.description))")
            let configuration = try #require(loaded.configuration)
            let window = InstantRange(start: Self.now, end: Self.now.adding(seconds: 8 * 7 * 86_400))
            let emails = Dictionary(uniqueKeysWithValues: configuration.people.map { ($0.key, $0.email) })
            try await sandbox.withClient { client in
                for id in Self.ids {
                    let destinations = configuration.destinations.filter { $0.pagerDutySchedule == id }
                    var ours: [Stretch] = []
                    for destination in destinations {
                        let schedule = try #require(configuration.schedule(named: destination.schedule))
                        let expansion = RotaExpander.expand(schedule, over: window)
                        ours += expansion.shifts.map { Stretch(start: $0.start, end: $0.end, email: emails[$0.person] ?? $0.person) }
                    }
                    let rendered = try await client.schedule(id: id, rendering: window)
                    let theirs = (rendered.finalSchedule?.renderedScheduleEntries ?? []).compactMap { entry -> Stretch? in
                        guard let user = entry.user, let email = source.users[user.id]?.email else { return nil }
                        return Stretch(start: max(entry.start, window.start), end: min(entry.end ?? window.end, window.end), email: email)
                    }
                    let expected = Self.joined(theirs)
                    let actual = Self.joined(ours)
                    #expect(!expected.isEmpty, "\(id): PagerDuty renders nobody on call")
                    #expect(actual == expected, "\(id): first difference: \(zip(actual, expected).first { $0 != $1 }.map { "\($0) ≠ \($1)" } ?? "counts \(actual.count) and \(expected.count)")")
                }
            }
        }
    }

    @Test("the YAML reads like hand-written configuration: layers, precedence, coverage and what was left out")
    func text() async throws {
        try await SandboxHarness.with(now: Self.now, seed: Self.seed) { sandbox in
            let (_, documents) = try await imported(sandbox, ids: ["PLAYERS", "PSHADOW", "PNIGHTS"])
            #expect(documents.count == 1)
            #expect(documents[0].text == """
                # Imported from PagerDuty by `handoff import` at 2026-10-12T00:00:00Z (connection acme).
                # PagerDuty schedule PLAYERS "Support" (America/Los_Angeles), 3 layers.
                # Not imported: layer "Old layer" (PE7OJAO) ended at 2026-09-07T16:00:00Z and is not imported.
                # PagerDuty schedule PSHADOW "Shadowed" (Europe/London), 2 layers.
                # PagerDuty schedule PNIGHTS "Nights" (Europe/Berlin), 1 layer.
                version: 1

                people:
                  alice: { name: "Alice Example", email: alice@example.com }
                  bob: { name: "Bob Example", email: bob@example.com }
                  carol: { name: "Carol Example", email: carol@example.com }
                  dave: { name: "Dave Example", email: dave@example.com }
                  erin: { name: "Erin Example", email: erin@example.com }

                schedules:
                  # Layer "Weekday days" (P6BARJZ) of PagerDuty schedule PLAYERS.
                  support-weekday-days:
                    time_zone: America/Los_Angeles
                    rotation: { members: [carol, dave, erin], start: 2026-09-07T09:00, turn: 1d }
                    coverage:
                      - { days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00" }
                    horizon: 8w

                  # Layer "Around the clock" (PYEWZTA) of PagerDuty schedule PLAYERS.
                  # Note: its coverage is cut where a layer above it is on call, as PagerDuty shows it.
                  support-around-the-clock:
                    time_zone: America/Los_Angeles
                    rotation: { members: [alice, bob], start: 2026-09-07T09:00, turn: 1w }
                    coverage:
                      - { days: [mon], from: "00:00", to: "09:00" }
                      - { days: [mon, tue, wed, thu], from: "18:00", to: "09:00" }
                      - { days: [fri], from: "18:00", to: "24:00" }
                      - { days: [sat, sun], from: "00:00", to: "24:00" }
                    horizon: 8w

                  # Layer "Everything" (PU0G2S2) of PagerDuty schedule PSHADOW.
                  shadowed-everything:
                    time_zone: Europe/London
                    rotation: { members: [erin, alice], start: 2026-09-05T10:00, turn: 2d }
                    horizon: 8w

                  # Layer "Weekends" (PM42B1D) of PagerDuty schedule PSHADOW.
                  # Note: the layers above it are on call whenever it is, so it never shows in PagerDuty.
                  # Not imported: hidden everywhere by the layers above it (on call around the clock).
                  # shadowed-weekends:
                  #   time_zone: Europe/London
                  #   rotation: { members: [dave], start: 2026-09-05T10:00, turn: 1w }
                  #   coverage:
                  #     - { days: [mon], from: "00:00", to: "09:00" }
                  #     - { days: [fri], from: "18:00", to: "24:00" }
                  #     - { days: [sat, sun], from: "00:00", to: "24:00" }
                  #   horizon: 8w

                  # Layer "Layer 1" (PQIJ82L) of PagerDuty schedule PNIGHTS.
                  nights:
                    time_zone: Europe/Berlin
                    rotation: { members: [bob, carol], start: 2026-10-01T22:00, turn: 12h }
                    coverage:
                      - { from: "22:00", to: "06:00" }
                    horizon: 8w

                destinations:
                  support-weekday-days-pd: { schedule: support-weekday-days, connection: acme, pagerduty_schedule: PLAYERS }
                  support-around-the-clock-pd: { schedule: support-around-the-clock, connection: acme, pagerduty_schedule: PLAYERS }
                  shadowed-everything-pd: { schedule: shadowed-everything, connection: acme, pagerduty_schedule: PSHADOW }
                  nights-pd: { schedule: nights, connection: acme, pagerduty_schedule: PNIGHTS }

                """)
        }
    }

    @Test("importing an unchanged schedule again gives the same bytes; known people keep their keys")
    func reimport() async throws {
        try await SandboxHarness.with(now: Self.now, seed: Self.seed) { sandbox in
            let (_, first) = try await imported(sandbox)
            let (_, second) = try await imported(sandbox)
            #expect(first == second)
            let text = try await sandbox.withClient { client in
                let source = try await ImportSource.fetch(["PWEEKLY"], client: client)
                let context = ImportWriter.Context(
                    connection: "acme", users: source.users, existingPeople: ["alice@example.com": "aa"], takenNames: ["bob", "platform-primary"], now: Self.now
                )
                return try ImportWriter.documents(source.schedules, context: context, split: false)[0].text
            }
            #expect(text.contains("  bob-2: { name: \"Bob Example\", email: bob@example.com }\n"))
            #expect(!text.contains("alice@example.com"))
            #expect(text.contains("    rotation: { members: [aa, bob-2, carol], start: 2026-09-07T09:00, turn: 1w }\n"))
            #expect(text.contains("  platform-primary-2-pd: { schedule: platform-primary-2, connection: acme, pagerduty_schedule: PWEEKLY }\n"))
        }
    }
}

/// `handoff import` as a user runs it: the built binary against a simulated PagerDuty in this process.
@Suite("handoff import, end to end")
struct ImportCommandTests {
    /// A configuration folder naming only the connection `acme` to the simulated PagerDuty, and
    /// the environment holding its read-only key.
    private func withConfigurationDirectory(_ body: (URL, [String: String]) async throws -> Void) async throws {
        try await SandboxHarness.with(now: ImportTests.now, seed: ImportTests.seed) { sandbox in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-import-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            try "version: 1\nconnections:\n  acme: { type: pagerduty, token_env: HANDOFF_TEST_TOKEN, api_url: \"\(sandbox.baseURL)\" }\n"
                .write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            try await body(directory, ["HANDOFF_TEST_TOKEN": SandboxHarness.readOnlyKey])
        }
    }

    @Test("--list in text and json; --out writes a file that validates, and never overwrites without --force")
    func command() async throws {
        try await withConfigurationDirectory { directory, environment in
            let now = "2026-10-12T00:00:00Z"

            let list = try await HandoffProcess.run(["import", "--connection", "acme", "--list"], in: directory, environment: environment)
            #expect(list.exitCode == 0, "\(list.standardError)")
            #expect(list.standardOutput.contains("PLAYERS  Support                  America/Los_Angeles  3 layers, 5 members\n"), "\(list.standardOutput)")
            let json = try await HandoffProcess.run(["import", "--connection", "acme", "--list", "--format", "json"], in: directory, environment: environment)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
            let schedules = try #require(document["schedules"] as? [[String: Any]])
            #expect(schedules.count == 5)
            #expect(schedules.contains { $0["id"] as? String == "PWEEKLY" && $0["layers"] as? Int == 1 && $0["members"] as? Int == 3 })

            let written = try await HandoffProcess.run(
                ["import", "--connection", "acme", "--schedule", "PWEEKLY", "--schedule", "PLAYERS", "--out", "teams/imported.yaml", "--now", now],
                in: directory, environment: environment
            )
            #expect(written.exitCode == 0, "the folder is made: \(written.standardError)")
            #expect(written.standardError.hasSuffix("Imported 2 PagerDuty schedules: 3 schedules, 3 destinations, 5 new people. Run `handoff validate` and `handoff plan` to review.\n"))
            let validate = try await HandoffProcess.run(["validate", "."], in: directory)
            #expect(validate.standardOutput == "Configuration is valid: 3 schedules, 3 destinations, 1 connection.\n", "\(validate.standardOutput)")
            // People carry PagerDuty's names, so `who` shows them as `plan` does.
            let who = try await HandoffProcess.run(["who", ".", "--at", "2026-10-12T12:00:00Z", "--next", "1", "--format", "json"], in: directory)
            #expect(who.exitCode == 0, "\(who.standardError)")
            #expect(who.standardOutput.contains("\"person\": \"Bob Example\""), "\(who.standardOutput)")
            #expect(!who.standardOutput.contains("\"person\": \"bob\""), "\(who.standardOutput)")

            let before = try Data(contentsOf: directory.appendingPathComponent("teams/imported.yaml"))
            let again = try await HandoffProcess.run(
                ["import", "--connection", "acme", "--schedule", "PWEEKLY", "--out", "teams/imported.yaml", "--now", now], in: directory, environment: environment
            )
            #expect(again.exitCode == 1)
            #expect(again.standardError.contains("teams/imported.yaml already exists; nothing was written; pass --force to overwrite"))
            #expect(try Data(contentsOf: directory.appendingPathComponent("teams/imported.yaml")) == before)

            let missing = try await HandoffProcess.run(["import", "--connection", "acme"], in: directory, environment: environment)
            #expect(missing.exitCode != 0)
            #expect(missing.standardError.contains("say what to do: --list, --schedule ID (repeatable) or --all"))
        }
    }

    @Test("--out FOLDER/ writes one file per PagerDuty schedule, people defined once; a second run names every file in the way")
    func folder() async throws {
        try await withConfigurationDirectory { directory, environment in
            let arguments = ["import", "--connection", "acme", "--schedule", "PWEEKLY", "--schedule", "PLAYERS", "--out", "teams/", "--now", "2026-10-12T00:00:00Z"]

            let written = try await HandoffProcess.run(arguments, in: directory, environment: environment)
            #expect(written.exitCode == 0, "\(written.standardError)")
            #expect(written.standardError.hasPrefix("Wrote teams/pagerduty-pweekly.yaml\nWrote teams/pagerduty-players.yaml\n"), "\(written.standardError)")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("teams").path).sorted()
            #expect(files == ["pagerduty-players.yaml", "pagerduty-pweekly.yaml"])
            let texts = try files.map { try String(contentsOf: directory.appendingPathComponent("teams/\($0)"), encoding: .utf8) }
            let bobDefinitions = texts.map { $0.components(separatedBy: "email: bob@example.com }").count - 1 }
            #expect(bobDefinitions.reduce(0, +) == 1, "a person on both schedules is defined in one file: \(bobDefinitions)")
            let validate = try await HandoffProcess.run(["validate", "."], in: directory)
            #expect(validate.exitCode == 0, "\(validate.standardError)")
            #expect(validate.standardOutput == "Configuration is valid: 3 schedules, 3 destinations, 1 connection.\n", "\(validate.standardOutput)")
            // People carry PagerDuty's names, so `who` shows them as `plan` does.
            let who = try await HandoffProcess.run(["who", ".", "--at", "2026-10-12T12:00:00Z", "--next", "1", "--format", "json"], in: directory)
            #expect(who.exitCode == 0, "\(who.standardError)")
            #expect(who.standardOutput.contains("\"person\": \"Bob Example\""), "\(who.standardOutput)")
            #expect(!who.standardOutput.contains("\"person\": \"bob\""), "\(who.standardOutput)")

            let before = texts.map { Data($0.utf8) }
            let again = try await HandoffProcess.run(arguments, in: directory, environment: environment)
            #expect(again.exitCode == 1)
            #expect(again.standardError.contains("teams/pagerduty-pweekly.yaml, teams/pagerduty-players.yaml already exist; nothing was written; pass --force to overwrite"), "\(again.standardError)")
            #expect(try files.map { try Data(contentsOf: directory.appendingPathComponent("teams/\($0)")) } == before)
        }
    }
}
