import Foundation
import HandoffConfig
import HandoffImport
import HandoffTestSupport
import HandoffTime
import PagerDuty
import PagerDutySandbox
import Testing
import YAMLNodes

/// `handoff import` of what a hostile PagerDuty account (or whoever can rename a schedule) sends
/// (issue 12, item 5): names that try to inject YAML, control characters and terminal escapes,
/// and schedule ids that try to lead out of `--out`.
@Suite("Import of hostile PagerDuty data")
struct HostileImportTests {
    static let scheduleName = "Evil\nconnections:\n  evil: { type: pagerduty, token_env: PAGERDUTY_TOKEN, api_url: \"https://evil.example\" }\n# "
    static let layerName = "Layer\n---\nconnections: {}\n...\n\u{1B}[31mred\u{1B}[0m \u{7}"
    static let userNames = [
        "Mallory\n  evil: { email: evil@example.com }\u{1B}]0;owned\u{7}",
        "Trudy #hash \"dq\" 'sq' \\ nul\u{0} nel\u{85} ls\u{2028} bidi\u{202E}",
    ]
    static let emails = ["mallory@example.com", "o'hara#1@example.com"]

    static let seed = SandboxSeed(
        users: [
            SandboxSeed.User(name: userNames[0], email: emails[0], id: "PMALLOR"),
            SandboxSeed.User(name: userNames[1], email: emails[1], id: "PTRUDY1"),
        ],
        schedules: [
            .init(name: scheduleName, timeZone: "Europe/Berlin", id: "PEVIL01", layers: [
                .init(
                    name: layerName, start: ImportTests.at("2026-09-07T07:00:00Z"), rotationVirtualStart: ImportTests.at("2026-09-07T07:00:00Z"),
                    rotationTurnLengthSeconds: 604_800, users: emails
                ),
            ]),
        ]
    )

