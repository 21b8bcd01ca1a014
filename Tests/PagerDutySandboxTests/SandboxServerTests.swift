import Foundation
import HandoffTestSupport
import HandoffTime
import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant {
    guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
    return instant
}

private let people = [
    SandboxSeed.User(name: "Alice Archer", email: "alice@example.com", timeZone: "Europe/Berlin"),
    SandboxSeed.User(name: "Bob Brown", email: "bob@example.com"),
    SandboxSeed.User(name: "Carol Chen", email: "Carol.Chen@Example.com"),
]

private let platform = PlatformFixture.schedule(carol: "Carol.Chen@Example.com")

private let seed = SandboxSeed(users: people, schedules: [platform])

@Suite("Simulated PagerDuty, checked against the reference's checklist")
struct SandboxServerTests {
    // 1, 2: authentication
    @Test("a missing or malformed key is refused with 401; Token and Bearer forms are accepted")
    func authentication() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let missing = try await RawHTTP.get(sandbox.baseURL + "/users", key: nil)
            #expect(missing.status == 401)
            #expect(missing.text == #"{"error":{"message":"Authentication failed","code":2006}}"#)
            let malformed = try await RawHTTP.send("GET", sandbox.baseURL + "/users", key: nil, headers: [("Authorization", "token=\(SandboxHarness.key)")], body: nil)
            #expect(malformed.status == 401)
            let bearer = try await RawHTTP.send("GET", sandbox.baseURL + "/users", key: nil, headers: [("Authorization", "Bearer \(SandboxHarness.key)")], body: nil)
            #expect(bearer.status == 200)
            sandbox.server.updateQuirks { $0.unauthorizedWithoutJSON = true }
            let html = try await RawHTTP.get(sandbox.baseURL + "/users", key: "wrong")
            #expect(html.status == 401)
            #expect(html.body.isEmpty)
            #expect(html.headers["content-type"] == "text/html")
        }
    }

    @Test("a read-only key may read but gets 403 on every write")
    func readOnlyKey() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let key = SandboxHarness.readOnlyKey
            #expect(try await RawHTTP.get(sandbox.baseURL + "/schedules/PPLAT01", key: key).status == 200)
            let post = try await RawHTTP.post(sandbox.baseURL + "/schedules/PPLAT01/overrides", json: #"{"overrides":[]}"#, key: key)
            #expect(post.status == 403)
            #expect(post.text == #"{"error":{"message":"Access Denied","code":2010}}"#)
            #expect(try await RawHTTP.delete(sandbox.baseURL + "/schedules/PPLAT01/overrides/Q1", key: key).status == 403)
        }
    }

    // 3: scopes
    @Test("an OAuth token without the scope gets 403 naming the scope it needs")
    func scopes() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            try await sandbox.server.store.addToken("oauth-token", readOnly: false, scopes: ["users.read"])
            #expect(try await RawHTTP.get(sandbox.baseURL + "/users", key: "oauth-token").status == 200)
            let schedules = try await RawHTTP.get(sandbox.baseURL + "/schedules", key: "oauth-token")
            #expect(schedules.status == 403)
            let error = schedules.json?["error"] as? [String: Any]
            #expect(error?["required_scopes"] as? String == "schedules.read")
            #expect(error?["token_scopes"] as? String == "users.read")
        }
    }

    // 4: rate limits
    @Test("the token bucket answers 429 with PagerDuty's headers and body, and sends the headers on 2xx")
    func rateLimit() async throws {
        try await SandboxHarness.with(seed: seed, configure: {
            $0.faults.enforceRateLimit = true
            // One a minute: the bucket refills only if the test stalls for a whole minute.
            $0.faults.requestsPerMinute = 1
        }) { (sandbox: SandboxHarness) async throws in
            let first = try await RawHTTP.get(sandbox.baseURL + "/users")
            #expect(first.status == 200)
            #expect(first.headers["ratelimit-limit"] == "1")
            #expect(first.headers["ratelimit-remaining"] == "0")
            let limited = try await RawHTTP.get(sandbox.baseURL + "/users")
            #expect(limited.status == 429)
            #expect(limited.text == #"{"error":{"message":"Rate Limit Exceeded","code":2020}}"#)
            #expect(limited.headers["ratelimit-remaining"] == "0")
            // One a minute is one token every 60 seconds: the next is at most 60 seconds away.
            #expect((1...60).contains(Int(limited.headers["ratelimit-reset"] ?? "") ?? 0))
            sandbox.server.updateFaults { $0.rateLimitHeaders = false }
            let bare = try await RawHTTP.get(sandbox.baseURL + "/users")
            #expect(bare.status == 429)
            #expect(bare.headers["ratelimit-reset"] == nil)
            #expect(bare.body.isEmpty)
        }
    }

    // 5: pagination
    @Test("classic pagination: 25 by default, at most 100, total only when asked, 400 past 10,000")
    func pagination() async throws {
        let many = (0..<130).map { SandboxSeed.User(name: "User \($0)", email: "user\($0)@example.com") }
        try await SandboxHarness.with(seed: SandboxSeed(users: many)) { (sandbox: SandboxHarness) async throws in
            let first = try await RawHTTP.get(sandbox.baseURL + "/users")
            #expect((first.json?["users"] as? [Any])?.count == 25)
            #expect(first.json?["limit"] as? Int == 25)
            #expect(first.json?["offset"] as? Int == 0)
            #expect(first.json?["more"] as? Bool == true)
            #expect(first.json?["total"] is NSNull)
            let big = try await RawHTTP.get(sandbox.baseURL + "/users?limit=500&offset=100&total=true")
            #expect(big.json?["limit"] as? Int == 100)
            #expect((big.json?["users"] as? [Any])?.count == 30)
            #expect(big.json?["more"] as? Bool == false)
            #expect(big.json?["total"] as? Int == 130)
            #expect(try await RawHTTP.get(sandbox.baseURL + "/users?limit=100&offset=9900").status == 200)
            let beyond = try await RawHTTP.get(sandbox.baseURL + "/users?limit=100&offset=9901")
            #expect(beyond.status == 400)
            #expect((beyond.json?["error"] as? [String: Any])?["code"] as? Int == 2001)
        }
    }

    // 6: user query
    @Test("the user query matches names and addresses as substrings, ignoring case")
    func userQuery() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            func names(_ query: String) async throws -> [String] {
                let response = try await RawHTTP.get(sandbox.baseURL + "/users?query=\(query)")
                return (response.json?["users"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
            }
            #expect(try await names("carol.chen%40example.com") == ["Carol Chen"])
            #expect(try await names("BROWN") == ["Bob Brown"])
            #expect(try await names("example.com").count == 3)
        }
    }

    // 7: schedule rendering
    @Test("a schedule renders its layers, its overrides and the final schedule, in the schedule's zone")
    func scheduleRendering() async throws {
        var seeded = seed
        seeded.overrides = [.init(schedule: "PPLAT01", start: at("2026-11-23T12:00:00+01:00"), end: at("2026-11-23T13:00:00+01:00"), user: "bob@example.com")]
        try await SandboxHarness.with(seed: seeded) { (sandbox: SandboxHarness) async throws in
            let response = try await RawHTTP.get(sandbox.baseURL + "/schedules/PPLAT01?since=2026-11-23T00:00:00Z&until=2026-11-24T00:00:00Z")
            #expect(response.status == 200)
            let schedule = try #require(response.json?["schedule"] as? [String: Any])
            #expect(schedule["type"] as? String == "schedule")
            #expect(schedule["time_zone"] as? String == "Europe/Berlin")
            let layers = try #require(schedule["schedule_layers"] as? [[String: Any]])
            // GET lists the highest-precedence layer first.
            #expect(layers.map { $0["name"] as? String } == ["Business hours", "Weekly"])
            #expect(layers[0]["rotation_turn_length_seconds"] as? Int == 86_400)
            #expect((layers[0]["restrictions"] as? [[String: Any]])?.first?["start_time_of_day"] as? String == "09:00:00")
            let final = try #require((schedule["final_schedule"] as? [String: Any])?["rendered_schedule_entries"] as? [[String: Any]])
            let shown = final.map { "\($0["start"] as? String ?? "") \((($0["user"] as? [String: Any])?["summary"] as? String) ?? "")" }
            #expect(shown == [
                "2026-11-23T01:00:00+01:00 Alice Archer",
                "2026-11-23T09:00:00+01:00 Carol Chen",
                "2026-11-23T12:00:00+01:00 Bob Brown",
                "2026-11-23T13:00:00+01:00 Carol Chen",
                "2026-11-23T17:00:00+01:00 Bob Brown",
            ])
            let overrides = (schedule["overrides_subschedule"] as? [String: Any])?["rendered_schedule_entries"] as? [[String: Any]]
            #expect(overrides?.count == 1)
            let percentage = (schedule["final_schedule"] as? [String: Any])?["rendered_coverage_percentage"] as? Double
            #expect(percentage == 100)
            // Without since/until nothing is rendered.
            let plain = try await RawHTTP.get(sandbox.baseURL + "/schedules/PPLAT01?time_zone=UTC")
            let plainFinal = (plain.json?["schedule"] as? [String: Any])?["final_schedule"] as? [String: Any]
            #expect((plainFinal?["rendered_schedule_entries"] as? [Any])?.isEmpty == true)
            #expect(plainFinal?["rendered_coverage_percentage"] is NSNull)
        }
    }

    // 8: listing overrides
    @Test("the override listing needs since and until, clips unless overflow, and shows editable ones as ids")
    func overrideListing() async throws {
        var seeded = seed
        seeded.overrides = [
            .init(schedule: "PPLAT01", start: at("2026-11-20T09:00:00Z"), end: at("2026-11-25T09:00:00Z"), user: "bob@example.com"),
            .init(schedule: "PPLAT01", start: at("2026-11-26T09:00:00Z"), end: at("2026-11-27T09:00:00Z"), user: "alice@example.com"),
        ]
        try await SandboxHarness.with(seed: seeded) { (sandbox: SandboxHarness) async throws in
            let url = sandbox.baseURL + "/schedules/PPLAT01/overrides"
            let missing = try await RawHTTP.get(url + "?since=2026-11-22T00:00:00Z")
            #expect(missing.status == 400)
            let clipped = try await RawHTTP.get(url + "?since=2026-11-22T00:00:00Z&until=2026-11-30T00:00:00Z")
            #expect(clipped.status == 200)
            #expect(clipped.json?.keys.sorted() == ["overrides"])
            let items = try #require(clipped.json?["overrides"] as? [[String: Any]])
            #expect(items.first?["start"] as? String == "2026-11-22T01:00:00+01:00")
            let whole = try await RawHTTP.get(url + "?since=2026-11-22T00:00:00Z&until=2026-11-30T00:00:00Z&overflow=true")
            #expect((whole.json?["overrides"] as? [[String: Any]])?.first?["start"] as? String == "2026-11-20T10:00:00+01:00")
            let editable = try await RawHTTP.get(url + "?since=2026-11-22T00:00:00Z&until=2026-11-30T00:00:00Z&editable=true")
            let ids = try #require(editable.json?["overrides"] as? [[String: Any]])
            #expect(ids.count == 1)
            #expect(ids.first?.keys.sorted() == ["id"])
        }
    }

    // 9, 10, 11: creating
    @Test("bulk create answers 201 with a bare array of per-item statuses; the old single form still works")
    func create() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let users = await sandbox.server.store.snapshot().users
            let alice = try #require(users.first { $0.email == "alice@example.com" })
            let url = sandbox.baseURL + "/schedules/PPLAT01/overrides"
            let body = """
                {"overrides":[
                  {"start":"2026-11-23T09:00:00Z","end":"2026-11-23T17:00:00Z","user":{"id":"\(alice.id)","type":"user_reference"},"time_zone":"UTC"},
                  {"start":"2026-11-23T09:00:00Z","end":"2026-11-23T08:00:00Z","user":{"id":"\(alice.id)","type":"user_reference"}},
                  {"start":"2026-11-01T09:00:00Z","end":"2026-11-02T09:00:00Z","user":{"id":"\(alice.id)","type":"user_reference"}}
                ]}
                """
            let bulk = try await RawHTTP.post(url, json: body)
            #expect(bulk.status == 201)
            let items = try #require(bulk.jsonValue as? [[String: Any]])
            #expect(items.map { $0["status"] as? Int } == [201, 400, 400])
            #expect(((items[0]["override"] as? [String: Any])?["id"] as? String)?.hasPrefix("Q") == true)
            #expect(items[1]["errors"] as? [String] == ["Override must end after its start"])
            #expect(items[2]["errors"] as? [String] == ["Override must end in the future"])
            #expect((items[1]["override"] as? [String: Any])?["id"] == nil)

            let single = try await RawHTTP.post(url, json: #"{"override":{"start":"2026-11-24T09:00:00Z","end":"2026-11-24T17:00:00Z","user":{"id":"\#(alice.id)","type":"user_reference"}}}"#)
            #expect(single.status == 201)
            #expect(((single.json?["override"] as? [String: Any])?["id"] as? String) != nil)
            let refused = try await RawHTTP.post(url, json: #"{"override":{"start":"2026-11-01T09:00:00Z","end":"2026-11-01T08:00:00Z","user":{"id":"\#(alice.id)","type":"user_reference"}}}"#)
            #expect(refused.status == 400)
            #expect(refused.text == #"{"error":{"message":"Invalid Override","code":2001,"errors":["Override must end in the future","Override must end after its start"]}}"#)

            let noContentType = try await RawHTTP.post(url, json: body, headers: [])
            #expect(noContentType.status == 400)
            // A From header is accepted, not required.
            let withFrom = try await RawHTTP.post(url, json: body, headers: [("Content-Type", "application/json"), ("From", "alice@example.com")])
            #expect(withFrom.status == 201)
        }
    }

    @Test("overlapping overrides stack: both are kept, the newest wins in the rendering")
    func overlapsStack() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let users = await sandbox.server.store.snapshot().users
            let alice = try #require(users.first { $0.email == "alice@example.com" })
            let bob = try #require(users.first { $0.email == "bob@example.com" })
            let url = sandbox.baseURL + "/schedules/PPLAT01/overrides"
            _ = try await RawHTTP.post(url, json: #"{"overrides":[{"start":"2026-11-23T09:00:00Z","end":"2026-11-23T17:00:00Z","user":{"id":"\#(alice.id)","type":"user_reference"}}]}"#)
            _ = try await RawHTTP.post(url, json: #"{"overrides":[{"start":"2026-11-23T12:00:00Z","end":"2026-11-23T13:00:00Z","user":{"id":"\#(bob.id)","type":"user_reference"}}]}"#)
            let stored = await sandbox.server.store.overrides(scheduleID: "PPLAT01")
            #expect(stored.map { $0.end } == [at("2026-11-23T17:00:00Z"), at("2026-11-23T13:00:00Z")])
            let rendered = try await RawHTTP.get(sandbox.baseURL + "/schedules/PPLAT01?since=2026-11-23T09:00:00Z&until=2026-11-23T17:00:00Z&time_zone=UTC")
            let entries = ((rendered.json?["schedule"] as? [String: Any])?["overrides_subschedule"] as? [String: Any])?["rendered_schedule_entries"] as? [[String: Any]]
            let shown = entries?.map { "\($0["start"] as? String ?? "")-\($0["end"] as? String ?? "") \(((($0["user"] as? [String: Any])?["summary"]) as? String) ?? "")" }
            #expect(shown == [
                "2026-11-23T09:00:00Z-2026-11-23T12:00:00Z Alice Archer",
                "2026-11-23T12:00:00Z-2026-11-23T13:00:00Z Bob Brown",
                "2026-11-23T13:00:00Z-2026-11-23T17:00:00Z Alice Archer",
            ])
        }
    }

    // 12: deleting
    @Test("delete: 204 for a future override, 200 and cut to now for one in progress, 400 for a past one, 404 for none")
    func delete() async throws {
        var seeded = seed
        seeded.overrides = [
            .init(schedule: "PPLAT01", start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), user: "bob@example.com"),
            .init(schedule: "PPLAT01", start: at("2026-11-22T09:00:00Z"), end: at("2026-11-23T09:00:00Z"), user: "bob@example.com"),
            .init(schedule: "PPLAT01", start: at("2026-11-21T09:00:00Z"), end: at("2026-11-22T09:00:00Z"), user: "bob@example.com"),
        ]
        try await SandboxHarness.with(seed: seeded) { (sandbox: SandboxHarness) async throws in
            let ids = await sandbox.server.store.overrides(scheduleID: "PPLAT01").map(\.id)
            let url = sandbox.baseURL + "/schedules/PPLAT01/overrides/"
            let future = try await RawHTTP.delete(url + ids[0])
            #expect(future.status == 204 && future.body.isEmpty)
            #expect(try await RawHTTP.delete(url + ids[1]).status == 200)
            let past = try await RawHTTP.delete(url + ids[2])
            #expect(past.status == 400)
            let unknown = try await RawHTTP.delete(url + "QNOSUCHOVERRIDE")
            #expect(unknown.status == 404)
            #expect(unknown.text == #"{"error":{"message":"Not Found","code":2100}}"#)
            let remaining = await sandbox.server.store.overrides(scheduleID: "PPLAT01")
            #expect(remaining.map(\.id) == [ids[1], ids[2]])
            #expect(remaining.first?.end == SandboxHarness.defaultNow)
            sandbox.server.updateQuirks { $0.unknownOverrideCode = 4004 }
            #expect(try await RawHTTP.delete(url + "QNOSUCHOVERRIDE").text == #"{"error":{"message":"Override Not Found","code":4004}}"#)
        }
    }

    // 13: error body quirks
    @Test("error bodies come in the documented shape, or in the variants seen in the wild")
    func errorShapes() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let url = sandbox.baseURL + "/schedules/PPLAT01/overrides?since=nonsense&until=2026-11-23T00:00:00Z"
            #expect(try await RawHTTP.get(url).text == #"{"error":{"message":"Invalid time values in 'since' and/or 'until' parameters","code":2004}}"#)
            sandbox.server.updateQuirks { $0.errorsAsString = true }
            let body = try await RawHTTP.get(sandbox.baseURL + "/schedules/PPLAT01/overrides")
            #expect(body.text == #"{"error":{"message":"Invalid Input Provided","code":2001,"errors":"since and until are required"}}"#)
            sandbox.server.updateQuirks { $0.errorAsString = true }
            #expect(try await RawHTTP.get(sandbox.baseURL + "/users/PNOBODY").text == #"{"error":"Not Found"}"#)
        }
    }

    // 15: ids
    @Test("ids look like PagerDuty's: P and six characters, overrides Q and thirteen")
    func idStyle() async throws {
        var seeded = seed
        seeded.schedules = [SandboxSeed.Schedule(name: "No id", timeZone: "UTC")]
        seeded.overrides = [.init(schedule: "No id", start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), user: "bob@example.com")]
        try await SandboxHarness.with(seed: seeded) { (sandbox: SandboxHarness) async throws in
            let data = await sandbox.server.store.snapshot()
            let pattern = /^P[0-9A-Z]{6}$/
            #expect(data.users.allSatisfy { $0.id.wholeMatch(of: pattern) != nil })
            #expect(data.schedules.allSatisfy { $0.id.wholeMatch(of: pattern) != nil })
            #expect(data.overrides.allSatisfy { $0.id.wholeMatch(of: /^Q[0-9A-Z]{13}$/) != nil })
            #expect(Set(data.users.map(\.id)).count == data.users.count)
        }
    }

    // 16: the clock
    @Test("the injected clock decides what is past: moving it makes an override undeletable")
    func clock() async throws {
        var seeded = seed
        seeded.overrides = [.init(schedule: "PPLAT01", start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), user: "bob@example.com")]
        try await SandboxHarness.with(seed: seeded) { (sandbox: SandboxHarness) async throws in
            let id = try #require(await sandbox.server.store.overrides(scheduleID: "PPLAT01").first?.id)
            sandbox.server.clock.set(at("2026-11-25T00:00:00Z"))
            #expect(try await RawHTTP.delete(sandbox.baseURL + "/schedules/PPLAT01/overrides/\(id)").status == 400)
        }
    }

    @Test("on-calls follow the final schedule, with its escalation policy at level 1")
    func onCalls() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let now = try await RawHTTP.get(sandbox.baseURL + "/oncalls?schedule_ids%5B%5D=PPLAT01&time_zone=UTC")
            let items = try #require(now.json?["oncalls"] as? [[String: Any]])
            // Sunday 13:00 in Berlin: the daily business-hours layer is on top.
            #expect(items.count == 1)
            #expect((items.first?["user"] as? [String: Any])?["summary"] as? String == "Carol Chen")
            #expect(items.first?["escalation_level"] as? Int == 1)
            #expect((items.first?["schedule"] as? [String: Any])?["type"] as? String == "schedule_reference")
            // Ending past now + 90 days: answered up to that horizon (the switches: SandboxFidelityTests).
            let beyond = try await RawHTTP.get(sandbox.baseURL + "/oncalls?since=2026-11-22T00:00:00Z&until=2027-03-01T00:00:00Z")
            #expect(beyond.status == 200)
            let tooFar = try await RawHTTP.get(sandbox.baseURL + "/oncalls?since=2027-03-01T00:00:00Z&until=2027-03-02T00:00:00Z")
            #expect(tooFar.status == 400)
        }
    }

    @Test("the data file survives a restart, and a second start adds only what is missing")
    func persistence() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString)/data.json").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        var seeded = seed
        seeded.overrides = [.init(schedule: "PPLAT01", start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), user: "bob@example.com")]
        let created = try await SandboxHarness.with(seed: seeded, configure: { $0.dataPath = path }) { (sandbox: SandboxHarness) async throws in
            let users = await sandbox.server.store.snapshot().users
            let alice = try #require(users.first { $0.email == "alice@example.com" })
            let response = try await RawHTTP.post(
                sandbox.baseURL + "/schedules/PPLAT01/overrides",
                json: #"{"overrides":[{"start":"2026-11-25T09:00:00Z","end":"2026-11-26T09:00:00Z","user":{"id":"\#(alice.id)","type":"user_reference"}}]}"#
            )
            #expect(response.status == 201)
            return await sandbox.server.store.snapshot()
        }
        var again = seeded
        again.users.append(SandboxSeed.User(name: "Dave Diaz", email: "dave@example.com"))
        try await SandboxHarness.with(seed: again, configure: { $0.dataPath = path }) { (sandbox: SandboxHarness) async throws in
            let reloaded = await sandbox.server.store.snapshot()
            #expect(reloaded.overrides == created.overrides)
            #expect(reloaded.overrides.count == 2)
            #expect(reloaded.users.count == created.users.count + 1)
            #expect(reloaded.schedules == created.schedules)
        }
    }

    @Test("unknown paths answer PagerDuty's 404")
    func unknownPath() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let response = try await RawHTTP.get(sandbox.baseURL + "/services")
            #expect(response.status == 404)
            #expect(response.text == #"{"error":{"message":"Not Found","code":2100}}"#)
        }
    }
}
