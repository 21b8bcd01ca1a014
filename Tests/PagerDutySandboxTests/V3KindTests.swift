import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import OrderedJSON
@testable import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

/// Both kinds in one account: wrong-kind answers, the in-place upgrade, the shared rate limit and
/// scopes (checklist rows 6, 7, 21-23).
@Suite("Simulated PagerDuty: v2 and v3 schedules side by side")
struct V3KindTests {
    @Test("a v3 route on a layered id answers 400 naming the v2 API; v2 routes on a shift-based id answer 400 naming v3, or 404 by switch")
    func wrongKind() async throws {
        try await V3Sandbox.run { sandbox in
            for uri in ["/v3/schedules/PPLAT01", "/v3/schedules/PPLAT01/rotations", "/v3/schedules/PPLAT01/overrides?since=2026-11-22T00:00:00Z&until=2026-11-23T00:00:00Z"] {
                let answer = try await sandbox.call(.get, uri)
                #expect(answer.status == 400, "\(uri)")
                #expect(answer["error"]?["errors"]?["schedule"]?.arrayValue?.first?.stringValue?.contains("v2 Schedules API") == true)
            }
            let id = try await sandbox.createSchedule()
            let window = "since=2026-11-22T00:00:00Z&until=2026-11-23T00:00:00Z"
            let v2Calls: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/schedules/\(id)", nil), (.get, "/schedules/\(id)/overrides?\(window)", nil),
                (.post, "/schedules/\(id)/overrides", #"{"overrides":[]}"#), (.delete, "/schedules/\(id)/overrides/QNOSUCH", nil),
            ]
            for (method, uri, body) in v2Calls {
                let answer = try await sandbox.call(method, uri, body)
                #expect(answer.status == 400, "\(method) \(uri)")
                #expect(answer.text.contains("shift-based; use the v3 schedules API"))
            }
            #expect(try await sandbox.call(.get, "/schedules")["schedules"]?.arrayValue?.map { $0["id"]?.stringValue } == ["PPLAT01"])
            sandbox.server.updateQuirks { $0.v3.wrongKindOnV2Status = 404 }
            for (method, uri, body) in v2Calls {
                let answer = try await sandbox.call(method, uri, body)
                #expect(answer.status == 404, "\(method) \(uri)")
                #expect(answer.text == #"{"error":{"message":"Not Found","code":2100}}"#)
            }
        }
    }

