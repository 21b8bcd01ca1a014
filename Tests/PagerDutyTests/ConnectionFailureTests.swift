import AsyncHTTPClient
import Foundation
import HandoffTestSupport
import NIOCore
@testable import NetworkFailures
@testable import PagerDuty
import PagerDutySandbox
import Synchronization
import Testing

/// Failures that say where and what, quickly (issue 14, item 6): a connection that cannot be
/// opened on the first request fails at once naming the connection and its address; retries with
/// backoff stay for 5xx, 429 and connections dropped mid-run, and every wait longer than two
/// seconds is announced. Time is the injected clock's: nothing here waits for real.
@Suite("Connection failures and announced waits")
struct ConnectionFailureTests {
    static let key = "pd-Connection+Key_0123456789abcdef"

    /// A client configuration for `url` as `handoff` makes one (default timeouts and attempts),
    /// with a virtual clock and `lines` collecting what it announces.
    static func configuration(_ url: String, clock: VirtualClientClock, lines: Lines) -> PagerDutyClient.Configuration {
        var configuration = PagerDutyClient.Configuration(baseURL: url, key: APIKey(key), connectionName: "acme", keySource: "PAGERDUTY_TOKEN")
        configuration.clock = clock
        configuration.progress = { lines.append($0) }
        return configuration
    }

    /// Lines a client announced, in order.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    // MARK: - The first request

