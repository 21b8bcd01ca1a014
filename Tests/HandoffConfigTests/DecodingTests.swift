import Foundation
import HandoffConfig
import HandoffTestSupport
import HandoffTime
import Testing
import YAMLNodes

@Suite("Configuration decoding")
struct DecodingTests {
    /// The example of DESIGN section 3, complete.
    static let designExample = """
        version: 1

        state:
          backend: local
          path: .handoff/state.json

        connections:
          acme:
            type: pagerduty
            token_env: PAGERDUTY_TOKEN
          eu:
            type: pagerduty
            token_env: PAGERDUTY_EU_TOKEN
            api_url: https://api.eu.pagerduty.com
          demo:
            type: sandbox
            data: .handoff/sandbox.json

        people:
          alice: { email: alice@example.com }
          bob:   { email: bob@example.com }
          carol: { name: Carol Chen, email: carol@example.com }
          dave:  { email: dave@example.com }

        schedules:
          platform-primary:
            time_zone: Europe/Berlin
            rotation:
              members: [alice, bob, carol]
              start: 2026-11-02T09:00
              turn: 1w
              changes:
                - from: 2027-01-04T09:00
                  members: [alice, bob, carol, dave]
                - from: 2027-03-01T09:00
                  turn: 2w
            coverage:
              - days: [mon, tue, wed, thu, fri]
                from: "09:00"
                to: "18:00"
              - days: [sat]
                from: "22:00"
                to: "06:00"
            horizon: 8w
            time_off:
              - { person: carol, from: 2026-12-21, until: 2027-01-04 }
            assignments:
              - { person: bob, from: 2026-12-24T09:00, until: 2026-12-27T09:00 }
            swaps:
              - [2026-12-07T09:00, 2026-12-14T09:00]

        destinations:
          platform-primary-pd:
            schedule: platform-primary
            connection: acme
            pagerduty_schedule: PABC123
            manual_changes: keep

        """

    @Test("pagerduty_rotation names the rotation a shift-based schedule's export replaces; it is optional")
    func pagerDutyRotationDecodes() throws {
        let loaded = ConfigFixtures.load(
            Self.designExample.replacingOccurrences(of: "    manual_changes: keep\n", with: "    manual_changes: keep\n    pagerduty_rotation: Primary weekly\n")
        )
        #expect(loaded.diagnostics.isEmpty)
        let configuration = try #require(loaded.configuration)
        #expect(configuration.destination(named: "platform-primary-pd")?.pagerDutyRotation == "Primary weekly")
        let plain = try #require(ConfigFixtures.load(Self.designExample).configuration)
        #expect(plain.destination(named: "platform-primary-pd")?.pagerDutyRotation == nil)
    }

