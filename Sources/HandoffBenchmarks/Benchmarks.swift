import ArgumentParser
import Foundation
import HandoffConfig
import HandoffRota
import HandoffTime
import YAMLNodes
import PagerDuty
import PagerDutySandbox

/// Re-runnable performance measurements, reported as ratios measured in one run. Build and run
/// in release mode: `swift run -c release handoff-benchmarks <benchmark>`.
@main
struct HandoffBenchmarks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handoff-benchmarks",
        abstract: "Performance benchmarks of Handoff (run in release mode).",
        subcommands: [ClientBenchmark.self, RotaBenchmark.self]
    )
}

/// Wall-clock seconds of `body`.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let result = try await body()
    let elapsed = ContinuousClock.now - start
    return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

func format(_ seconds: Double) -> String { String(format: "%.0f ms", seconds * 1000) }
func ratio(_ value: Double) -> String { String(format: "%.2f", value) }

/// Issue 3: the client against the simulated PagerDuty with 20 ms latency per request.
struct ClientBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "List the overrides of 500 schedules and resolve 300 e-mails among 5,000 users at 20 ms a request."
    )

    @Option(help: "Latency the sandbox adds to every request, in milliseconds.") var latency = 20
    @Option(help: "Requests in flight at once.") var concurrency = 8
    @Option(help: "Users in the account.") var users = 5_000
    @Option(help: "Addresses to resolve.") var emails = 300
    @Option(help: "Schedules whose overrides are listed.") var schedules = 500

    func run() async throws {
        var options = SandboxOptions()
        let now = Instant(secondsSinceEpoch: 1_795_348_800)
        options.clock = SandboxClock(fixed: now)
        var seed = SandboxSeed(tokens: [.init(token: "benchmark-key", readOnly: false)])
        seed.users = (0..<users).map { .init(name: "User \($0)", email: "user\($0)@example.com") }
        seed.schedules = (0..<schedules).map { .init(name: "Schedule \($0)", timeZone: "UTC", id: String(format: "PS%05d", $0)) }
        seed.overrides = (0..<schedules).flatMap { index in
            (0..<5).map { day in
                SandboxSeed.Override(
                    schedule: String(format: "PS%05d", index),
                    start: now.adding(seconds: Int64(day) * 86_400),
                    end: now.adding(seconds: Int64(day + 1) * 86_400),
                    user: "user\((index + day) % 100)@example.com"
                )
            }
        }
        options.seed = seed
        options.faults.latency = .fixed(milliseconds: latency)
        let server = try await SandboxServer(options: options)
        let url = try await server.start()
        var configuration = PagerDutyClient.Configuration(baseURL: url, key: APIKey("benchmark-key"), connectionName: "benchmark")
        configuration.maxConcurrentRequests = concurrency
        let wanted = (0..<emails).map { "user\(($0 * 7919) % users)@example.com" }
        let window = InstantRange(start: now, end: now.adding(seconds: 56 * 86_400))
        let latencySeconds = Double(latency) / 1000

        try await PagerDutyClient.withClient(configuration: configuration) { client in
            _ = try await client.listUsers(query: "warm-up")
            server.log.reset()

            let (resolution, resolveTime) = try await measure { try await client.resolveUsers(emails: wanted) }
            let resolveRequests = server.log.total
            let pages = (users + PagerDutyClient.pageSize - 1) / PagerDutyClient.pageSize
            let lowestResolve = min(pages, 1 + emails)
            // The first page is needed alone (it tells the total); the rest run side by side.
            let idealResolve = latencySeconds * Double(1 + (pages - 1 + concurrency - 1) / concurrency)
            server.log.reset()

            let ids = (0..<schedules).map { String(format: "PS%05d", $0) }
            let (listings, listTime) = try await measure {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for id in ids { group.addTask { try await client.overrides(scheduleID: id, overlapping: window).count } }
                    return try await group.reduce(0, +)
                }
            }
            let listRequests = server.log.total
            let idealList = latencySeconds * Double((schedules + concurrency - 1) / concurrency)

            print("Client benchmark: \(latency) ms per request, \(concurrency) requests in flight")
            print("  resolve \(emails) e-mails among \(users) users: \(resolution.users.count) found (\(resolution.strategy)),")
            print("    \(resolveRequests) requests (lowest possible \(lowestResolve)), \(format(resolveTime)), ideal \(format(idealResolve)), ratio \(ratio(resolveTime / idealResolve))")
            print("  list the overrides of \(schedules) schedules: \(listings) overrides,")
            print("    \(listRequests) requests (lowest possible \(schedules)), \(format(listTime)), ideal \(format(idealList)), ratio \(ratio(listTime / idealList))")
        }
        await server.stop()
    }
}

/// Peak resident memory of this process so far, in megabytes.
func peakMemoryMegabytes() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

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
