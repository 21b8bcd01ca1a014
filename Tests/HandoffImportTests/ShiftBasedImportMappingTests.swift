import Foundation
import HandoffConfig
import HandoffImport
import HandoffTime
import PagerDuty
import Testing

/// The mapping of shift-based events to configuration, case by case: what is said exactly, and
/// each thing that is named in a comment instead (never dropped silently).
@Suite("Import of shift-based schedules: the mapping")
struct ShiftBasedImportMappingTests {
    static let now = Instant(rfc3339: "2026-10-12T00:00:00Z") ?? Instant(secondsSinceEpoch: 0)
    static let users = Dictionary(uniqueKeysWithValues: ["alice", "bob", "carol"].map { ($0.uppercased(), PagerDutyUser(id: $0.uppercased(), name: $0.capitalized, email: "\($0)@example.com")) })

    /// An event as PagerDuty sends it: first occurrence Monday 5 October 2026, 09:00 in Berlin.
    static func event(
        id: String = "EV1", start: String = "2026-10-05T09:00:00+02:00", end: String = "2026-10-12T09:00:00+02:00", zone: String = "Europe/Berlin",
        recurrence: [String] = ["RRULE:FREQ=WEEKLY"], strategy: String = "rotating_member_assignment_strategy", members: String = #"[{"type": "user_member", "user_id": "ALICE"}, {"type": "user_member", "user_id": "BOB"}]"#,
        perMember: Int = 1, since: String = "2026-09-01T00:00:00Z", until: String? = nil
    ) -> String {
        let recurrenceJSON = "[" + recurrence.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        return """
            {"id": "\(id)", "name": "Event \(id)", "start_time": {"date_time": "\(start)", "time_zone": "\(zone)"}, "end_time": {"date_time": "\(end)", "time_zone": "\(zone)"},
             "effective_since": "\(since)", \(until.map { "\"effective_until\": \"\($0)\"," } ?? "") "recurrence": \(recurrenceJSON),
             "assignment_strategy": {"type": "\(strategy)", "members": \(members), "shifts_per_member": \(perMember)}}
            """
    }

    static func text(rotations: [[String]], rotationIDs: [String]? = nil, customShifts: String = "[]", overrides: String = "[]") throws -> String {
        let rotationJSON = rotations.enumerated().map { index, events in
            let rotationID = rotationIDs?[index] ?? "ROT\(index + 1)"
            return #"{"id": "\#(rotationID)", "events": [\#(events.joined(separator: ", "))]}"#
        }
        let schedule = #"{"id": "PSHIFT1", "type": "schedule_v3", "name": "Team", "time_zone": "Europe/Berlin", "rotations": [\#(rotationJSON.joined(separator: ", "))]}"#
        let decoder = JSONDecoder()
        let item = ShiftBasedImport(
            schedule: try decoder.decode(PagerDutyV3Schedule.self, from: Data(schedule.utf8)),
            customShifts: try decoder.decode([PagerDutyCustomShift].self, from: Data(customShifts.utf8)),
            overrides: try decoder.decode([PagerDutyOverrideShift].self, from: Data(overrides.utf8))
        )
        let source = ImportSource(schedules: [], shiftBased: [item], users: users)
        let documents = try ImportWriter.documents(source, context: ImportWriter.Context(connection: "acme", users: users, now: now), split: false)
        return documents[0].text
    }

    // MARK: - Exact

