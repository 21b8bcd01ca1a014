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

/// The PagerDuty adapter on a shift-based schedule of the simulated PagerDuty (now: Sunday
/// 2026-11-22 12:00 UTC): `PSHIFT1` has one rotation whose weekly event hands over on Mondays
/// 08:00 UTC (Alice from 2026-11-16, then Bob, …), while Handoff's shifts hand over on Thursdays
/// 09:00; `PLAYER1` is layer-based.
@Suite("PagerDuty v3 destination against the simulated PagerDuty", .serialized)
struct PagerDutyV3DestinationSandboxTests {
    static let alice = "PALICE1"
    static let bob = "PBOB001"
    static let carol = "PCAROL1"
    static let window = InstantRange(start: at("2026-11-22T12:00:00Z"), end: at("2026-12-20T12:00:00Z"))

    static func seed(effectiveUntil: Instant? = nil, timeZone: String = "UTC") -> SandboxSeed {
        let weekly = SandboxSeed.Event(
            name: "Weekly", start: at("2026-11-16T08:00:00Z"), end: at("2026-11-23T08:00:00Z"), timeZone: "UTC", effectiveUntil: effectiveUntil,
            recurrence: ["RRULE:FREQ=WEEKLY"], members: [alice, bob]
        )
        let layer = SandboxSeed.Layer(
            start: at("2026-11-16T08:00:00Z"), rotationVirtualStart: at("2026-11-16T08:00:00Z"), rotationTurnLengthSeconds: 604_800, users: [alice, bob]
        )
        return SandboxSeed(
            users: [
                .init(name: "Alice Archer", email: "alice@example.com", id: alice),
                .init(name: "Bob Brown", email: "bob@example.com", id: bob),
                .init(name: "Carol Clark", email: "carol@example.com", id: carol),
            ],
            schedules: [
                .init(name: "Shifts", timeZone: timeZone, id: "PSHIFT1", type: "schedule_v3", rotations: [.init(events: [weekly])]),
                .init(name: "Layered", timeZone: "UTC", id: "PLAYER1", layers: [layer]),
            ]
        )
    }

    /// A sandbox with `seed`, a destination on it judging deletes by the sandbox's clock, and
    /// the id of `PSHIFT1`'s rotation; the request log is reset before `body`.
    static func with(
        seed: SandboxSeed = seed(), configure: (inout SandboxOptions) -> Void = { _ in },
        _ body: (SandboxHarness, PagerDutyDestination, String) async throws -> Void
    ) async throws {
        try await SandboxHarness.with(seed: seed, configure: configure) { (sandbox: SandboxHarness) async throws in
            try await sandbox.withClient { (client: PagerDutyClient) async throws in
                let clock = sandbox.server.clock
                let rotation = try #require(try await client.v3Schedule(id: "PSHIFT1").rotations.first?.id)
                sandbox.server.log.reset()
                try await body(sandbox, PagerDutyDestination(client: client, now: { clock.now() }), rotation)
            }
        }
    }

    static func request(_ shifts: [PlannedOverride], remembered: DestinationScheduleKind? = nil, schedule: String = "PSHIFT1") -> LayoutRequest {
        LayoutRequest(schedule: schedule, rotation: nil, shifts: shifts, window: window, rememberedKind: remembered)
    }

    static func created(_ results: [OverrideCreationResult]) throws -> [OverrideRecord] {
        try results.map { result in
            guard case .created(let record) = result else { throw V3TestFailure("not created: \(result)") }
            return record
        }
    }

    /// Whether PagerDuty's own final schedule (read with the adapter's `onCall`) shows `user` at
    /// every minute of `shift`.
    static func shows(_ destination: PagerDutyDestination, _ user: String, over shift: InstantRange) async throws -> Bool {
        let entries = try await destination.onCall(schedule: "PSHIFT1", over: shift).entries.filter { $0.userID == user }
        var minute = shift.start
        while minute < shift.end {
            guard entries.contains(where: { $0.range.contains(minute) }) else { return false }
            minute = minute.adding(seconds: 60)
        }
        return true
    }

    // MARK: - First export

