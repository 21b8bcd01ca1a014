import Foundation
import HandoffTestSupport
import Testing

/// `handoff who` end to end on the quickstart example, at fixed instants.
@Suite("handoff who")
struct WhoCommandTests {
    @Test("who is on call, since when and until when, and the next handoffs, in each schedule's zone; one person's back-to-back shifts (own turn, explicit cover, own turn) are one entry")
    func text() async throws {
        let output = try await HandoffProcess.run(["who", "examples/quickstart", "--at", "2026-12-24T20:00:00+01:00", "--schedule", "platform-primary", "--schedule", "platform-secondary"])
        #expect(output.exitCode == 0)
        #expect(output.standardOutput == """
            platform-primary (Europe/Berlin)
              on call  Bob Brown <bob@example.com>       Mon 2026-12-21 09:00 → Mon 2026-12-28 09:00 +01:00
              next     Alice Archer <alice@example.com>  Mon 2026-12-28 09:00 → Mon 2027-01-04 00:00 +01:00
                       Carol Chen <carol@example.com>    Mon 2027-01-04 00:00 → Mon 2027-01-04 09:00 +01:00
                       Alice Archer <alice@example.com>  Mon 2027-01-04 09:00 → Mon 2027-01-11 09:00 +01:00

            platform-secondary (Europe/Berlin)
              on call  nobody (outside coverage)
              next     Frank Fox <frank@example.com>  Fri 2026-12-25 09:00 → Fri 2026-12-25 18:00 +01:00
                       Frank Fox <frank@example.com>  Mon 2026-12-28 09:00 → Mon 2026-12-28 18:00 +01:00
                       Dave Diaz <dave@example.com>   Tue 2026-12-29 09:00 → Tue 2026-12-29 18:00 +01:00

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
                      "end": "2026-12-25T18:00:00+01:00"
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
