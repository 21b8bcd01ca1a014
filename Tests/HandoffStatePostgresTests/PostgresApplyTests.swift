import Foundation
import HandoffState
import HandoffStatePostgres
import HandoffTestSupport
import HandoffTime
import PagerDutySandbox
import Testing

/// The postgres backend through the built `handoff` binary: concurrent applies from separate
/// processes, migration both ways, and the database lost in the middle of an apply.
extension PostgresStateStoreTests {
    static let now = ApplyFixture.now
    static let token = "postgres-test-key-0123456789"

    static func configuration(url sandbox: String, schema: String, backend: String = "postgres") -> String {
        let state = backend == "postgres" ? "state: { backend: postgres, url_env: HANDOFF_TEST_STATE_URL, schema: \(schema) }" : "state: { backend: local }"
        return ApplyFixture.configuration(url: sandbox, state: state)
    }

    /// A sandbox with latency, a folder with the configuration, and the environment for both.
    func withSetup(latency: Int, _ body: (SandboxServer, URL, String, [String: String]) async throws -> Void) async throws {
        let cluster = try await PostgresCluster.require()
        try await ApplyFixture.withSandbox(latency: latency, token: Self.token) { server, directory in
            let schema = "a_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            try Self.configuration(url: server.baseURL, schema: String(schema)).write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let environment = ["HANDOFF_TEST_TOKEN": Self.token, "HANDOFF_TEST_STATE_URL": cluster.url]
            try await body(server, directory, String(schema), environment)
        }
    }

    func store(_ schema: String) async throws -> PostgresStateStore {
        PostgresStateStore(location: try PostgresLocation(url: try await PostgresCluster.require().url, variable: "X"), schema: schema, workspace: "default")
    }

    /// Live overrides no two alike, all owned, and a plan with nothing to do.
    func expectConverged(_ server: SandboxServer, _ directory: URL, _ schema: String, _ environment: [String: String]) async throws {
        let plan = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--detailed-exitcode"], in: directory, environment: environment)
        #expect(plan.exitCode == 0, "\(plan.standardOutput)\(plan.standardError)")
        let problems = await ApplyFixture.problems(server, owned: try await store(schema).read().allOwnedIDs)
        #expect(problems.isEmpty, "\(problems.joined(separator: "; "))")
    }

    @Test("two applies at once from separate processes: the second fails naming the holder, or waits")
    func concurrentProcesses() async throws {
        try await withSetup(latency: 150) { server, directory, schema, environment in
            let first = try HandoffProcess.start(["apply", ".", "--auto-approve", "--batch-size", "1", "--now", Self.now], in: directory, environment: environment)
            // An apply takes the lock before it asks PagerDuty anything: its first request is the
            // signal that it holds the lock (or its exit, when it failed before).
            let holding = await FirstEvent.first(of: [{ @Sendable in await server.log.waitForTotal(1); return true }, { @Sendable in _ = await first.wait(); return false }], within: .seconds(30))
            #expect(holding == true)
            #expect(try await store(schema).currentLock() != nil)
            let refused = try await HandoffProcess.run(["apply", ".", "--auto-approve", "--now", Self.now], in: directory, environment: environment)
            #expect(refused.exitCode == 1)
            #expect(refused.standardError.hasPrefix("error: the postgres state (workspace default, schema \(schema), "))
            #expect(refused.standardError.contains("is locked by apply by "))
            #expect(refused.standardError.contains("(pid \(first.pid)"))
            let waited = try await HandoffProcess.run(["apply", ".", "--auto-approve", "--now", Self.now, "--lock-timeout", "60s"], in: directory, environment: environment)
            #expect(await first.wait() == 0)
            #expect(waited.exitCode == 0)
            #expect(waited.standardOutput.hasSuffix("No changes. PagerDuty matches the configuration.\n"))
            try await expectConverged(server, directory, schema, environment)
        }
    }

    @Test("migrate local → postgres → local gives the same state file, byte for byte")
    func migrateRoundTrip() async throws {
        try await withSetup(latency: 0) { server, directory, schema, environment in
            // Apply with the local backend first.
            try Self.configuration(url: server.baseURL, schema: schema, backend: "local").write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let applied = try await HandoffProcess.run(["apply", ".", "--auto-approve", "--now", Self.now], in: directory, environment: environment)
            #expect(applied.exitCode == 0)
            let statePath = directory.appendingPathComponent(".handoff/state.json")
            let original = try Data(contentsOf: statePath)

            let toPostgres = try await HandoffProcess.run(
                ["state", "migrate", "--from", "local", "--to", "postgres", "--url-env", "HANDOFF_TEST_STATE_URL", "--schema", schema], in: directory, environment: environment
            )
            #expect(toPostgres.exitCode == 0, "\(toPostgres.standardError)")
            #expect(toPostgres.standardOutput.hasPrefix("Moved the state (serial 1, 2 destinations) from the local state .handoff/state.json to the postgres state"))
            // The target is not empty now: migrating again needs --force.
            let again = try await HandoffProcess.run(
                ["state", "migrate", "--from", "local", "--to", "postgres", "--url-env", "HANDOFF_TEST_STATE_URL", "--schema", schema], in: directory, environment: environment
            )
            #expect(again.exitCode == 1)
            #expect(again.standardError.contains("already holds a state (serial 1); pass --force to overwrite it"))

            try FileManager.default.removeItem(at: statePath)
            try Self.configuration(url: server.baseURL, schema: schema).write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let planned = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--detailed-exitcode"], in: directory, environment: environment)
            #expect(planned.exitCode == 0, "the postgres state knows everything: \(planned.standardOutput)")
            let back = try await HandoffProcess.run(["state", "migrate", "--from", "postgres", "--to", "local"], in: directory, environment: environment)
            #expect(back.exitCode == 0, "\(back.standardError)")
            #expect(try Data(contentsOf: statePath) == original)
        }
    }

    @Test("the database lost in the middle of an apply: it stops before the next PagerDuty call, and the next apply converges")
    func databaseLost() async throws {
        let cluster = try await PostgresCluster.require()
        try await withSetup(latency: 40) { server, directory, schema, environment in
            // One destination at a time: with the two of the fixture applied side by side, two calls
            // can be in flight when the database goes away, and the bound below counts one.
            let running = try HandoffProcess.start(
                ["apply", ".", "--auto-approve", "--batch-size", "1", "--parallelism", "1", "--now", Self.now], in: directory, environment: environment
            )
            let fifth = await FirstEvent.first(
                of: [
                    { @Sendable in await server.log.waitFor(5, of: "POST /schedules/{id}/overrides"); return true },
                    { @Sendable in _ = await running.wait(); return false },
                ],
                within: .seconds(30)
            )
            #expect(fifth == true, "the apply ended before its fifth create")
            try await HandoffProcess.offPool { try cluster.stop() }
            let postsAtStop = server.log.counts["POST /schedules/{id}/overrides"] ?? 0
            #expect(await running.wait() == 1)
            // At most the call in flight when the database went away; nothing after it.
            #expect((server.log.counts["POST /schedules/{id}/overrides"] ?? 0) <= postsAtStop + 1)
            try await HandoffProcess.offPool { try cluster.start() }
            let clean = try await HandoffProcess.run(["apply", ".", "--auto-approve", "--now", Self.now], in: directory, environment: environment)
            #expect(clean.exitCode == 0, "\(clean.standardOutput)\(clean.standardError)")
            try await expectConverged(server, directory, schema, environment)
        }
    }
}
