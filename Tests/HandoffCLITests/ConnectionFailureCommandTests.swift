import Foundation
import HandoffTestSupport
import Testing

/// Failures that say where and what, quickly (issue 14, item 6), as the built `handoff` reports
/// them: a PagerDuty address or a state database nobody listens on fails at once, in one line
/// naming the connection or the database, with exit code 1.
@Suite("connection failures of the built handoff")
struct ConnectionFailureCommandTests {
    static let key = "pd-Command+Key_0123456789abcdef"
    static let databasePassword = "db-Secret-Password-42"

    /// A configuration directory whose connection `acme` points at `apiURL`, with the state in
    /// PostgreSQL when `postgres` is true (its URL in `HANDOFF_STATE_URL`).
    static func directory(apiURL: String, postgres: Bool = false) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-unreachable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let state = postgres ? "state: { backend: postgres, url_env: HANDOFF_STATE_URL, schema: handoff, workspace: default }\n" : ""
        let text = """
            version: 1
            \(state)connections:
              acme:
                type: pagerduty
                token_env: PAGERDUTY_TOKEN
                api_url: \(apiURL)
            people:
              alice: { name: Alice Archer, email: alice@example.com }
              bob: { name: Bob Brown, email: bob@example.com }
            schedules:
              primary:
                time_zone: Europe/Berlin
                rotation: { members: [alice, bob], start: 2026-11-02T09:00, turn: 1w }
                horizon: 4w
            destinations:
              primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PPRIMAR }

            """
        try Data(text.utf8).write(to: directory.appendingPathComponent("handoff.yaml"))
        return directory
    }

    @Test(
        "plan and import against a closed port fail at once, exit 1, naming the connection and its address, never the key",
        arguments: [["plan", "."], ["plan", ".", "--format", "json"], ["import", ".", "--connection", "acme", "--list"]]
    )
    func closedPort(arguments: [String]) async throws {
        let closed = try ClosedPort()
        let directory = try Self.directory(apiURL: closed.url)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Before the fix this took 55 seconds; the watchdog turns a slow failure into a failed test.
        let output = try await HandoffProcess.run(arguments, in: directory, environment: ["PAGERDUTY_TOKEN": Self.key], timeout: 30)
        #expect(!output.timedOut)
        #expect(output.exitCode == 1)
        #expect(output.standardOutput == "")
        #expect(
            output.standardError
                == "error: connection \"acme\" (http://127.0.0.1:\(closed.port)): could not connect: connection refused; check the connection's api_url and the network\n"
        )
        #expect(!output.standardError.contains(Self.key))
    }

    @Test("a PostgreSQL state on a closed port is one sentence: database, host, port and reason; no password, no driver dump")
    func postgresClosedPort() async throws {
        let closed = try ClosedPort()
        let directory = try Self.directory(apiURL: "https://api.pagerduty.com", postgres: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "postgres://handoff:\(Self.databasePassword)@127.0.0.1:\(closed.port)/oncall?sslmode=disable"
        let output = try await HandoffProcess.run(
            ["plan", "."], in: directory, environment: ["PAGERDUTY_TOKEN": Self.key, "HANDOFF_STATE_URL": url], timeout: 30
        )
        #expect(output.exitCode == 1)
        #expect(output.standardOutput == "")
        #expect(
            output.standardError
                == "error: could not connect to the state database postgres://handoff@127.0.0.1:\(closed.port)/oncall: connection refused; "
                + "check that PostgreSQL runs there and accepts TCP connections on that port\n"
        )
        #expect(!output.standardError.contains(Self.databasePassword))
        #expect(!output.standardError.contains("PSQLError"))
    }
}