    @Test("the example of the design decodes into the model")
    func designExampleDecodes() throws {
        let loaded = ConfigFixtures.load(Self.designExample)
        #expect(loaded.diagnostics.isEmpty)
        let configuration = try #require(loaded.configuration)
        #expect(configuration.state.backend == .local(path: ".handoff/state.json"))
        #expect(configuration.connections.map(\.name) == ["acme", "demo", "eu"])
        #expect(configuration.connection(named: "eu")?.kind == .pagerDuty(tokenEnvironmentVariable: "PAGERDUTY_EU_TOKEN", apiURL: "https://api.eu.pagerduty.com"))
        #expect(configuration.connection(named: "acme")?.kind == .pagerDuty(tokenEnvironmentVariable: "PAGERDUTY_TOKEN", apiURL: "https://api.pagerduty.com"))
        #expect(configuration.connection(named: "demo")?.kind == .sandbox(dataPath: ".handoff/sandbox.json", seedPath: nil))
        #expect(configuration.person("carol")?.displayName == "Carol Chen <carol@example.com>")
        #expect(configuration.person("bob")?.displayName == "bob <bob@example.com>")

        let schedule = try #require(configuration.schedule(named: "platform-primary"))
        #expect(schedule.zone.identifier == "Europe/Berlin")
        #expect(schedule.horizon == CalendarDuration(8, .weeks))
        let eras = schedule.rotation.eras
        #expect(eras.count == 3)
        #expect(eras[0].members == ["alice", "bob", "carol"])
        #expect(eras[0].from == LocalDateTime(parsing: "2026-11-02T09:00"))
        #expect(eras[1].members == ["alice", "bob", "carol", "dave"])
        #expect(eras[1].turn == CalendarDuration(1, .weeks))
        // A change that sets only the turn keeps the roster of the era before it.
        #expect(eras[2].members == ["alice", "bob", "carol", "dave"])
        #expect(eras[2].turn == CalendarDuration(2, .weeks))
        #expect(schedule.coverage.count == 2)
        #expect(schedule.coverage[0].days == [.monday, .tuesday, .wednesday, .thursday, .friday])
        #expect(schedule.coverage[1].lengthInMinutes == 8 * 60)
        #expect(schedule.timeOff.first?.from == LocalDateTime(parsing: "2026-12-21T00:00"))
        #expect(schedule.timeOff.first?.until == LocalDateTime(parsing: "2027-01-04T00:00"))
        #expect(schedule.assignments.first?.person == "bob")
        #expect(schedule.swaps.first?.first == LocalDateTime(parsing: "2026-12-07T09:00"))
        #expect(configuration.destination(named: "platform-primary-pd")?.pagerDutySchedule == "PABC123")
        #expect(configuration.destination(named: "platform-primary-pd")?.manualChanges == .keep)
    }

    @Test("defaults: local state, 8-week horizon, around the clock, keep manual changes")
    func defaults() throws {
        let configuration = try #require(ConfigFixtures.load(ConfigFixtures.minimal).configuration)
        #expect(configuration.state.backend == .local(path: ".handoff/state.json"))
        let schedule = try #require(configuration.schedule(named: "primary"))
        #expect(schedule.horizon == CalendarDuration(8, .weeks))
        #expect(schedule.coverage.isEmpty)
        #expect(configuration.destination(named: "primary-pd")?.manualChanges == .keep)
    }

    @Test("members may be named by e-mail, of a defined person or of someone known by address only")
    func membersByEmail() throws {
        let loaded = ConfigFixtures.load("""
            people:
              alice: { email: alice@example.com }
            schedules:
              s:
                time_zone: UTC
                rotation: { members: [ALICE@example.com, zoe@example.org], start: 2026-11-02T09:00, turn: 1d }

            """)
        #expect(loaded.diagnostics.isEmpty)
        let configuration = try #require(loaded.configuration)
        #expect(configuration.schedule(named: "s")?.rotation.eras[0].members == ["alice", "zoe@example.org"])
        #expect(configuration.person("zoe@example.org")?.email == "zoe@example.org")
    }

    @Test("anchors and merge keys share settings between schedules")
    func anchorsAndMerges() throws {
        let loaded = ConfigFixtures.load("""
            people:
              alice: { email: alice@example.com }
              bob: { email: bob@example.com }
            schedules:
              a: &common
                time_zone: America/New_York
                horizon: 4w
                rotation: &rotation { members: [alice, bob], start: 2026-11-02T09:00, turn: 1w }
              b:
                <<: *common
                rotation:
                  <<: *rotation
                  members: [bob, alice]

            """)
        #expect(loaded.diagnostics.isEmpty)
        let configuration = try #require(loaded.configuration)
        #expect(configuration.schedule(named: "b")?.zone.identifier == "America/New_York")
        #expect(configuration.schedule(named: "b")?.horizon == CalendarDuration(4, .weeks))
        #expect(configuration.schedule(named: "b")?.rotation.eras[0].members == ["bob", "alice"])
        #expect(configuration.schedule(named: "b")?.rotation.eras[0].turn == CalendarDuration(1, .weeks))
    }

