import ArgumentParser
import Foundation
import HandoffConfig
import HandoffPlan
import HandoffState
@_spi(Benchmarks) import HandoffStatePostgres
import HandoffSync
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
        subcommands: [ClientBenchmark.self, RotaBenchmark.self, PlannerBenchmark.self, PlanBenchmark.self, ApplyBenchmark.self, StateBenchmark.self]
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

/// Issue 5 (a): the pure planner on 2,000 destinations, about a million desired and a million live overrides.
struct PlannerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "planner",
        abstract: "Reconcile 2,000 destinations with 500 desired and 500 live overrides each (pure, no I/O)."
    )

    @Option(help: "Destinations.") var destinations = 2_000
    @Option(help: "Overrides per destination.") var overrides = 500
    @Option(help: "Runs; the median is reported.") var runs = 5

    func run() async throws {
        let now = Instant(secondsSinceEpoch: 1_795_348_800)
        var inputs: [DestinationInput] = []
        var live: [ScheduleKey: ObservedSchedule] = [:]
        var state = HandoffState(lineage: "benchmark", serial: 1)
        var directory = PeopleDirectory()
        for person in 0..<50 { directory.users["U\(person)"] = .init(name: "Person \(person)", email: "p\(person)@example.com", person: "p\(person)") }
        for index in 0..<destinations {
            let schedule = "P\(index)"
            var desired: [DesiredOverride] = []
            var observed: [LiveOverride] = []
            var owned: [OwnedOverride] = []
            for slot in 0..<overrides {
                let start = now.adding(seconds: Int64(slot) * 4 * 3600)
                let end = start.adding(seconds: 4 * 3600)
                let user = "U\((index + slot) % 50)"
                desired.append(DesiredOverride(start: start, end: end, userID: user, person: "p\((index + slot) % 50)", reason: .rotation))
                // One live override in ten differs from what is wanted.
                let liveUser = slot % 10 == 0 ? "U\((index + slot + 1) % 50)" : user
                let id = "Q\(index)-\(slot)"
                observed.append(LiveOverride(id: id, start: start, end: end, userID: liveUser))
                owned.append(OwnedOverride(id: id, start: start, end: end, userID: liveUser))
            }
            inputs.append(DestinationInput(
                name: "destination-\(index)", connection: "acme", pagerDutySchedule: schedule, timeZone: "UTC", manualChanges: .keep,
                desired: desired, members: Set((0..<50).map { "p\($0)" }), horizonEnd: now.adding(seconds: Int64(overrides) * 4 * 3600)
            ))
            let key = ScheduleKey(connection: "acme", pagerDutySchedule: schedule)
            live[key] = ObservedSchedule(window: InstantRange(start: now, end: now.adding(seconds: Int64(overrides + 1) * 4 * 3600)), overrides: observed)
            state.destinations["destination-\(index)"] = DestinationState(connection: "acme", pagerDutySchedule: schedule, watermark: now, overrides: owned)
        }
        let input = Reconciler.Input(now: now, destinations: inputs, live: live, state: state, directory: directory)
        var times: [Double] = []
        var summary = PlanSummary()
        for _ in 0..<runs {
            let (plan, seconds) = await measure { Reconciler.plan(input) }
            summary = plan.summary
            times.append(seconds)
        }
        times.sort()
        print("Planner benchmark: \(destinations) destinations, \(destinations * overrides) desired and \(destinations * overrides) live overrides")
        print("  plan: \(summary.create) to add, \(summary.delete) to delete; fastest \(format(times[0])), median \(format(times[times.count / 2])); peak memory \(String(format: "%.0f", peakMemoryMegabytes())) MB (inputs included)")
        print("  goal: under 1000 ms and 1 GB; ratio to the goal \(ratio(times[times.count / 2] / 1.0))")
    }
}

