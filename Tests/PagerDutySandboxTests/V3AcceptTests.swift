import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import OrderedJSON
import PagerDuty
@testable import PagerDutySandbox
import Testing

/// The `Accept` header on v3 routes (checklist row 2): both values PagerDuty's clients send are
/// served; under `strictAccept` anything else is 406, and Handoff's own client still gets through.
@Suite("Simulated PagerDuty: Accept on shift-based routes")
struct V3AcceptTests {
    static let served = [
        "application/vnd.pagerduty+json;version=2", "application/vnd.pagerduty+json; version=2", "application/json",
        "application/json; charset=utf-8", "text/html, application/json;q=0.9",
    ]
    static let refused = ["text/html", "*/*", "application/vnd.pagerduty+json;version=1", "application/vnd.pagerduty+json", "application/xml"]

    @Test("by default every Accept (or none) is served; under strictAccept only the versioned v2 type and application/json (or none), else 406")
    func acceptValues() async throws {
        try await V3Sandbox.run { sandbox in
            let id = try await sandbox.createSchedule()
            let key = "Token token=\(SandboxHarness.key)"
            for accept in Self.served + Self.refused {
                #expect(try await sandbox.send(.get, "/v3/schedules/\(id)", headers: [(.authorization, key), (.accept, accept)]).status == 200, "\(accept)")
            }
            sandbox.server.updateQuirks { $0.v3.strictAccept = true }
            #expect(try await sandbox.send(.get, "/v3/schedules/\(id)", headers: [(.authorization, key)]).status == 200, "no Accept")
            for accept in Self.served {
                #expect(try await sandbox.send(.get, "/v3/schedules/\(id)", headers: [(.authorization, key), (.accept, accept)]).status == 200, "\(accept)")
            }
            for accept in Self.refused {
                let answer = try await sandbox.send(.post, "/v3/schedules/\(id)/rotations", "{}", headers: [(.authorization, key), (.accept, accept)])
                #expect(answer.status == 406, "\(accept)")
                #expect(answer["error"]?["message"]?.stringValue == "Not Acceptable")
            }
            #expect(try await sandbox.call(.get, "/v3/schedules/\(id)/rotations")["rotations"]?.arrayValue?.isEmpty == true, "nothing was created")
            let v2 = try await sandbox.send(.get, "/schedules/PPLAT01", headers: [(.authorization, key), (.accept, "text/html")])
            #expect(v2.status == 200, "v2 routes are not checked")
        }
    }

    @Test("Handoff's own client reads and writes a shift-based schedule under strictAccept")
    func handoffClientUnderStrictAccept() async throws {
        let seed = SandboxSeed(users: [.init(name: "Alice Archer", email: "alice@example.com", id: "PALICE1")])
        try await SandboxHarness.with(seed: seed, configure: { $0.quirks.v3.strictAccept = true }) { sandbox in
            let created = try await RawHTTP.post(sandbox.baseURL + "/v3/schedules", json: #"{"schedule":{"name":"Shift-based","time_zone":"UTC"}}"#)
            #expect(created.status == 201)
            let id = try #require((created.json?["schedule"] as? [String: Any])?["id"] as? String)
            try await sandbox.withClient { (client: PagerDutyClient) async throws in
                #expect(try await client.listV3Schedules().map(\.id) == [id])
                #expect(try await client.v3Schedule(id: id).id == id)
                #expect(try await client.v3Rotations(scheduleID: id).isEmpty)
            }
            let refused = sandbox.server.log.all.filter { $0.status == 406 }
            #expect(refused.isEmpty, "\(refused)")
            // The switch was on throughout: the client's Accept passed the check (`acceptValues`
            // shows that the same check refuses others).
            #expect(sandbox.server.quirks.v3.strictAccept)
            #expect(SandboxAPI.acceptableV3("application/vnd.pagerduty+json;version=2") && !SandboxAPI.acceptableV3("*/*"))
        }
    }
}