    /// The first double-quoted YAML scalar on `line`, read back by the YAML loader.
    static func firstQuoted(_ line: String) throws -> String? {
        let pattern = try Regex(#""(?:[^"\\]|\\.)*""#)
        guard let match = line.firstMatch(of: pattern) else { return nil }
        return YAMLLoader.load("value: \(line[match.range])", path: "comment").root?["value"]?.scalar?.value
    }

    @Test("names with line breaks, a document breaker, control characters and ANSI escapes load back as exactly the intended keys and strings")
    func hostileNames() async throws {
        try await SandboxHarness.with(now: ImportTests.now, seed: Self.seed) { sandbox in
            let (_, documents) = try await ImportTests().imported(sandbox, ids: ["PEVIL01"])
            let text = try #require(documents.first?.text)

            // Only line feeds end lines; nothing invisible or terminal-controlling is written raw.
            let invisible = text.unicodeScalars.filter { $0 != "\n" && ($0.value < 0x20 || (0x7F...0x9F).contains($0.value) || [0x2028, 0x2029, 0x202E].contains($0.value)) }
            #expect(invisible.isEmpty, "raw control characters: \(invisible.map { String($0.value, radix: 16) })")
            for note in documents.flatMap(\.notes) {
                #expect(!note.unicodeScalars.contains { $0.value < 0x20 }, "\(note.debugDescription)")
            }

            // One document with the intended top-level keys and nothing injected.
            let parsed = YAMLLoader.load(text, path: "imported.yaml")
            #expect(parsed.errors.isEmpty)
            #expect(parsed.root?.mapping?.map { $0.key.scalar?.value ?? "?" } == ["version", "people", "schedules", "destinations"])

            let loaded = try ImportTests().load(text, url: sandbox.baseURL)
            #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.description))")
            let configuration = try #require(loaded.configuration)
            #expect(configuration.connections.map(\.name) == ["acme"], "no connection came from PagerDuty's names")
            #expect(Set(configuration.people.map(\.email)) == Set(Self.emails))
            #expect(configuration.schedules.count == 1)
            #expect(configuration.destinations.map(\.pagerDutySchedule) == ["PEVIL01"])

            // The names in comments read back exactly, escapes and all.
            let lines = text.split(separator: "\n").map(String.init)
            let scheduleLine = try #require(lines.first { $0.hasPrefix("# PagerDuty schedule PEVIL01 ") })
            #expect(try Self.firstQuoted(scheduleLine) == Self.scheduleName)
            let layerLine = try #require(lines.first { $0.hasPrefix("  # Layer ") })
            #expect(try Self.firstQuoted(layerLine) == Self.layerName)
            for (email, name) in zip(Self.emails, Self.userNames) {
                let personLine = try #require(lines.first { $0.contains("email: ") && $0.contains(email.prefix(5)) })
                let comment = try #require(personLine.range(of: "  # ").map { String(personLine[$0.upperBound...]) })
                #expect(YAMLLoader.load("value: \(comment)", path: "comment").root?["value"]?.scalar?.value == name, "\(personLine)")
            }
        }
    }

    @Test("a person's name is written as `name:` when the configuration accepts it, punctuation and all; one it would refuse stays an escaped comment")
    func personNames() async throws {
        let punctuated = "Zoë \"Z\" O'Hara #1 {x: [y]}, \\ & *anchor"
        let seed = SandboxSeed(
            users: [
                SandboxSeed.User(name: punctuated, email: "zoe@example.com", id: "PZOE001"),
                SandboxSeed.User(name: Self.userNames[0], email: Self.emails[0], id: "PMALLOR"),
            ],
            schedules: [
                .init(name: "Names", timeZone: "Europe/Berlin", id: "PNAMES1", layers: [
                    .init(
                        name: "Layer 1", start: ImportTests.at("2026-09-07T07:00:00Z"), rotationVirtualStart: ImportTests.at("2026-09-07T07:00:00Z"),
                        rotationTurnLengthSeconds: 604_800, users: ["zoe@example.com", Self.emails[0]]
                    ),
                ]),
            ]
        )
        try await SandboxHarness.with(now: ImportTests.now, seed: seed) { sandbox in
            let (_, documents) = try await ImportTests().imported(sandbox, ids: ["PNAMES1"])
            let text = try #require(documents.first?.text)
            let loaded = try ImportTests().load(text, url: sandbox.baseURL)
            #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.description))")
            let configuration = try #require(loaded.configuration)
            #expect(configuration.people.first { $0.email == "zoe@example.com" }?.name == punctuated)
            #expect(configuration.people.first { $0.email == Self.emails[0] }?.name == nil)
            #expect(text.contains("  # \"Mallory\\n"), "\(text)")
        }
    }

    @Test("file names are slugs of the schedule ids: [a-z0-9-], bounded, unique, never a path")
    func fileNames() {
        let long = String(repeating: "P", count: 500)
        let names = ImportWriter.fileNames(scheduleIDs: ["PWEEKLY", "../../etc/passwd", "P/../../x", "pweekly", "PWEEKLY", nil, nil, "////", long, "Ünïcødé\n\u{1B}"])
        #expect(names.prefix(4) == ["pagerduty-pweekly.yaml", "pagerduty-etc-passwd.yaml", "pagerduty-p-x.yaml", "pagerduty-pweekly-2.yaml"])
        #expect(Set(names).count == names.count)
        for name in names {
            #expect(name.hasPrefix("pagerduty") && name.hasSuffix(".yaml") && name.count <= 100, "\(name)")
            #expect(name.dropLast(5).allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }, "\(name)")
        }
    }

    @Test("a schedule id that is not letters and digits is refused before anything is written; --out gets nothing, its parent less")
    func traversalID() async throws {
        let seed = SandboxSeed(
            users: [SandboxSeed.User(name: "Alice", email: "alice@example.com", id: "PALICE1")],
            schedules: [
                .init(name: "Escape", timeZone: "Europe/Berlin", id: "P/../../escape", layers: [
                    .init(
                        name: "Layer 1", start: ImportTests.at("2026-09-07T07:00:00Z"), rotationVirtualStart: ImportTests.at("2026-09-07T07:00:00Z"),
                        rotationTurnLengthSeconds: 604_800, users: ["alice@example.com"]
                    ),
                ]),
            ]
        )
        try await SandboxHarness.with(now: ImportTests.now, seed: seed) { sandbox in
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-import-escape-\(UUID().uuidString)")
            let directory = root.appendingPathComponent("config")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: root) }
            try "version: 1\nconnections:\n  acme: { type: pagerduty, token_env: HANDOFF_TEST_TOKEN, api_url: \"\(sandbox.baseURL)\" }\n"
                .write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let result = try await HandoffProcess.run(
                ["import", "--connection", "acme", "--all", "--out", "teams/in/", "--now", "2026-10-12T00:00:00Z"],
                in: directory, environment: ["HANDOFF_TEST_TOKEN": SandboxHarness.readOnlyKey]
            )
            #expect(result.exitCode == 1)
            #expect(
                result.standardError
                    == "error: PagerDuty schedule \"P/../../escape\" has an id that is not letters and digits (up to 32), which a destination cannot name; nothing was written\n"
            )
            let everything = FileManager.default.enumerator(atPath: root.path).map { $0.compactMap { $0 as? String } } ?? []
            #expect(everything.sorted() == ["config", "config/handoff.yaml"], "\(everything)")
        }
    }
}