    @Test("a weekly event around the clock is a rotation with the event's members, start, turn and zone, and a destination")
    func weekly() throws {
        let text = try Self.text(rotations: [[Self.event()]])
        #expect(text.contains("""
              # Event "Event EV1" (EV1) of rotation ROT1 of PagerDuty schedule PSHIFT1.
              team:
                time_zone: Europe/Berlin
                rotation: { members: [alice, bob], start: 2026-10-05T09:00, turn: 1w }
                horizon: 8w
            """), "\(text)")
        #expect(text.contains("  team-pd: { schedule: team, connection: acme, pagerduty_schedule: PSHIFT1 }\n"))
        #expect(!text.contains("Not imported") && !text.contains("Note:"), "\(text)")
    }

    @Test("weekdays with a member per week, a daily window across midnight, and two-week turns are exact rotations with coverage")
    func windows() throws {
        let weekdays = try Self.text(rotations: [[Self.event(end: "2026-10-05T17:00:00+02:00", recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"], perMember: 5)]])
        #expect(weekdays.contains("rotation: { members: [alice, bob], start: 2026-10-05T09:00, turn: 1w }\n    coverage:\n      - { days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"17:00\" }\n"), "\(weekdays)")
        let nights = try Self.text(rotations: [[Self.event(start: "2026-10-05T22:00:00+02:00", end: "2026-10-06T06:00:00+02:00", recurrence: ["RRULE:FREQ=DAILY"], perMember: 2)]])
        #expect(nights.contains("rotation: { members: [alice, bob], start: 2026-10-05T22:00, turn: 2d }\n    coverage:\n      - { from: \"22:00\", to: \"06:00\" }\n"), "\(nights)")
        let fortnights = try Self.text(rotations: [[Self.event(end: "2026-10-19T09:00:00+02:00", recurrence: ["RRULE:FREQ=WEEKLY;INTERVAL=2"])]])
        #expect(fortnights.contains("rotation: { members: [alice, bob], start: 2026-10-05T09:00, turn: 2w }\n    horizon: 8w\n"), "\(fortnights)")
        let fourWeeks = try Self.text(rotations: [[Self.event(end: "2026-11-02T09:00:00+01:00", recurrence: ["RRULE:FREQ=WEEKLY;INTERVAL=4"])]])
        #expect(fourWeeks.contains("rotation: { members: [alice, bob], start: 2026-10-05T09:00, turn: 4w }\n    horizon: 8w\n"), "across the DST change, 4 weeks of wall clock: \(fourWeeks)")
    }

    // MARK: - Named in a comment

    @Test("recurrences a rotation cannot say are written as a comment with the reason, and no schedule or destination")
    func refused() throws {
        let cases: [(String, String)] = [
            (Self.event(recurrence: ["RRULE:FREQ=MONTHLY"]), "its RRULE repeats with FREQ=MONTHLY, and a Handoff rotation repeats daily or weekly only"),
            (Self.event(end: "2026-10-05T17:00:00+02:00", recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"], perMember: 1), "each member holds 1 of its 5 occurrences a week, so its turns are not all of one length"),
            (Self.event(end: "2026-10-05T17:00:00+02:00", recurrence: ["RRULE:FREQ=WEEKLY;INTERVAL=2"]), "it covers 480 minutes every 14 days, which no weekly coverage can say"),
            (Self.event(recurrence: ["RRULE:FREQ=WEEKLY;BYMONTH=1"]), "its RRULE uses BYMONTH, which a Handoff rotation cannot say"),
            (Self.event(strategy: "every_member_assignment_strategy"), "all 2 of its members are on call at once (every_member_assignment_strategy)"),
            (Self.event(members: #"[{"type": "user_member", "user_id": "ALICE"}, {"type": "empty_member"}]"#), "it has a vacant seat (an unassigned member)"),
            (Self.event(end: "2026-10-20T09:00:00+02:00"), "its occurrences overlap each other"),
            (Self.event(members: "[" + Array(repeating: #"{"type": "user_member", "user_id": "ALICE"}"#, count: 21).joined(separator: ", ") + "]"), "it has 21 members, more than the 20 PagerDuty allows"),
        ]
        for (event, reason) in cases {
            let text = try Self.text(rotations: [[event]])
            #expect(text.contains("  # Not imported: \(reason)"), "\(reason): \(text)")
            #expect(!text.contains("destinations:") && !text.contains("\n  team:\n"), "\(text)")
            // What is left still loads: nothing but comments under `schedules:`.
            let loaded = try ImportTests().load(text, url: "http://127.0.0.1:9")
            #expect(loaded.diagnostics.filter { $0.severity == .error }.isEmpty, "\(loaded.diagnostics.map(\.description))")
        }
    }

    @Test("EXDATE, an end of the rule, a future effective_until and one already passed are named; the schedule stays where it is exact otherwise")
    func notes() throws {
        let exdate = try Self.text(rotations: [[Self.event(recurrence: ["RRULE:FREQ=WEEKLY;COUNT=20", "EXDATE;TZID=Europe/Berlin:20261026T090000"])]])
        #expect(exdate.contains("  # Note: its recurrence ends after 20 occurrences (COUNT) in PagerDuty, and Handoff has no end for a rotation: remove this schedule then.\n"), "\(exdate)")
        #expect(exdate.contains("  # Note: PagerDuty skips 1 occurrence (EXDATE 20261026T090000), which this rotation does not.\n"), "\(exdate)")
        #expect(exdate.contains("  team-pd:"))
        let until = try Self.text(rotations: [[Self.event(until: "2026-12-01T00:00:00Z")]])
        #expect(until.contains("  # Note: it stops at 2026-12-01T00:00:00Z in PagerDuty (effective_until), and Handoff has no end for a rotation: remove this schedule then.\n"), "\(until)")
        let ended = try Self.text(rotations: [[Self.event(until: "2026-10-01T00:00:00Z")]])
        #expect(ended.contains("# Not imported: event \"Event EV1\" (EV1) of rotation ROT1 stopped at 2026-10-01T00:00:00Z.\n"), "\(ended)")
    }

    @Test("an event name and recurrence with line breaks and terminal escapes stay inside their comments, escaped")
    func hostile() throws {
        let event = Self.event(id: "EV1", recurrence: ["RRULE:FREQ=YEARLY\\nschedules: {}\\u001b[31m"]).replacingOccurrences(of: "\"Event EV1\"", with: #""Evil\nversion: 2\u001b]0;x\u0007""#)
        let text = try Self.text(rotations: [[event]])
        #expect(!text.unicodeScalars.contains { $0 != "\n" && $0.value < 0x20 }, "\(text.debugDescription)")
        #expect(text.contains(#"# Event "Evil\nversion: 2\e]0;x\a" (EV1)"#) || text.contains(#"# Event "Evil\nversion: 2\e]0;x\x07" (EV1)"#), "\(text)")
        #expect(!text.contains("\nversion: 2"))
    }

    @Test("two rotations on call at the same time: the second has no destination and says why; rotations that never meet both have one")
    func concurrentRotations() throws {
        let together = try Self.text(rotations: [[Self.event(id: "EV1")], [Self.event(id: "EV2")]])
        #expect(together.contains("  # Note: it may be on call at the same time as team-event-ev1 (PagerDuty puts both on call), and one PagerDuty schedule takes one Handoff schedule at a time: it has no destination.\n"), "\(together)")
        #expect(together.components(separatedBy: "pagerduty_schedule: PSHIFT1").count == 2, "\(together)")
        #expect(together.contains("# Note: its 2 rotations are separate schedules here; on a shift-based schedule an export replaces the on-call of one rotation, and the other rotations stay on call beside it.\n"), "\(together)")
        let apart = try Self.text(rotations: [
            [Self.event(id: "EV1", end: "2026-10-05T17:00:00+02:00", recurrence: ["RRULE:FREQ=DAILY"])],
            [Self.event(id: "EV2", start: "2026-10-05T17:00:00+02:00", end: "2026-10-06T09:00:00+02:00", recurrence: ["RRULE:FREQ=DAILY"])],
        ])
        #expect(apart.components(separatedBy: "pagerduty_schedule: PSHIFT1").count == 3, "\(apart)")
    }

    @Test("custom shifts: inside a schedule an assignment with the difference named, in a gap or vacant a comment; overrides are named")
    func customShiftsAndOverrides() throws {
        let shifts = """
            [{"id": "CS1", "start_time": "2026-10-20T08:00:00Z", "end_time": "2026-10-20T12:00:00Z", "assignments": [{"member": {"type": "user_member", "user_id": "CAROL"}}]},
             {"id": "CS2", "start_time": "2026-10-24T08:00:00Z", "end_time": "2026-10-24T12:00:00Z", "assignments": [{"member": {"type": "user_member", "user_id": "CAROL"}}]},
             {"id": "CS3", "start_time": "2026-10-21T08:00:00Z", "end_time": "2026-10-21T12:00:00Z", "assignments": [{"member": {"type": "empty_member"}}]}]
            """
        let overrides = #"[{"id": "OV1", "rotation_id": "ROT1", "start_time": "2026-10-22T08:00:00Z", "end_time": "2026-10-22T12:00:00Z", "overridden_member": {"type": "user_member", "user_id": "ALICE"}, "overriding_member": {"type": "user_member", "user_id": "BOB"}}]"#
        let text = try Self.text(
            rotations: [[Self.event(end: "2026-10-05T17:00:00+02:00", recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"], perMember: 5)]],
            customShifts: shifts, overrides: overrides
        )
        #expect(text.contains("""
                assignments:
                  # custom shift CS1 from 2026-10-20T08:00:00Z to 2026-10-20T12:00:00Z: PagerDuty adds this person beside whoever the rotation puts on call; here they take that time over.
                  - { person: carol, from: 2026-10-20T10:00, until: 2026-10-20T14:00 }
            """), "\(text)")
        #expect(text.contains("  carol: { name: Carol, email: carol@example.com }\n"), "\(text)")
        #expect(text.contains("# Not imported: custom shift CS2 from 2026-10-24T08:00:00Z to 2026-10-24T12:00:00Z for CAROL lies where no imported schedule covers all of it"), "\(text)")
        #expect(text.contains("# Not imported: custom shift CS3 from 2026-10-21T08:00:00Z to 2026-10-21T12:00:00Z has no single person (a vacant seat, or several members).\n"), "\(text)")
        #expect(text.contains("# Not imported: override OV1 from 2026-10-22T08:00:00Z to 2026-10-22T12:00:00Z (BOB for ALICE); overrides are what Handoff writes, so this one stays in PagerDuty as it is.\n"), "\(text)")
    }
}