    @Test("upgrading a layered schedule keeps its id, makes one rotation per layer, drops its v2 overrides (or converts them by switch)")
    func upgradeInPlace() async throws {
        let layer = SandboxSeed.Layer(
            start: at("2026-11-02T08:00:00Z"), rotationVirtualStart: at("2026-11-02T08:00:00Z"), rotationTurnLengthSeconds: 604_800,
            users: ["alice@example.com", "bob@example.com"])
        let override = SandboxSeed.Override(schedule: "PPLAT01", start: at("2026-11-24T08:00:00Z"), end: at("2026-11-25T08:00:00Z"), user: "carol@example.com")
        for convert in [false, true] {
            var quirks = SandboxQuirks()
            quirks.v3.convertOverridesOnUpgrade = convert
            try await V3Sandbox.run(quirks: quirks, layers: [layer], overrides: [override]) { sandbox in
                #expect(try await sandbox.server.upgradeScheduleToV3(id: "PPLAT01"))
                #expect(try await sandbox.server.upgradeScheduleToV3(id: "PPLAT01") == false, "already shift-based")
                let read = try await sandbox.call(.get, "/v3/schedules/PPLAT01")
                #expect(read.status == 200 && read["schedule"]?["type"]?.stringValue == "schedule_v3")
                #expect(read["schedule"]?["name"]?.stringValue == "Platform")
                #expect(read["schedule"]?["rotations"]?.arrayValue?.count == 1)
                #expect(read["schedule"]?["escalation_policies"]?.arrayValue?.count == 1, "the upgrade keeps the policy that uses it")
                #expect(try await sandbox.call(.get, "/schedules/PPLAT01").status == 400)
                #expect(try await sandbox.call(.get, "/schedules")["schedules"]?.arrayValue?.isEmpty == true)
                #expect(try await sandbox.call(.get, "/v3/schedules")["schedules"]?.arrayValue?.count == 1)
                #expect(await sandbox.server.store.overrides(scheduleID: "PPLAT01").isEmpty)
                let lines = try await sandbox.finalSchedule("PPLAT01", since: "2026-11-23T08:00:00Z", until: "2026-12-07T08:00:00Z")
                if convert {
                    #expect(lines == [
                        "2026-11-23T08:00:00Z 2026-11-24T08:00:00Z PBOB001 schedule_rotation",
                        "2026-11-24T08:00:00Z 2026-11-25T08:00:00Z PCAROL1 schedule_rotation_override",
                        "2026-11-25T08:00:00Z 2026-11-30T08:00:00Z PBOB001 schedule_rotation",
                        "2026-11-30T08:00:00Z 2026-12-07T08:00:00Z PALICE1 schedule_rotation",
                    ])
                } else {
                    #expect(lines == [
                        "2026-11-23T08:00:00Z 2026-11-30T08:00:00Z PBOB001 schedule_rotation",
                        "2026-11-30T08:00:00Z 2026-12-07T08:00:00Z PALICE1 schedule_rotation",
                    ])
                }
                let delete = try await sandbox.call(.delete, "/v3/schedules/PPLAT01")
                #expect(delete.status == 400, "an escalation policy uses it")
                sandbox.server.updateQuirks { $0.v3.deleteReferencedStatus = 409 }
                #expect(try await sandbox.call(.delete, "/v3/schedules/PPLAT01").status == 409)
            }
        }
    }

    @Test("/oncalls lists who a shift-based schedule used by a policy puts on call, with a schedule_v3_reference; one without a policy is absent")
    func onCalls() async throws {
        let layer = SandboxSeed.Layer(
            start: at("2026-11-02T08:00:00Z"), rotationVirtualStart: at("2026-11-02T08:00:00Z"), rotationTurnLengthSeconds: 604_800,
            users: ["alice@example.com", "bob@example.com"])
        try await V3Sandbox.run(layers: [layer]) { sandbox in
            try await sandbox.server.upgradeScheduleToV3(id: "PPLAT01")
            let free = try await sandbox.createSchedule()
            let rotation = try await sandbox.createRotation(free)
            _ = try await sandbox.createEvent(free, rotation, V3Sandbox.event(start: "2026-11-23T09:00:00+01:00", end: "2026-11-30T09:00:00+01:00"))
            let answer = try await sandbox.call(.get, "/oncalls?since=2026-11-23T12:00:00Z&until=2026-11-23T13:00:00Z&time_zone=UTC")
            let items = answer["oncalls"]?.arrayValue ?? []
            #expect(items.map { $0["schedule"]?["id"]?.stringValue } == ["PPLAT01"])
            #expect(items.first?["schedule"]?["type"]?.stringValue == "schedule_v3_reference")
            #expect(items.first?["user"]?["id"]?.stringValue == "PBOB001")
            #expect(items.first?["start"]?.stringValue == "2026-11-23T08:00:00Z" && items.first?["end"]?.stringValue == "2026-11-30T08:00:00Z")
        }
    }

    @Test("v3 requests share the key's rate-limit bucket with v2, or have their own by switch")
    func sharedRateLimit() async throws {
        for shared in [true, false] {
            try await V3Sandbox.run { sandbox in
                sandbox.server.updateFaults {
                    $0.enforceRateLimit = true
                    $0.requestsPerMinute = 2
                }
                sandbox.server.updateQuirks { $0.v3.sharedRateLimitBucket = shared }
                #expect(try await sandbox.call(.get, "/users").status == 200)
                #expect(try await sandbox.call(.get, "/users").status == 200)
                let answer = try await sandbox.call(.get, "/v3/schedules")
                #expect(answer.status == (shared ? 429 : 200))
            }
        }
    }

    @Test("scoped tokens: v3 reads need schedules.read and writes schedules.write, or every v3 route is 403 by switch")
    func scopes() async throws {
        try await V3Sandbox.run { sandbox in
            try await sandbox.server.store.addToken("scoped-read", readOnly: false, scopes: ["schedules.read"])
            #expect(try await sandbox.call(.get, "/v3/schedules", key: "scoped-read").status == 200)
            #expect(try await sandbox.call(.post, "/v3/schedules", #"{"schedule":{"name":"x","time_zone":"UTC"}}"#, key: "scoped-read").status == 403)
            sandbox.server.updateQuirks { $0.v3.scopedTokensUnsupported = true }
            #expect(try await sandbox.call(.get, "/v3/schedules", key: "scoped-read").status == 403)
            #expect(try await sandbox.call(.get, "/schedules", key: "scoped-read").status == 200, "v2 is unaffected")
            #expect(try await sandbox.call(.get, "/v3/schedules").status == 200, "an API key is unaffected")
        }
    }

    @Test("a data file written before v3 existed still loads, and v3 schedules survive a restart")
    func dataFileCompatibility() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("v3sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("data.json").path
        let old = #"{"formatVersion":1,"users":[],"schedules":[{"id":"POLD001","name":"Old","timeZone":"UTC","type":"schedule","layers":[]}],"overrides":[],"tokens":[],"counter":3}"#
        try Data(old.utf8).write(to: URL(fileURLWithPath: path))
        var options = SandboxOptions()
        options.dataPath = path
        let server = try await SandboxServer(options: options)
        #expect(await server.store.schedule(id: "POLD001")?.v3 == nil)
        var schedule = SandboxSchedule(id: "PNEW001", name: "New", timeZone: "UTC", type: SandboxSchedule.v3Type)
        schedule.v3 = SandboxV3Details()
        schedule.v3?.rotations = [SandboxV3Rotation(id: "AGROTATION")]
        try await server.store.addSchedule(schedule)
        let reloaded = try await SandboxServer(options: options)
        #expect(await reloaded.store.schedule(id: "PNEW001")?.v3?.rotations.map(\.id) == ["AGROTATION"])
    }
}
