import Foundation
import HandoffConfig
import HandoffImport
import HandoffRota
import HandoffTestSupport
import HandoffTime
import PagerDuty
import PagerDutySandbox
import Testing

/// `handoff import` of shift-based (v3) schedules against the simulated PagerDuty: the rotations
/// it writes agree with what PagerDuty renders from the original events (its final schedule),
/// as the layer-based agreement test in `ImportTests` checks for layers.
@Suite("Import of shift-based schedules agrees with PagerDuty")
struct ShiftBasedImportAgreementTests {
    static let now = ImportTests.now
    static func at(_ text: String) -> Instant { ImportTests.at(text) }

    /// Three shift-based schedules whose next eight weeks cross the end of daylight saving time
    /// (Europe 25 October, North America 1 November): weekly handoffs around the clock, weekday
    /// business hours with a member per week, and nights handed over daily across midnight.
    static let seed = SandboxSeed(
        users: ImportTests.seed.users,
        schedules: [
            .init(name: "Platform shifts", timeZone: "Europe/Berlin", id: "PV3WEEK", type: "schedule_v3", rotations: [
                .init(events: [
                    .init(name: "Weekly", start: at("2026-10-05T07:00:00Z"), end: at("2026-10-12T07:00:00Z"), effectiveSince: at("2026-09-01T00:00:00Z"),
                          recurrence: ["RRULE:FREQ=WEEKLY"], members: ["alice@example.com", "bob@example.com", "carol@example.com"]),
                ]),
            ]),
            .init(name: "Payments days", timeZone: "America/New_York", id: "PV3DAYS", type: "schedule_v3", rotations: [
                .init(events: [
                    .init(name: "Weekdays", start: at("2026-10-07T13:00:00Z"), end: at("2026-10-07T21:00:00Z"),
                          recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"], members: ["dave@example.com", "erin@example.com"], shiftsPerMember: 5),
                ]),
            ]),
            .init(name: "Nights", timeZone: "Europe/Berlin", id: "PV3NITE", type: "schedule_v3", rotations: [
                .init(events: [
                    .init(name: "Nightly", start: at("2026-10-01T20:00:00Z"), end: at("2026-10-02T04:00:00Z"),
                          recurrence: ["RRULE:FREQ=DAILY"], members: ["bob@example.com", "carol@example.com"]),
                ]),
            ]),
        ]
    )

    static let ids = ["PV3WEEK", "PV3DAYS", "PV3NITE"]

    /// A roster change and a schedule of two rotations, across the same daylight-saving changes:
    /// `PV3ROST`'s weekly event (Alice, Bob, Carol) stops at the handoff of Monday 2 November
    /// and a successor with the same start and recurrence (Dave, Erin, Alice) takes effect there,
    /// so PagerDuty counts its turns from 5 October; `PV3TWO` has weekday business hours in one
    /// rotation and the nights in another.
    static let changeSeed = SandboxSeed(
        users: ImportTests.seed.users,
        schedules: [
            .init(name: "Roster", timeZone: "Europe/Berlin", id: "PV3ROST", type: "schedule_v3", rotations: [
                .init(events: [
                    .init(name: "Weekly", start: at("2026-10-05T07:00:00Z"), end: at("2026-10-12T07:00:00Z"), effectiveSince: at("2026-09-01T00:00:00Z"),
                          effectiveUntil: at("2026-11-02T08:00:00Z"), recurrence: ["RRULE:FREQ=WEEKLY"], members: ["alice@example.com", "bob@example.com", "carol@example.com"]),
                    .init(name: "Weekly from November", start: at("2026-10-05T07:00:00Z"), end: at("2026-10-12T07:00:00Z"), effectiveSince: at("2026-11-02T08:00:00Z"),
                          recurrence: ["RRULE:FREQ=WEEKLY"], members: ["dave@example.com", "erin@example.com", "alice@example.com"]),
                ]),
            ]),
            .init(name: "Two rotations", timeZone: "America/New_York", id: "PV3TWO", type: "schedule_v3", rotations: [
                .init(events: [
                    .init(name: "Business hours", start: at("2026-10-05T13:00:00Z"), end: at("2026-10-05T21:00:00Z"),
                          recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"], members: ["dave@example.com", "erin@example.com"], shiftsPerMember: 5),
                ]),
                .init(events: [
                    .init(name: "Nights", start: at("2026-10-05T21:00:00Z"), end: at("2026-10-06T13:00:00Z"),
                          recurrence: ["RRULE:FREQ=DAILY"], members: ["bob@example.com", "carol@example.com"]),
                ]),
            ]),
        ]
    )
    static let window = InstantRange(start: now, end: now.adding(seconds: 8 * 7 * 86_400))

    func imported(_ sandbox: SandboxHarness, ids: [String]) async throws -> (ImportSource, [ImportWriter.Document]) {
        try await sandbox.withClient { client in
            let source = try await ImportSource.fetch(ids, client: client, now: Self.now)
            let context = ImportWriter.Context(connection: "acme", users: source.users, now: Self.now)
            return (source, try ImportWriter.documents(source, context: context, split: false))
        }
    }

    /// Who Handoff's rotation engine puts on call for the destinations of PagerDuty schedule `id`.
    static func ours(_ configuration: Configuration, id: String) throws -> [ImportTests.Stretch] {
        let emails = Dictionary(uniqueKeysWithValues: configuration.people.map { ($0.key, $0.email) })
        var stretches: [ImportTests.Stretch] = []
        for destination in configuration.destinations where destination.pagerDutySchedule == id {
            let schedule = try #require(configuration.schedule(named: destination.schedule))
            stretches += RotaExpander.expand(schedule, over: window).shifts.map { .init(start: $0.start, end: $0.end, email: emails[$0.person] ?? $0.person) }
        }
        return ImportTests.joined(stretches)
    }

    /// PagerDuty's own final schedule of `id` over the window, by source kind.
    static func theirs(_ client: PagerDutyClient, id: String, users: [String: PagerDutyUser]) async throws -> (rotation: [ImportTests.Stretch], custom: [ImportTests.Stretch]) {
        let rendered = try await client.v3Schedule(id: id, rendering: window)
        var rotation: [ImportTests.Stretch] = []
        var custom: [ImportTests.Stretch] = []
        for entry in rendered.finalSchedule?.computedShiftAssignments ?? [] {
            guard let user = entry.member.userID, let email = users[user]?.email else { continue }
            let stretch = ImportTests.Stretch(start: max(entry.start, window.start), end: min(entry.end, window.end), email: email)
            if case .customShift = entry.source.kind { custom.append(stretch) } else { rotation.append(stretch) }
        }
        return (rotation, custom)
    }

    static func firstDifference(_ actual: [ImportTests.Stretch], _ expected: [ImportTests.Stretch]) -> String {
        zip(actual, expected).first { $0 != $1 }.map { "\($0) ≠ \($1)" } ?? "counts \(actual.count) and \(expected.count)"
    }

    @Test("every imported shift-based schedule puts the same person on call as PagerDuty's final schedule for 8 weeks across daylight-saving changes")
    func agreement() async throws {
        try await SandboxHarness.with(now: Self.now, seed: Self.seed) { sandbox in
            let (source, documents) = try await imported(sandbox, ids: Self.ids)
            let loaded = try ImportTests().load(documents[0].text, url: sandbox.baseURL)
            #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.description))")
            let configuration = try #require(loaded.configuration)
            #expect(configuration.destinations.count == 3)
            #expect(!documents[0].text.contains("Not imported"), "\(documents[0].text)")
            try await sandbox.withClient { client in
                for id in Self.ids {
                    let (rotation, custom) = try await Self.theirs(client, id: id, users: source.users)
                    #expect(custom.isEmpty)
                    let expected = ImportTests.joined(rotation)
                    let actual = try Self.ours(configuration, id: id)
                    #expect(expected.count > 8, "\(id): PagerDuty renders too little: \(expected)")
                    // PagerDuty renders one person at a time here, so equal joined stretches are the
                    // same person on call at every instant.
                    #expect(actual == expected, "\(id): first difference: \(Self.firstDifference(actual, expected))")
                }
            }
        }
    }

    @Test("a successor event is a rotation change and a schedule of two rotations two destinations naming them, each agreeing with PagerDuty's final schedule for 8 weeks")
    func successorAndTwoRotations() async throws {
        try await SandboxHarness.with(now: Self.now, seed: Self.changeSeed) { sandbox in
            let ids = ["PV3ROST", "PV3TWO"]
            let (source, documents) = try await imported(sandbox, ids: ids)
            let text = documents[0].text
            let loaded = try ImportTests().load(text, url: sandbox.baseURL)
            #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.description))")
            let configuration = try #require(loaded.configuration)
            #expect(!text.contains("Not imported"), "\(text)")
            // One schedule for the roster, its change from the handoff of 2 November: the fifth
            // turn counted from 5 October is Erin's (dave, erin, alice, dave, erin).
            #expect(text.contains("      - { from: 2026-11-02T09:00, members: [erin, alice, dave] }\n"), "\(text)")
            #expect(configuration.destinations.filter { $0.pagerDutySchedule == "PV3ROST" }.map(\.pagerDutyRotation) == [nil], "\(text)")
            let rotations = try await sandbox.withClient { client in try await client.v3Schedule(id: "PV3TWO").rotations.map(\.id) }
            #expect(configuration.destinations.filter { $0.pagerDutySchedule == "PV3TWO" }.compactMap(\.pagerDutyRotation).sorted() == rotations.sorted(), "\(text)")
            try await sandbox.withClient { client in
                for id in ids {
                    let (rotation, custom) = try await Self.theirs(client, id: id, users: source.users)
                    #expect(custom.isEmpty)
                    let expected = ImportTests.joined(rotation.sorted { ($0.start, $0.end) < ($1.start, $1.end) })
                    let actual = try Self.ours(configuration, id: id)
                    #expect(expected.count > 8, "\(id): PagerDuty renders too little: \(expected)")
                    #expect(actual == expected, "\(id): first difference: \(Self.firstDifference(actual, expected))")
                }
                // PagerDuty's own change: Erin on call from 2 November 09:00 Berlin.
                let (rotation, _) = try await Self.theirs(client, id: "PV3ROST", users: source.users)
                #expect(rotation.contains { $0.start == Self.at("2026-11-02T08:00:00Z") && $0.email == "erin@example.com" }, "\(rotation)")
            }
        }
    }

    @Test("a custom shift inside the rotation becomes an assignment: its person is on call for it, the rotation elsewhere, and PagerDuty's second on-call is named")
    func customShiftAssignment() async throws {
        try await SandboxHarness.with(now: Self.now, seed: Self.seed) { sandbox in
            // Erin takes Tuesday 3 November 10:00–14:00 UTC on the weekly rotation; a Saturday
            // custom shift on the weekday schedule lies where that schedule covers nothing.
            let inside = NewCustomShift(start: Self.at("2026-11-03T10:00:00Z"), end: Self.at("2026-11-03T14:00:00Z"), member: .user(id: "PUERIN"))
            let outside = NewCustomShift(start: Self.at("2026-11-07T14:00:00Z"), end: Self.at("2026-11-07T18:00:00Z"), member: .user(id: "PUALICE"))
            try await sandbox.withClient { client in
                let first = try await client.createV3CustomShifts(scheduleID: "PV3WEEK", [inside])
                let second = try await client.createV3CustomShifts(scheduleID: "PV3DAYS", [outside])
                guard case .created = first, case .created = second else {
                    Issue.record("custom shifts not created: \(first), \(second)")
                    return
                }
            }
            let (source, documents) = try await imported(sandbox, ids: ["PV3WEEK", "PV3DAYS"])
            let text = documents[0].text
            #expect(text.contains("    assignments:\n"), "\(text)")
            #expect(text.contains("PagerDuty adds this person beside whoever the rotation puts on call; here they take that time over."), "\(text)")
            #expect(text.contains("      - { person: erin, from: 2026-11-03T11:00, until: 2026-11-03T15:00 }\n"), "\(text)")
            #expect(text.contains("from 2026-11-07T14:00:00Z to 2026-11-07T18:00:00Z for PUALICE lies where no imported schedule covers all of it"), "\(text)")
            let loaded = try ImportTests().load(text, url: sandbox.baseURL)
            #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.description))")
            let configuration = try #require(loaded.configuration)
            try await sandbox.withClient { client in
                let (rotation, custom) = try await Self.theirs(client, id: "PV3WEEK", users: source.users)
                #expect(custom == [ImportTests.Stretch(start: inside.start, end: inside.end, email: "erin@example.com")])
                // PagerDuty: the rotation's person and Erin both during the custom shift. Handoff:
                // Erin there (as the override its export writes makes it), the rotation elsewhere.
                var expected: [ImportTests.Stretch] = []
                for stretch in rotation {
                    if stretch.start < inside.start { expected.append(.init(start: stretch.start, end: min(stretch.end, inside.start), email: stretch.email)) }
                    if inside.end < stretch.end { expected.append(.init(start: max(stretch.start, inside.end), end: stretch.end, email: stretch.email)) }
                }
                expected = ImportTests.joined(expected + custom)
                let actual = try Self.ours(configuration, id: "PV3WEEK")
                #expect(actual == expected, "first difference: \(Self.firstDifference(actual, expected))")
                #expect(rotation.contains { $0.start <= inside.start && inside.end <= $0.end && $0.email != "erin@example.com" }, "PagerDuty has a second person on call then")
            }
        }
    }
}
