import Foundation
import HandoffDestination
import HandoffState
@testable import HandoffStatePostgres
import HandoffTestSupport
import HandoffTime
import Logging
import PostgresNIO
import Synchronization
import Testing

private func change(_ destination: String = "d", created: [OverrideRecord] = [], deleted: [String] = [], watermark: Instant? = nil) -> StateChange {
    StateChange(destination: destination, connection: "acme", destinationSchedule: "P1", created: created, deleted: deleted, watermark: watermark)
}

private func holder(_ id: String) -> LockHolder {
    var holder = LockHolder.current(operation: "apply", now: t(0))
    holder.id = id
    return holder
}

/// A session that recorded one override (`id`), whose serial another writer, one that did not
/// take the lock, then moved on.
private func sessionOvertaken(owning id: String) async throws -> (PostgresStateStore, any StateSession) {
    let cluster = try await PostgresCluster.require()
    let store = try makeStore(cluster)
    let session = try await store.acquire(holder("A"), timeout: 0)
    try await session.record(change(created: [OverrideRecord(id: id, start: t(0), end: t(24), userID: "U")]))
    try await PostgresSQL.execute(try PostgresLocation(url: cluster.url, variable: "X"), "UPDATE \"\(store.schema)\".workspaces SET serial = serial + 5")
    return (store, session)
}

