import Foundation
import HandoffDestination
import HandoffPlan
import HandoffTestSupport
import HandoffTime
import Testing

/// Saved plans of shift-based schedules: targets, moves, the kind and notes read back; a plan with
/// none of them is written exactly as before.
@Suite("Saved plans with targets, moves, kinds and notes")
struct PlanFileTargetTests {
    private static let now = Instant(secondsSinceEpoch: 1_795_348_800)

    private static func at(_ hours: Int64) -> Instant { now.adding(seconds: hours * 3600) }

    private static func plan(_ random: inout SeededRandom) -> Plan {
        let targets: [OverrideTarget] = [
            .schedule, .rotation(id: "R1", replacing: "UB"), .rotation(id: "R\u{1B}2", replacing: nil), .customShift,
            .customShiftOverride(id: "C1", replacing: "UA"), .customShiftOverride(id: "C\"2", replacing: nil),
        ]
        let actions = (0..<random.int(in: 1...8)).map { index -> PlanAction in
            let target = random.pick(targets)
            let kind = random.pick(PlanAction.Kind.allCases)
            let previous = kind == .move
                ? OverrideRecord(id: "Q\(index)", start: at(Int64(index)), end: at(Int64(index) + 5), userID: "UA", deletePending: random.chance(0.2), target: random.chance(0.8) ? target : .customShift)
                : nil
            return PlanAction(
                kind: kind, start: at(Int64(index) + 1), end: at(Int64(index) + 9), userID: "UC", person: "Carol \u{1B}[31m", email: "c@example.com",
                overrideID: kind == .create ? nil : "Q\(index)", reason: random.chance(0.5) ? .noLongerDesired(.swap, inProgress: false) : nil, target: target,
                previous: previous, replacedPerson: target == .schedule || !random.chance(0.8) ? nil : "Bob \n Brown", previousPerson: previous == nil ? nil : "Ana"
            )
        }
        var destination = DestinationPlan(
            name: "d", connection: "acme", destinationSchedule: "P1", timeZone: "Europe/Berlin", watermarkBefore: nil, watermarkAfter: at(48),
            actions: actions, liveFingerprint: "f"
        )
        destination.scheduleKind = random.pick([nil, .shiftBased, .layerBased])
        destination.notes = random.chance(0.5) ? ["rotation R2 stays on call \u{7}", "another"] : []
        return Plan(now: now, destinations: [destination], stateLineage: "L", stateSerial: 4)
    }

    @Test("decode(encode(plan)) == plan with every target, moves with their previous override, kinds and notes", arguments: 0..<3)
    func roundTrip(_ seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed) &* 7_193 &+ 5)
        for _ in 0..<100 {
            let plan = Self.plan(&random)
            #expect(try PlanFile.decode(Array(PlanFile.encode(plan, configurationDirectory: ".").utf8)).plan == plan)
        }
    }

    @Test("a plan with anything of a shift-based schedule is file_version 3 (a Handoff that reads only 2 refuses it); others stay 2")
    func versions() throws {
        let plain = Plan(
            now: Self.now,
            destinations: [DestinationPlan(
                name: "d", connection: "acme", destinationSchedule: "P1", timeZone: "UTC", watermarkBefore: nil, watermarkAfter: nil,
                actions: [PlanAction(kind: .create, start: Self.at(1), end: Self.at(2), userID: "U", person: "P", email: "e")], liveFingerprint: "f"
            )],
            stateLineage: nil, stateSerial: 0
        )
        let plainText = PlanFile.encode(plain, configurationDirectory: ".")
        #expect(plainText.contains("\"file_version\": 2") && !plainText.contains("target") && !plainText.contains("schedule_kind"))
        var shiftBased = plain
        shiftBased.destinations[0].actions[0].target = .customShift
        let shiftText = PlanFile.encode(shiftBased, configurationDirectory: ".")
        #expect(shiftText.contains("\"file_version\": 3") && shiftText.contains("\"kind\": \"custom_shift\""))
        #expect(try PlanFile.decode(Array(shiftText.utf8)).plan == shiftBased)
        // A later version is refused with one sentence.
        let later = shiftText.replacingOccurrences(of: "\"file_version\": 3", with: "\"file_version\": 4")
        do {
            _ = try PlanFile.decode(Array(later.utf8))
            Issue.record("a file_version 4 plan was read")
        } catch {
            #expect("\(error)" == "it was saved by a later Handoff (file_version 4); apply it with that Handoff or make a new plan with this one")
        }
    }

    @Test("a saved plan from before targets (file_version 2, no target, previous, kind or notes) still reads, with whole-schedule targets")
    func oldFileReads() throws {
        let old = #"{"kind": "handoff-plan", "format_version": "1", "file_version": 2, "now": "2026-11-23T10:00:00Z", "configuration": ".", "state": {"lineage": "L", "serial": 1}, "frozen_changes": [], "destinations": [{"name": "d", "connection": "acme", "pagerduty_schedule": "P1", "time_zone": "UTC", "interrupted_deletes": {"done": [], "withdrawn": []}, "watermark": {"before": null, "after": null}, "observed_window": null, "live_fingerprint": "f", "handovers": [], "actions": [{"action": "delete", "start": "2026-11-24T10:00:00Z", "end": "2026-11-25T10:00:00Z", "person": "P", "email": "e", "pagerduty_user": "U", "override_id": "Q1"}]}]}"#
        let plan = try PlanFile.decode(Array(old.utf8)).plan
        let destination = try #require(plan.destinations.first)
        #expect(destination.scheduleKind == nil && destination.notes.isEmpty)
        #expect(destination.actions.map(\.target) == [.schedule] && destination.actions.first?.previous == nil)
    }
}
