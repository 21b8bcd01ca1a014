import Foundation
import HandoffTestSupport
import PagerDutySandbox
import Testing

/// A lock file nobody can read, seen from the command line: apply fails within --lock-timeout
/// naming the lock and the reason (it used to spin at full CPU forever); plan warns and goes on.
@Suite("a lock file that cannot be read", .timeLimit(.minutes(2)))
struct LockFileTests {
    static let token = "lock-file-test-key-0123456789"

    @Test("apply fails at once, or after --lock-timeout, naming the lock; plan warns and plans; nothing is sent to PagerDuty by apply")
    func folderAtTheLockPath() async throws {
        try await ApplyFixture.withSandbox(latency: 0, token: Self.token) { server, directory in
            let environment = ["HANDOFF_TEST_TOKEN": Self.token]
            try ApplyFixture.configuration(url: server.baseURL).write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(".handoff/state.json.lock"), withIntermediateDirectories: true)
            let expected = "error: the lock .handoff/state.json.lock cannot be read: it is a folder, not a file; if no run holds it, remove it and run again\n"

            let now = try await HandoffProcess.run(["apply", ".", "--auto-approve", "--now", ApplyFixture.now], in: directory, environment: environment)
            #expect(now.exitCode == 1)
            #expect(now.standardError == expected)

            let started = Date()
            let waited = try await HandoffProcess.run(["apply", ".", "--auto-approve", "--now", ApplyFixture.now, "--lock-timeout", "1s"], in: directory, environment: environment)
            #expect(waited.exitCode == 1)
            #expect(waited.standardError == expected)
            #expect(Date().timeIntervalSince(started) >= 1)
            #expect(server.log.total == 0)

            let plan = try await HandoffProcess.run(["plan", ".", "--now", ApplyFixture.now], in: directory, environment: environment)
            #expect(plan.exitCode == 0)
            #expect(plan.standardError.hasPrefix(
                "warning: the lock .handoff/state.json.lock cannot be read: it is a folder, not a file; if no run holds it, remove it and run again; "
                    + "this plan may change once the run holding it finishes\n"
            ))

            let list = try await HandoffProcess.run(["state", "list"], in: directory, environment: environment)
            #expect(list.exitCode == 0)
            #expect(list.standardError == "warning: the lock .handoff/state.json.lock cannot be read: it is a folder, not a file; if no run holds it, remove it and run again\n")
        }
    }
}