@Suite("PostgreSQL state against a real server", .enabled("no PostgreSQL server can be started here") { await PostgresCluster.isAvailable() }, .serialized)
struct PostgresStateStoreTests {
    @Test("first use creates the schema; records are transactions that move the serial; reads see them")
    func firstUseAndRecords() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        #expect(try await store.read() == .empty)
        let session = try await store.acquire(holder("A"), timeout: 0)
        try await session.record(change(created: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U"), OverrideRecord(id: "Q2", start: t(24), end: t(48), userID: "U")]))
        try await session.record(change(deleted: ["Q1"], watermark: t(48)))
        let finished = try await session.finish()
        await session.release()
        #expect(finished.serial == 2)
        let read = try await store.read()
        #expect(read == finished)
        #expect(read.destinations["d"]?.overrides.map(\.id) == ["Q2"])
        #expect(read.destinations["d"]?.watermark == t(48))
        let history = try await store.history(limit: 10)
        #expect(history.map(\.serial) == [2, 1])
        #expect(history.map(\.summary) == ["d: 1 deleted, watermark \(t(48))", "d: 2 owned"])
    }

    @Test("tables left by a newer Handoff (a later schema version) are refused, not written")
    func newerSchema() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        #expect(try await store.read() == .empty)
        let location = try PostgresLocation(url: cluster.url, variable: "X")
        try await PostgresSQL.execute(location, "INSERT INTO \"\(store.schema)\".schema_migrations (version) VALUES (\(PostgresStateStore.schemaVersion + 1))")
        let later = PostgresStateStore(location: store.location, schema: store.schema, workspace: "default")
        let error = await #expect(throws: StateError.self) { try await later.acquire(holder("A"), timeout: 0) }
        #expect(
            error?.message
                == "the postgres state (workspace default, schema \(store.schema), postgres://handoff@127.0.0.1:\(cluster.port)/postgres) has tables at schema version \(PostgresStateStore.schemaVersion + 1), written by a newer Handoff; this one knows version \(PostgresStateStore.schemaVersion), so it reads and writes nothing there; upgrade Handoff"
        )
    }

    @Test("a workspace row at a serial with no next one is refused when read, with how to recover, before any run")
    func serialAtTheLimit() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        let session = try await store.acquire(holder("A"), timeout: 0)
        try await session.record(change(created: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U")]))
        _ = try await session.finish()
        await session.release()
        let location = try PostgresLocation(url: cluster.url, variable: "X")
        try await PostgresSQL.execute(location, "UPDATE \"\(store.schema)\".workspaces SET serial = 9223372036854775807")
        let expected = "the \(store.description) cannot be read: its serial 9223372036854775807 is not between 0 and \(HandoffState.maximumSerial - 1); "
            + "set the serial of its workspace row to a whole number in that range (1 will do) and make a new plan"
        let read = await #expect(throws: StateError.self) { try await store.read() }
        #expect(read?.message == expected)
        let acquired = await #expect(throws: StateError.self) { try await store.acquire(holder("B"), timeout: 0) }
        #expect(acquired?.message == expected)
    }

    @Test("tables at schema version 1 are brought to the current version on first use, the state kept; a removed destination takes its overrides")
    func upgradeFromVersionOne() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        let schema = "\"\(store.schema)\""
        // Tables as Handoff left them at version 1, with a state in them.
        let connection = try await tablesAtVersion(1, of: store) { connection, schema in
            try await connection.query(
                """
                INSERT INTO \(unescaped: schema).workspaces (name, lineage, serial) VALUES ('default', 'L', 3);
                """,
                logger: store.logger
            )
            try await connection.query("INSERT INTO \(unescaped: schema).destinations (workspace, name, connection, pagerduty_schedule) VALUES ('default', 'd', 'acme', 'P1')", logger: store.logger)
            try await connection.query(
                "INSERT INTO \(unescaped: schema).overrides (workspace, destination, id, start_at, end_at, user_id) VALUES ('default', 'd', 'Q1', \(PostgresStateStore.date(t(0))), \(PostgresStateStore.date(t(24))), 'U')",
                logger: store.logger
            )
            #expect(try await foreignKeys(connection, store.schema) == 1)
        }

        let upgraded = PostgresStateStore(location: store.location, schema: store.schema, workspace: "default")
        let read = try await upgraded.read()
        #expect(read.serial == 3)
        #expect(read.lineage == "L")
        #expect(read.destinations["d"]?.overrides.map(\.id) == ["Q1"])
        #expect(try await foreignKeys(connection, store.schema) == 0, "overrides no longer reference destinations")
        #expect(try await appliedVersions(connection, of: store) == [1, 2, 3, 4])

        let session = try await upgraded.acquire(holder("A"), timeout: 0)
        var removal = change()
        removal.removeDestination = true
        try await session.record(removal)
        await session.release()
        var left = -1
        for try await count in try await connection.query("SELECT count(*)::bigint FROM \(unescaped: schema).overrides", logger: store.logger).decode(Int.self) {
            left = count
        }
        try await connection.close()
        #expect(left == 0)
        #expect(try await upgraded.read().destinations.isEmpty)
    }

    @Test("tables at schema version 2 gain the delete-pending mark, rows reading unmarked; marks are recorded, cleared, restored and migrated with the state")
    func deletePendingMark() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        let connection = try await tablesAtVersion(2, of: store) { connection, schema in
            try await connection.query("INSERT INTO \(unescaped: schema).workspaces (name, lineage, serial) VALUES ('default', 'L', 3)", logger: store.logger)
            try await connection.query("INSERT INTO \(unescaped: schema).destinations (workspace, name, connection, pagerduty_schedule) VALUES ('default', 'd', 'acme', 'P1')", logger: store.logger)
            for (id, start) in [("Q1", t(0)), ("Q2", t(24))] {
                try await connection.query(
                    "INSERT INTO \(unescaped: schema).overrides (workspace, destination, id, start_at, end_at, user_id) VALUES ('default', 'd', \(id), \(PostgresStateStore.date(start)), \(PostgresStateStore.date(start.adding(seconds: 86_400))), 'U')",
                    logger: store.logger
                )
            }
        }
        try await connection.close()

        let upgraded = PostgresStateStore(location: store.location, schema: store.schema, workspace: "default")
        #expect(try await upgraded.read().destinations["d"]?.overrides.map(\.deletePending) == [false, false])
        let session = try await upgraded.acquire(holder("A"), timeout: 0)
        var marking = change()
        marking.markDeletePending = ["Q1", "Q2", "M9"]
        try await session.record(marking)
        #expect(try await upgraded.read().destinations["d"]?.overrides.map(\.deletePending) == [true, true])
        var clearing = change()
        clearing.clearDeletePending = ["Q2"]
        try await session.record(clearing)
        let read = try await upgraded.read()
        #expect(read.serial == 5)
        #expect(read.destinations["d"]?.overrides.map(\.deletePending) == [true, false])
        #expect(read == (await session.currentState))
        #expect(try await upgraded.history(limit: 2).map(\.summary) == ["d: 1 no longer delete pending", "d: 2 delete pending"])
        await session.release()

        // Undoing the clear brings the mark back; a deleted pending record comes back marked.
        let atFour = try await upgraded.restore(serial: 4, holder: holder("B"), timeout: 0)
        #expect(atFour.destinations["d"]?.overrides.map(\.deletePending) == [true, true])
        #expect(try await upgraded.read().destinations["d"]?.overrides.map(\.deletePending) == [true, true])

        // A whole state written at once (migrate, restore) keeps its marks.
        let migrating = try await upgraded.acquire(holder("C"), timeout: 0)
        var replaced = try await upgraded.read()
        replaced.serial += 1
        replaced.destinations["d"]?.overrides[1].deletePending = false
        try await migrating.replace(with: replaced)
        await migrating.release()
        #expect(try await upgraded.read().destinations["d"]?.overrides.map(\.deletePending) == [true, false])
    }

    private func foreignKeys(_ connection: PostgresConnection, _ schema: String) async throws -> Int {
        var count = -1
        for try await value in try await connection.query(
            "SELECT count(*)::bigint FROM pg_constraint WHERE contype = 'f' AND conrelid = to_regclass(\(#""\#(schema)".overrides"#))",
            logger: Logger(label: "test")
        ).decode(Int.self) {
            count = value
        }
        return count
    }

    @Test("a second writer fails naming the holder, or waits with a timeout")
    func locking() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        let first = try await store.acquire(holder("FIRST"), timeout: 0)
        let error = await #expect(throws: StateError.self) { try await store.acquire(holder("SECOND"), timeout: 0) }
        #expect(error?.kind == .locked)
        #expect(error?.message.contains("is locked by apply by") == true)
        #expect(error?.message.contains("handoff state unlock FIRST") == true)
        #expect(try await store.currentLock()?.id == "FIRST")
        // The waiter says when it first finds the lock taken, and its pause lasts until the first
        // holder has let go: no sleep decides the order.
        let (waiting, nowWaiting) = AsyncStream<Void>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        store.pauseHook.withLock {
            $0 = { _ in
                nowWaiting.yield()
                for await _ in released {}
            }
        }
        let waiter = Task { try await store.acquire(holder("SECOND"), timeout: 10) }
        for await _ in waiting { break }
        #expect(try await store.currentLock()?.id == "FIRST")
        await first.release()
        release.finish()
        let second = try await waiter.value
        await second.release()
        #expect(try await store.currentLock() == nil)
    }

    @Test("records from destinations applied in parallel are taken one at a time: every one lands, each a serial")
    func concurrentRecords() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        let session = try await store.acquire(holder("A"), timeout: 0)
        var failure: (any Error)?
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await session.record(change("d\(index % 4)", created: [OverrideRecord(id: "Q\(index)", start: t(Int64(index)), end: t(Int64(index) + 1), userID: "U")]))
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            failure = error
        }
        let finished = try await session.finish()
        await session.release()
        #expect(failure == nil, "\(String(describing: failure))")
        #expect(finished.serial == 20)
        let read = try await store.read()
        #expect(read == finished)
        #expect(read.allOwnedIDs.count == 20)
        #expect(try await store.history(limit: 30).map(\.serial) == Array((1...20).reversed()))
    }

    @Test("after a failed write, every record waiting its turn is refused at once, none left waiting")
    func refusedInTurn() async throws {
        let (store, session) = try await sessionOvertaken(owning: "Q0")
        // Ten records at once: the first meets the conflict, the nine waiting are refused with it.
        // A record left waiting would hang, so the test watches the clock instead of awaiting it.
        let records = Task {
            await withTaskGroup(of: String?.self) { records in
                for index in 1...10 {
                    records.addTask {
                        do {
                            try await session.record(change(created: [OverrideRecord(id: "Q\(index)", start: t(Int64(index)), end: t(Int64(index) + 1), userID: "U")]))
                            return nil
                        } catch let error as StateError {
                            return error.message
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                return await records.reduce(into: [String?]()) { $0.append($1) }
            }
        }
        let finished = await FirstEvent.first(of: [{ @Sendable in await records.value }], within: .seconds(30))
        let outcomes = try #require(finished, "records still waiting for their turn after 30 seconds")
        await session.release()
        #expect(outcomes.count == 10)
        #expect(outcomes.allSatisfy { $0?.contains("changed under this run (it expected serial 1)") == true }, "\(outcomes)")
        #expect(try await store.read().allOwnedIDs == ["Q0"])
    }

    @Test("compare-and-set: a writer whose serial is stale fails and overwrites nothing")
    func compareAndSet() async throws {
        let (store, session) = try await sessionOvertaken(owning: "Q1")
        let error = await #expect(throws: StateError.self) { try await session.record(change(deleted: ["Q1"])) }
        #expect(error?.kind == .conflict)
        #expect(error?.message.hasPrefix("the postgres state (workspace default, schema \(store.schema), postgres://handoff@127.0.0.1:\(store.location.port)/postgres) changed under this run (it expected serial 1)") == true)
        await session.release()
        #expect(try await store.read().destinations["d"]?.overrides.map(\.id) == ["Q1"])
    }

    @Test("a state replaced at serial 0 (an empty state migrated in) takes its first record, in a later run too")
    func recordAfterEmptyReplace() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        let migrating = try await store.acquire(holder("M"), timeout: 0)
        await #expect(throws: Never.self) {
            try await migrating.replace(with: .empty)
            try await migrating.record(change(created: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U")]))
        }
        await migrating.release()
        #expect(try await store.read().serial == 1)

        let other = try makeStore(cluster)
        let first = try await other.acquire(holder("M"), timeout: 0)
        try await first.replace(with: .empty)
        await first.release()
        let read = try await other.read()
        #expect(read.serial == 0)
        #expect(read.lineage != nil)
        let later = try await other.acquire(holder("A"), timeout: 0)
        await #expect(throws: Never.self) { try await later.record(change(created: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U")])) }
        await later.release()
        let after = try await other.read()
        #expect(after.serial == 1)
        #expect(after.lineage == read.lineage)
        #expect(after.destinations["d"]?.overrides.map(\.id) == ["Q1"])
    }

    @Test("history and restore: an earlier serial comes back as a new serial")
    func restore() async throws {
        let cluster = try await PostgresCluster.require()
        let store = try makeStore(cluster)
        let session = try await store.acquire(holder("A"), timeout: 0)
        try await session.record(change(created: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U")], watermark: t(24)))
        try await session.record(change("e", created: [OverrideRecord(id: "R1", start: t(0), end: t(24), userID: "U")]))
        try await session.record(change(created: [OverrideRecord(id: "Q2", start: t(24), end: t(48), userID: "U")], deleted: ["Q1"], watermark: t(48)))
        await session.release()
        let atOne = try await store.restore(serial: 1, holder: holder("B"), timeout: 0)
        #expect(atOne.serial == 4)
        let read = try await store.read()
        #expect(read.serial == 4)
        #expect(read.destinations.keys.sorted() == ["d"])
        #expect(read.destinations["d"]?.overrides.map(\.id) == ["Q1"])
        #expect(read.destinations["d"]?.watermark == t(24))
        #expect(try await store.history(limit: 1).first?.summary == "restored the state of serial 1")
    }

    @Test("the URL's password never shows; connection and authentication failures are one sentence each")
    func failures() async throws {
        let cluster = try await PostgresCluster.require()
        let wrongPassword = try makeStore(cluster, url: cluster.url(password: "not-the-password-42"))
        let denied = await #expect(throws: StateError.self) { try await wrongPassword.read() }
        #expect(denied?.message == "the state database postgres://handoff@127.0.0.1:\(cluster.port)/postgres refused user handoff: password authentication failed for user \"handoff\"; check the URL the state backend reads from the environment")
        #expect(denied?.message.contains("not-the-password-42") == false)
        #expect(wrongPassword.description.contains("not-the-password-42") == false)

        let closed = try makeStore(cluster, url: cluster.url(port: 1))
        let refused = await #expect(throws: StateError.self) { try await closed.read() }
        #expect(refused?.message.hasPrefix("could not connect to the state database postgres://handoff@127.0.0.1:1/postgres: ") == true)

        let tls = try makeStore(cluster, url: cluster.url(sslmode: "require"))
        let noTLS = await #expect(throws: StateError.self) { try await tls.read() }
        #expect(noTLS?.message == "the state database postgres://handoff@127.0.0.1:\(cluster.port)/postgres does not offer TLS, which the URL's sslmode requires")

        #expect(throws: PostgresLocation.Failure.self) { try PostgresLocation(url: "mysql://x@y/z", variable: "HANDOFF_STATE_URL") }
        #expect(throws: PostgresLocation.Failure.self) { try PostgresLocation(url: "postgres://u:p@h/d?sslmode=sometimes", variable: "HANDOFF_STATE_URL") }
    }

    @Test("TLS: sslmode=require encrypts the session; verify-full refuses a certificate no trusted authority signed")
    func tls() async throws {
        let cluster = try await PostgresCluster.requireTLS()
        let store = try makeStore(cluster, url: cluster.url(sslmode: "require"))
        #expect(try await store.read() == .empty)
        // The server's own view of the session that a store with this URL opens.
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let connection = try await PostgresConnection.connect(
            configuration: try PostgresLocation(url: cluster.url(sslmode: "require"), variable: "X").configuration(), id: 1, logger: logger
        )
        var encrypted: Bool?
        do {
            for try await value in try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: logger).decode(Bool.self) {
                encrypted = value
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        #expect(encrypted == true)

        let verified = try makeStore(cluster, url: cluster.url(sslmode: "verify-full"))
        let untrusted = await #expect(throws: StateError.self) { try await verified.read() }
        #expect(
            untrusted?.message.hasPrefix(
                "could not connect to the state database postgres://handoff@127.0.0.1:\(cluster.port)/postgres: its TLS certificate could not be verified ("
            ) == true,
            "\(untrusted?.message ?? "")"
        )
    }
}
