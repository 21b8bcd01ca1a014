import Foundation
import HandoffTestSupport
import HandoffDestination
import HandoffTime
import PagerDuty
import PagerDutySandbox
import Testing

private let now = SandboxHarness.defaultNow

private func at(_ text: String) -> Instant {
    guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
    return instant
}

/// Users named `User NNN` with e-mail `userNNN@example.com`.
private func seedUsers(_ count: Int) -> [SandboxSeed.User] {
    (0..<count).map { SandboxSeed.User(name: "User \($0)", email: "user\($0)@example.com") }
}

private let scheduleSeed = SandboxSeed.Schedule(name: "Platform", timeZone: "Europe/Berlin", id: "PPLAT01")

@Suite("PagerDuty client against the simulated PagerDuty over HTTP")
struct PagerDutyClientTests {
    @Test("users are listed across pages of 100, following `more`")
    func pagination() async throws {
        try await SandboxHarness.with(seed: SandboxSeed(users: seedUsers(250))) { (sandbox: SandboxHarness) async throws in
            let users = try await sandbox.withClient { try await $0.listUsers() }
            #expect(users.count == 250)
            #expect(Set(users.map(\.email)).count == 250)
            #expect(sandbox.server.log.counts == ["GET /users": 3])
        }
    }

    @Test("a few addresses among many users are looked up one by one, exactly")
    func resolveByQuery() async throws {
        var users = seedUsers(500)
        // `query` matches substrings: jane.doe@ also matches e.doe@; only the exact address counts.
        users += [SandboxSeed.User(name: "E Doe", email: "e.doe@example.com"), SandboxSeed.User(name: "Jane Doe", email: "jane.doe@example.com")]
        try await SandboxHarness.with(seed: SandboxSeed(users: users)) { (sandbox: SandboxHarness) async throws in
            let resolution = try await sandbox.withClient { try await $0.resolveUsers(emails: ["E.Doe@example.com", "user480@example.com", "nobody@example.com"]) }
            #expect(resolution.strategy == .queriedEach)
            #expect(resolution.users["e.doe@example.com"]?.name == "E Doe")
            #expect(resolution.users["user480@example.com"]?.name == "User 480")
            #expect(resolution.missing == ["nobody@example.com"])
            // The first page (with the total), then one query per address not on it.
            #expect(sandbox.server.log.total == 4)
        }
    }

    @Test("many addresses are resolved by listing every user when that takes fewer requests")
    func resolveByListing() async throws {
        try await SandboxHarness.with(seed: SandboxSeed(users: seedUsers(1_000))) { (sandbox: SandboxHarness) async throws in
            let wanted = (0..<300).map { "USER\($0 * 3)@example.com" }
            let resolution = try await sandbox.withClient { try await $0.resolveUsers(emails: wanted) }
            #expect(resolution.strategy == .listedAll)
            #expect(resolution.users.count == 300)
            #expect(resolution.missing.isEmpty)
            #expect(sandbox.server.log.counts == ["GET /users": 10])
        }
    }

