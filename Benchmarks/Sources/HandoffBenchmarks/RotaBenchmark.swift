import ArgumentParser
import HandoffConfig
import HandoffRota
import HandoffTime
import YAMLNodes

/// Issue 4: expanding 2,000 schedules with 8-hour turns and weekday coverage over a year.
struct RotaBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rota",
        abstract: "Expand 2,000 schedules (8-hour turns, weekday 07:00-19:00 coverage) over one year."
    )

    @Option(help: "Schedules to expand.") var schedules = 2_000
    @Option(help: "Runs; the fastest is reported with the median.") var runs = 5

    func run() async throws {
        let zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Santiago", "Europe/London"]
        let place = SourceLocation(path: "benchmark", line: 1, column: 1)
        let built: [Schedule] = (0..<schedules).compactMap { index in
            guard let zone = Zone(identifier: zones[index % zones.count]),
                let start = LocalDateTime(parsing: "2026-01-05T00:00"),
                let offFrom = LocalDateTime(parsing: "2027-03-01T00:00"),
                let offUntil = LocalDateTime(parsing: "2027-03-15T00:00")
            else { return nil }
            let members = (0..<6).map { "person-\(index)-\($0)" }
            return Schedule(
                name: "schedule-\(index)",
                zone: zone,
                rotation: Rotation(eras: [RotationEra(from: start, members: members, turn: CalendarDuration(8, .hours), location: place)]),
                coverage: [
                    CoverageWindow(
                        days: [.monday, .tuesday, .wednesday, .thursday, .friday],
                        from: LocalTime(minutesSinceMidnight: 7 * 60),
                        to: LocalTime(minutesSinceMidnight: 19 * 60),
                        location: place
                    )
                ],
                timeOff: [TimeOff(person: members[1], from: offFrom, until: offUntil, location: place)],
                location: place
            )
        }
        guard let from = Instant(rfc3339: "2027-01-01T00:00:00Z"), let until = Instant(rfc3339: "2028-01-01T00:00:00Z") else { return }
        let window = InstantRange(start: from, end: until)
        var times: [Double] = []
        var count = 0
        for _ in 0..<runs {
            let (expansions, seconds) = await measure { RotaExpander.expand(built, over: { _ in window }) }
            count = expansions.reduce(0) { $0 + $1.shifts.count }
            times.append(seconds)
        }
        times.sort()
        print("Rota benchmark: \(schedules) schedules, 8-hour turns, weekday coverage, one year")
        print("  \(count) shifts; fastest \(format(times[0])), median \(format(times[times.count / 2])); peak memory \(String(format: "%.0f", peakMemoryMegabytes())) MB")
        print("  goal: under 1000 ms and 500 MB; ratio to the goal \(ratio(times[times.count / 2] / 1.0))")
    }
}
