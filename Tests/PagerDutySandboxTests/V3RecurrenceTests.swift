import Foundation
import HTTPTypes
import HandoffTestSupport
import HandoffTime
import OrderedJSON
@testable import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

/// RRULE frequencies beyond DAILY and WEEKLY, RDATE, the bounds of expansion, and the upgrade
/// of sub-day layers (checklist rows 12, 13 and 23), with DST in Europe/Berlin 2026 (clocks go
/// forward on 29 March, back on 25 October).
@Suite("Simulated PagerDuty: v3 recurrences (MONTHLY, HOURLY, RDATE) and sub-day upgrades")
struct V3RecurrenceTests {
    /// An event of `members` starting at `start` for `seconds`, effective from its start.
    private static func event(start: String, seconds: Int64 = 3600, zone: String = "Europe/Berlin", members: [String] = ["A"]) -> SandboxV3Event {
        SandboxV3Event(
            id: "E", name: "n", start: at(start), end: at(start).adding(seconds: seconds), timeZone: zone, effectiveSince: at(start), effectiveUntil: nil,
            recurrence: [], everyMember: false, members: members.map { SandboxV3Member(userID: $0) }, shiftsPerMember: 1)
    }

    /// `start end member` lines (UTC) of the occurrences of `lines` over `since`–`until`.
    private static func expand(
        _ event: SandboxV3Event, _ lines: [String], since: String, until: String, fixedUTC: Bool = false, limit: Int = V3Expansion.maximumOccurrences
    ) throws -> [String] {
        let zone = try #require(Zone(identifier: event.timeZone))
        let rule = try V3Recurrence.parse(lines, zone: zone).get()
        let window = InstantRange(start: at(since), end: at(until))
        return V3Expansion.occurrences(of: event, rule: rule, window: window, fixedUTC: fixedUTC, limit: limit).map { occurrence in
            let member = V3Expansion.members(of: event, occurrence: occurrence.index).first?.userID ?? "-"
            return "\(occurrence.range.start) \(occurrence.range.end) \(member)"
        }
    }

    private static func starts(_ lines: [String]) -> [String] { lines.map { String($0.prefix(20)) } }

    // MARK: - Each frequency across DST

