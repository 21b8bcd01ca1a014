import ArgumentParser
import Foundation
import HandoffConfig
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTime

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
            var run = ApplyRun(
                configuration: configuration, store: store, holder: LockHolder.current(operation: "benchmark", now: now), lockTimeout: 0, now: now,
                connectionOptions: benchmarkOptions(parallelism: 8)
            )
            run.applyOptions.batchSize = batchSize
            run.applyOptions.parallelism = parallelism
            // Timed from the connections open to the plan applied, as before the run owned them.
            let timer = RunTimer()
            run.hooks.opened = { _ in timer.start() }
            run.hooks.closing = { timer.stop() }
            let outcome = try await run.run()
            let (plan, report) = (outcome.plan, outcome.report)
            let seconds = timer.seconds
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
