import ArgumentParser
import Foundation
import HandoffTime
import PagerDuty
import PagerDutySandbox

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
