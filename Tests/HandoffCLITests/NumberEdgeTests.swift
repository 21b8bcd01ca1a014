import Foundation
import HandoffTestSupport
import HandoffTime
import PagerDutySandbox
import Testing

/// Every number a command line takes is checked at its edge: a usage error (exit 64) naming the
/// allowed range, never a hang, a trap or an allocation the size of the number.
@Suite("command-line numbers at their edges", .timeLimit(.minutes(2)))
struct NumberEdgeTests {
    static let huge = "9223372036854775807"

    /// A folder with a valid configuration pointed at a sandbox that is never reached (the errors
    /// come first).
    private func configured() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-numbers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try ApplyFixture.configuration(url: "http://127.0.0.1:9").write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test(
        "a number out of range is a usage error naming the range",
        arguments: [
            (["apply", ".", "--auto-approve", "--parallelism", huge], "--parallelism must be between 1 and 64, not \(huge)"),
            (["apply", ".", "--auto-approve", "--parallelism", "0"], "--parallelism must be between 1 and 64, not 0"),
            (["apply", ".", "--auto-approve", "--batch-size", huge], "--batch-size must be between 1 and 1000, not \(huge)"),
            (["plan", ".", "--parallelism", huge], "--parallelism must be between 1 and 64, not \(huge)"),
            (["plan", ".", "--max-size", "100"], "--max-size must be between 2000 and 100000000, not 100"),
            (["who", ".", "--next", huge], "--next must be between 0 and 1000, not \(huge)"),
            (["who", ".", "--next=-1"], "--next must be between 0 and 1000, not -1"),
            (["sandbox", "--port", "70000"], "--port must be between 0 and 65535, not 70000"),
            (["sandbox", "--latency", huge], "--latency must be between 0 and 60000, not \(huge)"),
            (["state", "restore", huge], "the serial must be between 0 and 9007199254740990, not \(huge)"),
            (["state", "history", "--limit=-5"], "--limit must be between 1 and 10000, not -5"),
        ] as [([String], String)]
    )
    func integerRanges(arguments: [String], message: String) async throws {
        let directory = try configured()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await HandoffProcess.run(arguments, in: directory)
        #expect(result.exitCode == 64, "\(arguments): \(result.standardError)")
        #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
    }

    @Test("--lock-timeout that is infinite, huge, negative or not a number is a usage error, not a trap", arguments: ["inf", "1e300", "1e300s", "-1", "nan", "-5m", "25h", "infinity"])
    func lockTimeouts(value: String) async throws {
        let directory = try configured()
        defer { try? FileManager.default.removeItem(at: directory) }
        for command in [["apply", ".", "--auto-approve"], ["plan", "."]] {
            let result = try await HandoffProcess.run(command + ["--lock-timeout=\(value)"], in: directory)
            #expect(result.exitCode == 64, "\(command) \(value): \(result.standardError)")
            #expect(result.standardError.contains("--lock-timeout must be a duration from 0 to 24h such as 30s, 5m or 1h, not \(value)"))
        }
    }

    @Test("times at the ends of the calendar are usage errors", arguments: [
        (["who", ".", "--at", "9999-12-31T23:59:00Z"], "--at must be a time from 1970 to 9000, not 9999-12-31T23:59:00Z"),
        (["plan", ".", "--now", "0001-01-01T00:00:00Z"], "--now must be a time from 1970 to 9000, not 0001-01-01T00:00:00Z"),
        (["who", ".", "--report", "--from", "0001-01-01"], "--from must be a date from 1970 to 9000, not 0001-01-01"),
    ] as [([String], String)])
    func calendarEnds(arguments: [String], message: String) async throws {
        let directory = try configured()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await HandoffProcess.run(arguments, in: directory)
        #expect(result.exitCode == 64, "\(arguments): \(result.standardError)")
        #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
    }

    @Test("a fairness report over centuries is refused at once; one over three years runs")
    func reportRange() async throws {
        let directory = try configured()
        defer { try? FileManager.default.removeItem(at: directory) }
        let wide = try await HandoffProcess.run(["who", ".", "--report", "--from", "1970-01-01", "--until", "8999-12-31"], in: directory)
        #expect(wide.exitCode == 64)
        #expect(wide.standardError.contains("a report covers at most 1096 days (about three years); --from 1970-01-01 and --until 8999-12-31 are 2567654 days apart"))
        // Without --from, the first day is today: the same limit, found when the days are known.
        let untilOnly = try await HandoffProcess.run(["who", ".", "--report", "--until", "8999-12-31"], in: directory)
        #expect(untilOnly.exitCode == 64)
        #expect(untilOnly.standardError.hasPrefix("error: a report covers at most 1096 days"))
        let fine = try await HandoffProcess.run(["who", ".", "--report", "--from", "2026-01-01", "--until", "2029-01-01"], in: directory)
        #expect(fine.exitCode == 0, "\(fine.standardError)")
        #expect(fine.standardOutput.hasPrefix("daily (Europe/Berlin), 2026-01-01 to 2029-01-01\n"))
    }

    @Test("a state at serial Int64.max stops apply before any PagerDuty call, saying how to recover")
    func hugeSerialStopsApplyFirst() async throws {
        let token = "numbers-test-key-0123456789"
        try await ApplyFixture.withSandbox(latency: 0, token: token) { server, directory in
            try ApplyFixture.configuration(url: server.baseURL).write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(".handoff"), withIntermediateDirectories: true)
            try Data(#"{"format_version":1,"lineage":"L","serial":9223372036854775807,"destinations":{}}"#.utf8)
                .write(to: directory.appendingPathComponent(".handoff/state.json"))
            let result = try await HandoffProcess.run(
                ["apply", ".", "--auto-approve", "--now", ApplyFixture.now], in: directory, environment: ["HANDOFF_TEST_TOKEN": token]
            )
            #expect(result.exitCode == 1)
            #expect(result.standardError.contains("its serial 9223372036854775807 is not between 0 and 9007199254740990; set \"serial\" in it to a whole number in that range (1 will do) and make a new plan"))
            #expect(server.log.total == 0)
        }
    }
}
