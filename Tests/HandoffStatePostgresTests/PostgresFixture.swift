import Foundation
@testable import HandoffStatePostgres
import HandoffTestSupport
import HandoffTime
import PostgresNIO

// MARK: - Shared by the PostgreSQL state suites

/// `hours` after Sunday 2026-11-22 12:00 UTC: the instants the suites' records use.
func t(_ hours: Int64) -> Instant { Instant(secondsSinceEpoch: 1_795_348_800 + hours * 3600) }

/// A store on `cluster` (or `url`) in a schema of its own, so tests do not see each other's tables.
func makeStore(_ cluster: PostgresCluster, url: String? = nil) throws -> PostgresStateStore {
    let location = try PostgresLocation(url: url ?? cluster.url, variable: "HANDOFF_STATE_URL")
    return PostgresStateStore(location: location, schema: "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16), workspace: "default")
}

/// Tables as an older Handoff left them: `store`'s schema migrated to `version` only, then
/// `fill` given the connection and the quoted schema name to write a state into them. Returns the
/// connection, open, for the test to look at the tables after the upgrade and close; closed when
/// anything fails.
func tablesAtVersion(_ version: Int, of store: PostgresStateStore, _ fill: (PostgresConnection, String) async throws -> Void) async throws -> PostgresConnection {
    let connection = try await PostgresConnection.connect(configuration: try store.location.configuration(), id: 1, logger: store.logger)
    do {
        try await store.migrate(connection, to: version)
        try await fill(connection, "\"\(store.schema)\"")
        return connection
    } catch {
        try? await connection.close()
        throw error
    }
}

/// The schema versions `store`'s tables record as applied, in order.
func appliedVersions(_ connection: PostgresConnection, of store: PostgresStateStore) async throws -> [Int] {
    var versions: [Int] = []
    let schema = "\"\(store.schema)\""
    for try await version in try await connection.query("SELECT version FROM \(unescaped: schema).schema_migrations ORDER BY version", logger: store.logger).decode(Int.self) {
        versions.append(version)
    }
    return versions
}