    @Test("bulk create reports each item: created with an id, or refused with PagerDuty's reasons")
    func bulkCreate() async throws {
        try await SandboxHarness.with(seed: SandboxSeed(users: seedUsers(2), schedules: [scheduleSeed])) { (sandbox: SandboxHarness) async throws in
            let user = try #require(await sandbox.server.store.snapshot().users.first)
            let requested = [
                PlannedOverride(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), userID: user.id),
                PlannedOverride(start: at("2026-11-25T09:00:00Z"), end: at("2026-11-25T09:00:00Z"), userID: user.id),
                PlannedOverride(start: at("2026-11-20T09:00:00Z"), end: at("2026-11-21T09:00:00Z"), userID: user.id),
                PlannedOverride(start: at("2026-11-26T09:00:00Z"), end: at("2026-11-27T09:00:00Z"), userID: "PNOBODY"),
            ]
            let results = try await sandbox.withClient { try await $0.createOverrides(scheduleID: "PPLAT01", requested) }
            #expect(results.count == 4)
            guard case .created(let override) = results[0] else {
                Issue.record("the first override was not created: \(results[0])")
                return
            }
            #expect(override.start == requested[0].start && override.end == requested[0].end && override.user.id == user.id)
            #expect(override.id.hasPrefix("Q") && override.id.count == 14)
            #expect(results[1] == .rejected(requested[1], status: 400, errors: ["Override must end after its start"]))
            #expect(results[2] == .rejected(requested[2], status: 400, errors: ["Override must end in the future"]))
            #expect(results[3] == .rejected(requested[3], status: 400, errors: ["User not found"]))
            #expect(await sandbox.server.store.overrides(scheduleID: "PPLAT01").count == 1)
        }
    }

    @Test("both shapes of the bulk answer are read, and an all-refused 400")
    func bulkCreateShapes() async throws {
        try await SandboxHarness.with(seed: SandboxSeed(users: seedUsers(1), schedules: [scheduleSeed])) { (sandbox: SandboxHarness) async throws in
            let user = try #require(await sandbox.server.store.snapshot().users.first)
            let good = PlannedOverride(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), userID: user.id)
            let bad = PlannedOverride(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-22T09:00:00Z"), userID: user.id)
            sandbox.server.updateQuirks { $0.wrapBulkResponse = true }
            let wrapped = try await sandbox.withClient { try await $0.createOverrides(scheduleID: "PPLAT01", [good]) }
            guard case .created = wrapped.first else {
                Issue.record("the wrapped answer was not read: \(wrapped)")
                return
            }
            sandbox.server.updateQuirks { $0.allFailedStatus = 400 }
            let refused = try await sandbox.withClient { try await $0.createOverrides(scheduleID: "PPLAT01", [bad]) }
            #expect(refused == [.rejected(bad, status: 400, errors: ["Override must end in the future", "Override must end after its start"])])
        }
    }

    @Test("delete tells a removed future override (204) from a truncated one (200) and an unknown one (404)")
    func deleteOutcomes() async throws {
        let seed = SandboxSeed(
            users: seedUsers(1),
            schedules: [scheduleSeed],
            overrides: [
                .init(schedule: "PPLAT01", start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), user: "user0@example.com"),
                .init(schedule: "PPLAT01", start: at("2026-11-22T09:00:00Z"), end: at("2026-11-23T09:00:00Z"), user: "user0@example.com"),
            ]
        )
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let existing = await sandbox.server.store.overrides(scheduleID: "PPLAT01")
            let (future, current) = (existing[0], existing[1])
            try await sandbox.withClient { (client: PagerDutyClient) async throws in
                #expect(try await client.deleteOverride(scheduleID: "PPLAT01", overrideID: future.id) == .deleted)
                #expect(try await client.deleteOverride(scheduleID: "PPLAT01", overrideID: current.id) == .truncated)
                #expect(try await client.deleteOverride(scheduleID: "PPLAT01", overrideID: future.id) == .notFound)
            }
            let remaining = await sandbox.server.store.overrides(scheduleID: "PPLAT01")
            #expect(remaining.map(\.id) == [current.id])
            #expect(remaining.first?.end == now)
        }
    }

    @Test("overrides are listed with their real start and end, whatever the window cuts")
    func listOverrides() async throws {
        let seed = SandboxSeed(
            users: seedUsers(1),
            schedules: [scheduleSeed],
            overrides: [.init(schedule: "PPLAT01", start: at("2026-11-20T09:00:00Z"), end: at("2026-11-30T09:00:00Z"), user: "user0@example.com")]
        )
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let window = InstantRange(start: now, end: at("2026-11-25T00:00:00Z"))
            let overrides = try await sandbox.withClient { try await $0.overrides(scheduleID: "PPLAT01", overlapping: window) }
            #expect(overrides.map(\.range) == [InstantRange(start: at("2026-11-20T09:00:00Z"), end: at("2026-11-30T09:00:00Z"))])
        }
    }

    @Test("429 is retried after the reset PagerDuty names, with or without headers")
    func rateLimited() async throws {
        try await SandboxHarness.with(seed: SandboxSeed(users: seedUsers(3))) { (sandbox: SandboxHarness) async throws in
            sandbox.server.updateFaults {
                $0.rateLimitBurst = 2
                $0.rateLimitResetSeconds = 20
            }
            let clock = VirtualClientClock()
            let users = try await sandbox.withClient(clock: clock) { client in
                let users = try await client.listUsers()
                #expect(await client.statistics().rateLimited == 2)
                return users
            }
            #expect(users.count == 3)
            #expect(sandbox.server.log.total == 3)
            // Two waits of the 20 seconds the header named (plus under a second of jitter).
            #expect(clock.sleeps.count == 2)
            #expect(clock.sleeps.allSatisfy { $0 >= 20 && $0 < 20.6 })

            sandbox.server.log.reset()
            sandbox.server.updateFaults {
                $0.rateLimitBurst = 3
                $0.rateLimitHeaders = false
            }
            let backoffClock = VirtualClientClock()
            _ = try await sandbox.withClient(clock: backoffClock) { try await $0.listUsers() }
            #expect(sandbox.server.log.total == 4)
            // Without a reset to wait for, exponential backoff with jitter.
            #expect(backoffClock.sleeps.count == 3)
            #expect(backoffClock.sleeps.allSatisfy { $0 > 0 && $0 <= 0.2 })
        }
    }

    @Test("a 5xx is retried for GET and DELETE, at most five times, and never for POST")
    func serverErrors() async throws {
        try await SandboxHarness.with(seed: SandboxSeed(users: seedUsers(1), schedules: [scheduleSeed])) { (sandbox: SandboxHarness) async throws in
            sandbox.server.updateFaults { $0.serverErrorBurst = 2 }
            _ = try await sandbox.withClient { try await $0.listUsers() }
            #expect(sandbox.server.log.all.map(\.status) == [500, 500, 200])

            sandbox.server.log.reset()
            sandbox.server.updateFaults { $0.serverErrorBurst = 10 }
            let failure = await #expect(throws: PagerDutyError.self) { try await sandbox.withClient { try await $0.listUsers() } }
            #expect(failure?.kind == .serverError)
            #expect(failure?.message == "PagerDuty failed to list users: 500 on all 5 attempts; try again later")
            #expect(sandbox.server.log.total == 5)

            sandbox.server.log.reset()
            sandbox.server.updateFaults { $0.serverErrorBurst = 1 }
            let user = try #require(await sandbox.server.store.snapshot().users.first)
            let post = await #expect(throws: PagerDutyError.self) {
                try await sandbox.withClient {
                    try await $0.createOverrides(scheduleID: "PPLAT01", [PlannedOverride(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), userID: user.id)])
                }
            }
            #expect(post?.kind == .outcomeUnknown)
            #expect(post?.message == "PagerDuty answered 500 to create 1 override on schedule PPLAT01; whether it happened is unknown")
            #expect(sandbox.server.log.total == 1)
            sandbox.server.updateFaults { $0.serverErrorBurst = 0 }
        }
    }

    @Test("a POST whose response is lost is reported as an unknown outcome, and the override exists")
    func droppedPost() async throws {
        try await SandboxHarness.with(seed: SandboxSeed(users: seedUsers(1), schedules: [scheduleSeed])) { (sandbox: SandboxHarness) async throws in
            sandbox.server.updateFaults { $0.dropNextPosts = 1 }
            let user = try #require(await sandbox.server.store.snapshot().users.first)
            let failure = await #expect(throws: PagerDutyError.self) {
                try await sandbox.withClient {
                    try await $0.createOverrides(scheduleID: "PPLAT01", [PlannedOverride(start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), userID: user.id)])
                }
            }
            #expect(failure?.kind == .outcomeUnknown)
            #expect(failure?.message.hasPrefix("the response to create 1 override on schedule PPLAT01 was lost (") == true)
            #expect(await sandbox.server.store.overrides(scheduleID: "PPLAT01").count == 1)
            #expect(sandbox.server.log.counts == ["POST /schedules/{id}/overrides": 1])
        }
    }

    @Test("a wrong key and a read-only key each fail with one sentence to act on")
    func keyErrors() async throws {
        try await SandboxHarness.with(seed: SandboxSeed(users: seedUsers(1), schedules: [scheduleSeed])) { (sandbox: SandboxHarness) async throws in
            let wrong = await #expect(throws: PagerDutyError.self) { try await sandbox.withClient(key: "not-a-key") { try await $0.listUsers() } }
            #expect(wrong?.kind == .unauthorized)
            #expect(wrong?.message == "PagerDuty rejected the API key of connection \"sandbox\" (401): the key is not valid for this account; check the key in PAGERDUTY_TOKEN")

            let readOnly = await #expect(throws: PagerDutyError.self) {
                try await sandbox.withClient(key: SandboxHarness.readOnlyKey) { try await $0.deleteOverride(scheduleID: "PPLAT01", overrideID: "Q1") }
            }
            #expect(readOnly?.kind == .readOnlyKey)
            #expect(readOnly?.message == "the API key of connection \"sandbox\" is read-only: PagerDuty refused to delete override Q1 of schedule PPLAT01 (403); apply needs a read-write key")
            #expect(readOnly?.apiCode == 2010)

            // A read-only key reads fine.
            let users = try await sandbox.withClient(key: SandboxHarness.readOnlyKey) { try await $0.listUsers() }
            #expect(users.count == 1)
        }
    }

    @Test("an unknown schedule and a shift-based schedule are clear errors")
    func scheduleErrors() async throws {
        let seed = SandboxSeed(schedules: [scheduleSeed, .init(name: "Flexible", timeZone: "UTC", id: "PFLEX01", type: "schedule_v3")])
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let missing = await #expect(throws: PagerDutyError.self) { try await sandbox.withClient { try await $0.schedule(id: "PNOPE00") } }
            #expect(missing?.message == "no such PagerDuty schedule PNOPE00 on connection \"sandbox\" (404)")
            let flexible = await #expect(throws: PagerDutyError.self) { try await sandbox.withClient { try await $0.schedule(id: "PFLEX01") } }
            // PagerDuty's v2 route answers 400 naming the v3 API for a shift-based id (v3 reference,
            // section 9.2): the client says it in the same sentence as when the type told.
            #expect(flexible?.kind == .unsupportedSchedule && flexible?.scheduleKind == .shiftBased)
            #expect(flexible?.message == "PagerDuty schedule PFLEX01 on connection \"sandbox\" is of type schedule_v3 (a shift-based schedule); Handoff writes overrides to layer-based schedules only")
            let schedule = try await sandbox.withClient { try await $0.schedule(id: "PPLAT01") }
            #expect(schedule.name == "Platform" && schedule.timeZone == "Europe/Berlin")
        }
    }

    @Test("a request that takes too long is retried, then reported")
    func timeouts() async throws {
        try await SandboxHarness.with(seed: SandboxSeed(users: seedUsers(1))) { (sandbox: SandboxHarness) async throws in
            sandbox.server.updateFaults { $0.latency = .fixed(milliseconds: 1_500) }
            let failure = await #expect(throws: PagerDutyError.self) {
                try await sandbox.withClient(configure: {
                    $0.requestTimeout = 0.3
                    $0.maxAttempts = 2
                }) { try await $0.listUsers() }
            }
            #expect(failure?.kind == .unreachable)
            #expect(failure?.message == "connection \"sandbox\" (\(sandbox.baseURL)): could not list users: no response within 0.3 seconds, 2 attempts")
        }
    }

    @Test("the client talks only to https, or to http on loopback")
    func insecureURL() throws {
        let remote = PagerDutyClient.Configuration(baseURL: "http://api.pagerduty.com", key: APIKey("k"), connectionName: "acme")
        #expect(throws: PagerDutyError.self) { try PagerDutyClient(configuration: remote) }
        #expect(PagerDutyClient.isAllowed(baseURL: "https://api.eu.pagerduty.com"))
        #expect(PagerDutyClient.isAllowed(baseURL: "http://127.0.0.1:8080"))
        #expect(PagerDutyClient.isAllowed(baseURL: "http://[::1]:8080"))
        #expect(!PagerDutyClient.isAllowed(baseURL: "http://10.0.0.1"))
        #expect(!PagerDutyClient.isAllowed(baseURL: "ftp://api.pagerduty.com"))
    }

    @Test("the key never appears in an error, a description or a dump")
    func keyNeverShown() async throws {
        let secret = "u+SuperSecretKey-0123456789"
        try await SandboxHarness.with(seed: SandboxSeed(users: seedUsers(1), schedules: [scheduleSeed])) { (sandbox: SandboxHarness) async throws in
            try await sandbox.server.store.addToken(secret, readOnly: true)
            var texts: [String] = []
            let key = APIKey(secret)
            texts += [key.description, key.debugDescription, "\(key)", String(reflecting: key)]
            var dumped = ""
            dump(sandbox.configuration(key: secret), to: &dumped)
            texts.append(dumped)
            let attempts: [@Sendable (PagerDutyClient) async throws -> Void] = [
                { _ = try await $0.deleteOverride(scheduleID: "PPLAT01", overrideID: "Q1") },
                { _ = try await $0.schedule(id: "PMISSING") },
                { _ = try await $0.createOverrides(scheduleID: "PPLAT01", [PlannedOverride(start: now, end: now.adding(seconds: 60), userID: "P")]) },
            ]
            for attempt in attempts {
                do {
                    try await sandbox.withClient(key: secret) { try await attempt($0) }
                } catch {
                    texts += ["\(error)", String(reflecting: error), (error as? PagerDutyError)?.apiErrors.joined() ?? ""]
                }
            }
            do {
                try await sandbox.withClient(key: secret + "x") { _ = try await $0.listUsers() }
            } catch {
                texts += ["\(error)", String(reflecting: error)]
            }
            #expect(texts.count >= 12)
            for text in texts {
                #expect(!text.contains(secret) && !text.contains("SuperSecretKey"), "the key leaked into: \(text)")
            }
        }
    }
}

@Suite("Query strings")
struct QueryStringTests {
    @Test("a + in a time offset survives the query string percent-encoded")
    func plusEncoded() async throws {
        let seed = SandboxSeed(
            users: [SandboxSeed.User(name: "A", email: "a@example.com")],
            schedules: [scheduleSeed],
            overrides: [.init(schedule: "PPLAT01", start: at("2026-11-23T08:00:00Z"), end: at("2026-11-23T09:00:00Z"), user: "a@example.com")]
        )
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let encoded = try await RawHTTP.get(
                sandbox.baseURL + "/schedules/PPLAT01/overrides?since=2026-11-23T09%3A30%3A00%2B01%3A00&until=2026-11-23T10%3A00%3A00%2B01%3A00"
            )
            #expect(encoded.status == 200)
            #expect((encoded.json?["overrides"] as? [Any])?.count == 1)
            // Sent raw, the + is read as a space and the time is refused: why the client encodes it.
            let raw = try await RawHTTP.get(sandbox.baseURL + "/schedules/PPLAT01/overrides?since=2026-11-23T09:30:00+01:00&until=2026-11-23T10:00:00+01:00")
            #expect(raw.status == 400)
        }
    }
}
