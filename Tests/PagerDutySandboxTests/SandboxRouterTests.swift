import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

/// The simulated PagerDuty's routes driven in memory through HummingbirdTesting's `.router`
/// setup: no port is bound and no connection made, where the socket adds nothing. The faults that
/// need a connection (a dropped response, a closed socket) stay in `SandboxServerTests`.
@Suite("Simulated PagerDuty: routes in memory, without a socket")
struct SandboxRouterTests {
    /// A sandbox (never started) with alice and bob, one Berlin schedule, the test keys, and the
    /// clock at `SandboxHarness.defaultNow`.
    private func withSandbox(overrides: [SandboxSeed.Override] = [], _ body: @Sendable (SandboxServer, any TestClientProtocol) async throws -> Void) async throws {
        var options = SandboxOptions()
        options.clock = SandboxClock(fixed: SandboxHarness.defaultNow)
        options.seed = SandboxSeed(
            users: [.init(name: "Alice Archer", email: "alice@example.com"), .init(name: "Bob Brown", email: "bob@example.com")],
            schedules: [.init(name: "Platform", timeZone: "Europe/Berlin", id: "PPLAT01")],
            tokens: [
                .init(token: SandboxHarness.key, readOnly: false),
                .init(token: SandboxHarness.readOnlyKey, readOnly: true),
            ],
            overrides: overrides
        )
        let server = try await SandboxServer(options: options)
        try await server.application().test(.router) { client in
            try await body(server, client)
        }
        #expect(server.port == nil, "the sandbox was never bound to a port")
    }

    private func headers(key: String? = SandboxHarness.key, json: Bool = false) -> HTTPFields {
        var fields = HTTPFields()
        if let key { fields[.authorization] = "Token token=\(key)" }
        fields[.accept] = "application/vnd.pagerduty+json;version=2"
        if json { fields[.contentType] = "application/json" }
        return fields
    }

