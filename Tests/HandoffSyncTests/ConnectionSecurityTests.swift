import HandoffConfig
import HandoffConnectionKinds
import HandoffDestination
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTestSupport
import HandoffTime
import PagerDuty
import PagerDutySandbox
import Synchronization
import Testing

/// Opening connections for `plan`, `apply` and `import` (issue 12, items 2 and 3): a key goes only
/// where the API host policy allows, and only when it can be a header, checked before any request
/// even for a configuration that never went through validation.
@Suite("Connections keep the key")
struct ConnectionSecurityTests {
    static let now = SandboxHarness.defaultNow

    static func configuration(apiURL: String, allowing allowList: String?) throws -> Configuration {
        let text = """
            version: 1
            connections:
              acme:
                type: pagerduty
                token_env: PAGERDUTY_TOKEN
                api_url: "\(apiURL)"
            people:
              alice: { email: alice@example.com }
            schedules:
              primary:
                time_zone: Europe/Berlin
                rotation: { members: [alice], start: 2026-11-02T09:00, turn: 1w }
            destinations:
              primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PPRIMAR }

            """
        let loaded = ConfigurationLoader.load(files: [("handoff.yaml", Array(text.utf8))], directory: ".", apiHosts: try APIHostPolicy(allowList: allowList))
        return try #require(loaded.configuration, "\(loaded.diagnostics.map(\.description))")
    }

    /// Plans as `handoff plan` does; `configure` sends every client to the simulated PagerDuty
    /// whatever its address says, and counts the clients made.
    static func plan(_ configuration: Configuration, sandbox: SandboxHarness, key: String, policy: APIHostPolicy, clients: Counter) async throws -> Plan {
        var options = ConnectionOptions()
        options.environment = ["PAGERDUTY_TOKEN": key]
        options.apiHosts = policy
        options.sandboxNow = now
        let baseURL = sandbox.baseURL
        options.kinds = .standard { client in
            clients.add()
            client.baseURL = baseURL
        }
        let request = PlanBuilder.Request(configuration: configuration, state: HandoffState(), now: now)
        return try await PlanRun(request, options: options).run()
    }

    static let seed = SandboxSeed(
        users: [SandboxSeed.User(name: "Alice", email: "alice@example.com")],
        schedules: [SandboxSeed.Schedule(name: "Primary", timeZone: "Europe/Berlin", id: "PPRIMAR")]
    )

    @Test("plan with api_url https://evil.example fails before any client or request exists, even past validation")
    func foreignHostRefused() async throws {
        // Loaded as if validation had been skipped (or had another allow-list): only the policy
        // given to the connections decides.
        let configuration = try Self.configuration(apiURL: "https://evil.example", allowing: "evil.example")
        try await SandboxHarness.with(seed: Self.seed) { sandbox in
            let clients = Counter()
            do {
                _ = try await Self.plan(configuration, sandbox: sandbox, key: SandboxHarness.readOnlyKey, policy: APIHostPolicy(), clients: clients)
                Issue.record("the plan sent the key to evil.example")
            } catch let error as SyncError {
                #expect(error.messages.count == 1)
                #expect(error.messages.first?.hasPrefix("connection \"acme\": \"api_url\" names evil.example, which is not PagerDuty's API") == true, "\(error)")
                #expect(error.messages.first?.hasSuffix("(handoff.yaml:6:14)") == true, "\(error)")
                #expect(!"\(error)".contains(SandboxHarness.readOnlyKey))
            }
            #expect(clients.value == 0)
            #expect(sandbox.server.log.total == 0)
        }
    }

    @Test("a host the pipeline allows in HANDOFF_ALLOWED_API_HOSTS is used")
    func allowedHostUsed() async throws {
        let configuration = try Self.configuration(apiURL: "https://pd-proxy.example.com", allowing: "pd-proxy.example.com")
        try await SandboxHarness.with(seed: Self.seed) { sandbox in
            let clients = Counter()
            let policy = try APIHostPolicy(allowList: "pd-proxy.example.com")
            let plan = try await Self.plan(configuration, sandbox: sandbox, key: SandboxHarness.readOnlyKey, policy: policy, clients: clients)
            #expect(plan.destinations.map(\.name) == ["primary-pd"])
            #expect(clients.value == 1)
            #expect(sandbox.server.log.total > 0)
        }
    }

    @Test("a key with CR/LF is refused before any request, in one sentence naming the variable and no piece of the key")
    func keyWithLineBreakRefused() async throws {
        try await SandboxHarness.with(seed: Self.seed) { sandbox in
            let configuration = try Self.configuration(apiURL: sandbox.baseURL, allowing: nil)
            let key = "u+FirstHalfOfKey\r\nX-Injected: SecondHalfOfKey"
            let clients = Counter()
            do {
                _ = try await Self.plan(configuration, sandbox: sandbox, key: key, policy: APIHostPolicy(), clients: clients)
                Issue.record("a key with a line break was sent")
            } catch let error as SyncError {
                #expect(
                    error.messages == [
                        "the PagerDuty key of connection \"acme\" in the environment variable PAGERDUTY_TOKEN holds a line break, a control character, a space or a non-ASCII character; "
                            + "PagerDuty keys are printable ASCII, so set it again without them (handoff.yaml:3:3)"
                    ]
                )
                for piece in ["FirstHalf", "SecondHalf", "X-Injected"] { #expect(!"\(error)".contains(piece)) }
            }
            #expect(clients.value == 0)
            #expect(sandbox.server.log.total == 0)
        }
    }
}

/// Counts calls from concurrent code.
final class Counter: Sendable {
    private let count = Mutex(0)

    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