/// A simulated PagerDuty for the benchmarks, with `destinations` schedules and `people` users.
func benchmarkSandbox(destinations: Int, people: Int, latency: Int, enforceRateLimit: Bool) async throws -> SandboxServer {
    var options = SandboxOptions()
    options.clock = SandboxClock(fixed: Instant(secondsSinceEpoch: 1_795_348_800))
    var seed = SandboxSeed(tokens: [.init(token: "benchmark-key", readOnly: false)])
    seed.users = (0..<people).map { .init(name: "Person \($0)", email: "person\($0)@example.com") }
    seed.schedules = (0..<destinations).map { .init(name: "Schedule \($0)", timeZone: "UTC", id: String(format: "PS%05d", $0)) }
    options.seed = seed
    options.faults.latency = .fixed(milliseconds: latency)
    options.faults.enforceRateLimit = enforceRateLimit
    let server = try await SandboxServer(options: options)
    try await server.start()
    return server
}

/// A configuration of `destinations` schedules (daily turns among `members` people) writing to the sandbox.
func benchmarkConfiguration(destinations: Int, members: Int, shiftsPerDestination: Int, url: String, rotate: Int = 0) throws -> Configuration {
    var text = "version: 1\nconnections:\n  acme: { type: pagerduty, token_env: BENCHMARK_TOKEN, api_url: \"\(url)\" }\npeople:\n"
    for person in 0..<members { text += "  p\(person): { email: person\(person)@example.com }\n" }
    text += "schedules:\n"
    for index in 0..<destinations {
        let roster = (0..<4).map { "p\((index * 4 + $0 + rotate) % members)" }.joined(separator: ", ")
        text += "  s\(index): { time_zone: UTC, rotation: { members: [\(roster)], start: 2026-11-01T00:00, turn: 1d }, horizon: \(shiftsPerDestination)d }\n"
    }
    text += "destinations:\n"
    for index in 0..<destinations {
        text += "  d\(index): { schedule: s\(index), connection: acme, pagerduty_schedule: \(String(format: "PS%05d", index)) }\n"
    }
    let loaded = ConfigurationLoader.load(files: [("benchmark.yaml", Array(text.utf8))], directory: ".")
    guard let configuration = loaded.configuration else {
        throw SyncError(loaded.diagnostics.map(\.description))
    }
    return configuration
}

func benchmarkOptions(parallelism: Int) -> ConnectionOptions {
    var options = ConnectionOptions()
    options.environment = ["BENCHMARK_TOKEN": "benchmark-key"]
    options.parallelism = parallelism
    options.sandboxNow = Instant(secondsSinceEpoch: 1_795_348_800)
    return options
}

/// Issue 5 (b): `plan` end to end for 500 destinations at 20 ms a request.
struct PlanBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan 500 destinations against the simulated PagerDuty at 20 ms a request."
    )

    @Option(help: "Destinations.") var destinations = 500
    @Option(help: "People (and PagerDuty users).") var people = 400
    @Option(help: "Latency per request, in milliseconds.") var latency = 20
    @Option(help: "Requests in flight at once.") var parallelism = 8

    func run() async throws {
        let server = try await benchmarkSandbox(destinations: destinations, people: people, latency: latency, enforceRateLimit: false)
        let configuration = try benchmarkConfiguration(destinations: destinations, members: people, shiftsPerDestination: 14, url: server.baseURL)
        let now = Instant(secondsSinceEpoch: 1_795_348_800)
        let request = PlanBuilder.Request(configuration: configuration, state: .empty, now: now)
        let hub = try await ConnectionHub.open(["acme"], configuration: configuration, options: benchmarkOptions(parallelism: parallelism))
        server.log.reset()
        let (plan, seconds) = try await measure { try await PlanBuilder.build(request, hub: hub) }
        await hub.close()
        await server.stop()
        let userPages = (people + 99) / 100
        let lowest = destinations + userPages
        let latencySeconds = Double(latency) / 1000
        // The first page of users alone, the other pages side by side, then the listings side by side.
        let ideal = latencySeconds * Double(1 + (userPages - 1 + parallelism - 1) / parallelism + (destinations + parallelism - 1) / parallelism)
        print("Plan benchmark: \(destinations) destinations, \(people) people, \(latency) ms a request, \(parallelism) in flight")
        print("  \(plan.summary.create) overrides to create; \(server.log.total) requests (lower bound \(lowest): \(destinations) listings + \(userPages) user pages) \(server.log.counts)")
        print("  \(format(seconds)); ideal \(format(ideal)); ratio \(ratio(seconds / ideal))")
    }
}