    private func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    private func json(_ response: TestResponse) -> Any? { try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) }

    @Test("no key, an unknown key or a malformed header is refused with 401 in PagerDuty's error shape, and logged")
    func authenticationRefused() async throws {
        try await withSandbox { server, client in
            let refused: [HTTPFields] = [headers(key: nil), headers(key: "wrong"), [.authorization: "token=\(SandboxHarness.key)"]]
            for fields in refused {
                try await client.execute(uri: "/users", method: .get, headers: fields) { response in
                    #expect(response.status == .unauthorized)
                    #expect(self.text(response) == #"{"error":{"message":"Authentication failed","code":2006}}"#)
                }
            }
            #expect(server.log.counts["GET /users"] == 3)
            #expect(server.log.all.allSatisfy { $0.status == 401 })
        }
    }

    @Test("a read-only key may list overrides but gets 403 on create and delete, and nothing changes")
    func readOnlyRefused() async throws {
        try await withSandbox(overrides: [.init(schedule: "PPLAT01", start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), user: "bob@example.com")]) { server, client in
            let readOnly = headers(key: SandboxHarness.readOnlyKey, json: true)
            let list = "/schedules/PPLAT01/overrides?since=2026-11-22T00:00:00Z&until=2026-11-30T00:00:00Z"
            try await client.execute(uri: list, method: .get, headers: readOnly) { #expect($0.status == .ok) }
            try await client.execute(uri: "/schedules/PPLAT01/overrides", method: .post, headers: readOnly, body: ByteBuffer(string: #"{"overrides":[]}"#)) { response in
                #expect(response.status == .forbidden)
                #expect(self.text(response) == #"{"error":{"message":"Access Denied","code":2010}}"#)
            }
            let id = try #require(await server.store.overrides(scheduleID: "PPLAT01").first?.id)
            try await client.execute(uri: "/schedules/PPLAT01/overrides/\(id)", method: .delete, headers: readOnly) { #expect($0.status == .forbidden) }
            #expect(await server.store.overrides(scheduleID: "PPLAT01").map(\.id) == [id])
        }
    }

    @Test("listing overrides: clipped to the window, each with its id and user; since and until are required")
    func listOverrides() async throws {
        let seeded: [SandboxSeed.Override] = [
            .init(schedule: "PPLAT01", start: at("2026-11-21T09:00:00Z"), end: at("2026-11-23T09:00:00Z"), user: "alice@example.com"),
            .init(schedule: "PPLAT01", start: at("2026-12-10T09:00:00Z"), end: at("2026-12-11T09:00:00Z"), user: "bob@example.com"),
        ]
        try await withSandbox(overrides: seeded) { server, client in
            let stored = await server.store.overrides(scheduleID: "PPLAT01")
            try await client.execute(uri: "/schedules/PPLAT01/overrides?since=2026-11-22T00:00:00Z&until=2026-11-30T00:00:00Z", method: .get, headers: headers()) { response in
                #expect(response.status == .ok)
                let overrides = try #require((self.json(response) as? [String: Any])?["overrides"] as? [[String: Any]])
                #expect(overrides.count == 1)
                #expect(overrides.first?["id"] as? String == stored.first?.id)
                #expect(overrides.first?["start"] as? String == "2026-11-22T01:00:00+01:00", "clipped to since, in the schedule's zone")
                #expect(overrides.first?["end"] as? String == "2026-11-23T10:00:00+01:00")
                #expect(((overrides.first?["user"] as? [String: Any])?["summary"]) as? String == "Alice Archer")
            }
            try await client.execute(uri: "/schedules/PPLAT01/overrides", method: .get, headers: headers()) { response in
                #expect(response.status == .badRequest)
                #expect(self.text(response) == #"{"error":{"message":"Invalid Input Provided","code":2001,"errors":["since and until are required"]}}"#)
            }
            try await client.execute(uri: "/schedules/PNOSUCH/overrides?since=2026-11-22T00:00:00Z&until=2026-11-30T00:00:00Z", method: .get, headers: headers()) {
                #expect($0.status == .notFound)
            }
        }
    }

    @Test("creating overrides in bulk: 201 with a status per item, the valid one stored, the others refused with reasons")
    func createOverrides() async throws {
        try await withSandbox { server, client in
            let alice = try #require(await server.store.snapshot().users.first { $0.email == "alice@example.com" })
            let body = """
                {"overrides":[
                  {"start":"2026-11-23T09:00:00Z","end":"2026-11-23T17:00:00Z","user":{"id":"\(alice.id)","type":"user_reference"}},
                  {"start":"2026-11-23T09:00:00Z","end":"2026-11-23T08:00:00Z","user":{"id":"\(alice.id)","type":"user_reference"}}
                ]}
                """
            try await client.execute(uri: "/schedules/PPLAT01/overrides", method: .post, headers: headers(json: true), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .created)
                let items = try #require(self.json(response) as? [[String: Any]])
                #expect(items.map { $0["status"] as? Int } == [201, 400])
                #expect(items[1]["errors"] as? [String] == ["Override must end after its start"])
            }
            let stored = await server.store.overrides(scheduleID: "PPLAT01")
            #expect(stored.map { "\($0.start) \($0.end) \($0.userID)" } == ["2026-11-23T09:00:00Z 2026-11-23T17:00:00Z \(alice.id)"])
            try await client.execute(uri: "/schedules/PPLAT01/overrides", method: .post, headers: headers(), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest, "a body without Content-Type: application/json is refused")
            }
            #expect(await server.store.overrides(scheduleID: "PPLAT01").count == 1)
        }
    }

    @Test("deleting overrides: 204 for a future one, 200 and cut to now for one in progress, 404 for an unknown id")
    func deleteOverrides() async throws {
        let seeded: [SandboxSeed.Override] = [
            .init(schedule: "PPLAT01", start: at("2026-11-23T09:00:00Z"), end: at("2026-11-24T09:00:00Z"), user: "bob@example.com"),
            .init(schedule: "PPLAT01", start: at("2026-11-22T09:00:00Z"), end: at("2026-11-23T09:00:00Z"), user: "bob@example.com"),
        ]
        try await withSandbox(overrides: seeded) { server, client in
            let ids = await server.store.overrides(scheduleID: "PPLAT01").map(\.id)
            try await client.execute(uri: "/schedules/PPLAT01/overrides/\(ids[0])", method: .delete, headers: headers()) { response in
                #expect(response.status == .noContent)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/schedules/PPLAT01/overrides/\(ids[1])", method: .delete, headers: headers()) { #expect($0.status == .ok) }
            try await client.execute(uri: "/schedules/PPLAT01/overrides/QNOSUCHOVERRIDE", method: .delete, headers: headers()) { response in
                #expect(response.status == .notFound)
                #expect(self.text(response) == #"{"error":{"message":"Not Found","code":2100}}"#)
            }
            let remaining = await server.store.overrides(scheduleID: "PPLAT01")
            #expect(remaining.map(\.id) == [ids[1]])
            #expect(remaining.first?.end == SandboxHarness.defaultNow)
        }
    }
}
