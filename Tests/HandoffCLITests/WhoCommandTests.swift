import Foundation
import HandoffTestSupport
import Testing

/// `handoff who` end to end on the quickstart example, at fixed instants.
@Suite("handoff who")
struct WhoCommandTests {
    @Test("who is on call, since when and until when, and the next handoffs, in each schedule's zone; one person's back-to-back shifts (cover of a turn off, own turn) are one entry, and so are their shifts apart outside coverage; time off given as dates hands back at 09:00")
    func text() async throws {
        let output = try await HandoffProcess.run(["who", "examples/quickstart", "--at", "2026-12-24T20:00:00+01:00", "--schedule", "platform-primary", "--schedule", "platform-secondary"])
        #expect(output.exitCode == 0)
        #expect(output.standardOutput == """
            platform-primary (Europe/Berlin)
              on call  Bob Brown <bob@example.com>       Mon 2026-12-21 09:00 → Mon 2026-12-28 09:00 +01:00
              next     Alice Archer <alice@example.com>  Mon 2026-12-28 09:00 → Mon 2027-01-11 09:00 +01:00
                       Bob Brown <bob@example.com>       Mon 2027-01-11 09:00 → Mon 2027-01-18 09:00 +01:00
                       Carol Chen <carol@example.com>    Mon 2027-01-18 09:00 → Mon 2027-01-25 09:00 +01:00

            platform-secondary (Europe/Berlin)
              on call  nobody (outside coverage)
              next     Frank Fox <frank@example.com>  Fri 2026-12-25 09:00 → Mon 2026-12-28 18:00 +01:00  (2 shifts, in coverage hours only)
                       Dave Diaz <dave@example.com>   Tue 2026-12-29 09:00 → Tue 2026-12-29 18:00 +01:00
                       Erin Evans <erin@example.com>  Wed 2026-12-30 09:00 → Wed 2026-12-30 18:00 +01:00

            """)
    }

    @Test("json carries RFC 3339 instants with offsets; outside coverage on_call is null")
    func json() async throws {
        let output = try await HandoffProcess.run(["who", "examples/quickstart", "--at", "2026-12-24T19:00:00Z", "--schedule", "platform-secondary", "--next", "1", "--format", "json"])
        #expect(output.exitCode == 0)
        #expect(output.standardOutput == """
            {
              "at": "2026-12-24T19:00:00Z",
              "schedules": [
                {
                  "name": "platform-secondary",
                  "time_zone": "Europe/Berlin",
                  "on_call": null,
                  "next": [
                    {
                      "person": "Frank Fox",
                      "email": "frank@example.com",
                      "start": "2026-12-25T09:00:00+01:00",
                      "end": "2026-12-28T18:00:00+01:00",
                      "shifts": 2
                    }
                  ]
                }
              ]
            }

            """)
    }

    @Test("the fairness report counts shifts, hours, weekend hours and cover for time off")
    func report() async throws {
        let output = try await HandoffProcess.run(["who", "examples/quickstart", "--report", "--from", "2026-12-01", "--until", "2027-01-01", "--schedule", "platform-primary"])
        #expect(output.exitCode == 0)
        #expect(output.standardOutput == """
            platform-primary (Europe/Berlin), 2026-12-01 to 2027-01-01
              person                            shifts    hours  weekend  covering
              Alice Archer <alice@example.com>       2    255.0     48.0      87.0
              Bob Brown <bob@example.com>            4    336.0     96.0       0.0
              Carol Chen <carol@example.com>         1    153.0     48.0       0.0

            """)
    }

    /// Explicit covers inside turns, around the clock and at night only: the golden listing names
    /// each handoff once.
    private static let covers = """
        version: 1
        people:
          alice: { name: Alice Archer, email: alice@example.com }
          bob:   { name: Bob Brown,    email: bob@example.com }
          carol: { name: Carol Chen,   email: carol@example.com }
          dave:  { name: Dave Diaz,    email: dave@example.com }
          erin:  { name: Erin Evans,   email: erin@example.com }
        schedules:
          primary:
            time_zone: Europe/Berlin
            rotation: { members: [alice, bob, carol], start: 2026-11-02T09:00, turn: 1w }
            assignments:
              - { person: carol, from: 2026-11-03T09:00, until: 2026-11-04T09:00 }   # one day of alice's turn
              - { person: bob, from: 2026-11-05T09:00, until: 2026-11-09T09:00 }     # runs into his own turn
          nights:
            time_zone: America/New_York
            rotation: { members: [dave, erin], start: 2026-11-02T22:00, turn: 1w }
            coverage:
              - { from: "22:00", to: "06:00" }
            assignments:
              - { person: erin, from: 2026-11-04T22:00, until: 2026-11-06T06:00 }    # two of dave's nights

        """

    @Test("who --next over explicit covers lists handoffs (golden): a cover is one entry, a cover running into the coverer's turn joins it, nights of one person are one entry")
    func nextOverCovers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-who-covers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.covers.write(to: directory.appendingPathComponent("handoff.yaml"), atomically: true, encoding: .utf8)
        let folder = (URL(fileURLWithPath: #filePath).deletingLastPathComponent().path as NSString).appendingPathComponent("Golden")
        for (format, suffix) in [("text", "txt"), ("json", "json")] {
            let output = try await HandoffProcess.run(["who", ".", "--at", "2026-11-02T12:00:00Z", "--next", "5", "--format", format], in: directory)
            #expect(output.exitCode == 0, "\(output.standardError)")
            if let difference = Golden.check(output.standardOutput, name: "who-next-cover.\(suffix)", folder: folder) {
                Issue.record(Comment(rawValue: difference))
            }
        }
    }

    @Test("an unknown schedule and a malformed time are refused with one sentence")
    func errors() async throws {
        let unknown = try await HandoffProcess.run(["who", "examples/quickstart", "--schedule", "platform-primry"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.standardError == "error: no schedule \"platform-primry\" in the configuration; did you mean \"platform-primary\"?\n")
        let badTime = try await HandoffProcess.run(["who", "examples/quickstart", "--at", "tomorrow"])
        #expect(badTime.exitCode != 0)
        #expect(badTime.standardError.contains("--at must be an RFC 3339 time"))
    }
}
