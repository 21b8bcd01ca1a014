import ArgumentParser
import Foundation
import HandoffConfig
import HandoffDestination
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTime
import PagerDutySandbox

/// Issue 16 item 3: how many requests writing shift-based (v3) schedules takes, against the
/// simulated v3 PagerDuty at 20 ms a request: a first export, a swap and a roster change, each
/// with the requests it sent by kind, and how many a delete and a create in place of each PUT
/// (a move) would have sent.
struct V3RequestsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "v3-requests",
        abstract: "Count the requests of a first export, a swap and a roster change onto shift-based schedules (20 ms a request)."
    )

    @Option(help: "Destinations (each a shift-based schedule of its own).") var destinations = 20
    @Option(help: "Latency per request, in milliseconds.") var latency = 20

    /// Sunday 2026-11-22 12:00 UTC, as every benchmark.
    static let now = Instant(secondsSinceEpoch: 1_795_348_800)
    static let people = 6

    func run() async throws {
        let server = try await sandbox()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-v3-benchmark-\(UUID().uuidString)").path
        let store = LocalStateStore(path: directory + "/state.json")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        func phase(_ name: String, _ text: String) async throws {
            server.log.reset()
            let loaded = ConfigurationLoader.load(files: [("benchmark.yaml", Array(text.utf8))], directory: ".")
            guard let configuration = loaded.configuration else { throw SyncError(loaded.diagnostics.map(\.description)) }
            var run = ApplyRun(
                configuration: configuration, store: store, holder: LockHolder.current(operation: "benchmark", now: Self.now), lockTimeout: 0,
                now: Self.now, connectionOptions: benchmarkOptions(parallelism: 8)
            )
            let timer = RunTimer()
            timer.start()
            let outcome = try await run.run()
            timer.stop()
            let summary = outcome.plan.summary
            let counts = server.log.counts
            let writes = counts.filter { !$0.key.hasPrefix("GET") }.values.reduce(0, +)
            // Without PUT each move is a DELETE, and its new piece joins the creates: at most 20
            // a POST, per destination and per kind of object.
            var extraPosts = 0
            for destination in outcome.plan.destinations {
                let creates = destination.actions(.create)
                let moves = destination.actions(.move)
                let isCustom: (PlanAction) -> Bool = { if case .customShift = $0.target { true } else { false } }
                for custom in [true, false] {
                    let alone = creates.filter { isCustom($0) == custom }.count
                    let joined = alone + moves.filter { isCustom($0) == custom }.count
                    extraPosts += (joined + 19) / 20 - (alone + 19) / 20
                }
            }
            print("  \(name): \(summary.create) created, \(summary.move) moved in place, \(summary.delete) deleted; \(server.log.total) requests, \(writes) of them writes, \(format(timer.seconds))")
            print("    \(counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
            if summary.move > 0 {
                let without = summary.move + extraPosts
                print("    \(summary.move) PUTs; a delete and a create per move would send \(without) (\(summary.move) DELETEs, \(extraPosts) more POSTs): \(without - summary.move) saved")
            }
        }

        print("v3 requests benchmark: \(destinations) shift-based schedules, \(latency) ms a request")
        try await phase("first export", configuration(url: server.baseURL))
        try await phase("a swap", configuration(url: server.baseURL, swap: true))
        try await phase("a roster change", configuration(url: server.baseURL, swap: true, rosterChange: true))
        await server.stop()
    }

    /// Each schedule's one rotation hands over weekly on Wednesdays at 10:00 UTC among three of
    /// the people; Handoff's rotation hands over on Mondays at 09:00, so shifts split in two.
    private func sandbox() async throws -> SandboxServer {
        var options = SandboxOptions()
        options.clock = SandboxClock(fixed: Self.now)
        var seed = SandboxSeed(tokens: [.init(token: "benchmark-key", readOnly: false)])
        seed.users = (0..<Self.people).map { .init(name: "Person \($0)", email: "person\($0)@example.com") }
        seed.schedules = (0..<destinations).map { index in
            let event = SandboxSeed.Event(
                name: "Weekly",
                start: Instant(rfc3339: "2026-11-04T10:00:00Z") ?? Self.now,
                end: Instant(rfc3339: "2026-11-11T10:00:00Z") ?? Self.now,
                recurrence: ["RRULE:FREQ=WEEKLY"],
                members: (0..<3).map { "person\((index + $0) % Self.people)@example.com" }
            )
            return .init(name: "Schedule \(index)", timeZone: "UTC", id: String(format: "PV%05d", index), type: "schedule_v3", rotations: [.init(events: [event])])
        }
        options.seed = seed
        options.faults.latency = .fixed(milliseconds: latency)
        let server = try await SandboxServer(options: options)
        try await server.start()
        return server
    }

    /// Handoff's side: per schedule the same three people, weekly on Mondays at 09:00, eight
    /// weeks ahead; a swap exchanges two future turns; a roster change replaces one person from
    /// a future turn on.
    private func configuration(url: String, swap: Bool = false, rosterChange: Bool = false) -> String {
        var text = "version: 1\nconnections:\n  acme: { type: pagerduty, token_env: BENCHMARK_TOKEN, api_url: \"\(url)\" }\npeople:\n"
        for person in 0..<Self.people { text += "  p\(person): { email: person\(person)@example.com }\n" }
        text += "schedules:\n"
        for index in 0..<destinations {
            let roster = (0..<3).map { "p\((index + 2 - $0) % Self.people)" }.joined(separator: ", ")
            text += "  s\(index):\n    time_zone: UTC\n    horizon: 8w\n"
            text += "    rotation:\n      members: [\(roster)]\n      start: 2026-11-02T09:00\n      turn: 1w\n"
            if rosterChange {
                let changed = (0..<3).map { "p\(($0 == 1 ? index + 3 : index + 2 - $0) % Self.people)" }.joined(separator: ", ")
                text += "      changes:\n        - { from: 2026-12-14T09:00, members: [\(changed)] }\n"
            }
            if swap { text += "    swaps:\n      - [2026-11-30T09:00, 2026-12-07T09:00]\n" }
        }
        text += "destinations:\n"
        for index in 0..<destinations {
            text += "  d\(index): { schedule: s\(index), connection: acme, pagerduty_schedule: \(String(format: "PV%05d", index)) }\n"
        }
        return text
    }
}
