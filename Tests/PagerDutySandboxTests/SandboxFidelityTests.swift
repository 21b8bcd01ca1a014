import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import PagerDutySandbox
import Testing

/// The v2 endpoints against PagerDuty's published description (issue 16 item 7), each switch of
/// `docs/pagerduty-fidelity.md` in both positions, driven in memory through `.router`.
@Suite("Simulated PagerDuty: the v2 endpoints as PagerDuty's description declares them, and the switches")
struct SandboxFidelityTests {
    /// Alice (with a job title) and Bob (without); PPLAT01 in Berlin without a description, a
    /// weekly layer (alice, bob) under a business-hours layer (carol, daily 09:00 for 8 hours);
    /// PDOCS01 with a description; PFLEX01 shift-based. The clock at Sunday 2026-11-22 12:00 UTC.
    private func withSandbox(
        quirks: (inout SandboxQuirks) -> Void = { _ in },
        _ body: @Sendable (SandboxServer, any TestClientProtocol) async throws -> Void
    ) async throws {
        var options = SandboxOptions()
        options.clock = SandboxClock(fixed: SandboxHarness.defaultNow)
        quirks(&options.quirks)
        options.seed = SandboxSeed(
            users: [
                .init(name: "Alice Archer", email: "alice@example.com", jobTitle: "Site Reliability Engineer"),
                .init(name: "Bob Brown", email: "bob@example.com"),
                .init(name: "Carol Chen", email: "carol@example.com"),
            ],
            schedules: [
                PlatformFixture.schedule(),
                .init(name: "Docs", timeZone: "UTC", id: "PDOCS01", description: "Documentation on-call"),
                .init(name: "Flexible", timeZone: "UTC", id: "PFLEX01", type: "schedule_v3"),
            ],
            tokens: [.init(token: SandboxHarness.key, readOnly: false)]
        )
        let server = try await SandboxServer(options: options)
        try await server.application().test(.router) { client in
            try await body(server, client)
        }
    }

    private var headers: HTTPFields {
        var fields = HTTPFields()
        fields[.authorization] = "Token token=\(SandboxHarness.key)"
        fields[.accept] = "application/vnd.pagerduty+json;version=2"
        fields[.contentType] = "application/json"
        return fields
    }

    private struct Answer: Sendable {
        var status: Int
        var text: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
    }

    private func get(_ client: any TestClientProtocol, _ uri: String) async throws -> Answer {
        try await client.execute(uri: uri, method: .get, headers: headers) { Answer(status: Int($0.status.code), text: String(buffer: $0.body)) }
    }

