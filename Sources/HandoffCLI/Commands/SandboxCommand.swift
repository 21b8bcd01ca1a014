import ArgumentParser
import Foundation
import HandoffTime
import PagerDutySandbox

/// `handoff sandbox`: the simulated PagerDuty in the foreground, for trying Handoff, for demos,
/// and for testing other tools against PagerDuty's API without an account.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the simulated PagerDuty on 127.0.0.1 in the foreground.",
        discussion: """
            Serves the PagerDuty REST API endpoints Handoff uses (users, schedules, overrides, \
            on-calls) over HTTP on the loopback interface, keeping its data in a JSON file. It \
            prints its address and keys; point a connection at it with \
            `api_url: http://127.0.0.1:PORT` and the key in `token_env`. Stop it with Ctrl-C.

            Examples:
              handoff sandbox --port 8080
              handoff sandbox --seed seed.yaml --now 2026-11-23T09:00:00Z
              handoff sandbox --latency 20 --fail-rate 0.1 --rate-limit
            """
    )

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 8080

    @Option(help: "The data file, created if missing and rewritten after every change.")
    var data: String = ".handoff/sandbox.json"

    @Option(help: "A seed file (YAML or JSON: users, schedules, tokens, overrides) for what the data lacks.")
    var seed: String?

    @Option(help: "Start the sandbox's clock at this RFC 3339 time (it runs on from there).")
    var now: String?

    @Option(help: "Add this many milliseconds (at most 60000) to every response.")
    var latency: Int = 0

    @Option(name: .customLong("fail-rate"), help: "Share of requests (0 to 1) answered 500.")
    var failRate: Double = 0

    @Flag(name: .customLong("rate-limit"), help: "Enforce PagerDuty's 960 requests a minute per key (429 beyond it).")
    var rateLimit = false

    static let readWriteKey = "sandbox-read-write-key"
    static let readOnlyKey = "sandbox-read-only-key"

    func validate() throws {
        try checkRange("--port", port, 0...65_535)
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be between 0 and 1") }
        try checkRange("--latency", latency, 0...60_000)
        if let now { _ = try parseInstantOption("--now", now, example: "2026-11-23T09:00:00Z") }
    }

    func run() async throws {
        var options = SandboxOptions()
        options.port = port
        options.dataPath = data
        if let now, let instant = Instant(rfc3339: now) { options.clock = SandboxClock(startingAt: instant) }
        var seedFile = SandboxSeed()
        if let seed {
            do { seedFile = try SandboxSeed.load(path: seed) } catch { throw CommandFailure("\(error)") }
        }
        seedFile.tokens += [
            SandboxSeed.Token(token: Self.readWriteKey, readOnly: false),
            SandboxSeed.Token(token: Self.readOnlyKey, readOnly: true),
        ]
        options.seed = seedFile
        options.faults.latency = latency > 0 ? .fixed(milliseconds: latency) : .none
        options.faults.serverErrorRate = failRate
        options.faults.enforceRateLimit = rateLimit

        let server: SandboxServer
        let url: String
        do {
            server = try await SandboxServer(options: options)
            url = try await server.start()
        } catch {
            throw CommandFailure("\(error)")
        }
        let snapshot = await server.store.snapshot()
        let output = Terminal.standardOutput
        output.write(
            """
            Simulated PagerDuty listening on \(url)
              data:           \(data) (\(plural(snapshot.users.count, "user")), \(plural(snapshot.schedules.count, "schedule")), \(plural(snapshot.overrides.count, "override")))
              read-write key: \(Self.readWriteKey)
              read-only key:  \(Self.readOnlyKey)
            Use it from a configuration:
              connections:
                local: { type: pagerduty, token_env: PAGERDUTY_TOKEN, api_url: "\(url)" }
            Press Ctrl-C to stop.

            """
        )
        await SignalWaiter.waitForTermination()
        await server.stop()
        output.write("Simulated PagerDuty stopped.\n")
    }
}

/// Waits for SIGINT or SIGTERM, so a foreground server can stop cleanly.
enum SignalWaiter {
    static func waitForTermination() async {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            sources.append(source)
        }
        for await _ in stream { break }
        for source in sources { source.cancel() }
    }
}
