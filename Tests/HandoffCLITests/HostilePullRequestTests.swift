import Foundation
import HandoffTestSupport
import HandoffTime
import PagerDutySandbox
import Testing

/// DESIGN section 9, end to end: `handoff validate` and `handoff plan` run by a pipeline with a
/// PagerDuty key in the environment, over every hostile configuration a pull request can bring.
/// Whatever the configuration does, no byte of any output holds the key in any rendering, and
/// every run ends, in bounded time, with exit 0, 1 or 2.
@Suite("hostile pull requests: the key never leaves, every run ends")
struct HostilePullRequestTests {
    /// A key with the characters whose renderings differ: percent-encoding, JSON and Swift escapes.
    static let key = #"u+Secr3tK3y/Handoff="Le@k\Test"#
    /// Distinctive enough that no rendering of the key can hide all of it.
    static let marker = "Secr3tK3y"
    static let variable = "HANDOFF_HOSTILE_KEY"

    /// Every way the key could be written out.
    static func renderings(of key: String) -> [String] {
        let percent = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key
        let json = String(decoding: (try? JSONEncoder().encode(key)) ?? Data(), as: UTF8.self)
        return [
            key, marker, percent, String(json.dropFirst().dropLast()), key.debugDescription,
            Data(key.utf8).base64EncodedString(), Data(key.utf8).map { String(format: "%02x", $0) }.joined(),
        ]
    }

    static let seed = SandboxSeed(
        users: [.init(name: "Alice Archer", email: "alice@example.com"), .init(name: "Bob Brown", email: "bob@example.com")],
        schedules: [.init(name: "Primary", timeZone: "Europe/Berlin", id: "PPRIMAR")]
    )

    /// A valid team whose connection points at the simulated PagerDuty with the key from the environment.
    static func team(url: String, name: String = "Alice Archer", apiURL: String? = nil, timeZone: String = "Europe/Berlin") -> String {
        """
        version: 1
        connections:
          acme: { type: pagerduty, token_env: \(variable), api_url: "\(apiURL ?? url)" }
        people:
          alice: { name: \(yamlQuoted(name)), email: alice@example.com }
          bob: { name: Bob Brown, email: bob@example.com }
        schedules:
          primary:
            time_zone: \(yamlQuoted(timeZone))
            rotation: { members: [alice, bob], start: 2026-11-02T09:00, turn: 1w }
            horizon: 2w
        destinations:
          primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PPRIMAR }

        """
    }