    @Test("first export onto a rotation handing over on other days: pieces split at its handoffs, created in one request, PagerDuty shows the person at every minute, listed back equal")
    func firstExport() async throws {
        // Both positions of the unconfirmed points this depends on: list times in the schedule's
        // zone or in UTC, and the checks that an override's member and shift are really the
        // rotation's, and that overrides on one member do not overlap.
        let strict: (inout SandboxOptions) -> Void = {
            $0.quirks.v3.listTimesInUTC = true
            $0.quirks.v3.requireOverriddenMemberAssigned = true
            $0.quirks.v3.requireSourceShiftInWindow = true
            $0.quirks.v3.rejectOverlappingOverrides = true
        }
        for configure in [{ _ in }, strict] {
            try await firstExport(configure: configure)
        }
    }

    func firstExport(configure: (inout SandboxOptions) -> Void) async throws {
        try await Self.with(seed: Self.seed(timeZone: "Europe/Berlin"), configure: configure) { sandbox, destination, rotation in
            let shifts = [
                PlannedOverride(start: at("2026-11-26T09:00:00Z"), end: at("2026-12-03T09:00:00Z"), userID: Self.carol),
                PlannedOverride(start: at("2026-12-03T09:00:00Z"), end: at("2026-12-10T09:00:00Z"), userID: Self.alice),
            ]
            let layout = try await destination.layout(Self.request(shifts))
            #expect(sandbox.server.log.counts == ["GET /schedules/{id}": 1, "GET /v3/schedules/{id}": 1])
            #expect(layout.kind == .shiftBased && layout.updatesInPlace && layout.notes.isEmpty)
            func piece(_ start: String, _ end: String, _ user: String, replacing: String?) -> LayoutPiece {
                LayoutPiece(start: at(start), end: at(end), write: replacing.map {
                    PlannedOverride(start: at(start), end: at(end), userID: user, target: .rotation(id: rotation, replacing: $0))
                })
            }
            #expect(layout.pieces == [
                [
                    piece("2026-11-26T09:00:00Z", "2026-11-30T08:00:00Z", Self.carol, replacing: Self.bob),
                    piece("2026-11-30T08:00:00Z", "2026-12-03T09:00:00Z", Self.carol, replacing: Self.alice),
                ],
                [
                    piece("2026-12-03T09:00:00Z", "2026-12-07T08:00:00Z", Self.alice, replacing: nil),
                    piece("2026-12-07T08:00:00Z", "2026-12-10T09:00:00Z", Self.alice, replacing: Self.bob),
                ],
            ])
            let writes = layout.pieces.flatMap { $0.compactMap(\.write) }
            sandbox.server.log.reset()
            let records = try Self.created(try await destination.createOverrides(schedule: "PSHIFT1", writes))
            #expect(sandbox.server.log.counts == ["POST /v3/schedules/{id}/overrides": 1])
            #expect(records.map { PlannedOverride(start: $0.start, end: $0.end, userID: $0.userID, target: $0.target) } == writes)

            for shift in shifts {
                #expect(try await Self.shows(destination, shift.userID, over: InstantRange(start: shift.start, end: shift.end)))
            }
            let listed = try await destination.overrides(schedule: "PSHIFT1", overlapping: Self.window)
            #expect(Set(listed) == Set(records))

