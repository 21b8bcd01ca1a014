import Foundation
import HandoffTestSupport
import PagerDutySandbox
import Testing

/// An apply stopped by SIGTERM says so in the one error style (issue 14, item 6): `error: …` in
/// lower case, like every other failure (it used to print `Interrupted: …`).
@Suite("apply interrupted")
struct InterruptedApplyTests {
    static let token = "interrupt-test-key-0123456789"

    @Test("SIGTERM during an apply prints error: interrupted … and exits 130")
    func sigtermIsAnError() async throws {
        try await ApplyFixture.withSandbox(latency: 300, token: Self.token) { server, directory in
            try ApplyFixture.configuration(url: server.baseURL).write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            let errorFile = directory.appendingPathComponent("stderr.txt")
            FileManager.default.createFile(atPath: errorFile.path, contents: nil)
            let errorHandle = try FileHandle(forWritingTo: errorFile)
            let process = Process()
            process.executableURL = HandoffProcess.executable
            process.arguments = ["apply", ".", "--auto-approve", "--batch-size", "1", "--now", ApplyFixture.now]
            process.currentDirectoryURL = directory
            var environment = ProcessInfo.processInfo.environment
            environment["NO_COLOR"] = "1"
            environment["HANDOFF_TEST_TOKEN"] = Self.token
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errorHandle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // The first PagerDuty request comes after the lock, and with it the signal handler.
            _ = await FirstEvent.first(
                of: [{ @Sendable in await server.log.waitForTotal(1) }, { @Sendable in _ = try? await HandoffProcess.offPool { process.waitUntilExit() } }],
                within: .seconds(30)
            )
            #expect(process.isRunning, "the apply ended before it could be interrupted")
            kill(process.processIdentifier, SIGTERM)
            let status = try await HandoffProcess.offPool {
                process.waitUntilExit()
                return (process.terminationReason == .exit, process.terminationStatus)
            }
            try errorHandle.close()
            let standardError = String(decoding: try Data(contentsOf: errorFile), as: UTF8.self)
            #expect(status == (true, 130))
            #expect(standardError.hasSuffix("error: interrupted: what was done is recorded in the state; the next plan shows what remains\n"), "\(standardError)")
            #expect(!standardError.contains("Interrupted"))
        }
    }
}
