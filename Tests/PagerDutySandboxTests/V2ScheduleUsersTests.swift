import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import OrderedJSON
@testable import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

/// `GET /schedules/{id}/users` (v2; checklist row 6).
@Suite("Simulated PagerDuty: the users of a layered schedule")
struct V2ScheduleUsersTests {
    /// Alice and Bob by turns of a week from Monday 2026-11-02 08:00 UTC (Bob from 2026-11-23).
    static let layer = SandboxSeed.Layer(
        start: at("2026-11-02T08:00:00Z"), rotationVirtualStart: at("2026-11-02T08:00:00Z"), rotationTurnLengthSeconds: 604_800,
        users: ["alice@example.com", "bob@example.com"])
    static let override = SandboxSeed.Override(schedule: "PPLAT01", start: at("2026-11-23T10:00:00Z"), end: at("2026-11-23T11:00:00Z"), user: "carol@example.com")

    @Test("the users on call in the window, overrides included, as full user objects in the order they come on call; two weeks from now by default")
    func usersInWindow() async throws {
        try await V3Sandbox.run(layers: [Self.layer], overrides: [Self.override]) { sandbox in
            let early = try await sandbox.call(.get, "/schedules/PPLAT01/users?since=2026-11-23T00:00:00Z&until=2026-11-23T09:00:00Z")
            #expect(early.status == 200, "\(early.text)")
            #expect(early["users"]?.arrayValue?.map { $0["id"]?.stringValue } == ["PALICE1", "PBOB001"])
            #expect(early["users"]?.arrayValue?.first?["email"]?.stringValue == "alice@example.com", "full user objects")
            #expect(early["limit"] == nil, "not paginated")
            let day = try await sandbox.call(.get, "/schedules/PPLAT01/users?since=2026-11-23T09:00:00Z&until=2026-11-24T00:00:00Z")
            #expect(day["users"]?.arrayValue?.map { $0["id"]?.stringValue } == ["PBOB001", "PCAROL1"])
            let fallback = try await sandbox.call(.get, "/schedules/PPLAT01/users")
            #expect(fallback["users"]?.arrayValue?.map { $0["id"]?.stringValue } == ["PALICE1", "PBOB001", "PCAROL1"])
            #expect(try await sandbox.call(.get, "/schedules/PPLAT01/users?since=soon").status == 400)
            #expect(try await sandbox.call(.get, "/schedules/PPLAT01/users?since=2026-11-24T00:00:00Z&until=2026-11-23T00:00:00Z").status == 400)
            #expect(try await sandbox.call(.get, "/schedules/PNOSUCH/users").status == 404)
        }
    }

    @Test("a shift-based schedule's id is refused as on the other v2 routes: 400 naming shift-based, or 404 code 2100 by switch")
    func shiftBasedRefused() async throws {
        try await V3Sandbox.run { sandbox in
            let id = try await sandbox.createSchedule()
            let refused = try await sandbox.call(.get, "/schedules/\(id)/users")
            #expect(refused.status == 400 && refused.text.contains("shift-based; use the v3 schedules API"))
            sandbox.server.updateQuirks { $0.v3.wrongKindOnV2Status = 404 }
            let missing = try await sandbox.call(.get, "/schedules/\(id)/users")
            #expect(missing.status == 404 && missing.text == #"{"error":{"message":"Not Found","code":2100}}"#)
        }
    }

    @Test("the route needs users.read, not schedules.read, from a scoped token")
    func scope() async throws {
        try await V3Sandbox.run(layers: [Self.layer]) { sandbox in
            try await sandbox.server.store.addToken("scoped-schedules-0001", readOnly: false, scopes: ["schedules.read"])
            try await sandbox.server.store.addToken("scoped-users-0002", readOnly: false, scopes: ["users.read"])
            #expect(try await sandbox.call(.get, "/schedules/PPLAT01/users", key: "scoped-schedules-0001").status == 403)
            #expect(try await sandbox.call(.get, "/schedules/PPLAT01/users", key: "scoped-users-0002").status == 200)
        }
    }
}
