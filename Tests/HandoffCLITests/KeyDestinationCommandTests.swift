import Foundation
import HandoffTestSupport
import PagerDutySandbox
import Testing

/// Where `handoff` sends a key, end to end (issue 12, items 2 and 3): `validate` and `plan` refuse
/// an `api_url` the pipeline did not allow, and a key that cannot be a header, without a request.
@Suite("handoff and the key's destination")
struct KeyDestinationCommandTests {
    private func directory(apiURL: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-cli-hosts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try """
            version: 1
            connections:
              acme:
                type: pagerduty
                token_env: PAGERDUTY_TOKEN
                api_url: \(apiURL)
            people:
              alice: { email: alice@example.com }
            schedules:
              primary:
                time_zone: Europe/Berlin
                rotation: { members: [alice], start: 2026-11-02T09:00, turn: 1w }
            destinations:
              primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PPRIMAR }

            """.write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test("validate: an api_url on another host is an error at its line unless HANDOFF_ALLOWED_API_HOSTS names the host")
    func validate() async throws {
        let directory = try directory(apiURL: "https://pd-proxy.example.com")
        defer { try? FileManager.default.removeItem(at: directory) }
        let refused = try await HandoffProcess.run(["validate", "."], in: directory, environment: ["HANDOFF_ALLOWED_API_HOSTS": ""])
        #expect(refused.exitCode == 1)
        #expect(
            refused.standardOutput.hasPrefix(
                "handoff.yaml:6:14: error: connection \"acme\": \"api_url\" names pd-proxy.example.com, which is not PagerDuty's API (api.pagerduty.com, api.eu.pagerduty.com) or a loopback address; "
                    + "the key goes to another host only when the pipeline lists it in HANDOFF_ALLOWED_API_HOSTS, never because the configuration says so\n"
            ),
            "\(refused.standardOutput)"
        )

        let allowed = try await HandoffProcess.run(["validate", "."], in: directory, environment: ["HANDOFF_ALLOWED_API_HOSTS": "other.example, pd-proxy.example.com"])
        #expect(allowed.exitCode == 0, "\(allowed.standardOutput)")
        #expect(allowed.standardOutput == "Configuration is valid: 1 schedule, 1 destination, 1 connection.\n")

        let malformed = try await HandoffProcess.run(["validate", "."], in: directory, environment: ["HANDOFF_ALLOWED_API_HOSTS": "https://pd-proxy.example.com"])
        #expect(malformed.exitCode == 1)
        #expect(malformed.standardError.hasPrefix("error: HANDOFF_ALLOWED_API_HOSTS must list host names separated by commas"), "\(malformed.standardError)")
    }

    @Test("plan: api_url https://evil.example stops at validation, before any request, and never prints the key")
    func planForeignHost() async throws {
        let directory = try directory(apiURL: "https://evil.example")
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = "u+PlanSecretKey-0123456789"
        let plan = try await HandoffProcess.run(["plan", "."], in: directory, environment: ["PAGERDUTY_TOKEN": key, "HANDOFF_ALLOWED_API_HOSTS": ""])
        #expect(plan.exitCode == 1)
        #expect(plan.standardError.contains("handoff.yaml:6:14: error: connection \"acme\": \"api_url\" names evil.example"), "\(plan.standardError)")
        #expect(!(plan.standardOutput + plan.standardError).contains("PlanSecretKey"))
    }

    @Test("plan: a key with CR/LF is refused in one sentence naming the variable, with no piece of the key")
    func planKeyWithLineBreak() async throws {
        try await SandboxHarness.with { sandbox in
            let directory = try directory(apiURL: "\"\(sandbox.baseURL)\"")
            defer { try? FileManager.default.removeItem(at: directory) }
            let key = "u+FirstHalfOfKey\r\nX-Injected: SecondHalfOfKey"
            let plan = try await HandoffProcess.run(["plan", "."], in: directory, environment: ["PAGERDUTY_TOKEN": key])
            #expect(plan.exitCode == 1)
            #expect(
                plan.standardError
                    == "error: the PagerDuty key of connection \"acme\" in the environment variable PAGERDUTY_TOKEN holds a line break, a control character, a space or a non-ASCII character; "
                    + "PagerDuty keys are printable ASCII, so set it again without them (handoff.yaml:3:3)\n"
            )
            for piece in ["FirstHalf", "SecondHalf", "X-Injected"] { #expect(!(plan.standardOutput + plan.standardError).contains(piece)) }
            #expect(sandbox.server.log.total == 0)
        }
    }
}
