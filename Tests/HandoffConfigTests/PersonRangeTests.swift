import Foundation
import HandoffConfig
import HandoffTestSupport
import HandoffTime
import Testing
import YAMLNodes

/// Time off and explicit covers are written alike (`{ person, from, until }`) and are one type
/// (issue 15 item 5), decoded by one path that remembers how each end was written.
@Suite("Configuration: time off and covers are one person range")
struct PersonRangeTests {
    @Test("time off and a cover are the same type, so one function serves both")
    func oneType() {
        #expect(TimeOff.self == Assignment.self)
        #expect(TimeOff.self == PersonRange.self)
    }

    @Test("a time-off entry and a cover written the same way decode to equal ranges, with how each end was written")
    func decodedAlike() throws {
        let text = ConfigFixtures.minimal.replacingOccurrences(
            of: "      turn: 1w\n",
            with: """
                      turn: 1w
                    time_off:
                      - { person: alice, from: 2026-12-21, until: 2026-12-23T12:00 }
                    assignments:
                      - { person: alice, from: 2026-12-21, until: 2026-12-23T12:00 }

                """
        )
        let loaded = ConfigFixtures.load(text)
        #expect(!loaded.diagnostics.hasErrors, "\(loaded.diagnostics)")
        let schedule = try #require(loaded.configuration?.schedule(named: "primary"))
        let off = try #require(schedule.timeOff.first)
        let cover = try #require(schedule.assignments.first)
        #expect(off.person == "alice")
        let firstDay = try #require(LocalDate(year: 2026, month: 12, day: 21))
        #expect(off.from == LocalDateTime(date: firstDay, time: .midnight))
        #expect(off.fromIsDate && !off.untilIsDate)
        // Only where each was written differs.
        #expect(off.location.line != cover.location.line)
        var moved = cover
        moved.location = off.location
        moved.personLocation = off.personLocation
        #expect(moved == off)
    }
}
