import Foundation
import HandoffTestSupport
import HandoffTime
import PagerDuty
import PagerDutySandbox
import Testing

/// The v3 client's errors, kind detection and faults against the simulated PagerDuty, with the
/// switches of the unconfirmed points it meets in both positions.
@Suite("PagerDuty v3 client against the simulated PagerDuty: errors, kinds and faults", .serialized)
struct V3ClientSandboxErrorTests {
    typealias Base = V3ClientSandboxTests
    static let at = V3AnswerTests.at

    // MARK: - Errors

    @Test("a refused batch creates nothing and carries every detail, errors as a field map or as a list", arguments: [false, true])
    func refusedBatch(errorsAsList: Bool) async throws {
        try await Base.withSchedule(configure: { $0.quirks.v3.errorsAsList = errorsAsList }) { (fixture: V3ClientSandboxTests.Fixture) async throws in
            let good = Base.override(fixture, "2026-11-24T08:00:00Z", "2026-11-25T08:00:00Z", replacing: Base.alice, by: Base.carol)
            let backwards = Base.override(fixture, "2026-11-26T08:00:00Z", "2026-11-25T08:00:00Z", replacing: Base.alice, by: Base.carol)
            let stranger = Base.override(fixture, "2026-11-26T08:00:00Z", "2026-11-27T08:00:00Z", replacing: Base.alice, by: .user(id: "PNOBODY"))
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                let result = try await client.createV3Overrides(scheduleID: fixture.schedule, [good, backwards, stranger])
                guard case .refused(let error) = result else {
                    Issue.record("not refused: \(result)")
                    return
                }
                #expect(error.kind == .rejected && error.status == 400)
                #expect(error.apiMessage == (errorsAsList ? "Invalid Input Provided" : "Invalid Request"))
                #expect(error.apiErrors.count >= 2, "\(error.apiErrors)")
                #expect(error.apiErrors.contains { $0.contains("overrides[1]") } && error.apiErrors.contains { $0.contains("overrides[2]") }, "\(error.apiErrors)")
                #expect(error.apiErrors.allSatisfy { error.message.contains($0) }, "every detail is in the sentence: \(error.message)")
                #expect(try await client.v3Overrides(scheduleID: fixture.schedule, overlapping: Base.fortnight).isEmpty)
            }
        }
    }

    @Test("a batch the simulated PagerDuty creates in part (a switch) is an unknown outcome, never read as whole")
    func partialBatch() async throws {
        try await Base.withSchedule(configure: { $0.quirks.v3.partialOverrideBatches = true }) { (fixture: V3ClientSandboxTests.Fixture) async throws in
            let good = Base.override(fixture, "2026-11-24T08:00:00Z", "2026-11-25T08:00:00Z", replacing: Base.alice, by: Base.carol)
            let backwards = Base.override(fixture, "2026-11-26T08:00:00Z", "2026-11-25T08:00:00Z", replacing: Base.alice, by: Base.carol)
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                let error = await #expect(throws: PagerDutyError.self) { try await client.createV3Overrides(scheduleID: fixture.schedule, [good, backwards]) }
                #expect(error?.kind == .outcomeUnknown)
                #expect(try await client.v3Overrides(scheduleID: fixture.schedule, overlapping: Base.fortnight).map(\.range) == [good.range])
            }
        }
    }

    @Test("list times come back as instants whether rendered with offsets or in UTC, and crossing overrides keep their real times", arguments: [false, true])
    func listRendering(switched: Bool) async throws {
        try await Base.withSchedule(configure: {
            $0.quirks.v3.listTimesInUTC = switched
            $0.quirks.v3.dropCrossingOverrides = switched
        }) { (fixture: V3ClientSandboxTests.Fixture) async throws in
            let long = Base.override(fixture, "2026-11-23T08:00:00Z", "2026-11-30T08:00:00Z", replacing: Base.alice, by: Base.carol)
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                _ = try Base.createdItems(try await client.createV3Overrides(scheduleID: fixture.schedule, [long]))
                let window = InstantRange(start: Self.at("2026-11-25T00:00:00Z"), end: Self.at("2026-11-26T00:00:00Z"))
                #expect(try await client.v3Overrides(scheduleID: fixture.schedule, overlapping: window).map(\.range) == [long.range])
            }
        }
    }

    // MARK: - Kinds

    @Test("kind detection: layered, shift-based and missing, each in the fewest requests")
    func detection() async throws {
        try await Base.withSchedule { (fixture: V3ClientSandboxTests.Fixture) async throws in
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                #expect(try await client.detectScheduleKind(id: "PPLAT01") == .layerBased(nil))
                #expect(try await client.detectScheduleKind(id: fixture.schedule).kind == .shiftBased)
                #expect(try await client.detectScheduleKind(id: "PPLAT01", expected: .layerBased).kind == .layerBased)
                #expect(try await client.detectScheduleKind(id: "PNOSUCH") == .missing)
            }
            #expect(fixture.sandbox.server.log.counts == ["GET /v3/schedules/{id}": 3, "GET /schedules/{id}": 2])
        }
    }

    @Test("a schedule remembered as layered and now shift-based is seen on the v2 route, whichever answer it gives", arguments: [400, 404])
    func upgradeSeen(wrongKindStatus: Int) async throws {
        try await Base.withSchedule(configure: { $0.quirks.v3.wrongKindOnV2Status = wrongKindStatus }) { (fixture: V3ClientSandboxTests.Fixture) async throws in
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                let detected = try await client.detectScheduleKind(id: fixture.schedule, expected: .layerBased, rendering: Base.fortnight)
                #expect(detected.kind == .shiftBased)
                if wrongKindStatus == 404 {
                    guard case .shiftBased(let schedule?) = detected else {
                        Issue.record("no schedule after the v3 read: \(detected)")
                        return
                    }
                    #expect(schedule.finalSchedule?.computedShiftAssignments.count == 2, "the v3 answer is the baseline read")
                }
            }
            // 400 names the v3 API: settled in one request; 404 could be a missing schedule: v3 is asked.
            let expected = wrongKindStatus == 400 ? ["GET /schedules/{id}": 1] : ["GET /schedules/{id}": 1, "GET /v3/schedules/{id}": 1]
            #expect(fixture.sandbox.server.log.counts == expected)
        }
    }

    @Test("an in-place upgrade keeps the id: the kind remembered as layered is found shift-based, and the v2 override routes say so")
    func inPlaceUpgrade() async throws {
        try await Base.withSchedule { (fixture: V3ClientSandboxTests.Fixture) async throws in
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                #expect(try await client.detectScheduleKind(id: "PPLAT01", expected: .layerBased).kind == .layerBased)
                #expect(try await fixture.sandbox.server.upgradeScheduleToV3(id: "PPLAT01"))
                #expect(try await client.detectScheduleKind(id: "PPLAT01", expected: .layerBased) == .shiftBased(nil))
                #expect(try await client.detectScheduleKind(id: "PPLAT01").kind == .shiftBased)
                let v2 = await #expect(throws: PagerDutyError.self) { try await client.overrides(scheduleID: "PPLAT01", overlapping: Base.fortnight) }
                #expect(v2?.kind == .wrongScheduleKind && v2?.scheduleKind == .shiftBased)
                #expect(try await client.v3Schedule(id: "PPLAT01").id == "PPLAT01")
            }
            #expect(fixture.sandbox.server.log.counts == ["GET /schedules/{id}": 2, "GET /v3/schedules/{id}": 2, "GET /schedules/{id}/overrides": 1])
        }
    }

    @Test("a request for one kind sent to the other is wrongScheduleKind, naming what the schedule is")
    func wrongKind() async throws {
        try await Base.withSchedule { (fixture: V3ClientSandboxTests.Fixture) async throws in
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                let onV3 = await #expect(throws: PagerDutyError.self) { try await client.v3Overrides(scheduleID: "PPLAT01", overlapping: Base.fortnight) }
                #expect(onV3?.kind == .wrongScheduleKind && onV3?.scheduleKind == .layerBased)
                #expect(onV3?.message.hasPrefix("PagerDuty schedule PPLAT01 on connection \"sandbox\" is layer-based (v2), not shift-based: PagerDuty refused to list") == true)
                let onV2 = await #expect(throws: PagerDutyError.self) { try await client.overrides(scheduleID: fixture.schedule, overlapping: Base.fortnight) }
                #expect(onV2?.kind == .wrongScheduleKind && onV2?.scheduleKind == .shiftBased)
                let write = await #expect(throws: PagerDutyError.self) {
                    try await client.createV3CustomShifts(scheduleID: "PPLAT01", [NewCustomShift(start: Self.at("2026-11-24T08:00:00Z"), end: Self.at("2026-11-24T09:00:00Z"), member: Base.bob)])
                }
                #expect(write?.kind == .wrongScheduleKind)
                let delete = await #expect(throws: PagerDutyError.self) { try await client.deleteV3Override(scheduleID: "PPLAT01", overrideID: "AGOX", now: SandboxHarness.defaultNow) }
                #expect(delete?.kind == .wrongScheduleKind)
            }
        }
    }

    @Test("switches of points the client never trips: out-of-range limits, include[] without a window, immutable override fields", arguments: [false, true])
    func strictSwitches(strict: Bool) async throws {
        try await Base.withSchedule(configure: {
            $0.quirks.v3.rejectOutOfRangeLimit = strict
            $0.quirks.v3.rejectIncludeWithoutWindow = strict
            $0.quirks.v3.rejectImmutableOverrideFields = strict
        }) { (fixture: V3ClientSandboxTests.Fixture) async throws in
            let override = Base.override(fixture, "2026-11-24T08:00:00Z", "2026-11-25T08:00:00Z", replacing: Base.alice, by: Base.carol)
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                #expect(try await client.listV3Schedules().count == 1)
                #expect(try await client.v3Schedule(id: fixture.schedule).finalSchedule == nil)
                let id = try Base.createdItems(try await client.createV3Overrides(scheduleID: fixture.schedule, [override]))[0].id
                let moved = try await client.updateV3Override(scheduleID: fixture.schedule, overrideID: id, OverrideShiftChange(start: Self.at("2026-11-24T09:00:00Z")))
                #expect(moved.start == Self.at("2026-11-24T09:00:00Z") && moved.overriddenMember == Base.alice)
            }
        }
    }

    // MARK: - Faults

    @Test("a POST whose answer is lost is an unknown outcome, sent once; the override exists")
    func droppedPost() async throws {
        try await Base.withSchedule { (fixture: V3ClientSandboxTests.Fixture) async throws in
            fixture.sandbox.server.updateFaults { $0.dropNextPosts = 1 }
            let override = Base.override(fixture, "2026-11-24T08:00:00Z", "2026-11-25T08:00:00Z", replacing: Base.alice, by: Base.carol)
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                let error = await #expect(throws: PagerDutyError.self) { try await client.createV3Overrides(scheduleID: fixture.schedule, [override]) }
                #expect(error?.kind == .outcomeUnknown)
                #expect(error?.message.hasPrefix("the response to create 1 override on shift-based schedule \(fixture.schedule) was lost (") == true)
                #expect(try await client.v3Overrides(scheduleID: fixture.schedule, overlapping: Base.fortnight).map(\.range) == [override.range])
            }
            #expect(fixture.sandbox.server.log.counts["POST /v3/schedules/{id}/overrides"] == 1)
        }
    }

    @Test("a PUT is retried through 5xx; a POST's 5xx is an unknown outcome, sent once")
    func serverErrors() async throws {
        try await Base.withSchedule { (fixture: V3ClientSandboxTests.Fixture) async throws in
            let override = Base.override(fixture, "2026-11-24T08:00:00Z", "2026-11-25T08:00:00Z", replacing: Base.alice, by: Base.carol)
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                let created = try Base.createdItems(try await client.createV3Overrides(scheduleID: fixture.schedule, [override]))
                fixture.sandbox.server.updateFaults {
                    $0.serverErrorMethods = ["PUT", "POST"]
                    $0.serverErrorBurst = 2
                }
                let moved = try await client.updateV3Override(scheduleID: fixture.schedule, overrideID: created[0].id, OverrideShiftChange(overridingMember: Base.bob))
                #expect(moved.overridingMember == Base.bob)
                fixture.sandbox.server.updateFaults { $0.serverErrorBurst = 1 }
                let error = await #expect(throws: PagerDutyError.self) {
                    try await client.createV3CustomShifts(scheduleID: fixture.schedule, [NewCustomShift(start: Self.at("2026-11-24T08:00:00Z"), end: Self.at("2026-11-24T09:00:00Z"), member: Base.bob)])
                }
                #expect(error?.kind == .outcomeUnknown)
            }
            let log = fixture.sandbox.server.log.counts
            #expect(log["PUT /v3/schedules/{id}/overrides/{override_id}"] == 3)
            #expect(log["POST /v3/schedules/{id}/custom_shifts"] == 1)
        }
    }

    @Test("an override that has started takes a new end only (a switch): a new start is refused with its reasons")
    func startedOverride() async throws {
        for onlyEnd in [true, false] {
            try await Base.withSchedule(configure: { $0.quirks.v3.onlyEndTimeAfterOverrideStart = onlyEnd }) { (fixture: V3ClientSandboxTests.Fixture) async throws in
                let running = Base.override(fixture, "2026-11-22T06:00:00Z", "2026-11-24T00:00:00Z", replacing: Base.alice, by: Base.bob)
                try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                    let id = try Base.createdItems(try await client.createV3Overrides(scheduleID: fixture.schedule, [running]))[0].id
                    let extended = try await client.updateV3Override(scheduleID: fixture.schedule, overrideID: id, OverrideShiftChange(end: Self.at("2026-11-24T08:00:00Z")))
                    #expect(extended.end == Self.at("2026-11-24T08:00:00Z"))
                    let change = OverrideShiftChange(start: Self.at("2026-11-22T08:00:00Z"))
                    if onlyEnd {
                        let error = await #expect(throws: PagerDutyError.self) { try await client.updateV3Override(scheduleID: fixture.schedule, overrideID: id, change) }
                        #expect(error?.kind == .rejected && error?.apiErrors.isEmpty == false)
                    } else {
                        #expect(try await client.updateV3Override(scheduleID: fixture.schedule, overrideID: id, change).start == Self.at("2026-11-22T08:00:00Z"))
                    }
                }
            }
        }
    }
}
