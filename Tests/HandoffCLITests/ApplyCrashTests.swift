import Foundation
import HandoffState
import HandoffTestSupport
import HandoffTime
import PagerDutySandbox
import Testing

/// apply killed at random moments, and two applies at once: the built binary against a simulated
/// PagerDuty running in the test process.
@Suite("apply: crashes and concurrent runs", .serialized)
struct ApplyCrashTests {
    static let now = ApplyFixture.now
    static let token = "crash-test-key-0123456789"

    /// The rosters change every round to give each apply work: the freeze (issue 13) is off.
    private static func config(_ members: String, url: String) -> String {
        ApplyFixture.configuration(members: members, url: url).replacingOccurrences(of: "version: 1\n", with: "version: 1\nfreeze: 0\n")
    }

    private func withSandbox(latency: Int, _ body: (SandboxServer, URL) async throws -> Void) async throws {
        try await ApplyFixture.withSandbox(latency: latency, token: Self.token, body)
    }

    private func expectConverged(_ server: SandboxServer, _ directory: URL, _ context: String) async throws {
        let plan = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--detailed-exitcode"], in: directory, environment: ["HANDOFF_TEST_TOKEN": Self.token])
        #expect(plan.exitCode == 0, "\(context): \(plan.standardOutput)\(plan.standardError)")
        let state = try await LocalStateStore(path: directory.appendingPathComponent(".handoff/state.json").path).read()
        let problems = await ApplyFixture.problems(server, owned: state.allOwnedIDs)
        #expect(problems.isEmpty, "\(context): \(problems.joined(separator: "; "))")
    }

    @Test("20 applies killed with SIGKILL after a random number of requests, each followed by a clean apply: no duplicates, nothing untracked")
    func killedApplies() async throws {
        try await withSandbox(latency: 8) { server, directory in
            var random = SeededRandom(seed: 20_261_122)
            let environment = ["HANDOFF_TEST_TOKEN": Self.token]
            let rosters = ["alice, bob, carol", "carol, alice, bob", "bob, carol", "alice, carol, bob"]
            for round in 0..<20 {
                try Self.config(rosters[round % rosters.count], url: server.baseURL).write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
                let target = random.int(in: 1...16)
                let baseline = server.log.total
                let running = try HandoffProcess.start(["apply", ".", "--auto-approve", "--batch-size", "2", "--now", Self.now], in: directory, environment: environment)
                // Killed as the target-th request is logged (or once the run has ended by itself).
                _ = await FirstEvent.first(of: [{ @Sendable in await server.log.waitForTotal(baseline + target) }, { @Sendable in _ = await running.wait() }], within: .seconds(20))
                await running.kill()
                let clean = try await HandoffProcess.run(["apply", ".", "--auto-approve", "--now", Self.now], in: directory, environment: environment)
                #expect(clean.exitCode == 0, "round \(round): \(clean.standardOutput)\(clean.standardError)")
                try await expectConverged(server, directory, "round \(round), killed after \(target) requests")
            }
        }
    }

    @Test("two applies at once: the second fails naming the holder, or waits with --lock-timeout")
    func concurrentApplies() async throws {
        try await withSandbox(latency: 200) { server, directory in
            let environment = ["HANDOFF_TEST_TOKEN": Self.token]
            try Self.config("alice, bob, carol", url: server.baseURL).write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let baseline = server.log.total
            let first = try HandoffProcess.start(["apply", ".", "--auto-approve", "--batch-size", "1", "--now", Self.now], in: directory, environment: environment)
            // The first PagerDuty request comes after the lock is taken.
            _ = await FirstEvent.first(of: [{ @Sendable in await server.log.waitForTotal(baseline + 1) }, { @Sendable in _ = await first.wait() }], within: .seconds(60))
            let lock = directory.appendingPathComponent(".handoff/state.json.lock").path
            #expect(FileManager.default.fileExists(atPath: lock) && first.isRunning, "the first apply holds the lock")
            let refused = try await HandoffProcess.run(["apply", ".", "--auto-approve", "--now", Self.now], in: directory, environment: environment)
            #expect(refused.exitCode == 1)
            #expect(refused.standardError.hasPrefix("error: the state .handoff/state.json is locked by apply by "))
            #expect(refused.standardError.contains("(pid \(first.pid)"))
            let waited = try await HandoffProcess.run(["apply", ".", "--auto-approve", "--now", Self.now, "--lock-timeout", "60s"], in: directory, environment: environment)
            #expect(await first.wait() == 0)
            #expect(waited.exitCode == 0)
            #expect(waited.standardOutput.hasSuffix("No changes. PagerDuty matches the configuration.\n"))
            try await expectConverged(server, directory, "after two applies")
        }
    }
}
