import Foundation
import HandoffTestSupport
import HandoffTime
import PagerDuty
import PagerDutySandbox
import Testing

/// The v3 client against the simulated PagerDuty over HTTP: a shift-based schedule made through
/// the public routes (one rotation, a weekly event handing over Mondays 09:00 Berlin between Alice
/// and Bob), then every request of the client, the switches of the unconfirmed points it meets
/// in both positions, and the faults.
@Suite("PagerDuty v3 client against the simulated PagerDuty", .serialized)
struct V3ClientSandboxTests {
    static let at = V3AnswerTests.at
    static let alice = PagerDutyShiftMember.user(id: "PALICE1")
    static let bob = PagerDutyShiftMember.user(id: "PBOB001")
    static let carol = PagerDutyShiftMember.user(id: "PCAROL1")
    /// Two weeks from Monday 2026-11-23 (now is Sunday 2026-11-22 12:00 UTC).
    static let fortnight = InstantRange(start: at("2026-11-23T00:00:00Z"), end: at("2026-12-07T00:00:00Z"))

    struct Fixture: Sendable {
        var sandbox: SandboxHarness
        var schedule: String
        var rotation: String
    }

    static let seed = SandboxSeed(
        users: [
            .init(name: "Alice Archer", email: "alice@example.com", id: "PALICE1"),
            .init(name: "Bob Brown", email: "bob@example.com", id: "PBOB001"),
            .init(name: "Carol Clark", email: "carol@example.com", id: "PCAROL1"),
        ],
        schedules: [.init(name: "Platform", timeZone: "Europe/Berlin", id: "PPLAT01")]
    )

    /// A simulated PagerDuty with the layered `PPLAT01` and a shift-based schedule made through
    /// `POST /v3/schedules`, `…/rotations` and `…/events`; the log is reset before `body`.
    static func withSchedule(configure: (inout SandboxOptions) -> Void = { _ in }, _ body: (Fixture) async throws -> Void) async throws {
        try await SandboxHarness.with(seed: seed, configure: configure) { (sandbox: SandboxHarness) async throws in
            let base = sandbox.baseURL
            let schedule = try await created(RawHTTP.post(base + "/v3/schedules", json: #"{"schedule": {"name": "Shift-based", "time_zone": "Europe/Berlin", "rotations": []}}"#), "schedule")
            let rotation = try await created(RawHTTP.post(base + "/v3/schedules/\(schedule)/rotations", json: "{}"), "rotation")
            let event = """
                {"event": {"name": "Weekly", "start_time": {"date_time": "2026-11-23T09:00:00+01:00", "time_zone": "Europe/Berlin"},
                "end_time": {"date_time": "2026-11-30T09:00:00+01:00", "time_zone": "Europe/Berlin"}, "effective_since": "2026-11-22T12:00:00Z",
                "recurrence": ["RRULE:FREQ=WEEKLY;INTERVAL=1"], "assignment_strategy": {"type": "rotating_member_assignment_strategy",
                "shifts_per_member": 1, "members": [{"type": "user_member", "user_id": "PALICE1"}, {"type": "user_member", "user_id": "PBOB001"}]}}}
                """
            _ = try await created(RawHTTP.post(base + "/v3/schedules/\(schedule)/rotations/\(rotation)/events", json: event), "event")
            sandbox.server.log.reset()
            try await body(Fixture(sandbox: sandbox, schedule: schedule, rotation: rotation))
        }
    }

    static func created(_ response: RawHTTP.Response, _ key: String) throws -> String {
        #expect(response.status == 201, "\(response.text)")
        return try #require((response.json?[key] as? [String: Any])?["id"] as? String)
    }

    static func override(_ fixture: Fixture, _ start: String, _ end: String, replacing: PagerDutyShiftMember, by: PagerDutyShiftMember) -> NewOverrideShift {
        NewOverrideShift(target: .rotation(id: fixture.rotation), start: at(start), end: at(end), overriddenMember: replacing, overridingMember: by)
    }

    static func createdItems<T>(_ creation: ShiftBatchCreation<T>) throws -> [T] {
        guard case .created(let items) = creation else { throw V3TestFailure("not created: \(creation)") }
        return items
    }

    // MARK: - Reading

    @Test("a shift-based schedule is read with its rotation, its event and PagerDuty's final schedule, in one request")
    func readSchedule() async throws {
        try await Self.withSchedule { (fixture: Fixture) async throws in
            let schedule = try await fixture.sandbox.withClient { try await $0.v3Schedule(id: fixture.schedule, rendering: Self.fortnight) }
            #expect(schedule.type == "schedule_v3" && schedule.name == "Shift-based" && schedule.timeZone == "Europe/Berlin")
            let event = try #require(schedule.rotations.first?.events.first)
            #expect(schedule.rotations.map(\.id) == [fixture.rotation])
            #expect(event.startTime.instant == Self.at("2026-11-23T08:00:00Z") && event.startTime.timeZone == "Europe/Berlin")
            #expect(event.assignmentStrategy?.members == [Self.alice, Self.bob])
            let entries = try #require(schedule.finalSchedule?.computedShiftAssignments)
            #expect(entries.map(\.member) == [Self.alice, Self.bob])
            #expect(entries.map(\.range) == [
                InstantRange(start: Self.at("2026-11-23T08:00:00Z"), end: Self.at("2026-11-30T08:00:00Z")),
                InstantRange(start: Self.at("2026-11-30T08:00:00Z"), end: Self.at("2026-12-07T08:00:00Z")),
            ])
            #expect(entries.allSatisfy { $0.source == PagerDutyShiftSource(kind: .rotation, rotationID: fixture.rotation) })
            #expect(fixture.sandbox.server.log.counts == ["GET /v3/schedules/{id}": 1])
        }
    }

