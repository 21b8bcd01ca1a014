import Foundation
import HandoffPlan
import HandoffSync
import HandoffTestSupport
import HandoffTime
import OrderedJSON
import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

private let now = TeamFixture.now

private let people = TeamFixture.people()

/// The quickstart-like team of the golden plans, with `extra` lines in the primary schedule.
private func team(
    members: String = "[alice, bob, carol]",
    zone: String = "Europe/Berlin",
    horizon: String = "4w",
    extra: String = "",
    destinations: String = TeamFixture.primaryDestination
) -> String {
    "version: 1\n" + Scenario.connection + people + """
        schedules:
          primary:
            time_zone: \(zone)
            rotation:
              members: \(members)
              start: 2026-11-02T09:00
              turn: 1w

        """ + extra + """
            horizon: \(horizon)
          nights:
            time_zone: America/New_York
            rotation: { members: [alice, bob], start: 2026-11-02T18:00, turn: 1w }
            coverage: [{ from: "18:00", to: "23:00" }]
            horizon: 1w
        destinations:

        """ + destinations
}

private let seed = TeamFixture.seed(schedules: [.init(name: "Nights", timeZone: "America/New_York", id: "PNIGHTS")])

/// The everyday edits of issue 14, each applied to an exported team and checked against golden
/// text, Markdown and JSON: the handovers say who gains and who loses which periods, and why.
@Suite("Handovers of everyday edits (golden files)")
struct HandoverScenarioTests {
    static let folder = (URL(fileURLWithPath: #filePath).deletingLastPathComponent().path as NSString).appendingPathComponent("Golden")

    /// Exports `before`, reconfigures to `after`, plans (with `--allow-frozen-changes`), and checks
    /// the plan against the golden files `handover-NAME.*`; returns the plan for further checks.
    @discardableResult
    private func edit(_ name: String, from before: String = team(), to after: String) async throws -> Plan {
        let scenario = try await Scenario.start(before, seed: seed, now: now)
        do {
            #expect(try await scenario.apply(at: now).1.succeeded)
            try scenario.reconfigure(after)
            // Edits inside the freeze are made deliberately, as a reviewer would see them.
            let plan = try await scenario.plan(at: now, allowFrozenChanges: true)
            await scenario.stop()
            for (suffix, text) in [("txt", PlanRenderer.text(plan)), ("md", PlanRenderer.markdown(plan)), ("json", PlanRenderer.json(plan).serialized())] {
                if let difference = Golden.check(text, name: "handover-\(name).\(suffix)", folder: Self.folder) {
                    Issue.record(Comment(rawValue: difference))
                }
            }
            // A saved plan carries the handovers.
            #expect(try PlanFile.decode(Array(PlanFile.encode(plan, configurationDirectory: ".").utf8)).plan == plan)
            return plan
        } catch {
            await scenario.stop()
            throw error
        }
    }

    private func whys(_ plan: Plan, _ destination: String = "primary-pd") -> [Handover.Reason] {
        plan.destinations.first { $0.name == destination }?.handovers.map(\.why) ?? []
    }

    @Test("a member appended to the rotation re-deals every turn, the one in progress too: rotation changed, on call now")
    func memberAppended() async throws {
        let plan = try await edit("member-appended", to: team(members: "[alice, bob, carol, dave]"))
        let handovers = plan.destinations[0].handovers
        #expect(handovers.first?.containsNow == true)
        #expect(handovers.first?.before?.name == "Alice Archer" && handovers.first?.after?.name == "Dave Diaz")
        #expect(Set(whys(plan)) == [.rotationChanged])
    }

    @Test("a member removed: their turns are member left, the turns re-dealt around them rotation changed")
    func memberRemoved() async throws {
        let plan = try await edit("member-removed", to: team(members: "[alice, bob]"))
        let handovers = plan.destinations[0].handovers
        #expect(handovers.filter { $0.before?.name == "Carol Chen" }.allSatisfy { $0.why == .memberLeft })
        #expect(handovers.filter { $0.before?.name != "Carol Chen" }.allSatisfy { $0.why == .rotationChanged })
        #expect(handovers.contains { $0.why == .memberLeft })
    }

    @Test("a turn change through rotation.changes: the handovers from then on name the change and when it takes effect")
    func turnChange() async throws {
        let plan = try await edit("turn-change", to: team(extra: "      changes:\n        - { from: 2026-12-07T09:00, turn: 2w }\n"))
        let from = at("2026-12-07T08:00:00Z")
        #expect(plan.destinations[0].handovers.allSatisfy { $0.range.start >= from })
        #expect(whys(plan).contains(.rotationChange(from: from)))
        #expect(!whys(plan).contains(.swap) && !whys(plan).contains(.timeOffCover))
    }

    @Test("time off: the stand-in takes exactly the time off, as a time off cover")
    func timeOff() async throws {
        let plan = try await edit("time-off", to: team(extra: "    time_off:\n      - { person: carol, from: 2026-12-09T09:00, until: 2026-12-11T09:00 }\n"))
        #expect(whys(plan) == [.timeOffCover])
        let handover = try #require(plan.destinations[0].handovers.first)
        #expect(handover.range == InstantRange(start: at("2026-12-09T08:00:00Z"), end: at("2026-12-11T08:00:00Z")))
        #expect(handover.before?.name == "Carol Chen" && handover.after?.name == "Alice Archer")
    }

    @Test("a swap: both turns change hands, as a swap")
    func swap() async throws {
        let plan = try await edit("swap", to: team(extra: "    swaps:\n      - [2026-11-30T09:00, 2026-12-07T09:00]\n"))
        #expect(whys(plan) == [.swap, .swap])
    }

    @Test("an explicit cover: one day of Bob's turn goes to Dave, as an explicit cover")
    func explicitCover() async throws {
        let plan = try await edit("explicit-cover", to: team(extra: "    assignments:\n      - { person: dave, from: 2026-12-02T09:00, until: 2026-12-03T09:00 }\n"))
        #expect(whys(plan) == [.explicitCover])
        #expect(plan.destinations[0].handovers.first?.before?.name == "Bob Brown")
    }

    @Test("a time zone change moves every handoff by the difference: time zone changed, nobody says swap")
    func timeZoneChange() async throws {
        let plan = try await edit("time-zone", to: team(zone: "Europe/London"))
        let handovers = plan.destinations[0].handovers
        #expect(!handovers.isEmpty)
        // Each handoff moves by an hour; past the old watermark, the hour is new.
        #expect(handovers.allSatisfy { $0.range.seconds == 3600 })
        #expect(handovers.filter { $0.before != nil }.allSatisfy { $0.why == .timeZoneChanged })
        #expect(handovers.filter { $0.before == nil }.allSatisfy { $0.why == .exported })
    }

    @Test("business-hours coverage added: nights and weekends go to nobody as coverage changed; an unrelated explicit cover is neither deleted nor re-labelled")
    func coverageAdded() async throws {
        let cover = "    assignments:\n      - { person: dave, from: 2026-12-02T10:00, until: 2026-12-02T16:00 }\n"
        let plan = try await edit(
            "coverage-added",
            from: team(horizon: "2w", extra: cover),
            to: team(horizon: "2w", extra: cover + "    coverage: [{ days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"17:00\" }]\n")
        )
        let destination = plan.destinations[0]
        #expect(Set(whys(plan)) == [.coverageChanged])
        #expect(destination.handovers.allSatisfy { $0.after == nil })
        #expect(!destination.handovers.contains { $0.before?.name == "Dave Diaz" || $0.after?.name == "Dave Diaz" })
        #expect(!destination.actions(.delete).contains { $0.person == "Dave Diaz" }, "the cover stays as it is")
    }

    @Test("a horizon lengthened: the weeks it adds are newly exported, nothing before them changes")
    func horizonLengthened() async throws {
        let plan = try await edit("horizon-lengthened", from: team(horizon: "2w"), to: team(horizon: "4w"))
        #expect(Set(whys(plan)) == [.exported])
        #expect(plan.destinations[0].handovers.allSatisfy { $0.before == nil })
    }

    @Test("a second destination: its shifts are newly exported, the first destination has nothing to do")
    func secondDestination() async throws {
        let plan = try await edit(
            "second-destination",
            to: team(destinations: "  primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PPRIMAR }\n"
                + "  nights-pd: { schedule: nights, connection: acme, pagerduty_schedule: PNIGHTS }\n")
        )
        #expect(whys(plan, "primary-pd").isEmpty)
        #expect(!whys(plan, "nights-pd").isEmpty && Set(whys(plan, "nights-pd")) == [.exported])
    }

    @Test("the handovers in the JSON plan are those schemas/plan.schema.json describes: its keys, its holders and every reason's code")
    func handoversMatchTheSchema() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("schemas/plan.schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let destination = try #require(((schema["properties"] as? [String: Any])?["destinations"] as? [String: Any])?["items"] as? [String: Any])
        let handover = try #require(((destination["properties"] as? [String: Any])?["handovers"] as? [String: Any])?["items"] as? [String: Any])
        let keys = Set((handover["properties"] as? [String: Any])?.keys.map { $0 } ?? [])
        let codes = Set(((handover["properties"] as? [String: Any])?["why"] as? [String: Any])?["enum"] as? [String] ?? [])
        let holderKeys = Set((((schema["$defs"] as? [String: Any])?["holder"] as? [String: Any])?["properties"] as? [String: Any])?.keys.map { $0 } ?? [])

        let base = at("2026-12-07T08:00:00Z")
        let reasons: [Handover.Reason] = [
            .swap, .explicitCover, .timeOffCover, .rotationChange(from: base), .rotationChanged, .coverageChanged, .timeZoneChanged,
            .memberLeft, .destinationRemoved, .manualOverrideReverted, .firstExportOverForeign, .exported, .recreated,
        ]
        #expect(Set(reasons.map(\.code)) == codes)
        let someone = Handover.Holder(userID: "P1", person: "alice", name: "Alice Archer", email: "alice@example.com")
        // A shift-based schedule's rotation member, in their own turn: the one holder with a rotation.
        let own = Handover.Holder(userID: "P2", person: "bob", name: "Bob Brown", email: "bob@example.com", rotationID: "R1")
        let handovers = reasons.enumerated().map { index, why in
            Handover(
                range: InstantRange(start: base.adding(seconds: Int64(index) * 3600), end: base.adding(seconds: Int64(index + 1) * 3600)),
                before: index.isMultiple(of: 2) ? own : nil, after: someone, why: why, containsNow: index == 0
            )
        }
        let plan = Plan(
            now: base,
            destinations: [DestinationPlan(
                name: "d", connection: "acme", destinationSchedule: "P", timeZone: "Europe/Berlin", watermarkBefore: nil, watermarkAfter: nil,
                actions: [], liveFingerprint: "", handovers: handovers
            )],
            stateLineage: nil, stateSerial: 0
        )
        let json = try #require(try JSONSerialization.jsonObject(with: Data(PlanRenderer.json(plan).serialized().utf8)) as? [String: Any])
        let rendered = try #require(((json["destinations"] as? [[String: Any]])?.first?["handovers"]) as? [[String: Any]])
        #expect(rendered.count == reasons.count)
        for object in rendered {
            #expect(Set(object.keys).isSubset(of: keys), "\(object.keys)")
            #expect(Set(["start", "end", "before", "after", "why", "now"]).isSubset(of: Set(object.keys)))
            if let after = object["after"] as? [String: Any] { #expect(Set(after.keys) == holderKeys.subtracting(["rotation_id"])) }
            if let before = object["before"] as? [String: Any] { #expect(Set(before.keys) == holderKeys) }
        }
        // And a saved plan reads every reason back.
        #expect(try PlanFile.decode(Array(PlanFile.encode(plan, configurationDirectory: ".").utf8)).plan == plan)
    }
}
