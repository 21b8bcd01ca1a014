import Foundation
import HandoffConfig
import HandoffImport
import HandoffTime
import PagerDuty
import Testing

/// A roster change on a shift-based schedule: one event of a rotation stops (`effective_until`)
/// and a successor in the same rotation takes effect (`effective_since`). Where the successor
/// continues the pattern it is a `rotation.changes` entry; where it cannot be one, what is
/// written is said in comments. Also the recurrences a rotation cannot say (`FREQ=HOURLY`,
/// `RDATE`) and the rotation a destination of a several-rotation schedule names.
@Suite("Import of shift-based schedules: successor events and several rotations")
struct ShiftBasedImportSuccessorTests {
    typealias Mapping = ShiftBasedImportMappingTests

    /// Alice and Bob weekly from Monday 5 October 09:00 Berlin, stopping Monday 2 November 09:00
    /// (08:00 UTC, after the end of daylight saving time).
    static let first = Mapping.event(id: "EV1", members: members(["ALICE", "BOB"]), until: "2026-11-02T08:00:00Z")

    static func members(_ ids: [String]) -> String {
        "[" + ids.map { #"{"type": "user_member", "user_id": "\#($0)"}"# }.joined(separator: ", ") + "]"
    }

    static func loads(_ text: String) throws {
        let loaded = try ImportTests().load(text, url: "http://127.0.0.1:9")
        #expect(loaded.diagnostics.filter { $0.severity == .error }.isEmpty, "\(loaded.diagnostics.map(\.description))\n\(text)")
    }

    @Test("a successor counting its turns from the same start is a change from the first handoff at its effective_since, its members listed from the one PagerDuty puts on call then")
    func sameStart() throws {
        // PagerDuty counts the successor's turns from 5 October: the turn of 2 November is its
        // fifth, Bob's (carol, bob, alice, carol, bob).
        let second = Mapping.event(id: "EV2", members: Self.members(["CAROL", "BOB", "ALICE"]), since: "2026-11-02T08:00:00Z")
        let text = try Mapping.text(rotations: [[Self.first, second]])
        #expect(text.contains("""
              # Event "Event EV1" (EV1) of rotation ROT1 of PagerDuty schedule PSHIFT1.
              # Event "Event EV2" (EV2) follows it from 2026-11-02T08:00:00Z in PagerDuty: the change from 2026-11-02T09:00.
              # Note: the change lists its members from the one PagerDuty puts on call at 2026-11-02T09:00 (PagerDuty's order: carol, bob, alice).
              team:
                time_zone: Europe/Berlin
                rotation:
                  members: [alice, bob]
                  start: 2026-10-05T09:00
                  turn: 1w
                  changes:
                    - { from: 2026-11-02T09:00, members: [bob, alice, carol] }
                horizon: 8w

            destinations:
              team-pd: { schedule: team, connection: acme, pagerduty_schedule: PSHIFT1 }

            """), "\(text)")
        #expect(!text.contains("effective_until") && !text.contains("Not imported"), "the rotation does not stop: \(text)")
        #expect(text.contains("  carol: { name: Carol, email: carol@example.com }\n"), "\(text)")
        try Self.loads(text)
    }

    @Test("a successor starting at the handoff keeps PagerDuty's order; one with another turn length says it; its own end is the schedule's")
    func freshStart() throws {
        let second = Mapping.event(
            id: "EV2", start: "2026-11-02T09:00:00+01:00", end: "2026-11-16T09:00:00+01:00", recurrence: ["RRULE:FREQ=WEEKLY;INTERVAL=2"],
            members: Self.members(["CAROL", "BOB"]), since: "2026-11-02T08:00:00Z", until: "2027-03-01T08:00:00Z"
        )
        let text = try Mapping.text(rotations: [[Self.first, second]])
        #expect(text.contains("      - { from: 2026-11-02T09:00, members: [carol, bob], turn: 2w }\n"), "\(text)")
        #expect(!text.contains("PagerDuty's order"), "\(text)")
        #expect(text.contains("  # Note: it stops at 2027-03-01T08:00:00Z in PagerDuty (effective_until), and Handoff has no end for a rotation: remove this schedule then.\n"), "\(text)")
        #expect(!text.contains("2026-11-02T08:00:00Z in PagerDuty (effective_until)"), "\(text)")
        try Self.loads(text)
    }

    @Test("a successor after a gap the coverage does not reach (a weekend) is a change; the first handoff after the stop is its from")
    func gapOutsideCoverage() throws {
        let hours = (end: "2026-10-05T17:00:00+02:00", recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"])
        let first = Mapping.event(id: "EV1", end: hours.end, recurrence: hours.recurrence, members: Self.members(["ALICE", "BOB"]), perMember: 5, until: "2026-10-30T16:00:00Z")
        let second = Mapping.event(id: "EV2", end: hours.end, recurrence: hours.recurrence, members: Self.members(["CAROL", "ALICE"]), perMember: 5, since: "2026-11-02T08:00:00Z")
        let text = try Mapping.text(rotations: [[first, second]])
        // Turn 4 of the successor (counted from 5 October) is Carol's: carol, alice, carol, alice, carol.
        #expect(text.contains("      - { from: 2026-11-02T09:00, members: [carol, alice] }\n    coverage:\n      - { days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"17:00\" }\n"), "\(text)")
        try Self.loads(text)
    }

    @Test("a successor after a gap, one handed over in the middle of a turn, and one whose turns start elsewhere stay schedules of their own, said on both")
    func notChanges() throws {
        let cases: [(String, String, String)] = [
            (
                Mapping.event(id: "EV2", start: "2026-11-02T09:00:00+01:00", end: "2026-11-09T09:00:00+01:00", members: Self.members(["CAROL", "BOB"]), since: "2026-11-03T08:00:00Z"),
                Self.first,
                "PagerDuty has nobody of this rotation on call between the events (from 2026-11-02T08:00:00Z to 2026-11-03T08:00:00Z), and a Handoff rotation has no gap"
            ),
            (
                Mapping.event(id: "EV2", members: Self.members(["CAROL", "BOB"]), since: "2026-11-04T08:00:00Z"),
                Mapping.event(id: "EV1", members: Self.members(["ALICE", "BOB"]), until: "2026-11-04T08:00:00Z"),
                "PagerDuty hands over to it at 2026-11-04T08:00:00Z, in the middle of a turn, and a change takes effect at a handoff (2026-11-09T09:00)"
            ),
            (
                Mapping.event(id: "EV2", start: "2026-10-06T09:00:00+02:00", end: "2026-10-13T09:00:00+02:00", members: Self.members(["CAROL", "BOB"]), since: "2026-11-02T08:00:00Z"),
                Self.first,
                "its turns start at 2026-10-06T09:00 and every 7 days after, not at 2026-11-02T09:00, the first handoff of the rotation after 2026-11-02T08:00:00Z, where a change takes effect"
            ),
        ]
        for (second, first, reason) in cases {
            let text = try Mapping.text(rotations: [[first, second]])
            #expect(!text.contains("changes:"), "\(reason): \(text)")
            #expect(text.contains("  # Note: it follows event \"Event EV1\" (EV1) from "), "\(text)")
            #expect(text.contains(", but is not a change of that schedule: \(reason); it is a schedule of its own here.\n"), "\(reason): \(text)")
            #expect(text.contains("  # Note: event \"Event EV2\" (EV2) of rotation ROT1 follows it from "), "\(text)")
            #expect(text.contains("in PagerDuty, and is the schedule team-2 of its own here: \(reason).\n"), "\(text)")
            #expect(text.contains("(effective_until), and Handoff has no end for a rotation: remove this schedule then.\n"), "\(text)")
            #expect(text.components(separatedBy: "pagerduty_schedule: PSHIFT1").count == 2, "one destination: \(text)")
            try Self.loads(text)
        }
    }

    @Test("FREQ=HOURLY, FREQ=MONTHLY and RDATE lines are named with the reason, never written as a rotation")
    func refusedRules() throws {
        let cases: [([String], String)] = [
            (["RRULE:FREQ=HOURLY;INTERVAL=8"], "its RRULE repeats with FREQ=HOURLY, and a Handoff rotation repeats daily or weekly only"),
            (["RRULE:FREQ=MONTHLY;BYMONTHDAY=1"], "its RRULE uses BYMONTHDAY, which a Handoff rotation cannot say"),
            (["RRULE:FREQ=MONTHLY"], "its RRULE repeats with FREQ=MONTHLY, and a Handoff rotation repeats daily or weekly only"),
            (["RRULE:FREQ=WEEKLY", "RDATE;TZID=Europe/Berlin:20261028T090000"], "PagerDuty adds occurrences to it at dates of their own (1 RDATE line), which a Handoff rotation cannot say"),
        ]
        for (recurrence, reason) in cases {
            let text = try Mapping.text(rotations: [[Mapping.event(recurrence: recurrence)]])
            #expect(text.contains("  # Not imported: \(reason); a Handoff rotation cannot say it exactly.\n"), "\(text)")
            #expect(text.contains("  #   recurrence: \(recurrence[0])\n"), "\(text)")
            #expect(!text.contains("destinations:") && !text.contains("\n  team:\n"), "\(text)")
            try Self.loads(text)
        }
    }

    @Test("a destination of a schedule with several rotations names its rotation; one of a single rotation does not")
    func severalRotations() throws {
        let apart = try Mapping.text(rotations: [
            [Mapping.event(id: "EV1", end: "2026-10-05T17:00:00+02:00", recurrence: ["RRULE:FREQ=DAILY"])],
            [Mapping.event(id: "EV2", start: "2026-10-05T17:00:00+02:00", end: "2026-10-06T09:00:00+02:00", recurrence: ["RRULE:FREQ=DAILY"])],
        ])
        #expect(apart.contains("""
            destinations:
              team-event-ev1-pd: { schedule: team-event-ev1, connection: acme, pagerduty_schedule: PSHIFT1, pagerduty_rotation: ROT1 }
              team-event-ev2-pd: { schedule: team-event-ev2, connection: acme, pagerduty_schedule: PSHIFT1, pagerduty_rotation: ROT2 }

            """), "\(apart)")
        try Self.loads(apart)
        let one = try Mapping.text(rotations: [[Mapping.event()]])
        #expect(!one.contains("pagerduty_rotation"), "\(one)")
        // A rotation id longer than `pagerduty_rotation` takes: no destination, said so.
        let long = String(repeating: "R", count: 201)
        let tooLong = try Mapping.text(
            rotations: [
                [Mapping.event(id: "EV1", end: "2026-10-05T17:00:00+02:00", recurrence: ["RRULE:FREQ=DAILY"])],
                [Mapping.event(id: "EV2", start: "2026-10-05T17:00:00+02:00", end: "2026-10-06T09:00:00+02:00", recurrence: ["RRULE:FREQ=DAILY"])],
            ],
            rotationIDs: [long, "ROT2"]
        )
        #expect(tooLong.contains("  # Note: its rotation's id is longer than the 200 characters `pagerduty_rotation` takes: it has no destination.\n"), "\(tooLong)")
        #expect(!tooLong.contains(long + " }") && tooLong.contains("pagerduty_rotation: ROT2 }"), "\(tooLong)")
        try Self.loads(tooLong)
    }
}
