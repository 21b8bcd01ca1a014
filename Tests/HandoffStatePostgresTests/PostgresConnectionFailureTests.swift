import Foundation
import HandoffState
import HandoffStatePostgres
import HandoffTestSupport
import Testing

/// PostgreSQL connection failures as one sentence (issue 14, item 6): which database (host, port,
/// name, user) and why, never the password and never the driver's error value. A closed port
/// needs no server, so this runs everywhere.
@Suite("PostgreSQL connection failures")
struct PostgresConnectionFailureTests {
    @Test("a refused connection names the database, host and port and says refused, without the password or a PSQLError")
    func refused() async throws {
        let closed = try ClosedPort()
        let password = "s3cret-Database-Password"
        let location = try PostgresLocation(url: "postgres://handoff:\(password)@127.0.0.1:\(closed.port)/oncall?sslmode=require", variable: "HANDOFF_STATE_URL")
        let store = PostgresStateStore(location: location, schema: "handoff", workspace: "default")
        let failure = await #expect(throws: StateError.self) { try await store.read() }
        #expect(failure?.kind == .unavailable)
        #expect(
            failure?.message
                == "could not connect to the state database postgres://handoff@127.0.0.1:\(closed.port)/oncall: connection refused; "
                + "check that PostgreSQL runs there and accepts TCP connections on that port"
        )
        let shown = [failure?.message ?? "", failure.map { String(reflecting: $0) } ?? ""]
        for text in shown {
            #expect(!text.contains(password))
            #expect(!text.contains("PSQLError") && !text.contains("errno"))
        }
    }
}
