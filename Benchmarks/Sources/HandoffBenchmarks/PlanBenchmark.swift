import ArgumentParser
import HandoffState
import HandoffSync
import HandoffTime

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
        // Timed from the connections open to the plan made, as before the run owned them.
        let timer = RunTimer()
        var run = PlanRun(request, options: benchmarkOptions(parallelism: parallelism))
        run.hooks.opened = { _ in
            server.log.reset()
            timer.start()
        }
        run.hooks.closing = { timer.stop() }
        let plan = try await run.run()
        let seconds = timer.seconds
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
