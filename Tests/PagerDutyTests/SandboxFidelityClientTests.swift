import Foundation
import HandoffDestination
import HandoffTestSupport
import HandoffTime
@testable import PagerDuty
import PagerDutySandbox
import Testing

private func at(_ text: String) -> Instant {
    guard let instant = Instant(rfc3339: text) else { fatalError("bad time \(text) in a test") }
    return instant
}

private let fidelitySeed = SandboxSeed(
    users: [.init(name: "Alice Archer", email: "alice@example.com", jobTitle: "Site Reliability Engineer"), .init(name: "Bob Brown", email: "bob@example.com")],
    schedules: [
        .init(name: "Platform", timeZone: "Europe/Berlin", id: "PPLAT01"),
        .init(name: "Docs", timeZone: "UTC", id: "PDOCS01", description: "Documentation on-call"),
    ]
)

/// The client against each position of the simulated PagerDuty's switches it must tolerate
/// (`docs/pagerduty-fidelity.md`): what the description declares and what PagerDuty was seen to send.
@Suite("PagerDuty client against the description's shapes and the ones seen in the wild")
struct SandboxFidelityClientTests {
    @Test("users and schedules are read whether an unset job_title or description is absent or null")
    func unsetStrings() async throws {
        for nulls in [false, true] {
            try await SandboxHarness.with(seed: fidelitySeed, configure: { $0.quirks.nullForUnsetStrings = nulls }) { (sandbox: SandboxHarness) async throws in
                try await sandbox.withClient { (client: PagerDutyClient) async throws in
                    let users = try await client.listUsers()
                    #expect(users.map(\.name).sorted() == ["Alice Archer", "Bob Brown"])
                    let bob = try #require(users.first { $0.email == "bob@example.com" })
                    #expect(try await client.user(id: bob.id) == bob)
                    #expect(try await client.schedule(id: "PPLAT01").description == nil)
                    #expect(try await client.schedule(id: "PDOCS01").description == "Documentation on-call")
                    let listed = try await client.listSchedules(includeLayers: true)
                    #expect(listed.map(\.id) == ["PPLAT01", "PDOCS01"])
                    #expect(listed.map(\.description) == [nil, "Documentation on-call"])
                }
            }
        }
    }

    @Test("an all-refused create is read with errors as a list, as one string, or with error as a string")
    func refusalShapes() async throws {
        let cases: [(String, (inout SandboxQuirks) -> Void, [String])] = [
            ("list", { _ in }, ["Override must end in the future", "Override must end after its start"]),
            ("string", { $0.errorsAsString = true }, ["Override must end in the future, Override must end after its start"]),
            ("error string", { $0.errorAsString = true }, ["Invalid Input Provided: Override must end in the future: Override must end after its start"]),
        ]
        for (name, quirks, reasons) in cases {
            try await SandboxHarness.with(seed: fidelitySeed, configure: {
                $0.quirks.allFailedStatus = 400
                quirks(&$0.quirks)
            }) { (sandbox: SandboxHarness) async throws in
                let alice = try #require(await sandbox.server.store.snapshot().users.first?.id)
                let bad = PlannedOverride(start: at("2026-11-01T09:00:00Z"), end: at("2026-11-01T08:00:00Z"), userID: alice)
                let results = try await sandbox.withClient { try await $0.createOverrides(scheduleID: "PPLAT01", [bad]) }
                #expect(results == [.rejected(bad, status: 400, errors: reasons)], "errors as \(name)")
            }
        }
    }

    @Test("the deprecated single form's answers are read: its 201 object, the bulk array, and its 400 with errors a list or one string")
    func singleFormAnswers() async throws {
        let key = APIKey(SandboxHarness.key)
        for form in [SandboxQuirks.SingleOverrideForm.legacyObject, .asBulk] {
            try await SandboxHarness.with(seed: fidelitySeed, configure: { $0.quirks.singleOverrideForm = form }) { (sandbox: SandboxHarness) async throws in
                let alice = try #require(await sandbox.server.store.snapshot().users.first?.id)
                let wanted = PlannedOverride(start: at("2026-11-24T09:00:00Z"), end: at("2026-11-24T17:00:00Z"), userID: alice)
                let body = #"{"override":{"start":"2026-11-24T09:00:00Z","end":"2026-11-24T17:00:00Z","user":{"id":"\#(alice)","type":"user_reference"}}}"#
                let answer = try await RawHTTP.post(sandbox.baseURL + "/schedules/PPLAT01/overrides", json: body)
                #expect(answer.status == 201)
                let results = PagerDutyClient.creationResults(answer.body, requested: [wanted], key: key)
                guard case .created(let override)? = results?.first else {
                    Issue.record("the \(form) answer was not read: \(answer.text)")
                    return
                }
                #expect(override.start == wanted.start && override.end == wanted.end && override.user.id == alice)
            }
        }
        for asString in [false, true] {
            try await SandboxHarness.with(seed: fidelitySeed, configure: { $0.quirks.singleOverrideErrorsAsString = asString }) { (sandbox: SandboxHarness) async throws in
                let alice = try #require(await sandbox.server.store.snapshot().users.first?.id)
                let body = #"{"override":{"start":"2026-11-01T09:00:00Z","end":"2026-11-01T08:00:00Z","user":{"id":"\#(alice)","type":"user_reference"}}}"#
                let answer = try await RawHTTP.post(sandbox.baseURL + "/schedules/PPLAT01/overrides", json: body)
                #expect(answer.status == 400)
                let error = ErrorBody(bytes: answer.body, key: key)
                #expect(error.message == "Invalid Override" && error.code == 2001)
                #expect(error.errors == (asString
                    ? ["Override must end in the future, Override must end after its start"]
                    : ["Override must end in the future", "Override must end after its start"]))
                #expect(error.summary?.hasPrefix("Invalid Override: Override must end in the future") == true)
            }
        }
    }
}