    @Test("every problem of a file is reported in one run, in order")
    func collectsEverything() {
        let loaded = ConfigFixtures.load("""
            version: 3
            schedulez: {}
            people:
              x: { email: nope }

            """)
        #expect(loaded.diagnostics.map(\.message) == [
            "configuration version 3 is not supported; this Handoff reads version 1",
            "unknown key \"schedulez\" in the top level; did you mean \"schedules\"?",
            "\"nope\" is not an e-mail address",
        ])
    }

    @Test("diagnostics carry the range of the value and a detail when one helps")
    func rangesAndDetails() throws {
        let loaded = ConfigFixtures.load("""
            schedules:
              s: { time_zone: Mars/Olympus, rotation: { members: [a@example.com], start: 2026-11-02T09:00, turn: 1w } }

            """)
        let diagnostic = try #require(loaded.diagnostics.first)
        #expect(diagnostic.location == SourceLocation(path: "handoff.yaml", start: Mark(line: 2, column: 19), end: Mark(line: 2, column: 31)))
        #expect(diagnostic.detail == "Time zones are IANA names from the system's time zone database, such as Europe/Berlin or America/New_York.")
    }

    @Test("a connection still used by the state cannot be removed")
    func stateUsage() throws {
        let configuration = try #require(ConfigFixtures.load(ConfigFixtures.minimal).configuration)
        let diagnostics = ConfigurationValidator.checkStateUsage(
            configuration,
            usage: [
                StateUsage(destination: "primary-pd", connection: "acme"),
                StateUsage(destination: "old-pd", connection: "legacy"),
                StateUsage(destination: "older-pd", connection: "legacy"),
            ],
            statePath: ".handoff/state.json"
        )
        #expect(diagnostics.map(\.message) == [
            "connection \"legacy\" is removed, but the state (.handoff/state.json) still holds overrides exported through it by destination \"old-pd\", \"older-pd\""
        ])
    }
}

@Suite("Configuration directories")
struct DirectoryTests {
    private func makeDirectory(_ files: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-config-\(UUID().uuidString)").path
        for (path, text) in files {
            let full = (directory as NSString).appendingPathComponent(path)
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return directory
    }

    @Test("files are read recursively in sorted path order; hidden folders and other files are skipped")
    func readsRecursively() throws {
        let directory = try makeDirectory([
            "b.yaml": "people:\n  bob: { email: bob@example.com }\n",
            "a/z.yml": "people:\n  zed: { email: zed@example.com }\n",
            "a/a.yaml": "version: 1\n",
            ".handoff/seed.yaml": "this: [is not read\n",
            "notes.txt": "not YAML",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let loaded = ConfigurationLoader.load(directory: directory)
        #expect(loaded.files.map { String($0.dropFirst(directory.count + 1)) } == ["a/a.yaml", "a/z.yml", "b.yaml"])
        #expect(loaded.configuration?.people.map(\.key) == ["bob", "zed"])
    }

    @Test("a missing directory, a file, and a directory without YAML are clear errors")
    func missingOrEmpty() throws {
        let missing = ConfigurationLoader.load(directory: "/nonexistent/handoff-config")
        #expect(missing.diagnostics.map(\.message) == ["configuration directory /nonexistent/handoff-config does not exist"])
        let empty = try makeDirectory(["README.md": "# nothing"])
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(ConfigurationLoader.load(directory: empty).diagnostics.map(\.message) == ["configuration directory \(empty) holds no .yaml or .yml files"])
        let file = (empty as NSString).appendingPathComponent("README.md")
        #expect(ConfigurationLoader.load(directory: file).diagnostics.map(\.message) == ["\(file) is a file, not a configuration directory"])
    }

    @Test("an empty file is an empty configuration")
    func emptyFile() throws {
        let loaded = ConfigFixtures.load([("empty.yaml", ""), ("comments.yaml", "# only a comment\n")])
        #expect(loaded.diagnostics.isEmpty)
        #expect(loaded.configuration?.schedules.isEmpty == true)
    }
}