    private func post(_ client: any TestClientProtocol, _ uri: String, _ body: String) async throws -> Answer {
        try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) {
            Answer(status: Int($0.status.code), text: String(buffer: $0.body))
        }
    }

    // MARK: - (a) job_title and description

    @Test("job_title and description are strings or absent, never null; nullForUnsetStrings brings the nulls back")
    func unsetStrings() async throws {
        for nulls in [false, true] {
            try await withSandbox(quirks: { $0.nullForUnsetStrings = nulls }) { (_, client) async throws in
                let users = try #require(try await get(client, "/users").object["users"] as? [[String: Any]])
                let alice = try #require(users.first { $0["name"] as? String == "Alice Archer" })
                let bob = try #require(users.first { $0["name"] as? String == "Bob Brown" })
                #expect(alice["job_title"] as? String == "Site Reliability Engineer")
                #expect(bob.keys.contains("job_title") == nulls)
                #expect(nulls ? bob["job_title"] is NSNull : bob["job_title"] == nil)
                let one = try #require(try await get(client, "/users/\(bob["id"] as? String ?? "")").object["user"] as? [String: Any])
                #expect(one.keys.contains("job_title") == nulls)
                // The user's bio is declared nullable: null either way.
                #expect(bob["description"] is NSNull)

                let schedules = try #require(try await get(client, "/schedules").object["schedules"] as? [[String: Any]])
                let platform = try #require(schedules.first { $0["id"] as? String == "PPLAT01" })
                let docs = try #require(schedules.first { $0["id"] as? String == "PDOCS01" })
                #expect(platform.keys.contains("description") == nulls)
                #expect(nulls ? platform["description"] is NSNull : platform["description"] == nil)
                #expect(docs["description"] as? String == "Documentation on-call")
                let read = try #require(try await get(client, "/schedules/PPLAT01").object["schedule"] as? [String: Any])
                #expect(read.keys.contains("description") == nulls)
            }
        }
    }

    // MARK: - (b) GET /schedules

    @Test("the schedule list shows layer-based schedules only; any team filter finds nothing (the sandbox has no teams)")
    func listFilters() async throws {
        try await withSandbox { (_, client) async throws in
            let all = try await get(client, "/schedules")
            #expect((all.object["schedules"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["PPLAT01", "PDOCS01"])
            #expect((all.object["schedules"] as? [[String: Any]])?.allSatisfy { $0["type"] as? String == "schedule" } == true)
            let teams = try await get(client, "/schedules?team_ids%5B%5D=PTEAM01")
            #expect(teams.status == 200)
            #expect((teams.object["schedules"] as? [Any])?.isEmpty == true)
            #expect(teams.object["more"] as? Bool == false)
        }
    }

    @Test("include[]=overrides_subschedule and final_schedule on the list: ignored by default, honoured under listIncludesSubschedules")
    func listSubscheduleIncludes() async throws {
        let uri = "/schedules?query=platform&since=2026-11-23T00:00:00Z&until=2026-11-24T00:00:00Z"
        for honoured in [false, true] {
            try await withSandbox(quirks: { $0.listIncludesSubschedules = honoured }) { (_, client) async throws in
                let both = try await get(client, uri + "&include%5B%5D=overrides_subschedule&include%5B%5D=final_schedule")
                let schedule = try #require((both.object["schedules"] as? [[String: Any]])?.first)
                #expect(schedule.keys.contains("final_schedule") == honoured)
                #expect(schedule.keys.contains("overrides_subschedule") == honoured)
                #expect(schedule["schedule_layers"] == nil, "layers only when asked for")
                if honoured {
                    let entries = (schedule["final_schedule"] as? [String: Any])?["rendered_schedule_entries"] as? [[String: Any]]
                    #expect(entries?.count == 3, "alice, carol 09:00-17:00 Berlin, then bob from the Monday handoff")
                }
                let finalOnly = try #require((try await get(client, uri + "&include%5B%5D=final_schedule").object["schedules"] as? [[String: Any]])?.first)
                #expect(finalOnly.keys.contains("final_schedule") == honoured)
                #expect(finalOnly["overrides_subschedule"] == nil)
                // A value the description does not list changes nothing.
                let unknown = try await get(client, "/schedules?include%5B%5D=nonsense")
                let plain = try await get(client, "/schedules")
                #expect(unknown.text == plain.text)
            }
        }
    }

    @Test("the list renders in the request's zone, else the account's (UTC), else each schedule's own when accountTimeZone is nil")
    func listZone() async throws {
        let cases: [(account: String?, requested: String?, expected: String)] = [
            ("UTC", nil, "2026-11-02T08:00:00Z"), (nil, nil, "2026-11-02T09:00:00+01:00"), ("UTC", "America/New_York", "2026-11-02T03:00:00-05:00"),
        ]
        for (account, requested, expected) in cases {
            try await withSandbox(quirks: { $0.accountTimeZone = account }) { (_, client) async throws in
                let zone = requested.map { "&time_zone=\($0.replacingOccurrences(of: "/", with: "%2F"))" } ?? ""
                let answer = try await get(client, "/schedules?query=platform&include%5B%5D=schedule_layers" + zone)
                let layer = (((answer.object["schedules"] as? [[String: Any]])?.first)?["schedule_layers"] as? [[String: Any]])?.first
                #expect(layer?["start"] as? String == expected, "account \(account ?? "nil"), time_zone \(requested ?? "none")")
            }
        }
    }

    @Test("the list refuses an unreadable since or until (2004) and an unknown time_zone (2001), as GET one does")
    func listRefusals() async throws {
        try await withSandbox { (_, client) async throws in
            let since = try await get(client, "/schedules?include%5B%5D=schedule_layers&since=yesterday")
            #expect(since.status == 400)
            #expect(since.text == #"{"error":{"message":"Invalid time values in 'since' and/or 'until' parameters","code":2004}}"#)
            let zone = try await get(client, "/schedules?time_zone=Mars%2FOlympus")
            #expect(zone.status == 400)
            #expect(zone.text == #"{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Invalid time_zone Mars/Olympus"]}}"#)
            let backwards = try await get(client, "/schedules?include%5B%5D=schedule_layers&since=2026-11-24T00:00:00Z&until=2026-11-23T00:00:00Z")
            #expect(backwards.status == 400)
        }
    }

    // MARK: - (c) time_zone and restrictions

    /// Carol's business-hours entries on Monday 2026-11-23 as `start-end`, from GET one or the list.
    private func businessHours(_ client: any TestClientProtocol, list: Bool, zone: String?) async throws -> [String] {
        let window = "since=2026-11-23T00:00:00Z&until=2026-11-24T00:00:00Z" + (zone.map { "&time_zone=\($0)" } ?? "")
        let schedule: [String: Any]?
        if list {
            schedule = (try await get(client, "/schedules?query=platform&include%5B%5D=schedule_layers&" + window).object["schedules"] as? [[String: Any]])?.first
        } else {
            schedule = try await get(client, "/schedules/PPLAT01?" + window).object["schedule"] as? [String: Any]
        }
        let layer = (schedule?["schedule_layers"] as? [[String: Any]])?.first { $0["name"] as? String == "Business hours" }
        let entries = layer?["rendered_schedule_entries"] as? [[String: Any]] ?? []
        return entries.map { "\($0["start"] as? String ?? "")-\($0["end"] as? String ?? "")" }
    }

    @Test("restrictions are read in the time_zone a request names (restrictionZone .request), or in the schedule's zone (.schedule)")
    func restrictionZone() async throws {
        try await withSandbox { (_, client) async throws in
            for list in [false, true] {
                #expect(try await businessHours(client, list: list, zone: "UTC") == ["2026-11-23T09:00:00Z-2026-11-23T17:00:00Z"], "09:00 for 8 hours, in UTC")
                let restriction = try await get(client, "/schedules/PPLAT01?time_zone=UTC").object
                let layers = (restriction["schedule"] as? [String: Any])?["schedule_layers"] as? [[String: Any]]
                #expect((layers?.first?["restrictions"] as? [[String: Any]])?.first?["start_time_of_day"] as? String == "09:00:00")
            }
            #expect(try await businessHours(client, list: false, zone: nil) == ["2026-11-23T09:00:00+01:00-2026-11-23T17:00:00+01:00"])
        }
        try await withSandbox(quirks: { $0.restrictionZone = .schedule }) { (_, client) async throws in
            for list in [false, true] {
                #expect(try await businessHours(client, list: list, zone: "UTC") == ["2026-11-23T08:00:00Z-2026-11-23T16:00:00Z"], "09:00 Berlin, shown in UTC")
            }
            #expect(try await businessHours(client, list: false, zone: nil) == ["2026-11-23T09:00:00+01:00-2026-11-23T17:00:00+01:00"])
        }
    }

    // MARK: - (d) /oncalls and the 90 days

    private func onCallsStatus(_ client: any TestClientProtocol, since: String, until: String) async throws -> (Int, [String]) {
        let answer = try await get(client, "/oncalls?schedule_ids%5B%5D=PPLAT01&time_zone=UTC&since=\(since)&until=\(until)")
        let starts = (answer.object["oncalls"] as? [[String: Any]])?.compactMap { $0["start"] as? String } ?? []
        return (answer.status, starts)
    }

    @Test("on-calls: the default refuses a window starting past now + 90 days and answers one ending past it up to the horizon")
    func onCallHorizon() async throws {
        // Now is 2026-11-22T12:00Z: the horizon is 2027-02-20T12:00Z.
        try await withSandbox { (_, client) async throws in
            #expect(try await onCallsStatus(client, since: "2027-03-02T00:00:00Z", until: "2027-03-03T00:00:00Z").0 == 400)
            let (status, starts) = try await onCallsStatus(client, since: "2027-02-15T00:00:00Z", until: "2027-03-15T00:00:00Z")
            #expect(status == 200)
            #expect(!starts.isEmpty)
            #expect(starts.allSatisfy { $0 <= "2027-02-20T12:00:00Z" }, "nothing starts past the horizon: \(starts)")
            #expect(try await onCallsStatus(client, since: "2026-11-12T00:00:00Z", until: "2027-02-19T00:00:00Z").0 == 200, "a 99-day window within the horizon")
            #expect(try await onCallsStatus(client, since: "2026-11-24T00:00:00Z", until: "2026-11-23T00:00:00Z").0 == 400)
            let far = try await onCallsStatus(client, since: "2020-01-01T00:00:00Z", until: "2026-11-23T00:00:00Z")
            #expect(far.0 == 400, "a window longer than the longest rendering is refused")
        }
    }

    @Test("on-calls: horizonStrict refuses a window ending past the horizon; windowLength refuses only windows over 90 days")
    func onCallLimitSwitches() async throws {
        try await withSandbox(quirks: { $0.onCallLimit = .horizonStrict }) { (_, client) async throws in
            #expect(try await onCallsStatus(client, since: "2027-02-15T00:00:00Z", until: "2027-03-15T00:00:00Z").0 == 400)
            #expect(try await onCallsStatus(client, since: "2027-02-15T00:00:00Z", until: "2027-02-20T00:00:00Z").0 == 200)
            #expect(try await onCallsStatus(client, since: "2027-03-02T00:00:00Z", until: "2027-03-03T00:00:00Z").0 == 400)
            #expect(try await onCallsStatus(client, since: "2026-11-24T00:00:00Z", until: "2026-11-23T00:00:00Z").0 == 400)
        }
        try await withSandbox(quirks: { $0.onCallLimit = .windowLength }) { (_, client) async throws in
            let (status, starts) = try await onCallsStatus(client, since: "2027-03-02T00:00:00Z", until: "2027-03-03T00:00:00Z")
            #expect(status == 200, "past the horizon, but short")
            #expect(!starts.isEmpty)
            #expect(try await onCallsStatus(client, since: "2026-11-12T00:00:00Z", until: "2027-02-19T00:00:00Z").0 == 400, "99 days long")
            #expect(try await onCallsStatus(client, since: "2026-11-24T00:00:00Z", until: "2026-11-23T00:00:00Z").0 == 400)
        }
    }

    // MARK: - (e), (f) the deprecated single-override create

    private func aliceID(_ server: SandboxServer) async throws -> String {
        try #require(await server.store.snapshot().users.first { $0.email == "alice@example.com" }?.id)
    }

    @Test("the single form answers 201 {override} (legacyObject), the bulk array (asBulk), or is refused as removed")
    func singleForm() async throws {
        for form in [SandboxQuirks.SingleOverrideForm.legacyObject, .asBulk, .removed] {
            try await withSandbox(quirks: { $0.singleOverrideForm = form }) { (server, client) async throws in
                let alice = try await aliceID(server)
                let body = #"{"override":{"start":"2026-11-24T09:00:00Z","end":"2026-11-24T17:00:00Z","user":{"id":"\#(alice)","type":"user_reference"}}}"#
                let answer = try await post(client, "/schedules/PPLAT01/overrides", body)
                let stored = await server.store.overrides(scheduleID: "PPLAT01")
                switch form {
                case .legacyObject:
                    #expect(answer.status == 201)
                    #expect((answer.object["override"] as? [String: Any])?["id"] as? String == stored.first?.id)
                case .asBulk:
                    #expect(answer.status == 201)
                    let items = try #require(answer.json as? [[String: Any]])
                    #expect(items.map { $0["status"] as? Int } == [201])
                    #expect((items.first?["override"] as? [String: Any])?["id"] as? String == stored.first?.id)
                case .removed:
                    #expect(answer.status == 400)
                    #expect(answer.text == #"{"error":{"message":"Invalid Input Provided","code":2001,"errors":["overrides must be a non-empty list"]}}"#)
                }
                #expect(stored.count == (form == .removed ? 0 : 1))
            }
        }
    }

    @Test("the single form's 400 goes through the error quirks: errors a list by default, one string under singleOverrideErrorsAsString")
    func singleFormErrors() async throws {
        let expected: [(String, (inout SandboxQuirks) -> Void)] = [
            (#"{"error":{"message":"Invalid Override","code":2001,"errors":["Override must end in the future","Override must end after its start"]}}"#, { _ in }),
            (#"{"error":{"message":"Invalid Override","code":2001,"errors":"Override must end in the future, Override must end after its start"}}"#, { $0.singleOverrideErrorsAsString = true }),
            (#"{"error":{"message":"Invalid Override","code":2001,"errors":"Override must end in the future, Override must end after its start"}}"#, { $0.errorsAsString = true }),
            (#"{"error":"Invalid Override: Override must end in the future: Override must end after its start"}"#, { $0.errorAsString = true }),
        ]
        for (text, quirks) in expected {
            try await withSandbox(quirks: quirks) { (server, client) async throws in
                let alice = try await aliceID(server)
                let body = #"{"override":{"start":"2026-11-01T09:00:00Z","end":"2026-11-01T08:00:00Z","user":{"id":"\#(alice)","type":"user_reference"}}}"#
                let answer = try await post(client, "/schedules/PPLAT01/overrides", body)
                #expect(answer.status == 400)
                #expect(answer.text == text)
                #expect(await server.store.overrides(scheduleID: "PPLAT01").isEmpty)
            }
        }
    }
}