            // The next plan: the same pieces (Handoff's own overrides count as the members they hide).
            sandbox.server.log.reset()
            let again = try await destination.layout(Self.request(shifts, remembered: .shiftBased))
            #expect(again.pieces == layout.pieces)
            #expect(sandbox.server.log.counts == ["GET /v3/schedules/{id}": 1, "GET /v3/schedules/{id}/overrides": 1])
        }
    }

    @Test("a gap in the rotation becomes a custom shift; it lists back as one, and PagerDuty shows the person throughout")
    func gap() async throws {
        try await Self.with(seed: Self.seed(effectiveUntil: at("2026-11-28T00:00:00Z"))) { sandbox, destination, rotation in
            let shift = PlannedOverride(start: at("2026-11-27T00:00:00Z"), end: at("2026-11-29T00:00:00Z"), userID: Self.carol)
            let layout = try await destination.layout(Self.request([shift]))
            let writes = layout.pieces.flatMap { $0.compactMap(\.write) }
            #expect(writes == [
                PlannedOverride(start: at("2026-11-27T00:00:00Z"), end: at("2026-11-28T00:00:00Z"), userID: Self.carol, target: .rotation(id: rotation, replacing: Self.bob)),
                PlannedOverride(start: at("2026-11-28T00:00:00Z"), end: at("2026-11-29T00:00:00Z"), userID: Self.carol, target: .customShift),
            ])
            sandbox.server.log.reset()
            let records = try Self.created(try await destination.createOverrides(schedule: "PSHIFT1", writes))
            #expect(sandbox.server.log.counts == ["POST /v3/schedules/{id}/overrides": 1, "POST /v3/schedules/{id}/custom_shifts": 1])
            #expect(Set(try await destination.overrides(schedule: "PSHIFT1", overlapping: Self.window)) == Set(records))
            #expect(try await Self.shows(destination, Self.carol, over: InstantRange(start: shift.start, end: shift.end)))
        }
    }

    @Test("listing: an override of a custom shift is .customShiftOverride; what puts nobody on call (an overriding empty_member) is not listed; Handoff never creates custom-shift overrides")
    func listingTargets() async throws {
        try await Self.with { sandbox, destination, rotation in
            let shift = NewCustomShift(start: at("2026-11-24T00:00:00Z"), end: at("2026-11-25T00:00:00Z"), member: .user(id: Self.bob))
            let client = destination.client
            guard case .created(let shifts) = try await client.createV3CustomShifts(scheduleID: "PSHIFT1", [shift]), let made = shifts.first else {
                Issue.record("custom shift not created")
                return
            }
            let overrides = [
                NewOverrideShift(
                    target: .customShift(id: made.id), start: at("2026-11-24T06:00:00Z"), end: at("2026-11-24T12:00:00Z"),
                    overriddenMember: .user(id: Self.bob), overridingMember: .user(id: Self.carol)
                ),
                NewOverrideShift(
                    target: .rotation(id: rotation), start: at("2026-11-25T00:00:00Z"), end: at("2026-11-26T00:00:00Z"),
                    overriddenMember: .user(id: Self.bob), overridingMember: .empty
                ),
            ]
            guard case .created(let written) = try await client.createV3Overrides(scheduleID: "PSHIFT1", overrides), written.count == 2 else {
                Issue.record("overrides not created")
                return
            }
            let listed = try await destination.overrides(schedule: "PSHIFT1", overlapping: Self.window)
            #expect(Set(listed) == [
                OverrideRecord(id: made.id, start: shift.start, end: shift.end, userID: Self.bob, target: .customShift),
                OverrideRecord(
                    id: written[0].id, start: overrides[0].start, end: overrides[0].end, userID: Self.carol,
                    target: .customShiftOverride(id: made.id, replacing: Self.bob)
                ),
            ])
            let item = PlannedOverride(start: overrides[0].start, end: overrides[0].end, userID: Self.alice, target: .customShiftOverride(id: made.id, replacing: Self.bob))
            let results = try await destination.createOverrides(schedule: "PSHIFT1", [item])
            #expect(results == [.rejected(item, reason: "Handoff does not create overrides of custom shifts on PagerDuty schedule PSHIFT1")])
            #expect(try await destination.deleteOverride(schedule: "PSHIFT1", id: written[0].id, target: item.target) == .deleted)
        }
    }

    @Test("v3 creates go at most 20 to a request, results one per item in the order given, whatever the mix of targets")
    func batches() async throws {
        try await Self.with { sandbox, destination, rotation in
            let base = at("2026-11-24T00:00:00Z")
            let items = (0..<30).map { hour -> PlannedOverride in
                let start = base.adding(seconds: Int64(hour) * 3_600)
                let target: OverrideTarget = hour % 5 == 0 ? .rotation(id: rotation, replacing: Self.bob) : .customShift
                return PlannedOverride(start: start, end: start.adding(seconds: 3_600), userID: Self.carol, target: target)
            }
            let records = try Self.created(try await destination.createOverrides(schedule: "PSHIFT1", items))
            #expect(records.map { PlannedOverride(start: $0.start, end: $0.end, userID: $0.userID, target: $0.target) } == items)
            #expect(sandbox.server.log.counts == ["POST /v3/schedules/{id}/custom_shifts": 2, "POST /v3/schedules/{id}/overrides": 1])
        }
    }

    // MARK: - Deleting and moving

    @Test("delete by target: an override and a custom shift in the future go, a second delete finds them gone, one in progress is cut")
    func deleteByTarget() async throws {
        for inProgressStatus in [204, 200] {
            try await Self.with(configure: { $0.quirks.v3.inProgressOverrideDeleteStatus = inProgressStatus }) { sandbox, destination, rotation in
                let future = PlannedOverride(start: at("2026-11-24T00:00:00Z"), end: at("2026-11-25T00:00:00Z"), userID: Self.carol, target: .rotation(id: rotation, replacing: Self.bob))
                let running = PlannedOverride(start: at("2026-11-22T00:00:00Z"), end: at("2026-11-23T00:00:00Z"), userID: Self.carol, target: .rotation(id: rotation, replacing: Self.alice))
                let custom = PlannedOverride(start: at("2026-11-26T00:00:00Z"), end: at("2026-11-27T00:00:00Z"), userID: Self.carol, target: .customShift)
                let records = try Self.created(try await destination.createOverrides(schedule: "PSHIFT1", [future, running, custom]))
                _ = try await destination.overrides(schedule: "PSHIFT1", overlapping: Self.window)
                #expect(try await destination.deleteOverride(schedule: "PSHIFT1", id: records[0].id, target: future.target) == .deleted)
                #expect(try await destination.deleteOverride(schedule: "PSHIFT1", id: records[0].id, target: future.target) == .alreadyGone)
                #expect(try await destination.deleteOverride(schedule: "PSHIFT1", id: records[1].id, target: running.target) == .truncated)
                #expect(try await destination.deleteOverride(schedule: "PSHIFT1", id: records[2].id, target: .customShift) == .deleted)
                #expect(try await destination.deleteOverride(schedule: "PSHIFT1", id: records[2].id, target: .customShift) == .alreadyGone)
                let wider = InstantRange(start: at("2026-11-21T00:00:00Z"), end: Self.window.end)
                let left = try await destination.overrides(schedule: "PSHIFT1", overlapping: wider)
                #expect(left.map(\.id) == [records[1].id] && left.first?.end == SandboxHarness.defaultNow)
            }
        }
    }

    @Test("a started override whose end alone moves is sent as end_time alone, judged by the record the plan found, with no listing in this run; without it the whole PUT is refused")
    func endOnlyFromThePlan() async throws {
        try await Self.with { sandbox, destination, rotation in
            let target = OverrideTarget.rotation(id: rotation, replacing: Self.alice)
            let running = PlannedOverride(start: at("2026-11-22T00:00:00Z"), end: at("2026-11-24T00:00:00Z"), userID: Self.carol, target: target)
            let record = try #require(try Self.created(try await destination.createOverrides(schedule: "PSHIFT1", [running])).first)
            // A fresh destination of the same client: it has listed nothing.
            let fresh = PagerDutyDestination(client: destination.client, now: { sandbox.server.clock.now() })
            let shorter = PlannedOverride(start: running.start, end: at("2026-11-23T00:00:00Z"), userID: Self.carol, target: target)
            let refused = await #expect(throws: DestinationError.self) { try await fresh.updateOverride(schedule: "PSHIFT1", id: record.id, from: nil, to: shorter) }
            #expect(refused?.message.contains("only end_time") == true, "\(String(describing: refused))")
            let moved = try await fresh.updateOverride(schedule: "PSHIFT1", id: record.id, from: record, to: shorter)
            #expect(moved == OverrideRecord(id: record.id, start: running.start, end: shorter.end, userID: Self.carol, target: target))
        }
    }

    @Test("one object read back by id: a cut override ends where PagerDuty cut it, with its target and user; a deleted one is nil; the layer-based layer has no such read")
    func readBack() async throws {
        try await Self.with { sandbox, destination, rotation in
            let running = PlannedOverride(start: at("2026-11-22T00:00:00Z"), end: at("2026-11-23T00:00:00Z"), userID: Self.carol, target: .rotation(id: rotation, replacing: Self.alice))
            let future = PlannedOverride(start: at("2026-11-24T00:00:00Z"), end: at("2026-11-25T00:00:00Z"), userID: Self.carol, target: .customShift)
            let records = try Self.created(try await destination.createOverrides(schedule: "PSHIFT1", [running, future]))
            _ = try await destination.overrides(schedule: "PSHIFT1", overlapping: Self.window)
            #expect(try await destination.override(schedule: "PSHIFT1", id: records[1].id, target: .customShift)?.end == future.end)
            #expect(try await destination.deleteOverride(schedule: "PSHIFT1", id: records[0].id, target: running.target) == .truncated)
            #expect(try await destination.deleteOverride(schedule: "PSHIFT1", id: records[1].id, target: .customShift) == .deleted)
            let cut = try await destination.override(schedule: "PSHIFT1", id: records[0].id, target: running.target)
            #expect(cut == OverrideRecord(id: records[0].id, start: running.start, end: SandboxHarness.defaultNow, userID: Self.carol, target: running.target))
            #expect(try await destination.override(schedule: "PSHIFT1", id: records[1].id, target: .customShift) == nil)
            await #expect(throws: DestinationError.self) { try await destination.override(schedule: "PSHIFT1", id: "P000001", target: .schedule) }
        }
    }

    @Test("an override or custom shift that has ended is already gone, whether PagerDuty answers 400 or 404")
    func deleteEnded() async throws {
        for endedStatus in [400, 404] {
            try await Self.with(configure: { $0.quirks.v3.endedOverrideDeleteStatus = endedStatus }) { sandbox, destination, rotation in
                let override = PlannedOverride(start: at("2026-11-23T00:00:00Z"), end: at("2026-11-24T00:00:00Z"), userID: Self.carol, target: .rotation(id: rotation, replacing: Self.alice))
                let custom = PlannedOverride(start: at("2026-11-23T00:00:00Z"), end: at("2026-11-24T00:00:00Z"), userID: Self.carol, target: .customShift)
                let records = try Self.created(try await destination.createOverrides(schedule: "PSHIFT1", [override, custom]))
                sandbox.server.clock.set(at("2026-11-25T00:00:00Z"))
                #expect(try await destination.deleteOverride(schedule: "PSHIFT1", id: records[0].id, target: override.target) == .alreadyGone)
                #expect(try await destination.deleteOverride(schedule: "PSHIFT1", id: records[1].id, target: .customShift) == .alreadyGone)
            }
        }
    }

    @Test("an override and a custom shift move in place with one PUT each, keeping their ids; the whole-schedule target cannot")
    func move() async throws {
        for rejectImmutable in [false, true] {
            try await Self.with(configure: { $0.quirks.v3.rejectImmutableOverrideFields = rejectImmutable }) { sandbox, destination, rotation in
                let target = OverrideTarget.rotation(id: rotation, replacing: Self.bob)
                let override = PlannedOverride(start: at("2026-11-24T00:00:00Z"), end: at("2026-11-25T00:00:00Z"), userID: Self.carol, target: target)
                let custom = PlannedOverride(start: at("2026-11-26T00:00:00Z"), end: at("2026-11-27T00:00:00Z"), userID: Self.carol, target: .customShift)
                let records = try Self.created(try await destination.createOverrides(schedule: "PSHIFT1", [override, custom]))
                sandbox.server.log.reset()
                let moved = PlannedOverride(start: at("2026-11-24T06:00:00Z"), end: at("2026-11-25T12:00:00Z"), userID: Self.alice, target: target)
                let movedShift = PlannedOverride(start: at("2026-11-26T06:00:00Z"), end: at("2026-11-27T06:00:00Z"), userID: Self.bob, target: .customShift)
                let first = try await destination.updateOverride(schedule: "PSHIFT1", id: records[0].id, from: records[0], to: moved)
                let second = try await destination.updateOverride(schedule: "PSHIFT1", id: records[1].id, from: records[1], to: movedShift)
                #expect(first == OverrideRecord(id: records[0].id, start: moved.start, end: moved.end, userID: Self.alice, target: target))
                #expect(second == OverrideRecord(id: records[1].id, start: movedShift.start, end: movedShift.end, userID: Self.bob, target: .customShift))
                #expect(sandbox.server.log.counts == ["PUT /v3/schedules/{id}/overrides/{override_id}": 1, "PUT /v3/schedules/{id}/custom_shifts/{custom_shift_id}": 1])
                #expect(Set(try await destination.overrides(schedule: "PSHIFT1", overlapping: Self.window)) == [first, second])
                let layered = await #expect(throws: DestinationError.self) {
                    try await destination.updateOverride(schedule: "PLAYER1", id: "Q1", from: nil, to: PlannedOverride(start: moved.start, end: moved.end, userID: Self.alice))
                }
                #expect(layered?.kind == .unsupported)
            }
        }
    }

    // MARK: - Creating: refusals and lost answers

    @Test("a refused batch is retried item by item: only the bad item is rejected, with PagerDuty's reasons, whichever way errors come")
    func refusedBatch() async throws {
        for errorsAsList in [false, true] {
            try await Self.with(configure: { $0.quirks.v3.errorsAsList = errorsAsList }) { sandbox, destination, rotation in
                let target = OverrideTarget.rotation(id: rotation, replacing: Self.bob)
                let items = [
                    PlannedOverride(start: at("2026-11-24T00:00:00Z"), end: at("2026-11-25T00:00:00Z"), userID: Self.carol, target: target),
                    PlannedOverride(start: at("2026-11-25T00:00:00Z"), end: at("2026-11-26T00:00:00Z"), userID: "PNOSUCH", target: target),
                    PlannedOverride(start: at("2026-11-26T00:00:00Z"), end: at("2026-11-27T00:00:00Z"), userID: Self.alice, target: target),
                ]
                let results = try await destination.createOverrides(schedule: "PSHIFT1", items)
                #expect(sandbox.server.log.counts == ["POST /v3/schedules/{id}/overrides": 4])
                guard results.count == 3, case .created = results[0], case .created = results[2], case .rejected(let item, let reason) = results[1] else {
                    Issue.record("unexpected results \(results)")
                    return
                }
                #expect(item == items[1])
                #expect(reason.hasPrefix("PagerDuty refused the override of user PBOB001 on rotation \(rotation) 2026-11-25T00:00:00Z → 2026-11-26T00:00:00Z for user PNOSUCH (400): "))
                #expect(reason.contains("PNOSUCH"))
                #expect(try await destination.overrides(schedule: "PSHIFT1", overlapping: Self.window).count == 2)
            }
        }
    }

    @Test("where PagerDuty creates part of a refused batch (switch on), the adapter cannot tell which: outcome unknown; a dropped answer too")
    func partialAndLost() async throws {
        try await Self.with(configure: { $0.quirks.v3.partialOverrideBatches = true }) { sandbox, destination, rotation in
            let target = OverrideTarget.rotation(id: rotation, replacing: Self.bob)
            let items = [
                PlannedOverride(start: at("2026-11-24T00:00:00Z"), end: at("2026-11-25T00:00:00Z"), userID: Self.carol, target: target),
                PlannedOverride(start: at("2026-11-25T00:00:00Z"), end: at("2026-11-26T00:00:00Z"), userID: "PNOSUCH", target: target),
            ]
            let partial = await #expect(throws: DestinationError.self) { try await destination.createOverrides(schedule: "PSHIFT1", items) }
            #expect(partial?.kind == .outcomeUnknown)
            sandbox.server.updateFaults { $0.dropNextPosts = 1 }
            let shift = PlannedOverride(start: at("2026-11-26T00:00:00Z"), end: at("2026-11-27T00:00:00Z"), userID: Self.carol, target: .customShift)
            let lost = await #expect(throws: DestinationError.self) { try await destination.createOverrides(schedule: "PSHIFT1", [shift]) }
            #expect(lost?.kind == .outcomeUnknown)
            // What the applier does next: list, and find both by target.
            let listed = try await destination.overrides(schedule: "PSHIFT1", overlapping: Self.window)
            #expect(Set(listed.map { PlannedOverride(start: $0.start, end: $0.end, userID: $0.userID, target: $0.target) }) == [items[0], shift])
        }
    }
}