/// Issue 6: a first export of 200 destinations × 50 overrides under the 960-a-minute limit, then
/// a replan that deletes and recreates 10% of them.
struct ApplyBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply 10,000 creates, then 1,000 deletes and 1,000 creates, at 20 ms a request with the rate limit enforced."
    )

    @Option(help: "Destinations.") var destinations = 200
    @Option(help: "Overrides per destination.") var overrides = 50
    @Option(help: "Latency per request, in milliseconds.") var latency = 20
    @Option(help: "Destinations applied at once.") var parallelism = 8
    @Option(help: "Overrides per create request.") var batchSize = 50

    func run() async throws {
        let server = try await benchmarkSandbox(destinations: destinations, people: 400, latency: latency, enforceRateLimit: true)
        let now = Instant(secondsSinceEpoch: 1_795_348_800)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-apply-benchmark-\(UUID().uuidString)").path
        let store = LocalStateStore(path: directory + "/state.json")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        func phase(_ configuration: Configuration) async throws -> (Plan, Applier.Report, Double, Int, [String: Int], Int) {
            server.log.reset()
            let session = try await store.acquire(LockHolder.current(operation: "benchmark", now: now), timeout: 0)
            let request = PlanBuilder.Request(configuration: configuration, state: await session.initialState, now: now)
            let hub = try await ConnectionHub.open(["acme"], configuration: configuration, options: benchmarkOptions(parallelism: 8))
            let ((plan, report), seconds) = try await measure { () async throws -> (Plan, Applier.Report) in
                let plan = try await PlanBuilder.build(request, hub: hub)
                var options = Applier.Options()
                options.batchSize = batchSize
                options.parallelism = parallelism
                return (plan, await Applier.apply(plan, session: session, hub: hub, options: options))
            }
            await hub.close()
            try await session.finish()
            await session.release()
            let tooMany = server.log.all.filter { $0.status == 429 }.count
            return (plan, report, seconds, server.log.total, server.log.counts, tooMany)
        }

        let first = try benchmarkConfiguration(destinations: destinations, members: 400, shiftsPerDestination: overrides, url: server.baseURL)
        let (plan1, report1, time1, requests1, counts1, limited1) = try await phase(first)
        let lower1 = plan1.destinations.reduce(0) { $0 + ($1.actions(.create).count + batchSize - 1) / batchSize } + destinations + 4
        print("Apply benchmark: \(destinations) destinations × \(overrides) overrides, \(latency) ms a request, 960 requests a minute enforced")
        print("  first export: \(report1.created) created (\(plan1.summary.create) planned), \(requests1) requests (lower bound \(lower1)), \(limited1) answered 429, \(format(time1))")
        print("    \(counts1)")

        // The bucket refills before the next run, as between two pipeline runs.
        try await Task.sleep(for: .seconds(61))
        // Three pairs of days per destination change hands: about one override in ten is deleted
        // and another created in its place.
        var second = first
        for index in second.schedules.indices {
            let era = second.schedules[index].rotation.eras[0]
            second.schedules[index].swaps = stride(from: 0, to: min(30, overrides - 2), by: 12).compactMap { day -> Swap? in
                let a = era.turnStartLocal(23 + day, in: second.schedules[index].zone)
                let b = era.turnStartLocal(24 + day, in: second.schedules[index].zone)
                return Swap(first: a, second: b, location: era.location)
            }
        }
        let (plan2, report2, time2, requests2, counts2, limited2) = try await phase(second)
        let creates = plan2.summary.create
        let deletes = plan2.summary.delete
        let postsPerDestination = plan2.destinations.reduce(0) { $0 + ($1.actions(.create).count + batchSize - 1) / batchSize }
        let lower2 = postsPerDestination + deletes + destinations + 4
        // PagerDuty allows 960 requests in any minute: the first 960 go at once, each further 960 a minute later.
        let latencySeconds = Double(latency) / 1000
        let windows = Double((lower2 - 1) / 960)
        let allowed = windows * 60 + latencySeconds * Double(((lower2 - 1) % 960 + 1 + 7) / 8)
        print("  replan: \(report2.created) created, \(report2.deleted) deleted (\(creates) and \(deletes) planned), \(requests2) requests (lower bound \(lower2)), \(limited2) answered 429, \(format(time2))")
        print("    \(counts2)")
        print("    the limit allows it in about \(format(allowed)) (960 in any 60 s); ratio \(ratio(time2 / allowed))")
        await server.stop()
    }
}

