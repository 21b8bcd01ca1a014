import HandoffConfig
import HandoffConnectionKinds
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTestSupport
import PagerDuty
import PagerDutySandbox
import Synchronization
import Testing

/// The connections of a run announce their long waits through `ConnectionOptions.progress`, by
/// the connection's name in the configuration (issue 14, item 6).
@Suite("Connection progress")
struct ConnectionProgressTests {
    @Test("a plan that meets a 429 announces the wait once, naming the connection as the configuration does")
    func rateLimitedPlanAnnounces() async throws {
        let configuration = try ConnectionSecurityTests.configuration(apiURL: "https://api.pagerduty.com", allowing: nil)
        try await SandboxHarness.with(seed: ConnectionSecurityTests.seed) { sandbox in
            sandbox.server.updateFaults {
                $0.rateLimitBurst = 1
                $0.rateLimitResetSeconds = 20
            }
            let lines = Mutex<[String]>([])
            var options = ConnectionOptions()
            options.environment = ["PAGERDUTY_TOKEN": SandboxHarness.readOnlyKey]
            options.sandboxNow = ConnectionSecurityTests.now
            options.progress = { line in lines.withLock { $0.append(line) } }
            let baseURL = sandbox.baseURL
            options.kinds = .standard { client in
                client.baseURL = baseURL
                client.clock = VirtualClientClock()
            }
            let request = PlanBuilder.Request(configuration: configuration, state: HandoffState(), now: ConnectionSecurityTests.now)
            _ = try await PlanRun(request, options: options).run()
            let announced = lines.withLock { $0 }
            #expect(announced.count == 1, "\(announced)")
            #expect(announced.allSatisfy { $0.hasPrefix("waiting 2") && $0.hasSuffix(" s before retrying (PagerDuty answered 429 to list users) for connection \"acme\"…") }, "\(announced)")
        }
    }
}