    @Test("DAILY and WEEKLY keep their local hour across both 2026 changes in Berlin; the fixed-UTC switch keeps the UTC hour")
    func dailyAndWeeklyAcrossDST() throws {
        let daily = Self.event(start: "2026-03-27T08:00:00Z")
        #expect(Self.starts(try Self.expand(daily, ["RRULE:FREQ=DAILY"], since: "2026-03-27T00:00:00Z", until: "2026-03-31T00:00:00Z")) == [
            "2026-03-27T08:00:00Z", "2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z",
        ])
        #expect(Self.starts(try Self.expand(daily, ["RRULE:FREQ=DAILY"], since: "2026-03-27T00:00:00Z", until: "2026-03-31T00:00:00Z", fixedUTC: true)) == [
            "2026-03-27T08:00:00Z", "2026-03-28T08:00:00Z", "2026-03-29T08:00:00Z", "2026-03-30T08:00:00Z",
        ])
        // Saturday 24 October 10:00 CEST, then weekends at 10:00 local.
        let weekly = Self.event(start: "2026-10-24T08:00:00Z")
        #expect(Self.starts(try Self.expand(weekly, ["RRULE:FREQ=WEEKLY;BYDAY=SA,SU"], since: "2026-10-20T00:00:00Z", until: "2026-11-02T00:00:00Z")) == [
            "2026-10-24T08:00:00Z", "2026-10-25T09:00:00Z", "2026-10-31T09:00:00Z", "2026-11-01T09:00:00Z",
        ])
    }

    @Test("MONTHLY: the start's day, a month without it skipped (not counted by COUNT), BYMONTHDAY=-1, BYDAY=-1SU on both DST days, at the local hour")
    func monthly() throws {
        // 31 January 09:00 CET; February and April have no 31st.
        let event = Self.event(start: "2026-01-31T08:00:00Z")
        #expect(Self.starts(try Self.expand(event, ["RRULE:FREQ=MONTHLY;COUNT=3"], since: "2026-01-01T00:00:00Z", until: "2027-01-01T00:00:00Z")) == [
            "2026-01-31T08:00:00Z", "2026-03-31T07:00:00Z", "2026-05-31T07:00:00Z",
        ])
        #expect(Self.starts(try Self.expand(event, ["RRULE:FREQ=MONTHLY;BYMONTHDAY=-1"], since: "2026-01-01T00:00:00Z", until: "2026-05-01T00:00:00Z")) == [
            "2026-01-31T08:00:00Z", "2026-02-28T08:00:00Z", "2026-03-31T07:00:00Z", "2026-04-30T07:00:00Z",
        ])
        #expect(Self.starts(try Self.expand(event, ["RRULE:FREQ=MONTHLY;BYMONTHDAY=30,31;BYDAY=MO,TU,WE,TH,FR"], since: "2026-01-01T00:00:00Z", until: "2026-07-01T00:00:00Z")) == [
            "2026-01-31T08:00:00Z", "2026-03-30T07:00:00Z", "2026-03-31T07:00:00Z", "2026-04-30T07:00:00Z", "2026-06-30T07:00:00Z",
        ], "BYDAY limits BYMONTHDAY; the first start counts even on a Saturday")
        // Last Sunday of the month at 12:00 local, every seven months from March: 29 March, 25 October.
        let sundays = Self.event(start: "2026-03-29T10:00:00Z")
        let lines = try Self.expand(sundays, ["RRULE:FREQ=MONTHLY;INTERVAL=7;BYDAY=-1SU"], since: "2026-03-01T00:00:00Z", until: "2027-06-01T00:00:00Z")
        #expect(Self.starts(lines) == ["2026-03-29T10:00:00Z", "2026-10-25T11:00:00Z", "2027-05-30T10:00:00Z"])
        #expect(lines[1].hasSuffix("2026-10-25T12:00:00Z A"), "an hour of wall clock, an hour of real time")
        let fixed = try Self.expand(sundays, ["RRULE:FREQ=MONTHLY;INTERVAL=7;BYDAY=-1SU"], since: "2026-03-01T00:00:00Z", until: "2027-06-01T00:00:00Z", fixedUTC: true)
        #expect(Self.starts(fixed) == ["2026-03-29T10:00:00Z", "2026-10-25T10:00:00Z", "2027-05-30T10:00:00Z"], "the fixed-UTC switch: 10:00 UTC each time")
    }

    @Test("HOURLY steps in absolute hours: 12-hour turns stay back to back across 29 March, none falls in the skipped hour, 25 October's repeated hour is there twice")
    func hourlyAcrossDST() throws {
        // 20:00 CET on Saturday 28 March, every 12 hours: 20:00 and 08:00 CET become 21:00 and 09:00 CEST.
        let turns = Self.event(start: "2026-03-28T19:00:00Z", seconds: 12 * 3600, members: ["A", "B"])
        #expect(try Self.expand(turns, ["RRULE:FREQ=HOURLY;INTERVAL=12"], since: "2026-03-28T00:00:00Z", until: "2026-03-30T00:00:00Z") == [
            "2026-03-28T19:00:00Z 2026-03-29T07:00:00Z A", "2026-03-29T07:00:00Z 2026-03-29T19:00:00Z B", "2026-03-29T19:00:00Z 2026-03-30T07:00:00Z A",
        ])
        #expect(try Self.expand(turns, ["RRULE:FREQ=HOURLY;INTERVAL=12"], since: "2026-03-28T00:00:00Z", until: "2026-03-30T00:00:00Z", fixedUTC: true).count == 3, "absolute either way")
        let zone = try #require(Zone(identifier: "Europe/Berlin"))
        func localHours(_ lines: [String]) -> [String] {
            lines.compactMap { Instant(rfc3339: String($0.prefix(20))) }.map { String(zone.local(at: $0).description.suffix(5)) }
        }
        let spring = try Self.expand(Self.event(start: "2026-03-28T23:00:00Z"), ["RRULE:FREQ=HOURLY"], since: "2026-03-28T23:00:00Z", until: "2026-03-29T03:00:00Z")
        #expect(localHours(spring) == ["00:00", "01:00", "03:00", "04:00"])
        let autumn = try Self.expand(Self.event(start: "2026-10-24T23:00:00Z"), ["RRULE:FREQ=HOURLY"], since: "2026-10-24T23:00:00Z", until: "2026-10-25T03:00:00Z")
        #expect(localHours(autumn) == ["01:00", "02:00", "02:00", "03:00"])
    }

    @Test("HOURLY with BYDAY limits by the local day across 25 October (the first start counts anyway); COUNT and UNTIL end it")
    func hourlyByDay() throws {
        // Saturday 00:00 CEST, every 6 hours, Sundays only.
        let event = Self.event(start: "2026-10-23T22:00:00Z", members: ["A", "B", "C"])
        #expect(try Self.expand(event, ["RRULE:FREQ=HOURLY;INTERVAL=6;BYDAY=SU"], since: "2026-10-23T00:00:00Z", until: "2026-10-27T00:00:00Z") == [
            "2026-10-23T22:00:00Z 2026-10-23T23:00:00Z A", "2026-10-24T22:00:00Z 2026-10-24T23:00:00Z B", "2026-10-25T04:00:00Z 2026-10-25T05:00:00Z C",
            "2026-10-25T10:00:00Z 2026-10-25T11:00:00Z A", "2026-10-25T16:00:00Z 2026-10-25T17:00:00Z B", "2026-10-25T22:00:00Z 2026-10-25T23:00:00Z C",
        ])
        #expect(try Self.expand(event, ["RRULE:FREQ=HOURLY;INTERVAL=6;BYDAY=SU;COUNT=3"], since: "2026-10-23T00:00:00Z", until: "2026-10-27T00:00:00Z").count == 3)
        #expect(try Self.expand(event, ["RRULE:FREQ=HOURLY;INTERVAL=6;BYDAY=SU;UNTIL=20261025T100000Z"], since: "2026-10-23T00:00:00Z", until: "2026-10-27T00:00:00Z").count == 4)
    }

    @Test("a window far from the start, counted without visiting each start, gives the same occurrences and turns as expanding everything from the start")
    func countingAgreesWithVisiting() throws {
        let cases: [(String, [String])] = [
            ("2026-01-05T07:00:00Z", ["RRULE:FREQ=HOURLY;INTERVAL=5", "RDATE:20260301T001500Z,20260310T020000Z", "EXDATE:20260322T150000Z"]),
            ("2026-01-05T07:00:00Z", ["RRULE:FREQ=HOURLY;INTERVAL=7;BYDAY=MO,SA", "RDATE;TZID=Europe/Berlin:20260302T093000", "EXDATE:20260329T030000Z"]),
            ("2026-01-05T07:00:00Z", ["RRULE:FREQ=HOURLY;INTERVAL=3;COUNT=700", "RDATE:20260201T000000Z"]),
            ("2026-01-05T07:00:00Z", ["RRULE:FREQ=DAILY;BYDAY=MO,TU,WE", "RDATE:20260131T120000Z"]),
            ("2026-01-31T08:00:00Z", ["RRULE:FREQ=MONTHLY;BYMONTHDAY=31,1", "RDATE:20260215T120000Z"]),
        ]
        for (start, lines) in cases {
            let event = Self.event(start: start, members: ["A", "B", "C", "D"])
            let all = try Self.expand(event, lines, since: "2026-01-01T00:00:00Z", until: "2026-06-01T00:00:00Z")
            let late = try Self.expand(event, lines, since: "2026-03-25T00:00:00Z", until: "2026-06-01T00:00:00Z")
            #expect(!late.isEmpty && all.suffix(late.count) == late[...], "\(lines)")
            #expect(all.count > late.count)
        }
    }

    // MARK: - RDATE and EXDATE

    @Test("RDATE adds occurrences (local with TZID or Z) that take their place in the turns, one equal to a rule start counts once, EXDATE removes either without moving the turns")
    func rdateAndExdate() throws {
        // Mondays 09:00 Berlin from 2 March, members A B C in turn.
        let event = Self.event(start: "2026-03-02T08:00:00Z", members: ["A", "B", "C"])
        let lines = [
            "RRULE:FREQ=WEEKLY",
            "RDATE;TZID=Europe/Berlin:20260304T090000,20260309T090000",  // a Wednesday, and a Monday the rule has already
            "RDATE;VALUE=DATE-TIME:20260401T070000Z",  // Wednesday 1 April 09:00 CEST
            "EXDATE:20260323T080000Z",  // Monday 23 March
            "EXDATE;TZID=Europe/Berlin:20260401T090000",  // and the April RDATE again
        ]
        #expect(try Self.expand(event, lines, since: "2026-03-01T00:00:00Z", until: "2026-04-07T00:00:00Z") == [
            "2026-03-02T08:00:00Z 2026-03-02T09:00:00Z A", "2026-03-04T08:00:00Z 2026-03-04T09:00:00Z B", "2026-03-09T08:00:00Z 2026-03-09T09:00:00Z C",
            "2026-03-16T08:00:00Z 2026-03-16T09:00:00Z A", "2026-03-30T07:00:00Z 2026-03-30T08:00:00Z C", "2026-04-06T07:00:00Z 2026-04-06T08:00:00Z B",
        ])
    }

    // MARK: - Refusals and bounds

    @Test("what cannot be expanded exactly is refused naming the part: YEARLY, BYMONTHDAY with WEEKLY or DAILY, an ordinal BYDAY outside MONTHLY, RDATE periods or dates, a repeated part")
    func refusals() throws {
        let zone = try #require(Zone(identifier: "Europe/Berlin"))
        let cases: [([String], String)] = [
            (["RRULE:FREQ=YEARLY"], "FREQ=YEARLY"),
            (["RRULE:FREQ=WEEKLY;BYMONTHDAY=1"], "BYMONTHDAY must not be used with FREQ=WEEKLY"),
            (["RRULE:FREQ=DAILY;BYMONTHDAY=1"], "BYMONTHDAY is not supported"),
            (["RRULE:FREQ=HOURLY;BYDAY=1MO"], "ordinal"),
            (["RRULE:FREQ=MONTHLY;BYDAY=6MO"], "BYDAY value 6MO"),
            (["RRULE:FREQ=MONTHLY;BYMONTHDAY=32"], "BYMONTHDAY value 32"),
            (["RRULE:FREQ=MONTHLY;BYMONTHDAY=-9223372036854775808"], "BYMONTHDAY value -922337203"),
            (["RRULE:FREQ=HOURLY;BYHOUR=9"], "BYHOUR"),
            (["RRULE:FREQ=HOURLY", "RDATE;VALUE=PERIOD:20260301T090000Z/PT1H"], "RDATE values must be date-times"),
            (["RRULE:FREQ=HOURLY", "RDATE:20260301"], "an RDATE value is not a date-time"),
            (["RRULE:FREQ=DAILY;INTERVAL=2;INTERVAL=3"], "INTERVAL appears more than once"),
            (["RRULE:FREQ=DAILY", "RDATE:" + Array(repeating: "20260301T090000Z", count: 2).joined(separator: ",")], ""),
        ]
        for (lines, part) in cases {
            switch V3Recurrence.parse(lines, zone: zone) {
            case .success: #expect(part.isEmpty, "\(lines) was accepted")
            case .failure(let problems): #expect(!part.isEmpty && problems.messages.contains { $0.contains(part) }, "\(lines): \(problems.messages)")
            }
        }
    }

    @Test("a hostile HOURLY rule (INTERVAL=1, no end, from the year 1) is expanded only over the window asked, and no request gets more than the cap")
    func hostileRuleBounded() throws {
        let event = Self.event(start: "0001-01-01T00:00:00Z", zone: "UTC")
        let year = try Self.expand(event, ["RRULE:FREQ=HOURLY"], since: "2026-01-01T00:00:00Z", until: "2027-01-01T00:00:00Z")
        #expect(year.count == 8760 && year.first?.hasPrefix("2026-01-01T00:00:00Z 2026-01-01T01:00:00Z") == true)
        let everything = try Self.expand(event, ["RRULE:FREQ=HOURLY"], since: "0001-01-01T00:00:00Z", until: "9999-01-01T00:00:00Z")
        #expect(everything.count == V3Expansion.maximumOccurrences)
        // With BYDAY the day-by-day count stops at its bound long before 2026.
        #expect(try Self.expand(event, ["RRULE:FREQ=HOURLY;BYDAY=MO"], since: "2026-01-01T00:00:00Z", until: "2026-01-08T00:00:00Z").isEmpty)
        // Many rotations of such events: one budget for the whole final schedule.
        var details = SandboxV3Details()
        for index in 0..<3 {
            var rotation = SandboxV3Rotation(id: "R\(index)")
            var hostile = Self.event(start: "2020-01-01T00:00:00Z", zone: "UTC", members: (0..<20).map { "U\($0)" })
            hostile.everyMember = true
            hostile.recurrence = ["RRULE:FREQ=HOURLY"]
            rotation.events = [hostile]
            details.rotations.append(rotation)
        }
        let window = InstantRange(start: at("2026-01-01T00:00:00Z"), end: at("2031-01-01T00:00:00Z"))
        #expect(V3FinalSchedule.assignments(details, window: window, fixedUTC: false).count == V3Expansion.maximumOccurrences)
    }

    // MARK: - Upgrade of sub-day layers

    @Test("upgrading a 12-hour layer gives an HOURLY rotation whose final schedule is the layered rendering, entry for entry, for three weeks across each DST change; a 90-minute layer gets a rotation without events")
    func upgradeTwelveHourLayer() async throws {
        // Turns of 12 hours from 5 March 07:00 UTC, the layer starting mid-turn four days earlier.
        let layer = SandboxSeed.Layer(
            start: at("2026-03-01T09:00:00Z"), rotationVirtualStart: at("2026-03-05T07:00:00Z"), rotationTurnLengthSeconds: 43_200,
            users: ["alice@example.com", "bob@example.com", "carol@example.com"])
        let odd = SandboxSeed.Layer(
            start: at("2026-03-01T09:00:00Z"), rotationVirtualStart: at("2026-03-05T07:00:00Z"), rotationTurnLengthSeconds: 5400, users: ["alice@example.com"])
        let windows = [("2026-02-28T00:00:00Z", "2026-03-21T00:00:00Z"), ("2026-03-16T00:00:00Z", "2026-04-06T00:00:00Z"), ("2026-10-12T00:00:00Z", "2026-11-02T00:00:00Z")]
        let (layered, upgraded, recurrence) = try await Self.renderedBeforeAndAfterUpgrade(layer, windows: windows)
        #expect(layered[1].count == 43 && layered[2].count == 43, "three weeks of 12-hour turns, cut at midnight UTC")
        #expect(layered[0].first == "2026-03-01T09:00:00Z 2026-03-01T19:00:00Z PBOB001")
        #expect(recurrence == ["RRULE:FREQ=HOURLY;INTERVAL=12"])
        for index in windows.indices { #expect(upgraded[index] == layered[index], "window \(windows[index].0)") }
        try await V3Sandbox.run(layers: [odd]) { sandbox in
            #expect(try await sandbox.server.upgradeScheduleToV3(id: "PPLAT01"))
            let read = try await sandbox.call(.get, "/v3/schedules/PPLAT01")
            #expect(read["schedule"]?["rotations"]?.arrayValue?.count == 1)
            #expect(read["schedule"]?["rotations"]?.arrayValue?.first?["events"]?.arrayValue?.isEmpty == true)
        }
        #expect(SandboxServer.upgradeRule(turnSeconds: 86_400 * 14) == "RRULE:FREQ=WEEKLY;INTERVAL=2")
        #expect(SandboxServer.upgradeRule(turnSeconds: 3600 * 36) == "RRULE:FREQ=HOURLY;INTERVAL=36")
        #expect(SandboxServer.upgradeRule(turnSeconds: 3600 * 1001) == nil)
    }

    @Test("upgrading a two-day layer that starts before its virtual start gives a DAILY rotation starting with the turn in force, equal to the layered rendering across 29 March")
    func upgradeTwoDayLayer() async throws {
        let layer = SandboxSeed.Layer(
            start: at("2026-03-02T12:00:00Z"), rotationVirtualStart: at("2026-03-20T08:00:00Z"), rotationTurnLengthSeconds: 172_800,
            users: ["alice@example.com", "bob@example.com", "carol@example.com"])
        let windows = [("2026-03-01T00:00:00Z", "2026-03-22T00:00:00Z"), ("2026-03-16T00:00:00Z", "2026-04-06T00:00:00Z")]
        let (layered, upgraded, recurrence) = try await Self.renderedBeforeAndAfterUpgrade(layer, windows: windows)
        #expect(recurrence == ["RRULE:FREQ=DAILY;INTERVAL=2"])
        #expect(layered[0].first == "2026-03-02T12:00:00Z 2026-03-04T08:00:00Z PALICE1", "turn -9 from the virtual start, cut at the layer start")
        #expect(layered[1].contains("2026-03-28T08:00:00Z 2026-03-30T07:00:00Z PBOB001"), "09:00 local on both sides of the change")
        for index in windows.indices { #expect(upgraded[index] == layered[index], "window \(windows[index].0)") }
    }

    /// The layered schedule `PPLAT01` with `layer`, rendered as `start end user` lines over each
    /// window; the same after the upgrade, from the final schedule; and the upgraded event's recurrence.
    private static func renderedBeforeAndAfterUpgrade(
        _ layer: SandboxSeed.Layer, windows: [(String, String)]
    ) async throws -> (layered: [[String]], upgraded: [[String]], recurrence: [String]?) {
        let box = ResultBox()
        try await V3Sandbox.run(layers: [layer]) { sandbox in
            var layered: [[String]] = []
            for (since, until) in windows {
                let answer = try await sandbox.call(.get, "/schedules/PPLAT01?since=\(since)&until=\(until)&time_zone=UTC")
                let entries = answer["schedule"]?["final_schedule"]?["rendered_schedule_entries"]?.arrayValue ?? []
                layered.append(entries.map { "\($0["start"]?.stringValue ?? "?") \($0["end"]?.stringValue ?? "?") \($0["user"]?["id"]?.stringValue ?? "?")" })
            }
            #expect(try await sandbox.server.upgradeScheduleToV3(id: "PPLAT01"))
            let read = try await sandbox.call(.get, "/v3/schedules/PPLAT01")
            let recurrence = read["schedule"]?["rotations"]?.arrayValue?.first?["events"]?.arrayValue?.first?["recurrence"]?.arrayValue?.compactMap(\.stringValue)
            var upgraded: [[String]] = []
            for (since, until) in windows {
                let lines = try await sandbox.finalSchedule("PPLAT01", since: since, until: until)
                #expect(lines.allSatisfy { $0.hasSuffix(" schedule_rotation") })
                upgraded.append(lines.map { String($0.dropLast(" schedule_rotation".count)) })
            }
            box.set((layered, upgraded, recurrence))
        }
        return try #require(box.value)
    }
}

/// Carries what a sandbox run found out of its closure.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (layered: [[String]], upgraded: [[String]], recurrence: [String]?)?

    var value: (layered: [[String]], upgraded: [[String]], recurrence: [String]?)? { lock.withLock { stored } }

    func set(_ value: (layered: [[String]], upgraded: [[String]], recurrence: [String]?)) { lock.withLock { stored = value } }
}
