import Foundation
import HandoffConfig
import HandoffConnectionKinds
import HandoffDestination
import HandoffSync
import HandoffTime
import PagerDutySandbox
import Synchronization

/// What every benchmark shares: a clock, a format, a simulated PagerDuty and a configuration.

/// Wall-clock seconds of `body`.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let result = try await body()
    let elapsed = ContinuousClock.now - start
    return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

/// Wall-clock seconds between two moments a run reports through its hooks (connections open,
/// work over), so that opening and closing connections stays out of the figure.
final class RunTimer: Sendable {
    private let moments = Mutex<(start: ContinuousClock.Instant?, end: ContinuousClock.Instant?)>((nil, nil))

    func start() { moments.withLock { $0.start = ContinuousClock.now } }
    func stop() { moments.withLock { $0.end = ContinuousClock.now } }

    var seconds: Double {
        moments.withLock { moments in
            guard let start = moments.start, let end = moments.end else { return 0 }
            let elapsed = end - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }
}

func format(_ seconds: Double) -> String { String(format: "%.0f ms", seconds * 1000) }
func ratio(_ value: Double) -> String { String(format: "%.2f", value) }

/// Peak resident memory of this process so far, in megabytes.
func peakMemoryMegabytes() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
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
    options.kinds = .standard()
    return options
}
