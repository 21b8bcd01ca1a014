import Foundation
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTestSupport
import HandoffTime
import OrderedJSON
import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

private let now = TeamFixture.now

private let people = TeamFixture.people()

private func team(schedule: String = "", destination: String = "", manualChanges: String = "keep", horizon: String = "4w") -> String {
    let scheduleText = schedule.isEmpty ? TeamFixture.primarySchedule(horizon: horizon) : schedule
    let destinationText = destination.isEmpty ? """
        destinations:
          primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PPRIMAR, manual_changes: \(manualChanges) }

        """ : destination
    return "version: 1\n" + Scenario.connection + people + scheduleText + destinationText
}

private let seed = TeamFixture.seed(
    users: [.init(name: "Mallory Manual", email: "mallory@example.com")],
    schedules: [.init(name: "Support", timeZone: "UTC", id: "PSUPFTS"), .init(name: "Nights", timeZone: "America/New_York", id: "PNIGHTS")]
)

/// The scenarios of issue 5, each checked against golden text, Markdown and JSON.
@Suite("Plan scenarios against the simulated PagerDuty (golden files)")
struct PlanScenarioTests {
    static let folder = (URL(fileURLWithPath: #filePath).deletingLastPathComponent().path as NSString).appendingPathComponent("Golden")

    /// Runs `body` in a fresh scenario and checks the plan it returns against the three golden
    /// files, then runs it again in another fresh scenario to check that planning is stable.
    private func scenario(_ name: String, config: String = team(), _ body: (Scenario) async throws -> Plan) async throws {
        let plan = try await run(config, body)
        let rendered = Self.renderings(plan)
        for (suffix, text) in rendered {
            if let difference = Golden.check(text, name: "\(name).\(suffix)", folder: Self.folder) {
                Issue.record(Comment(rawValue: difference))
            }
        }
        // Planning is stable: the same inputs give the same plan. The same steps against a fresh
        // simulated PagerDuty and a fresh state (another folder, another lineage) plan it again,
        // equal as a value and byte for byte in every rendering, so no clock, path or random
        // choice leaks into a plan, even in a run that records the golden files.
        let again = try await run(config, body)
        #expect(Self.lineageAside(again) == Self.lineageAside(plan), "\(name): the same steps planned twice gave two plans")
        for ((suffix, first), (_, second)) in zip(rendered, Self.renderings(again)) where first != second {
            Issue.record(Comment(rawValue: "\(name).\(suffix): the same steps planned twice rendered differently:\n\(first)\n---\n\(second)"))
        }
    }

    /// The plan `body` returns in a fresh scenario, stopped on every path.
    private func run(_ config: String, _ body: (Scenario) async throws -> Plan) async throws -> Plan {
        let scenario = try await Scenario.start(config, seed: seed, now: now)
        do {
            let plan = try await body(scenario)
            await scenario.stop()
            return plan
        } catch {
            await scenario.stop()
            throw error
        }
    }

    private static func renderings(_ plan: Plan) -> [(String, String)] {
        [("txt", PlanRenderer.text(plan)), ("md", PlanRenderer.markdown(plan)), ("json", PlanRenderer.json(plan).serialized())]
    }

    /// The plan without the state's lineage, which every new state draws at random.
    private static func lineageAside(_ plan: Plan) -> Plan {
        var plan = plan
        plan.stateLineage = nil
        return plan
    }

    @Test("first export onto a schedule with overrides people made: overlapping ones are overwritten, others left")
    func firstExport() async throws {
        try await scenario("first-export") { scenario in
            try await scenario.addManualOverride(schedule: "PPRIMAR", start: at("2026-12-01T08:00:00Z"), end: at("2026-12-01T12:00:00Z"), email: "mallory@example.com")
            try await scenario.addManualOverride(schedule: "PPRIMAR", start: at("2026-11-20T08:00:00Z"), end: at("2026-11-21T08:00:00Z"), email: "mallory@example.com")
            try await scenario.addManualOverride(schedule: "PPRIMAR", start: at("2027-03-01T08:00:00Z"), end: at("2027-03-02T08:00:00Z"), email: "mallory@example.com")
            let plan = try await scenario.plan(at: now)
            #expect(plan.summary.create == 5)
            #expect(plan.summary.delete == 1)
            #expect(try await scenario.plan(at: now) == plan)
            return plan
        }
    }

    @Test("after a successful apply, planning again finds nothing to do")
    func noChanges() async throws {
        try await scenario("no-changes") { scenario in
            let (_, report) = try await scenario.apply(at: now)
            #expect(report.succeeded)
            #expect(report.created == 5)
            let plan = try await scenario.plan(at: now)
            #expect(!plan.hasChanges)
            return plan
        }
    }

    @Test("a swap added before the watermark reaches PagerDuty")
    func swapBeforeWatermark() async throws {
        try await scenario("swap") { scenario in
            try await scenario.apply(at: now)
            try scenario.reconfigure(team(schedule: """
                schedules:
                  primary:
                    time_zone: Europe/Berlin
                    rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
                    horizon: 4w
                    swaps:
                      - [2026-11-30T09:00, 2026-12-07T09:00]

                """))
            let plan = try await scenario.plan(at: now.adding(seconds: 3600))
            #expect(plan.summary.create == 2 && plan.summary.delete == 2)
            #expect(plan.destinations[0].actions(.delete).allSatisfy { $0.reasonWords() == "no longer desired: swap" })
            return plan
        }
    }

    @Test("a manual override before the watermark is kept and reported")
    func manualKept() async throws {
        try await scenario("manual-kept") { scenario in
            try await scenario.apply(at: now)
            try await scenario.addManualOverride(schedule: "PPRIMAR", start: at("2026-12-02T11:00:00Z"), end: at("2026-12-02T13:00:00Z"), email: "dave@example.com")
            let plan = try await scenario.plan(at: now)
            #expect(!plan.hasChanges)
            #expect(plan.summary.kept == 1)
            return plan
        }
    }

    @Test("with manual_changes: revert, a manual override before the watermark is deleted")
    func manualReverted() async throws {
        try await scenario("manual-reverted", config: team(manualChanges: "revert")) { scenario in
            try await scenario.apply(at: now)
            try await scenario.addManualOverride(schedule: "PPRIMAR", start: at("2026-12-02T11:00:00Z"), end: at("2026-12-02T13:00:00Z"), email: "dave@example.com")
            let plan = try await scenario.plan(at: now)
            #expect(plan.summary.delete == 1 && plan.summary.kept == 0)
            return plan
        }
    }

    @Test("an owned override deleted by a person is drift: reported, not recreated")
    func driftKept() async throws {
        try await scenario("drift-kept") { scenario in
            try await scenario.apply(at: now)
            let victim = try #require(await scenario.overrides("PPRIMAR").first { $0.start == at("2026-12-07T08:00:00Z") })
            await scenario.deleteManually(schedule: "PPRIMAR", id: victim.id)
            let plan = try await scenario.plan(at: now)
            #expect(plan.summary.drift == 1 && !plan.hasChanges)
            return plan
        }
    }

    @Test("with manual_changes: revert, drift is recreated")
    func driftReverted() async throws {
        try await scenario("drift-reverted", config: team(manualChanges: "revert")) { scenario in
            try await scenario.apply(at: now)
            let victim = try #require(await scenario.overrides("PPRIMAR").first { $0.start == at("2026-12-07T08:00:00Z") })
            await scenario.deleteManually(schedule: "PPRIMAR", id: victim.id)
            let plan = try await scenario.plan(at: now)
            #expect(plan.summary.create == 1 && plan.summary.drift == 0)
            return plan
        }
    }

    @Test("a member removed: their overrides go, with the reason")
    func memberRemoved() async throws {
        try await scenario("member-removed") { scenario in
            try await scenario.apply(at: now)
            try scenario.reconfigure(team(schedule: """
                schedules:
                  primary:
                    time_zone: Europe/Berlin
                    rotation: { members: [alice, bob], start: 2026-11-02T09:00, turn: 1w }
                    horizon: 4w

                """))
            // Carol holds a frozen shift: removing her now is deliberate.
            let plan = try await scenario.plan(at: now, allowFrozenChanges: true)
            #expect(plan.destinations[0].actions(.delete).contains { $0.reasonWords() == "member left the rotation" })
            return plan
        }
    }

    @Test("a member added from a future turn through rotation.changes changes nothing before it")
    func memberAdded() async throws {
        try await scenario("member-added") { scenario in
            try await scenario.apply(at: now)
            try scenario.reconfigure(team(schedule: """
                schedules:
                  primary:
                    time_zone: Europe/Berlin
                    rotation:
                      members: [alice, bob, carol]
                      start: 2026-11-02T09:00
                      turn: 1w
                      changes:
                        - { from: 2026-12-07T09:00, members: [dave, alice, bob, carol] }
                    horizon: 4w

                """))
            let plan = try await scenario.plan(at: now)
            let cut = at("2026-12-07T08:00:00Z")
            #expect(plan.destinations[0].actions.allSatisfy { $0.start >= cut })
            return plan
        }
    }

    @Test("a shorter horizon deletes nothing exported: the overrides beyond it stay, and a later change still reaches them")
    func horizonShortened() async throws {
        try await scenario("horizon-shortened") { scenario in
            try await scenario.apply(at: now)
            let exported = try #require(try await scenario.store.read().destinations["primary-pd"]?.watermark)
            try scenario.reconfigure(team(horizon: "2w"))
            let plan = try await scenario.plan(at: now)
            #expect(plan.summary.delete == 0 && plan.summary.create == 0 && !plan.hasChanges)
            // The watermark says what PagerDuty holds: it does not move back.
            #expect(plan.destinations[0].watermarkAfter == exported)
            #expect(PlanRenderer.summaryLine(plan).hasSuffix("Exported through Mon 2026-12-28 09:00 +01:00."))
            let (_, report) = try await scenario.apply(at: now)
            #expect(report.succeeded && report.deleted == 0)
            #expect(await scenario.overrides("PPRIMAR").count == 5)

            // A week later, with nothing changed, nothing is exported beyond the watermark yet.
            #expect(!(try await scenario.plan(at: now.adding(seconds: 7 * 86_400))).hasChanges)

            // Bob and Carol trade places: the turns beyond the 2w horizon are updated as well.
            try scenario.reconfigure(team(schedule: """
                schedules:
                  primary:
                    time_zone: Europe/Berlin
                    rotation: { members: [alice, carol, bob], start: 2026-11-02T09:00, turn: 1w }
                    horizon: 2w

                """))
            // The turn starting inside the freeze changes hands too: accepted deliberately.
            let changed = try await scenario.plan(at: now, allowFrozenChanges: true)
            let beyond = at("2026-12-07T08:00:00Z")
            #expect(changed.destinations[0].actions(.create).contains { $0.start >= beyond })
            #expect(changed.destinations[0].actions(.create).allSatisfy { $0.end <= exported })
            return plan
        }
    }

    @Test("a longer horizon exports the turns it adds, and touches nothing before")
    func horizonLengthened() async throws {
        try await scenario("horizon-lengthened", config: team(horizon: "2w")) { scenario in
            try await scenario.apply(at: now)
            try scenario.reconfigure(team(horizon: "4w"))
            let plan = try await scenario.plan(at: now)
            #expect(plan.summary.delete == 0 && plan.summary.create == 2)
            #expect(plan.destinations[0].actions(.create).allSatisfy { $0.start >= at("2026-12-07T08:00:00Z") })
            return plan
        }
    }

    @Test("a shift in progress changing hands leaves no second without someone Handoff chose on call")
    func inProgressHandover() async throws {
        let first = at("2026-11-23T10:00:37Z")
        let second = at("2026-11-23T10:20:13Z")
        try await scenario("in-progress-handover") { scenario in
            #expect(try await scenario.apply(at: first).1.succeeded)
            // Bob takes the turn Alice holds now.
            try scenario.reconfigure(team(schedule: """
                schedules:
                  primary:
                    time_zone: Europe/Berlin
                    rotation: { members: [bob, alice, carol], start: 2026-11-02T09:00, turn: 1w }
                    horizon: 4w

                """))
            // Changing the turn in progress is a frozen change, made deliberately (issue 13, item 2).
            let (plan, report) = try await scenario.apply(at: second, allowFrozenChanges: true)
            #expect(report.succeeded)
            let creates = plan.destinations[0].actions(.create)
            #expect(creates.first?.start == second.flooredToMinute, "the replacement is in force before the cut")

            // PagerDuty's final schedule, second by second: where overrides overlap, the latest
            // created wins.
            let users = await scenario.server.store.snapshot().users
            let alice = try #require(users.first { $0.email == "alice@example.com" }?.id)
            let bob = try #require(users.first { $0.email == "bob@example.com" }?.id)
            let overrides = await scenario.overrides("PPRIMAR")
            var holes: [Instant] = []
            var wrong: [String] = []
            var instant = first
            while instant < at("2026-11-23T10:40:00Z") {
                let winner = overrides.filter { $0.start <= instant && instant < $0.end }.max { $0.sequence < $1.sequence }
                if let winner {
                    let expected = instant < second.flooredToMinute ? alice : instant >= second ? bob : winner.userID
                    if winner.userID != expected || ![alice, bob].contains(winner.userID) { wrong.append("\(instant) \(winner.userID)") }
                } else {
                    holes.append(instant)
                }
                instant = instant.adding(seconds: 1)
            }
            #expect(holes.isEmpty, "nobody Handoff chose is on call for \(holes.count) s, from \(holes.first.map(\.description) ?? "")")
            #expect(wrong.isEmpty, "\(wrong.prefix(3))")
            // The next run, minutes later, leaves the replacement alone.
            #expect(!(try await scenario.plan(at: second.adding(seconds: 5 * 60 + 29))).hasChanges)
            return plan
        }
    }

    @Test("a destination renamed onto the same PagerDuty schedule: the new one's overrides are created before the old one's are cut, leaving no second uncovered")
    func renamedWithoutHole() async throws {
        let first = at("2026-11-23T10:00:37Z")
        let second = at("2026-11-23T10:20:13Z")
        let scenario = try await Scenario.start(team(), seed: seed, now: first)
        do {
            #expect(try await scenario.apply(at: first).1.succeeded)
            try scenario.reconfigure(team(destination: """
                destinations:
                  zz-primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PPRIMAR }

                """))
            scenario.server.log.reset()
            // Changing the turn in progress is a frozen change, made deliberately (issue 13, item 2).
            let (plan, report) = try await scenario.apply(at: second, allowFrozenChanges: true)
            #expect(report.succeeded && report.created == 5 && report.deleted == 5, "\(report.failures)")
            #expect(plan.destinations.contains { $0.removed })
            // Every create went out before the first delete.
            let writes = scenario.server.log.all.filter { $0.method == "POST" || $0.method == "DELETE" }.map(\.method)
            #expect(writes.lastIndex(of: "POST") ?? 0 < writes.firstIndex(of: "DELETE") ?? 0, "\(writes)")
            let overrides = await scenario.overrides("PPRIMAR")
            var instant = first
            var holes = 0
            while instant < at("2026-11-23T10:40:00Z") {
                if !overrides.contains(where: { $0.start <= instant && instant < $0.end }) { holes += 1 }
                instant = instant.adding(seconds: 1)
            }
            #expect(holes == 0)
            await scenario.stop()
        } catch {
            await scenario.stop()
            throw error
        }
    }

    @Test("a destination renamed onto the same PagerDuty schedule whose creates fail: the old one's overrides stay, so nobody loses the pager")
    func renamedCreatesFail() async throws {
        let first = at("2026-11-23T10:00:37Z")
        let second = at("2026-11-23T10:20:13Z")
        let scenario = try await Scenario.start(team(), seed: seed, now: first)
        do {
            #expect(try await scenario.apply(at: first).1.succeeded)
            let before = await scenario.overrides("PPRIMAR")
            try scenario.reconfigure(team(destination: """
                destinations:
                  zz-primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PPRIMAR }

                """))
            // This PagerDuty refuses an override that starts in the past: the replacement of the
            // shift in progress is refused.
            scenario.server.updateQuirks { $0.rejectPastStart = true }
            let (_, report) = try await scenario.apply(at: second)
            #expect(!report.succeeded)
            #expect(report.deleted == 0)
            #expect(report.failures.contains { $0.hasPrefix("destination primary-pd: not removed, as a destination writing the same PagerDuty schedule failed") })
            let after = await scenario.overrides("PPRIMAR")
            #expect(before.allSatisfy { old in after.contains { $0.id == old.id && $0.end == old.end } }, "the old overrides are whole")
            #expect(try await scenario.store.read().destinations["primary-pd"] != nil)
            await scenario.stop()
        } catch {
            await scenario.stop()
            throw error
        }
    }

    @Test("a removed destination: its overrides go, the one in progress is cut to end now")
    func destinationRemoved() async throws {
        try await scenario("destination-removed") { scenario in
            try await scenario.apply(at: now)
            try scenario.reconfigure(team(destination: "destinations: {}\n"))
            let plan = try await scenario.plan(at: now.adding(seconds: 600))
            #expect(plan.destinations.first?.removed == true)
            #expect(plan.summary.delete == 5)
            return plan
        }
    }

    @Test("an override made by hand that equals a desired one is adopted, with no call")
    func adoption() async throws {
        try await scenario("adopt") { scenario in
            try await scenario.addManualOverride(schedule: "PPRIMAR", start: at("2026-11-30T08:00:00Z"), end: at("2026-12-07T08:00:00Z"), email: "bob@example.com")
            let plan = try await scenario.plan(at: now)
            #expect(plan.summary.adopt == 1 && plan.summary.create == 4)
            let (_, report) = try await scenario.apply(at: now)
            #expect(report.adopted == 1)
            #expect(await scenario.overrides("PPRIMAR").count == 5)
            return plan
        }
    }

    @Test("the state file deleted: the plan says the state looks lost, adopts, and deletes nothing made by hand")
    func stateLost() async throws {
        try await scenario("state-lost") { scenario in
            try await scenario.apply(at: now)
            try FileManager.default.removeItem(atPath: scenario.store.path)
            let manual = try await scenario.addManualOverride(
                schedule: "PPRIMAR", start: at("2026-12-01T08:00:00Z"), end: at("2026-12-01T12:00:00Z"), email: "mallory@example.com"
            )
            let plan = try await scenario.plan(at: now)
            #expect(plan.destinations[0].stateLooksLost)
            #expect(plan.summary.adopt == 5 && plan.summary.delete == 0 && plan.summary.kept == 1)
            let (_, report) = try await scenario.apply(at: now)
            #expect(report.succeeded && report.adopted == 5 && report.deleted == 0)
            #expect(await scenario.overrides("PPRIMAR").contains { $0.id == manual.id })
            // Adopted: the state is back, and the override made by hand is now one before the watermark.
            let after = try await scenario.plan(at: now)
            #expect(!after.hasChanges && !after.destinations[0].stateLooksLost && after.summary.kept == 1)
            return plan
        }
    }

    @Test("the shift in progress does not churn between runs minutes apart")
    func noChurn() async throws {
        try await scenario("in-progress") { scenario in
            try await scenario.apply(at: now)
            let plan = try await scenario.plan(at: now.adding(seconds: 7 * 60 + 13))
            #expect(!plan.hasChanges)
            return plan
        }
    }

    @Test("a week across the change to daylight saving time shows both offsets")
    func daylightSaving() async throws {
        let config = team(
            schedule: """
                schedules:
                  nights:
                    time_zone: America/New_York
                    rotation: { members: [alice, bob], start: 2027-03-01T09:00, turn: 1w }
                    horizon: 3w

                """,
            destination: """
                destinations:
                  nights-pd: { schedule: nights, connection: acme, pagerduty_schedule: PNIGHTS }

                """
        )
        try await scenario("dst-week", config: config) { scenario in
            try await scenario.plan(at: at("2027-03-01T15:00:00Z"))
        }
    }

    @Test("follow the sun: three schedules in three zones feed one PagerDuty schedule")
    func followTheSun() async throws {
        let config = team(
            schedule: """
                schedules:
                  apac:
                    time_zone: Asia/Singapore
                    rotation: { members: [alice, bob], start: 2026-11-02T08:00, turn: 1w }
                    coverage: [{ days: [mon, tue, wed, thu, fri], from: "08:00", to: "15:00" }]
                    horizon: 1w
                  emea:
                    time_zone: Europe/London
                    rotation: { members: [carol], start: 2026-11-02T08:00, turn: 1w }
                    coverage: [{ days: [mon, tue, wed, thu, fri], from: "08:00", to: "15:00" }]
                    horizon: 1w
                  americas:
                    time_zone: America/New_York
                    rotation: { members: [dave], start: 2026-11-02T11:00, turn: 1w }
                    coverage: [{ days: [mon, tue, wed, thu, fri], from: "11:00", to: "19:00" }]
                    horizon: 1w

                """,
            destination: """
                destinations:
                  apac-pd:     { schedule: apac,     connection: acme, pagerduty_schedule: PSUPFTS }
                  emea-pd:     { schedule: emea,     connection: acme, pagerduty_schedule: PSUPFTS }
                  americas-pd: { schedule: americas, connection: acme, pagerduty_schedule: PSUPFTS }

                """
        )
        try await scenario("follow-the-sun", config: config) { scenario in
            let first = try await scenario.plan(at: now)
            // Three destinations, one listing of the shared schedule.
            #expect(scenario.server.log.counts["GET /schedules/{id}/overrides"] == 1)
            let (_, report) = try await scenario.apply(at: now)
            #expect(report.succeeded)
            // Siblings' overrides are not mistaken for manual ones.
            #expect(!(try await scenario.plan(at: now)).hasChanges)
            return first
        }
    }
}
