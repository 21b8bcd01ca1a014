import Foundation
import HandoffTestSupport
import PagerDutySandbox
import Testing

/// The simulated PagerDuty under hostile requests: numbers at the edge of the integers, bodies
/// beyond its limit, windows of centuries. Each is answered as PagerDuty answers, with its error
/// body, and the server lives on.
@Suite("Simulated PagerDuty: limits", .timeLimit(.minutes(2)))
struct SandboxLimitTests {
    private let seed = SandboxSeed(
        users: [SandboxSeed.User(name: "Alice Archer", email: "alice@example.com")],
        schedules: [SandboxSeed.Schedule(name: "Platform", timeZone: "Europe/Berlin", id: "PPLAT01")]
    )

    /// The server still answers a plain request.
    private func expectAlive(_ sandbox: SandboxHarness) async throws {
        let users = try await RawHTTP.get(sandbox.baseURL + "/users")
        #expect(users.status == 200)
    }

    @Test("an offset near Int.max is a 400 with PagerDuty's error body, not a crash", arguments: ["9223372036854775807", "9223372036854775707", "9999"])
    func hugeOffset(offset: String) async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            for path in ["/users", "/schedules"] {
                let response = try await RawHTTP.get(sandbox.baseURL + path + "?offset=\(offset)&limit=100")
                #expect(response.status == 400)
                #expect(response.text == #"{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Offset plus limit must not exceed 10000"]}}"#)
            }
            let beyondInt = try await RawHTTP.get(sandbox.baseURL + "/users?offset=92233720368547758070")
            #expect(beyondInt.status == 400)
            try await expectAlive(sandbox)
        }
    }

    @Test("a body beyond 16 MB is a 413 with PagerDuty's error body")
    func hugeBody() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let body = "{\"overrides\":[\"" + String(repeating: "x", count: 20 << 20) + "\"]}"
            let response = try await RawHTTP.post(sandbox.baseURL + "/schedules/PPLAT01/overrides", json: body, timeout: 90)
            #expect(response.status == 413)
            #expect(response.text == #"{"error":{"message":"Request Entity Too Large","code":2001,"errors":["The request body must not exceed 16 MB"]}}"#)
            try await expectAlive(sandbox)
        }
    }

    @Test("a schedule rendered over ten thousand years is refused, not built in memory")
    func hugeRenderWindow() async throws {
        try await SandboxHarness.with(seed: seed) { (sandbox: SandboxHarness) async throws in
            let query = "since=0001-01-01T00:00:00Z&until=9999-12-31T00:00:00Z"
            let one = try await RawHTTP.get(sandbox.baseURL + "/schedules/PPLAT01?\(query)")
            #expect(one.status == 400)
            #expect(one.text == #"{"error":{"message":"Invalid Query Date Range","code":2005}}"#)
            let list = try await RawHTTP.get(sandbox.baseURL + "/schedules?include[]=schedule_layers&\(query)")
            #expect(list.status == 400)
            let year = try await RawHTTP.get(sandbox.baseURL + "/schedules/PPLAT01?since=2026-01-01T00:00:00Z&until=2027-01-01T00:00:00Z")
            #expect(year.status == 200)
        }
    }

    @Test("a seed whose numbers would trap the renderer is refused, naming the layer; a seed path to a device is not read")
    func hostileSeed() throws {
        let yaml = """
            users: [{ name: Alice, email: alice@example.com }]
            schedules:
              - name: Platform
                time_zone: UTC
                layers:
                  - name: Weekly
                    start: 2026-11-02T09:00:00Z
                    rotation_virtual_start: 2026-11-02T09:00:00Z
                    rotation_turn_length_seconds: 0
                    users: [alice@example.com]
            """
        #expect(throws: SandboxSeed.LoadError.self) { try SandboxSeed.parse(Array(yaml.utf8), path: "seed.yaml") }
        do {
            _ = try SandboxSeed.parse(Array(yaml.utf8), path: "seed.yaml")
        } catch {
            #expect("\(error)" == "sandbox seed seed.yaml: the layer Weekly of schedule Platform has rotation_turn_length_seconds 0; it must be between 1 and 316224000")
        }
        let device = #expect(throws: SandboxSeed.LoadError.self) { try SandboxSeed.load(path: "/dev/zero") }
        #expect(device.map { "\($0)" } == "sandbox seed /dev/zero cannot be read: it is not a regular file")
    }
}
