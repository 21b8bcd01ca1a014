import Foundation
import HandoffConfig
import HandoffRota
import HandoffTestSupport
import HandoffTime
@testable import PagerDutySandbox
import Testing

/// The README's journey on `examples/shift-based` (issue 16, "done when"): the built binary plans,
/// applies and plans again on a shift-based PagerDuty schedule in its in-process simulated
/// PagerDuty; then the simulated PagerDuty's own final schedule, read from its data file without
/// Handoff, shows at every minute the person the configuration has on call.
@Suite("examples/shift-based, end to end")
struct ShiftBasedJourneyTests {
    static let now = "2026-11-23T10:00:00Z"

    @Test("plan, apply, plan again gives no changes, and PagerDuty's final schedule shows the exported person at every minute")
    func journey() async throws {
        let directory = try ExampleCopy.make("shift-based", example: "shift-based", files: ["handoff.yaml", "sandbox-seed.json"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = try await HandoffProcess.run(["plan", ".", "--now", Self.now, "--detailed-exitcode"], in: directory)
        #expect(plan.exitCode == 2, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("→ PagerDuty schedule PSHIFT1 (shift-based)"))
        // Over the rotation's Christmas break the export needs custom shifts; elsewhere overrides.
        #expect(plan.standardOutput.contains("custom shift"))
        #expect(plan.standardOutput.contains("override"))

        let apply = try await HandoffProcess.run(["apply", ".", "--now", Self.now, "--auto-approve"], in: directory)
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        #expect(apply.standardOutput.contains("Apply complete!"))

        let again = try await HandoffProcess.run(["plan", ".", "--now", "2026-11-23T10:04:00Z", "--detailed-exitcode"], in: directory)
        #expect(again.exitCode == 0, "\(again.standardOutput)\(again.standardError)")
        #expect(again.standardOutput == "No changes. PagerDuty matches the configuration.\n")

        try await expectFinalScheduleMatchesConfiguration(directory)
    }

    /// Reads the simulated PagerDuty's data file and the configuration independently of the
    /// planner, and compares who is on call at every boundary of either side (both are constant
    /// in between, so this is every minute) from `now` to the horizon.
    private func expectFinalScheduleMatchesConfiguration(_ directory: URL) async throws {
        let loaded = ConfigurationLoader.load(
            files: [("handoff.yaml", Array(try Data(contentsOf: directory.appendingPathComponent("handoff.yaml"))))], directory: directory.path
        )
        let configuration = try #require(loaded.configuration)
        let schedule = try #require(configuration.schedule(named: "platform-primary"))
        let now = try #require(Instant(rfc3339: Self.now))
        let window = InstantRange(start: now, end: now.adding(seconds: 8 * 7 * 86_400))
        let shifts = RotaExpander.expand(schedule, over: window).shifts

        let store = try await SandboxStore(dataPath: directory.appendingPathComponent(".handoff/sandbox.json").path, seed: nil)
        let details = try #require(await store.schedule(id: "PSHIFT1")?.v3)
        let shown = V3FinalSchedule.assignments(details, window: window, fixedUTC: false)
        var emails: [String: String] = [:]
        for person in configuration.people {
            if let user = await store.user(email: person.email) { emails[user.id] = person.email.lowercased() }
        }

        var boundaries = Set([window.start])
        for shift in shifts { boundaries.formUnion([shift.start, shift.end]) }
        for entry in shown { boundaries.formUnion([entry.range.start, entry.range.end]) }
        var mismatches: [String] = []
        for instant in boundaries.sorted() where window.start <= instant && instant < window.end {
            let wanted = shifts.first { $0.start <= instant && instant < $0.end }.flatMap { configuration.person($0.person)?.email.lowercased() }
            let onCall = Set(shown.filter { $0.range.start <= instant && instant < $0.range.end }.compactMap { $0.member.userID.flatMap { emails[$0] } })
            if onCall != Set([wanted].compactMap { $0 }) {
                mismatches.append("\(instant): configuration \(wanted ?? "nobody"), PagerDuty \(onCall.sorted())")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10).joined(separator: "\n"))")
        #expect(boundaries.count > 10)
    }
}