/// Issue 7: the same state of 2,000 destinations and a million owned overrides, read and written
/// by the local file backend and by the PostgreSQL backend, and the lock round trip.
struct StateBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Read and write a state of 1,000,000 overrides with the local and the postgres backends; time a lock round trip.",
        discussion: """
            Needs a PostgreSQL server: the URL comes from the environment variable named by --url-env.
            `bash Benchmarks/state.sh` starts a throwaway server, runs this, and removes the server.
            """
    )

    @Option(help: "Destinations.") var destinations = 2_000
    @Option(help: "Owned overrides per destination.") var overrides = 500
    @Option(help: "Runs of each measurement; the median is reported.") var runs = 3
    @Option(help: "Lock round trips to time.") var locks = 200
    @Option(help: "The environment variable holding the PostgreSQL URL.") var urlEnv = "HANDOFF_STATE_URL"

    func run() async throws {
        guard let url = ProcessInfo.processInfo.environment[urlEnv] else {
            throw ValidationError("set \(urlEnv) to a PostgreSQL URL, or run `bash Benchmarks/state.sh`")
        }
        let location = try PostgresLocation(url: url, variable: urlEnv)
        let schema = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let now = Instant(secondsSinceEpoch: 1_795_348_800)
        var state = HandoffState(lineage: UUID().uuidString.lowercased(), serial: 7)
        for destination in 0..<destinations {
            let records = (0..<overrides).map { index in
                let start = now.adding(seconds: Int64(index) * 3_600)
                return OwnedOverride(id: "Q\(String(destination * overrides + index, radix: 36).uppercased())XXXXXXXX", start: start, end: start.adding(seconds: 3_600), userID: "PUSER\(index % 97)")
            }
            state.destinations["destination-\(destination)"] = DestinationState(
                connection: "acme", pagerDutySchedule: "PS\(destination)", watermark: now.adding(seconds: Int64(overrides) * 3_600), overrides: records
            )
        }
        let total = destinations * overrides
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-state-benchmark-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let local = LocalStateStore(path: directory + "/state.json")
        let postgres = PostgresStateStore(location: location, schema: String(schema), workspace: "default")
        let holder = LockHolder.current(operation: "benchmark", now: now)

        func median(_ body: () async throws -> Void) async throws -> Double {
            var times: [Double] = []
            for _ in 0..<runs { times.append(try await measure(body).1) }
            return times.sorted()[times.count / 2]
        }
        /// A whole-state write: the lock, every row or the whole file, the release.
        func write(_ store: any StateStore) async throws {
            let session = try await store.acquire(holder, timeout: 0)
            do {
                var next = state
                next.serial = await session.initialState.serial
                try await session.replace(with: next)
            } catch {
                await session.release()
                throw error
            }
            await session.release()
        }
        /// One confirmed PagerDuty call on the full state: a create of one override.
        func record(_ store: any StateStore, _ index: Int) async throws -> Double {
            let session = try await store.acquire(holder, timeout: 0)
            let start = now.adding(seconds: Int64(overrides + index) * 3_600)
            let change = StateChange(
                destination: "destination-0", connection: "acme", pagerDutySchedule: "PS0",
                created: [OwnedOverride(id: "QBENCH\(index)", start: start, end: start.adding(seconds: 3_600), userID: "PUSER1")], deleted: []
            )
            let (_, seconds) = try await measure { try await session.record(change) }
            try await session.finish()
            await session.release()
            return seconds
        }

        print("State benchmark: \(destinations) destinations, \(total) owned overrides; median of \(runs) runs")
        let localWrite = try await median { try await write(local) }
        let postgresWrite = try await median { try await write(postgres) }
        var check = try await local.read()
        guard check.destinations.count == destinations else { throw ValidationError("the local state read back is incomplete") }
        let localRead = try await median { check = try await local.read() }
        let postgresRead = try await median { check = try await postgres.read() }
        guard check.destinations.values.reduce(0, { $0 + $1.overrides.count }) == total else {
            throw ValidationError("the postgres state read back is incomplete")
        }
        print("  write (lock, whole state, release): local \(format(localWrite)), postgres \(format(postgresWrite)); ratio \(ratio(postgresWrite / localWrite))")
        print("  read:                               local \(format(localRead)), postgres \(format(postgresRead)); ratio \(ratio(postgresRead / localRead))")
        var localRecords: [Double] = []
        var postgresRecords: [Double] = []
        for index in 0..<max(runs, 5) {
            localRecords.append(try await record(local, index))
            postgresRecords.append(try await record(postgres, index))
        }
        let localRecord = localRecords.sorted()[localRecords.count / 2]
        let postgresRecord = postgresRecords.sorted()[postgresRecords.count / 2]
        print(String(format: "  one recorded call on the full state: local %.2f ms (journal append), postgres %.2f ms (one transaction)", localRecord * 1000, postgresRecord * 1000))

        // The lock alone, on a workspace with nothing in it: on an open connection (what an apply
        // pays to take and give back the lock), and the connection itself (TCP and authentication).
        let empty = PostgresStateStore(location: location, schema: String(schema), workspace: "lock-only")
        let (lockRounds, connectionRounds) = try await empty.timeLockRoundTrips(holder, count: locks)
        func milliseconds(_ durations: [Duration]) -> (median: Double, p95: Double) {
            let sorted = durations.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }.sorted()
            return (sorted[sorted.count / 2], sorted[sorted.count * 95 / 100])
        }
        let lockTimes = milliseconds(lockRounds)
        let connectionTimes = milliseconds(connectionRounds)
        print(String(
            format: "  lock round trip (advisory lock, holder row, release) on an open connection, %d times: median %.2f ms, 95th percentile %.2f ms",
            locks, lockTimes.median, lockTimes.p95
        ))
        print(String(
            format: "  connection (TCP, authentication, schema check) opened and closed, %d times: median %.2f ms, 95th percentile %.2f ms",
            locks, connectionTimes.median, connectionTimes.p95
        ))
        var acquires: [Double] = []
        for _ in 0..<locks {
            acquires.append(try await measure {
                let session = try await empty.acquire(holder, timeout: 0)
                await session.release()
            }.1)
        }
        acquires.sort()
        print(String(
            format: "  acquire and release as an apply does (connection, lock, state read, release, close), %d times: median %.2f ms, 95th percentile %.2f ms",
            locks, acquires[acquires.count / 2] * 1000, acquires[acquires.count * 95 / 100] * 1000
        ))
        try await PostgresSQL.execute(location, "DROP SCHEMA \"\(schema)\" CASCADE")
    }
}
