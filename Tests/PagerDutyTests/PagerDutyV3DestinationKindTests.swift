import HandoffDestination
import HandoffPagerDuty
import HandoffTestSupport
import HandoffTime
import PagerDuty
import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant {
    guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
    return instant
}

/// How the PagerDuty adapter finds each schedule's kind, what it costs in requests, and the
/// schedule upgraded in place under Handoff (`PLAYER1` layer-based, `PSHIFT1` shift-based; see
/// `PagerDutyV3DestinationSandboxTests`). Every test runs with the v2 routes answering a
/// shift-based id with 400 naming the v3 API (the default) and with 404 (the switch).
@Suite("PagerDuty v3 destination: the schedule's kind", .serialized)
struct PagerDutyV3DestinationKindTests {
    typealias Fixture = PagerDutyV3DestinationSandboxTests
    static let statuses = [400, 404]
    static let shift = PlannedOverride(start: at("2026-11-26T09:00:00Z"), end: at("2026-12-03T09:00:00Z"), userID: Fixture.carol)

    @Test("remembered layer-based: no request; unknown: one request for a layer-based schedule, the v3 read after detection for a shift-based one")
    func detection() async throws {
        for status in Self.statuses {
            try await Fixture.with(configure: { $0.quirks.v3.wrongKindOnV2Status = status }) { sandbox, destination, _ in
                let remembered = try await destination.layout(Fixture.request([Self.shift], remembered: .layerBased, schedule: "PLAYER1"))
                #expect(remembered == .whole([Self.shift], kind: .layerBased))
                #expect(sandbox.server.log.total == 0)

                let detected = try await destination.layout(Fixture.request([Self.shift], schedule: "PLAYER1"))
                #expect(detected == .whole([Self.shift], kind: .layerBased) && !detected.updatesInPlace)
                #expect(sandbox.server.log.counts == ["GET /schedules/{id}": 1])

                sandbox.server.log.reset()
                let shiftBased = try await destination.layout(Fixture.request([Self.shift]))
                #expect(shiftBased.kind == .shiftBased && shiftBased.pieces.count == 1)
                // 400 names the v3 API: settled by one v2 request; 404: detection asks v3 as well.
                let expected = status == 400 ? ["GET /schedules/{id}": 1, "GET /v3/schedules/{id}": 1] : ["GET /schedules/{id}": 1, "GET /v3/schedules/{id}": 2]
                #expect(sandbox.server.log.counts == expected)

                sandbox.server.log.reset()
                _ = try await destination.layout(Fixture.request([Self.shift], remembered: .shiftBased))
                #expect(sandbox.server.log.counts == ["GET /v3/schedules/{id}": 1])

                let missing = await #expect(throws: DestinationError.self) { try await destination.layout(Fixture.request([Self.shift], schedule: "PNOSUCH")) }
                #expect(missing?.kind == .notFound)
            }
        }
    }

    @Test("the kind found by layout is kept: listing a shift-based schedule then asks the v3 API only; one never seen is tried on v2 first, then v3")
    func listingUsesTheKind() async throws {
        for status in Self.statuses {
            try await Fixture.with(configure: { $0.quirks.v3.wrongKindOnV2Status = status }) { sandbox, destination, rotation in
                let item = PlannedOverride(start: Self.shift.start, end: Self.shift.end, userID: Fixture.carol, target: .customShift)
                let records = try Fixture.created(try await destination.createOverrides(schedule: "PSHIFT1", [item]))
                // Not known yet (apply's check before writing): v2, then v3.
                sandbox.server.log.reset()
                #expect(try await destination.overrides(schedule: "PSHIFT1", overlapping: Fixture.window) == records)
                let first = status == 400 ? 0 : 1
                #expect(sandbox.server.log.counts.filter { $0.value > 0 } == [
                    "GET /schedules/{id}/overrides": 1, "GET /v3/schedules/{id}/overrides": 1, "GET /v3/schedules/{id}/custom_shifts": 1,
                ].merging(first > 0 ? ["GET /v3/schedules/{id}": first] : [:]) { $1 })
                // Known now: v3 only.
                sandbox.server.log.reset()
                #expect(try await destination.overrides(schedule: "PSHIFT1", overlapping: Fixture.window) == records)
                #expect(sandbox.server.log.counts == ["GET /v3/schedules/{id}/overrides": 1, "GET /v3/schedules/{id}/custom_shifts": 1])
                _ = rotation
            }
        }
    }

    @Test("a schedule remembered as layer-based and upgraded in place since is .kindChanged when its overrides are listed (apply lists before it writes)")
    func upgradedInPlace() async throws {
        for status in Self.statuses {
            try await Fixture.with(configure: { $0.quirks.v3.wrongKindOnV2Status = status }) { sandbox, destination, _ in
                _ = try await destination.layout(Fixture.request([Self.shift], remembered: .layerBased, schedule: "PLAYER1"))
                let window = Fixture.window
                #expect(try await destination.overrides(schedule: "PLAYER1", overlapping: window).isEmpty)
                #expect(try await sandbox.server.upgradeScheduleToV3(id: "PLAYER1"))
                let changed = await #expect(throws: DestinationError.self) { try await destination.overrides(schedule: "PLAYER1", overlapping: window) }
                #expect(changed?.kind == .kindChanged)
                #expect(changed?.message == "PagerDuty schedule PLAYER1 is shift-based now, but Handoff last knew it as layer-based "
                    + "(PagerDuty changed it in place, keeping its id), so the overrides Handoff recorded for it mean nothing there")
            }
        }
    }

    @Test("one destination used by many tasks at once keeps one kind per schedule")
    func concurrentUse() async throws {
        try await Fixture.with { sandbox, destination, _ in
            let layouts = try await withThrowingTaskGroup(of: DestinationScheduleKind?.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        let schedule = index % 2 == 0 ? "PSHIFT1" : "PLAYER1"
                        _ = try await destination.overrides(schedule: schedule, overlapping: Fixture.window)
                        return try await destination.layout(Fixture.request([Self.shift], schedule: schedule)).kind
                    }
                }
                var kinds: [DestinationScheduleKind?] = []
                for try await kind in group { kinds.append(kind) }
                return kinds
            }
            #expect(layouts.filter { $0 == .shiftBased }.count == 8 && layouts.filter { $0 == .layerBased }.count == 8)
            sandbox.server.log.reset()
            _ = try await destination.overrides(schedule: "PSHIFT1", overlapping: Fixture.window)
            _ = try await destination.overrides(schedule: "PLAYER1", overlapping: Fixture.window)
            #expect(sandbox.server.log.counts == [
                "GET /v3/schedules/{id}/overrides": 1, "GET /v3/schedules/{id}/custom_shifts": 1, "GET /schedules/{id}/overrides": 1,
            ])
        }
    }
}