    /// `text` as a YAML double-quoted scalar, control characters as YAML escapes.
    static func yamlQuoted(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                quoted += "\\x" + String(format: "%02X", scalar.value)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    /// One hostile pull request: how it lays out the configuration folder, and the key the pipeline has.
    struct Attack: Sendable, CustomTestStringConvertible {
        var name: String
        var key: String = HostilePullRequestTests.key
        /// What `validate` and `plan` must answer (exit code and a phrase of the message), so that an
        /// attack refused for an unrelated reason does not pass unnoticed.
        var validate: Outcome
        var plan: Outcome
        var files: @Sendable (_ url: String, _ folder: URL, _ outside: URL) throws -> Void
        var testDescription: String { name }
    }

    struct Outcome: Sendable {
        var exitCode: Int32
        var says: String
        static func refused(_ says: String) -> Outcome { Outcome(exitCode: 1, says: says) }
        static func accepted(_ says: String) -> Outcome { Outcome(exitCode: 0, says: says) }
    }

    static let attacks: [Attack] = [
        Attack(name: "a file linked to /proc/self/environ", validate: .refused("leads outside the configuration directory"), plan: .refused("leads outside the configuration directory")) { url, folder, _ in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("leak.yaml").path, withDestinationPath: "/proc/self/environ")
        },
        Attack(name: "a file linked to a file outside the folder", validate: .refused("leads outside the configuration directory"), plan: .refused("leads outside the configuration directory")) { url, folder, outside in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let secret = outside.appendingPathComponent("secret.yaml")
            try "token: \"\(key)\"\n".write(to: secret, atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("leak.yaml").path, withDestinationPath: secret.path)
        },
        Attack(name: "a folder linked to the folder outside, and to /", validate: .refused("leads outside the configuration directory"), plan: .refused("leads outside the configuration directory")) { url, folder, outside in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            try "token: \"\(key)\"\n".write(to: outside.appendingPathComponent("secret.yaml"), atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("up").path, withDestinationPath: outside.path)
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("root").path, withDestinationPath: "/")
        },
        Attack(name: "a file and a folder linked into .git, whose config holds the key", validate: .refused("hidden"), plan: .refused("hidden")) { url, folder, _ in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let git = folder.appendingPathComponent(".git")
            try FileManager.default.createDirectory(at: git, withIntermediateDirectories: true)
            try "[http]\n\textraheader = AUTHORIZATION: basic \(key)\n".write(to: git.appendingPathComponent("config"), atomically: true, encoding: .utf8)
            try "token: \"\(key)\"\n".write(to: git.appendingPathComponent("more.yaml"), atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("x.yaml").path, withDestinationPath: ".git/config")
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("cfg").path, withDestinationPath: ".git")
        },
        Attack(name: "a state journal linked to /proc/self/environ", validate: .refused("is a symbolic link, and Handoff does not follow one there"), plan: .refused("is a symbolic link, and Handoff does not follow one there")) { url, folder, _ in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let state = folder.appendingPathComponent(".handoff")
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: state.appendingPathComponent("state.json.journal").path, withDestinationPath: "/proc/self/environ")
        },
        Attack(name: "folders linked to themselves", validate: .accepted("is a link to a folder that is already read"), plan: .accepted("Handoff will perform the following actions")) { url, folder, _ in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("a").path, withDestinationPath: ".")
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("b").path, withDestinationPath: ".")
        },
        Attack(name: "api_url sends the key to another host", validate: .refused("which is not PagerDuty's API"), plan: .refused("which is not PagerDuty's API")) { url, folder, _ in
            try team(url: url, apiURL: "https://evil.example").write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        },
        Attack(name: "api_url with the key's host spelled another way", validate: .refused("which is not PagerDuty's API"), plan: .refused("which is not PagerDuty's API")) { url, folder, _ in
            try team(url: url, apiURL: "https://api.pagerduty.com.evil.example/").write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        },
        Attack(name: "a name with a newline, a code fence, a mention and terminal escapes", validate: .refused("U+000A"), plan: .refused("U+000A")) { url, folder, _ in
            let name = "Alice\n```\n@org/everyone [ok](https://evil.example) \u{1B}]0;owned\u{07}\u{1B}[2J\u{202E}"
            try team(url: url, name: name).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        },
        Attack(
            name: "a name with a code fence, a mention, a link and HTML",
            validate: .accepted("Configuration is valid"), plan: .accepted("Handoff will perform the following actions")
        ) { url, folder, _ in
            let name = "Alice ``` </code></summary></details> @org/everyone [ok](https://evil.example) <img src=x>"
            try team(url: url, name: name).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        },
        Attack(name: "a file that is not UTF-8", validate: .refused("is not UTF-8 text"), plan: .refused("is not UTF-8 text")) { url, folder, _ in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            try Data([0x70, 0x3A, 0x20, 0xFF, 0xFE, 0x00, 0x1B, 0x5B, 0x32, 0x4A, 0x0A]).write(to: folder.appendingPathComponent("binary.yaml"))
        },
        Attack(name: "a megabyte-long unknown time zone on one line", validate: .refused("unknown time zone"), plan: .refused("unknown time zone")) { url, folder, _ in
            let zone = String(repeating: "Europe/Berlinx", count: 75_000)
            try team(url: url, timeZone: zone).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        },
        Attack(name: "the state folder linked to a folder outside", validate: .accepted("Configuration is valid"), plan: .refused("leads out of the configuration directory through a symbolic link")) { url, folder, outside in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            try "{\"token\": \"\(key)\"}\n".write(to: outside.appendingPathComponent("state.json"), atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(".handoff").path, withDestinationPath: outside.path)
        },
        Attack(name: "the state file linked to /proc/self/environ", validate: .accepted("Configuration is valid"), plan: .refused("leads out of the configuration directory through a symbolic link")) { url, folder, _ in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(".handoff"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(".handoff/state.json").path, withDestinationPath: "/proc/self/environ")
        },
        Attack(name: "state and sandbox paths outside the folder", validate: .refused("must name a file inside the configuration directory"), plan: .refused("must name a file inside the configuration directory")) { url, folder, outside in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            try "token: \"\(key)\"\n".write(to: outside.appendingPathComponent("secret.yaml"), atomically: true, encoding: .utf8)
            try """
                state: { backend: local, path: /proc/self/environ }
                connections:
                  demo: { type: sandbox, data: ../outside/secret.yaml, seed: \(outside.appendingPathComponent("secret.yaml").path) }

                """.write(to: folder.appendingPathComponent("paths.yaml"), atomically: true, encoding: .utf8)
        },
        Attack(name: "a key with CR and LF (header injection)", key: "\(key)\r\nX-Forwarded-Host: evil.example", validate: .accepted("Configuration is valid"), plan: .refused("holds a line break")) { url, folder, _ in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        },
        Attack(name: "a key with an escape sequence", key: "\u{1B}]52;c;\(key)\u{07}", validate: .accepted("Configuration is valid"), plan: .refused("holds a line break")) { url, folder, _ in
            try team(url: url).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        },
    ]

    @Test("validate and plan in every format: no rendering of the key in any output, bounded time", arguments: attacks)
    func noOutputHoldsTheKey(_ attack: Attack) async throws {
        var seed = Self.seed
        seed.tokens.append(SandboxSeed.Token(token: Self.key, readOnly: true))
        try await SandboxHarness.with(seed: seed) { sandbox in
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-hostile-\(UUID().uuidString)")
            let folder = root.appendingPathComponent("config")
            let outside = root.appendingPathComponent("outside")
            for directory in [folder, outside] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
            defer { try? FileManager.default.removeItem(at: root) }
            try attack.files(sandbox.baseURL, folder, outside)

            let runs = [
                ["validate", "."], ["validate", ".", "--format", "json"],
                ["plan", ".", "--now", "2026-11-23T10:00:00Z"], ["plan", ".", "--now", "2026-11-23T10:00:00Z", "--format", "markdown"],
                ["plan", ".", "--now", "2026-11-23T10:00:00Z", "--format", "json"],
            ]
            for arguments in runs {
                let output = try await HandoffProcess.run(arguments, in: folder, environment: [Self.variable: attack.key], timeout: 60)
                let what = "\(attack.name): handoff \(arguments.joined(separator: " "))"
                #expect(!output.timedOut, "\(what) did not end within 60 s")
                #expect([0, 1, 2].contains(output.exitCode), "\(what) exited \(output.exitCode)")
                let printed = output.standardOutput + output.standardError
                if !arguments.contains("--format") {
                    let expected = arguments[0] == "validate" ? attack.validate : attack.plan
                    #expect(output.exitCode == expected.exitCode, "\(what): \(printed.prefix(600))")
                    #expect(printed.contains(expected.says), "\(what) does not say \"\(expected.says)\": \(printed.prefix(600))")
                }
                for rendering in Self.renderings(of: attack.key) + Self.renderings(of: Self.key) {
                    #expect(!printed.contains(rendering), "\(what) printed the key as \(rendering.debugDescription)")
                }
                if arguments.contains("markdown"), output.exitCode == 0 {
                    // Names from the pull request appear only inside the plan's code block.
                    for line in output.standardOutput.split(separator: "\n") where line.contains("@org/everyone") {
                        #expect(line.hasPrefix("+ override") || line.hasPrefix("~ "), "\(what): \(line)")
                    }
                }
                // Nothing reaches the terminal raw: no escape, no carriage return, no bidirectional override.
                #expect(!printed.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\r" || $0 == "\u{202E}" || $0 == "\u{9B}" }, "\(what)")
                // Output stays proportionate to the input (a megabyte line is not echoed whole).
                #expect(printed.utf8.count < 64 * 1024, "\(what) printed \(printed.utf8.count) bytes")
            }
        }
    }

    @Test("the control run: the same team without an attack plans against the simulated PagerDuty")
    func controlRunWorks() async throws {
        var seed = Self.seed
        seed.tokens.append(SandboxSeed.Token(token: Self.key, readOnly: true))
        try await SandboxHarness.with(seed: seed) { sandbox in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-hostile-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try Self.team(url: sandbox.baseURL).write(to: folder.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let output = try await HandoffProcess.run(
                ["plan", ".", "--now", "2026-11-23T10:00:00Z", "--detailed-exitcode"], in: folder, environment: [Self.variable: Self.key], timeout: 60
            )
            #expect(output.exitCode == 2, "\(output.standardError)")
            #expect(output.standardOutput.hasPrefix("Handoff will perform the following actions:"))
            #expect(!(output.standardOutput + output.standardError).contains(Self.marker))
        }
    }
}
