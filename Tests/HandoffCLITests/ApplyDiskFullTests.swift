import Foundation
import HandoffState
import HandoffTestSupport
import PagerDutySandbox
import Testing

/// apply when the disk fills up mid-run: the built binary under a file-size limit (RLIMIT_FSIZE,
/// set by `prlimit` for that process alone), which fails its writes the way a full disk does, with
/// no mount and no privilege. The simulated PagerDuty runs in the test process, outside the limit.
@Suite("apply: a full disk", .serialized, .timeLimit(.minutes(2)))
struct ApplyDiskFullTests {
    static let token = "disk-full-test-key-0123456789"

    /// Runs `handoff arguments…` in `directory` with files limited to `fileSizeLimit` bytes.
    private func runLimited(_ arguments: [String], in directory: URL, fileSizeLimit: Int) async throws -> HandoffProcess.Output {
        try await HandoffProcess.run(
            arguments, in: directory, environment: ["HANDOFF_TEST_TOKEN": Self.token], launcher: ["/usr/bin/prlimit", "--fsize=\(fileSizeLimit)"]
        )
    }

    @Test("the state cannot be written: each destination's failure and the summary are printed, and the next apply converges")
    func diskFullDuringApply() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") else {
            Issue.record("prlimit (util-linux) is needed for this test")
            return
        }
        try await ApplyFixture.withSandbox(latency: 0, token: Self.token) { server, directory in
            try ApplyFixture.configuration(url: server.baseURL).write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let arguments = ["apply", ".", "--auto-approve", "--batch-size", "1", "--parallelism", "1", "--now", ApplyFixture.now]
            // Room for the lock and the journal line of the first create, not for the next line nor
            // for the state file that folds it in.
            let full = try await runLimited(arguments, in: directory, fileSizeLimit: 400)
            #expect(full.exitCode == 1, "\(full.standardOutput)\(full.standardError)")
            let errors = full.standardError.split(separator: "\n").filter { $0.hasPrefix("error: ") }
            #expect(errors.contains { $0.hasPrefix("error: destination daily-") && $0.contains("File too large") }, "\(full.standardError)")
            #expect(errors.contains { $0.contains("the state file .handoff/state.json cannot be written") && $0.contains("the next run folds them in") }, "\(full.standardError)")
            #expect(errors.count == 3, "\(full.standardError)")
            #expect(full.standardOutput.contains("Apply failed: 3 failures. Overrides: 1 created, 0 deleted, 0 adopted."), "\(full.standardOutput)")
            #expect(full.standardOutput.hasSuffix("The next plan shows what remains.\n"), "\(full.standardOutput)")

            // With room again, the next apply takes over from the journal: no duplicate, nothing untracked.
            let again = try await HandoffProcess.run(Array(arguments.prefix(3)) + ["--now", ApplyFixture.now], in: directory, environment: ["HANDOFF_TEST_TOKEN": Self.token])
            #expect(again.exitCode == 0, "\(again.standardOutput)\(again.standardError)")
            let state = try await LocalStateStore(path: directory.appendingPathComponent(".handoff/state.json").path).read()
            let problems = await ApplyFixture.problems(server, owned: state.allOwnedIDs)
            #expect(problems.isEmpty, "\(problems)")
        }
    }
}
