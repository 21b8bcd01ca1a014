import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import OrderedJSON
@testable import PagerDutySandbox
import Testing

/// `/escalation_policies` as far as shift-based schedules need it (checklist rows 7 and 10).
@Suite("Simulated PagerDuty: escalation policies and shift-based schedules")
struct V3EscalationPolicyTests {
    static func policy(name: String = "Night", targets: [(type: String, id: String)]) -> String {
        let list = targets.map { #"{"type":"\#($0.type)","id":"\#($0.id)"}"# }.joined(separator: ",")
        return #"{"escalation_policy":{"type":"escalation_policy","name":"\#(name)","escalation_rules":[{"escalation_delay_in_minutes":15,"targets":[\#(list)]}]}}"#
    }

    @Test("a rule targets a shift-based schedule as schedule_v3_reference; GET one and the list show it beside each layered schedule's own policy")
    func createAndRead() async throws {
        try await V3Sandbox.run { sandbox in
            let id = try await sandbox.createSchedule()
            let created = try await sandbox.call(.post, "/escalation_policies", Self.policy(targets: [("schedule_v3_reference", id), ("user_reference", "PALICE1")]))
            #expect(created.status == 201, "\(created.text)")
            let policyID = try #require(created["escalation_policy"]?["id"]?.stringValue)
            let read = try await sandbox.call(.get, "/escalation_policies/\(policyID)")
            #expect(read.status == 200)
            let rule = try #require(read["escalation_policy"]?["escalation_rules"]?.arrayValue?.first)
            #expect(rule["escalation_delay_in_minutes"]?.intValue == 15 && rule["id"]?.stringValue?.isEmpty == false)
            let targets = rule["targets"]?.arrayValue ?? []
            #expect(targets.map { $0["type"]?.stringValue } == ["schedule_v3_reference", "user_reference"])
            #expect(targets.first?["self"]?.stringValue?.hasSuffix("/v3/schedules/\(id)") == true)
            let list = try await sandbox.call(.get, "/escalation_policies")
            #expect(list["escalation_policies"]?.arrayValue?.compactMap { $0["id"]?.stringValue }.sorted() == ["EPLAT01", policyID].sorted())
            #expect(try await sandbox.call(.get, "/escalation_policies/EPLAT01")["escalation_policy"]?["escalation_rules"]?.arrayValue?.first?["targets"]?.arrayValue?.first?["type"]?.stringValue == "schedule_reference")
            #expect(try await sandbox.call(.get, "/escalation_policies/ENOSUCH").status == 404)
        }
    }

    @Test("a policy that targets a shift-based schedule shows in the schedule's escalation_policies and puts its people in /oncalls at the rule's level")
    func policyShowsOnScheduleAndOnCalls() async throws {
        try await V3Sandbox.run { sandbox in
            let id = try await sandbox.createSchedule()
            let rotation = try await sandbox.createRotation(id)
            _ = try await sandbox.createEvent(id, rotation, V3Sandbox.event(start: "2026-11-23T09:00:00+01:00", end: "2026-11-30T09:00:00+01:00"))
            let window = "/oncalls?since=2026-11-23T12:00:00Z&until=2026-11-23T13:00:00Z&time_zone=UTC&schedule_ids[]=\(id)"
            #expect(try await sandbox.call(.get, window)["oncalls"]?.arrayValue?.isEmpty == true, "no policy uses it yet")
            #expect(try await sandbox.call(.get, "/v3/schedules/\(id)")["schedule"]?["escalation_policies"]?.arrayValue?.isEmpty == true)
            let body = #"{"escalation_policy":{"name":"Night","escalation_rules":[{"targets":[{"type":"user_reference","id":"PCAROL1"}]},{"targets":[{"type":"schedule_v3_reference","id":"\#(id)"}]}]}}"#
            let created = try await sandbox.call(.post, "/escalation_policies", body)
            let policyID = try #require(created["escalation_policy"]?["id"]?.stringValue)
            let shown = try await sandbox.call(.get, "/v3/schedules/\(id)")["schedule"]?["escalation_policies"]?.arrayValue ?? []
            #expect(shown.map { $0["id"]?.stringValue } == [policyID] && shown.first?["type"]?.stringValue == "escalation_policy_reference")
            let items = try await sandbox.call(.get, window)["oncalls"]?.arrayValue ?? []
            #expect(items.map { $0["user"]?["id"]?.stringValue } == ["PALICE1"])
            #expect(items.first?["escalation_policy"]?["id"]?.stringValue == policyID && items.first?["escalation_level"]?.intValue == 2)
        }
    }

    @Test("a shift-based id sent as schedule_reference is 404 code 2100 (and a layered one as schedule_v3_reference); nothing is stored")
    func wrongKindTargets() async throws {
        try await V3Sandbox.run { sandbox in
            let id = try await sandbox.createSchedule()
            for (type, target) in [("schedule_reference", id), ("schedule", id), ("schedule_v3_reference", "PPLAT01"), ("schedule_reference", "PNOSUCH"), ("user_reference", "PNOSUCH")] {
                let answer = try await sandbox.call(.post, "/escalation_policies", Self.policy(targets: [(type, target)]))
                #expect(answer.status == 404, "\(type) \(target)")
                #expect(answer.text == #"{"error":{"message":"Not Found","code":2100}}"#)
            }
            #expect(try await sandbox.call(.get, "/escalation_policies")["escalation_policies"]?.arrayValue?.count == 1, "only the built-in one")
            #expect(await sandbox.server.store.storedEscalationPolicies().isEmpty)
        }
    }

    @Test("a shift-based schedule cannot be deleted while a policy targets it; once a PUT moves the rule's target away, it can")
    func deleteRefusedWhileReferenced() async throws {
        try await V3Sandbox.run { sandbox in
            let id = try await sandbox.createSchedule()
            let created = try await sandbox.call(.post, "/escalation_policies", Self.policy(targets: [("schedule_v3_reference", id)]))
            let policyID = try #require(created["escalation_policy"]?["id"]?.stringValue)
            let refused = try await sandbox.call(.delete, "/v3/schedules/\(id)")
            #expect(refused.status == 400 && V3Sandbox.errorFields(refused) == ["schedule"], "\(refused.text)")
            sandbox.server.updateQuirks { $0.v3.deleteReferencedStatus = 409 }
            #expect(try await sandbox.call(.delete, "/v3/schedules/\(id)").status == 409)
            let moved = try await sandbox.call(.put, "/escalation_policies/\(policyID)", #"{"escalation_policy":{"escalation_rules":[{"targets":[{"type":"user_reference","id":"PBOB001"}]}]}}"#)
            #expect(moved.status == 200, "\(moved.text)")
            #expect(moved["escalation_policy"]?["name"]?.stringValue == "Night", "fields left out keep their values")
            #expect(try await sandbox.call(.delete, "/v3/schedules/\(id)").status == 204)
        }
    }

    @Test("an upgraded schedule keeps its policy (delete refused); a PUT on that built-in policy stores it and can release the schedule")
    func upgradedSchedulePolicy() async throws {
        try await V3Sandbox.run { sandbox in
            #expect(try await sandbox.server.upgradeScheduleToV3(id: "PPLAT01"))
            #expect(try await sandbox.call(.get, "/escalation_policies/EPLAT01")["escalation_policy"]?["escalation_rules"]?.arrayValue?.first?["targets"]?.arrayValue?.first?["type"]?.stringValue == "schedule_v3_reference")
            #expect(try await sandbox.call(.delete, "/v3/schedules/PPLAT01").status == 400)
            let moved = try await sandbox.call(.put, "/escalation_policies/EPLAT01", #"{"escalation_policy":{"escalation_rules":[{"targets":[{"type":"user_reference","id":"PBOB001"}]}]}}"#)
            #expect(moved.status == 200, "\(moved.text)")
            #expect(await sandbox.server.store.storedEscalationPolicies().map(\.id) == ["EPLAT01"])
            #expect(try await sandbox.call(.delete, "/v3/schedules/PPLAT01").status == 204)
        }
    }

    @Test("hostile bodies are refused with 400 and every problem: no name, too many targets, a wrong type, an absurd delay; a non-JSON content type")
    func validation() async throws {
        try await V3Sandbox.run { sandbox in
            let eleven = (0..<11).map { _ in #"{"type":"user_reference","id":"PALICE1"}"# }.joined(separator: ",")
            let body = #"{"escalation_policy":{"escalation_rules":[{"targets":[\#(eleven)]},{"escalation_delay_in_minutes":99999999999,"targets":[{"type":"user_reference","id":"PALICE1"}]},{"targets":[{"type":"team","id":"T1"}]}]}}"#
            let refused = try await sandbox.call(.post, "/escalation_policies", body)
            #expect(refused.status == 400)
            let errors = refused["error"]?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(errors.count == 4, "\(errors)")
            #expect(try await sandbox.call(.post, "/escalation_policies", #"{"escalation_policy":{"name":"x","escalation_rules":[]}}"#).status == 400)
            #expect(try await sandbox.call(.post, "/escalation_policies", "[1,2]").status == 400)
            let plain = try await sandbox.send(.post, "/escalation_policies", nil, headers: [(.authorization, "Token token=\(SandboxHarness.key)"), (.contentType, "text/plain")])
            #expect(plain.status == 400)
            #expect(try await sandbox.call(.put, "/escalation_policies/ENOSUCH", Self.policy(targets: [("user_reference", "PALICE1")])).status == 404)
        }
    }
}