    @Test("schedules, rotations and events are listed page by page, advancing by what came back")
    func lists() async throws {
        try await Self.withSchedule { (fixture: Fixture) async throws in
            let base = fixture.sandbox.baseURL
            for name in ["Second", "Third"] {
                _ = try await Self.created(RawHTTP.post(base + "/v3/schedules", json: #"{"schedule": {"name": "\#(name)", "time_zone": "UTC"}}"#), "schedule")
            }
            for _ in 0..<2 { _ = try await Self.created(RawHTTP.post(base + "/v3/schedules/\(fixture.schedule)/rotations", json: "{}"), "rotation") }
            fixture.sandbox.server.log.reset()
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                let schedules = try await client.listV3Schedules(pageSize: 2)
                #expect(schedules.map(\.summary) == ["Shift-based", "Second", "Third"])
                #expect(!schedules.contains { $0.id == "PPLAT01" }, "layered schedules are not listed by v3")
                #expect(try await client.listV3Schedules(query: "thi").map(\.summary) == ["Third"])
                let rotations = try await client.v3Rotations(scheduleID: fixture.schedule, pageSize: 2)
                #expect(rotations.count == 3 && rotations.first?.id == fixture.rotation)
                let events = try await client.v3Events(scheduleID: fixture.schedule, rotationID: fixture.rotation)
                #expect(events.map(\.name) == ["Weekly"])
            }
            #expect(fixture.sandbox.server.log.counts == [
                "GET /v3/schedules": 3, "GET /v3/schedules/{id}/rotations": 2, "GET /v3/schedules/{id}/rotations/{rotation_id}/events": 1,
            ])
        }
    }

    // MARK: - Overrides

    @Test("overrides: created in one batch with their ids, listed page by page, read by id, shown in the final schedule, moved with PUT")
    func overrides() async throws {
        try await Self.withSchedule { (fixture: Fixture) async throws in
            let requested = [
                Self.override(fixture, "2026-11-24T08:00:00Z", "2026-11-25T08:00:00Z", replacing: Self.alice, by: Self.carol),
                Self.override(fixture, "2026-11-26T08:00:00Z", "2026-11-27T08:00:00Z", replacing: Self.alice, by: Self.bob),
                Self.override(fixture, "2026-12-01T08:00:00Z", "2026-12-02T08:00:00Z", replacing: Self.bob, by: Self.carol),
            ]
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                let created = try Self.createdItems(try await client.createV3Overrides(scheduleID: fixture.schedule, requested))
                #expect(created.map(\.range) == requested.map(\.range))
                #expect(created.map(\.overridingMember) == [Self.carol, Self.bob, Self.carol])
                #expect(created.allSatisfy { $0.target == .rotation(id: fixture.rotation) && $0.id.count >= 25 })
                #expect(Set(created.map(\.id)).count == 3)

                let listed = try await client.v3Overrides(scheduleID: fixture.schedule, overlapping: Self.fortnight, pageSize: 2)
                #expect(listed == created)
                #expect(try await client.v3Override(scheduleID: fixture.schedule, overrideID: created[0].id) == created[0])
                #expect(try await client.v3Override(scheduleID: fixture.schedule, overrideID: "AGONOSUCHOVERRIDE00000000") == nil)

                let final = try await client.v3Schedule(id: fixture.schedule, rendering: Self.fortnight).finalSchedule?.computedShiftAssignments ?? []
                let fromOverride = final.first { $0.source.overrideID == created[0].id }
                #expect(fromOverride?.member == Self.carol && fromOverride?.source.kind == .rotationOverride && fromOverride?.range == requested[0].range)

                let moved = try await client.updateV3Override(
                    scheduleID: fixture.schedule, overrideID: created[2].id,
                    OverrideShiftChange(end: Self.at("2026-12-02T20:00:00Z"), overridingMember: Self.alice)
                )
                #expect(moved.id == created[2].id && moved.end == Self.at("2026-12-02T20:00:00Z") && moved.overridingMember == Self.alice)
                #expect(moved.overriddenMember == Self.bob && moved.start == requested[2].start)
            }
            #expect(fixture.sandbox.server.log.counts == [
                "POST /v3/schedules/{id}/overrides": 1, "GET /v3/schedules/{id}/overrides": 2, "GET /v3/schedules/{id}/overrides/{override_id}": 2,
                "GET /v3/schedules/{id}": 1, "PUT /v3/schedules/{id}/overrides/{override_id}": 1,
            ])
        }
    }

    @Test(
        "override deletes: future removed, in progress cut (204, or 200 as v2), already gone 404, ended 400 or 404",
        arguments: [(204, 400), (200, 404)]
    )
    func overrideDeletes(inProgressStatus: Int, endedStatus: Int) async throws {
        try await Self.withSchedule(configure: {
            $0.quirks.v3.inProgressOverrideDeleteStatus = inProgressStatus
            $0.quirks.v3.endedOverrideDeleteStatus = endedStatus
        }) { (fixture: Fixture) async throws in
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                let created = try Self.createdItems(
                    try await client.createV3Overrides(
                        scheduleID: fixture.schedule,
                        [
                            Self.override(fixture, "2026-11-24T08:00:00Z", "2026-11-25T08:00:00Z", replacing: Self.alice, by: Self.carol),
                            Self.override(fixture, "2026-11-22T06:00:00Z", "2026-11-24T00:00:00Z", replacing: Self.alice, by: Self.bob),
                        ]
                    )
                )
                let (future, running) = (created[0].id, created[1].id)
                #expect(try await client.deleteV3Override(scheduleID: fixture.schedule, overrideID: future, now: SandboxHarness.defaultNow) == .deleted)
                #expect(try await client.deleteV3Override(scheduleID: fixture.schedule, overrideID: future, now: SandboxHarness.defaultNow) == .notFound)
                #expect(try await client.deleteV3Override(scheduleID: fixture.schedule, overrideID: running, now: SandboxHarness.defaultNow) == (inProgressStatus == 200 ? .truncated : .deleted))
                let cut = try #require(try await client.v3Override(scheduleID: fixture.schedule, overrideID: running))
                #expect(cut.end == SandboxHarness.defaultNow)
                let ended = try await client.deleteV3Override(scheduleID: fixture.schedule, overrideID: running, now: SandboxHarness.defaultNow)
                if endedStatus == 404 {
                    #expect(ended == .notFound)
                } else {
                    guard case .alreadyEnded(let reasons) = ended else {
                        Issue.record("an ended override's delete: \(ended)")
                        return
                    }
                    #expect(!reasons.isEmpty)
                }
            }
        }
    }

    // MARK: - Custom shifts

    @Test("custom shifts: created in one batch, listed, read, changed with PUT, deleted (removed, cut, gone, ended)")
    func customShifts() async throws {
        try await Self.withSchedule { (fixture: Fixture) async throws in
            try await fixture.sandbox.withClient { (client: PagerDutyClient) async throws in
                let requested = [
                    NewCustomShift(start: Self.at("2026-11-22T06:00:00Z"), end: Self.at("2026-11-23T08:00:00Z"), member: Self.carol),
                    NewCustomShift(start: Self.at("2026-11-25T12:00:00Z"), end: Self.at("2026-11-25T14:00:00Z"), member: Self.bob),
                ]
                let created = try Self.createdItems(try await client.createV3CustomShifts(scheduleID: fixture.schedule, requested))
                #expect(created.map(\.range) == requested.map(\.range) && created.map(\.member) == [Self.carol, Self.bob])
                let window = InstantRange(start: Self.at("2026-11-22T00:00:00Z"), end: Self.at("2026-11-30T00:00:00Z"))
                #expect(try await client.v3CustomShifts(scheduleID: fixture.schedule, overlapping: window, pageSize: 1) == created)
                #expect(try await client.v3CustomShift(scheduleID: fixture.schedule, customShiftID: created[1].id) == created[1])

                let final = try await client.v3Schedule(id: fixture.schedule, rendering: window).finalSchedule?.computedShiftAssignments ?? []
                #expect(final.contains { $0.source.kind == .customShift && $0.source.shiftID == created[1].id && $0.member == Self.bob })

                let changed = try await client.updateV3CustomShift(
                    scheduleID: fixture.schedule, customShiftID: created[1].id,
                    CustomShiftChange(start: Self.at("2026-11-25T13:00:00Z"), end: Self.at("2026-11-25T15:00:00Z"), member: Self.alice)
                )
                #expect(changed.range == InstantRange(start: Self.at("2026-11-25T13:00:00Z"), end: Self.at("2026-11-25T15:00:00Z")) && changed.member == Self.alice)
                // Started: only the end may change.
                let refused = await #expect(throws: PagerDutyError.self) {
                    try await client.updateV3CustomShift(scheduleID: fixture.schedule, customShiftID: created[0].id, CustomShiftChange(start: Self.at("2026-11-22T07:00:00Z")))
                }
                #expect(refused?.kind == .rejected && refused?.status == 400 && refused?.apiErrors.isEmpty == false)

                #expect(try await client.deleteV3CustomShift(scheduleID: fixture.schedule, customShiftID: created[1].id, now: SandboxHarness.defaultNow) == .deleted)
                #expect(try await client.deleteV3CustomShift(scheduleID: fixture.schedule, customShiftID: created[1].id, now: SandboxHarness.defaultNow) == .notFound)
                #expect(try await client.deleteV3CustomShift(scheduleID: fixture.schedule, customShiftID: created[0].id, now: SandboxHarness.defaultNow) == .deleted)
                let ended = try await client.deleteV3CustomShift(scheduleID: fixture.schedule, customShiftID: created[0].id, now: SandboxHarness.defaultNow)
                guard case .alreadyEnded = ended else {
                    Issue.record("an ended custom shift's delete: \(ended)")
                    return
                }
            }
        }
    }
}

struct V3TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