    @Test("a refused connection on the first request fails after one attempt and no wait, naming the connection and its address")
    func refusedAtOnce() async throws {
        let closed = try ClosedPort()
        let clock = VirtualClientClock()
        let lines = Lines()
        let configuration = Self.configuration(closed.url, clock: clock, lines: lines)
        let client = try PagerDutyClient(configuration: configuration)
        let failure = await #expect(throws: PagerDutyError.self) { try await client.listUsers() }
        let statistics = await client.statistics()
        try await client.shutdown()
        #expect(failure?.kind == .unreachable)
        #expect(
            failure?.message
                == "connection \"acme\" (http://127.0.0.1:\(closed.port)): could not connect: connection refused; check the connection's api_url and the network"
        )
        #expect(failure?.message.contains(Self.key) == false)
        // One attempt, no retry, and not a moment of the client's clock spent waiting.
        #expect(statistics.total == 1)
        #expect(statistics.retried == 0)
        #expect(clock.sleeps.isEmpty)
        #expect(lines.all.isEmpty)
    }

    @Test("the HTTP pool does not retry connection attempts on its own, and connecting is bounded by five seconds")
    func poolDoesNotRetryConnecting() throws {
        // AsyncHTTPClient's own retries of a refused connection run until the connect timeout on
        // every attempt, out of sight of the client's clock: that is where 55 seconds went.
        let configuration = PagerDutyClient.Configuration(baseURL: "https://api.pagerduty.com", key: APIKey(Self.key), connectionName: "acme")
        let http = Transport.httpConfiguration(configuration)
        #expect(http.connectionPool.retryConnectionEstablishment == false)
        #expect(configuration.connectTimeout <= 5)
        #expect(http.timeout.connect == .seconds(5))
    }

    @Test("a failure names the connection by its address without any user name or password in it")
    func connectionDescription() {
        let plain = PagerDutyClient.Configuration(baseURL: "https://api.eu.pagerduty.com/", key: APIKey(Self.key), connectionName: "acme")
        #expect(plain.connectionDescription == "connection \"acme\" (https://api.eu.pagerduty.com)")
        let withUser = PagerDutyClient.Configuration(baseURL: "https://proxy-user:proxy-pass@pd-proxy.example.com:8443", key: APIKey(Self.key), connectionName: "acme")
        #expect(withUser.connectionDescription == "connection \"acme\" (https://pd-proxy.example.com:8443)")
    }

    @Test("connect failures read as sentences: DNS names the host, unreachable says so, a reset is not a connect failure")
    func connectFailureWords() {
        struct LookupFailed: Error {}
        #expect(ConnectFailure.from(host: "api.pagerdty.com", dnsError: LookupFailed(), connectionErrors: []).description == "the host name api.pagerdty.com was not found (DNS)")
        let refusedAfterLookup = ConnectFailure.from(host: "db", dnsError: nil, connectionErrors: [IOError(errnoCode: ECONNREFUSED, reason: "connect")])
        #expect(refusedAfterLookup.description == "connection refused")
        #expect(ConnectFailure.from(IOError(errnoCode: EHOSTUNREACH, reason: "connect"))?.description == "the host is unreachable from here (no route to it)")
        #expect(ConnectFailure.from(IOError(errnoCode: ENETUNREACH, reason: "connect"))?.reason == .unreachable)
        #expect(ConnectFailure.from(ChannelError.connectTimeout(.seconds(5)))?.reason == .timedOut)
        // A connection that was open and then reset may have carried the request: not a connect failure.
        #expect(ConnectFailure.from(IOError(errnoCode: ECONNRESET, reason: "read")) == nil)
        let reset = Transport.classify(IOError(errnoCode: ECONNRESET, reason: "read"), timeout: 30)
        #expect(reset.connect == nil && !reset.certainlyNotSent)
        #expect(reset.cause == "the connection was closed before a response arrived")
    }

    // MARK: - Mid-run

    @Test("a connection dropped after PagerDuty answered is retried with backoff, then reported naming the connection")
    func droppedMidRunIsRetried() async throws {
        let clock = VirtualClientClock()
        let lines = Lines()
        var baseURL = ""
        let client = try await SandboxHarness.with(seed: SandboxSeed(users: [.init(name: "Alice", email: "alice@example.com")])) { sandbox in
            baseURL = sandbox.baseURL
            var configuration = Self.configuration(sandbox.baseURL, clock: clock, lines: lines)
            configuration.key = APIKey(SandboxHarness.key)
            let client = try PagerDutyClient(configuration: configuration)
            #expect(try await client.listUsers().count == 1)
            return client
        }
        // The simulated PagerDuty is gone: its port refuses, as a restarted proxy would.
        let failure = await #expect(throws: PagerDutyError.self) { try await client.listUsers() }
        let statistics = await client.statistics()
        try await client.shutdown()
        #expect(failure?.kind == .unreachable)
        #expect(failure?.message.hasPrefix("connection \"acme\" (\(baseURL)): could not list users: ") == true, "\(failure?.message ?? "")")
        #expect(failure?.message.hasSuffix(", 5 attempts") == true, "\(failure?.message ?? "")")
        // One success, then five attempts with four backoff waits between them.
        #expect(statistics.total == 6)
        #expect(statistics.retried == 4)
        #expect(clock.sleeps.count == 4)
        // Backoff of 0.5 s doubling: the fourth wait (2 to 4 s) is the only one that may pass 2 s.
        #expect(lines.all.allSatisfy { $0.hasPrefix("waiting ") && $0.contains("before retrying (could not list users: ") && $0.hasSuffix("for connection \"acme\"…") })
        #expect(lines.all.count == clock.sleeps.filter { $0 > 2 }.count)
    }

    // MARK: - Announced waits

    @Test("a 429 wait is announced on the progress line, naming the status, the request and the connection")
    func rateLimitWaitAnnounced() async throws {
        try await SandboxHarness.with(seed: SandboxSeed(users: [.init(name: "Alice", email: "alice@example.com")])) { sandbox in
            sandbox.server.updateFaults {
                $0.rateLimitBurst = 2
                $0.rateLimitResetSeconds = 30
            }
            let clock = VirtualClientClock()
            let lines = Lines()
            var configuration = Self.configuration(sandbox.baseURL, clock: clock, lines: lines)
            configuration.key = APIKey(SandboxHarness.key)
            let users = try await PagerDutyClient.withClient(configuration: configuration) { try await $0.listUsers() }
            #expect(users.count == 1)
            #expect(clock.sleeps.count == 2)
            #expect(lines.all.count == 2, "\(lines.all)")
            for (line, slept) in zip(lines.all, clock.sleeps) {
                #expect(line == "waiting \(Int(slept.rounded(.up))) s before retrying (PagerDuty answered 429 to list users) for connection \"acme\"…")
                #expect(line.hasPrefix("waiting 30 s") || line.hasPrefix("waiting 31 s"), "\(line)")
            }

            // Without a reset header the backoff is short (under two seconds): nothing to announce.
            sandbox.server.updateFaults {
                $0.rateLimitBurst = 2
                $0.rateLimitHeaders = false
            }
            let quiet = Lines()
            var short = Self.configuration(sandbox.baseURL, clock: VirtualClientClock(), lines: quiet)
            short.key = APIKey(SandboxHarness.key)
            _ = try await PagerDutyClient.withClient(configuration: short) { try await $0.listUsers() }
            #expect(quiet.all.isEmpty)
        }
    }

    @Test("a long backoff after a 5xx and a wait under the request limit are announced too")
    func otherWaitsAnnounced() async throws {
        try await SandboxHarness.with(seed: SandboxSeed(users: [.init(name: "Alice", email: "alice@example.com")])) { sandbox in
            sandbox.server.updateFaults { $0.serverErrorBurst = 1 }
            let lines = Lines()
            var configuration = Self.configuration(sandbox.baseURL, clock: VirtualClientClock(), lines: lines)
            configuration.key = APIKey(SandboxHarness.key)
            configuration.backoffBase = 6
            configuration.backoffCap = 6
            _ = try await PagerDutyClient.withClient(configuration: configuration) { try await $0.listUsers() }
            #expect(lines.all.count == 1)
            #expect(lines.all.first?.hasSuffix(" s before retrying (PagerDuty answered 500 to list users) for connection \"acme\"…") == true, "\(lines.all)")

            let limited = Lines()
            var slow = Self.configuration(sandbox.baseURL, clock: VirtualClientClock(), lines: limited)
            slow.key = APIKey(SandboxHarness.key)
            slow.requestsPerMinute = 1
            _ = try await PagerDutyClient.withClient(configuration: slow) { client in
                _ = try await client.listUsers()
                _ = try await client.listUsers()
            }
            #expect(limited.all == ["waiting 60 s to stay under 1 request a minute for connection \"acme\"…"])
        }
    }

    @Test("requests waiting for the same pause announce it once; a later, longer pause is announced again; short ones never")
    func announcedOncePerWait() {
        let clock = VirtualClientClock()
        let lines = Lines()
        let announcer = WaitAnnouncer(clock: clock, connectionName: "acme", sink: { lines.append($0) })
        announcer.waiting(20.2, "before retrying (PagerDuty answered 429 to list users)")
        announcer.waiting(20.1, "before retrying (PagerDuty answered 429 to list users)")
        announcer.waiting(1.9, "before retrying (PagerDuty answered 500 to list users)")
        announcer.waiting(.infinity, "until PagerDuty's rate limit resets")
        #expect(
            lines.all == [
                "waiting 21 s before retrying (PagerDuty answered 429 to list users) for connection \"acme\"…",
                "waiting 300 s until PagerDuty's rate limit resets for connection \"acme\"…",
            ]
        )
    }
}
