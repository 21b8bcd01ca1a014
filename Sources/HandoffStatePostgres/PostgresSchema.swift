import Foundation
import HandoffState
import Logging
import PostgresNIO

// MARK: - Schema and migrations
// The tables, created and brought up to `schemaVersion` by numbered migrations.

extension PostgresStateStore {
    /// Creates the schema and tables on first use: each migration in a transaction, under an
    /// advisory lock, recorded with its version so that running it again does nothing. A schema
    /// already at this version costs two small queries; one from a newer Handoff is refused.
    func migrate(_ connection: PostgresConnection, to target: Int = schemaVersion) async throws {
        let present = try await presentVersion(connection)
        if present >= target, present <= Self.schemaVersion { return }
        try refuseNewer(present)
        try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: "\"\(schema)\"")", logger: logger)
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS \(unescaped: table("schema_migrations")) (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            logger: logger
        )
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(schema) || '/migrations'))", logger: logger)
            let applied = try await appliedVersion(connection)
            try refuseNewer(applied)
            for (version, statements) in [(1, migrationOne()), (2, migrationTwo()), (3, migrationThree()), (4, migrationFour())] where applied < version && version <= target {
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO \(unescaped: table("schema_migrations")) (version) VALUES (\(version))", logger: logger)
            }
        }
    }

    /// The schema's migration version, 0 when its tables do not exist yet.
    func presentVersion(_ connection: PostgresConnection) async throws -> Int {
        let exists = try await connection.value("SELECT to_regclass(\(table("schema_migrations"))) IS NOT NULL", Bool.self, logger: logger)
        guard exists == true else { return 0 }
        return try await appliedVersion(connection)
    }

    /// The highest migration recorded, 0 for none; the table must exist.
    func appliedVersion(_ connection: PostgresConnection) async throws -> Int {
        try await connection.value("SELECT coalesce(max(version), 0) FROM \(unescaped: table("schema_migrations"))", Int.self, logger: logger) ?? 0
    }

    func refuseNewer(_ version: Int) throws {
        guard version <= Self.schemaVersion else {
            throw StateError(
                .unavailable,
                "the \(description) has tables at schema version \(version), written by a newer Handoff; this one knows version \(Self.schemaVersion), so it reads and writes nothing there; upgrade Handoff"
            )
        }
    }

    /// Version 4: shift-based schedules. An owned override records where it acts (its target: a
    /// type, a rotation's or custom shift's id, the member replaced; all null for the whole
    /// schedule), and a destination the kind of schedule it was last written as (null: not
    /// remembered, which means layer-based). Rows of version 3 read as whole-schedule overrides of
    /// destinations with no kind remembered, exactly what they were.
    func migrationFour() -> [String] {
        [
            """
            ALTER TABLE \(table("overrides")) ADD COLUMN IF NOT EXISTS target_type text,
                ADD COLUMN IF NOT EXISTS target_id text, ADD COLUMN IF NOT EXISTS target_replacing text
            """,
            "ALTER TABLE \(table("destinations")) ADD COLUMN IF NOT EXISTS schedule_kind text",
        ]
    }

    /// Version 3: an owned override can be marked delete-pending, set before its DELETE is sent, so a
    /// run killed between PagerDuty's confirmation and the record leaves a mark the next plan
    /// resolves by listing. Rows of version 2 read as not pending.
    func migrationThree() -> [String] {
        ["ALTER TABLE \(table("overrides")) ADD COLUMN IF NOT EXISTS delete_pending boolean NOT NULL DEFAULT false"]
    }

    /// Version 2: overrides no longer reference their destination row. The check ran a trigger per
    /// inserted override (half the time of writing a whole state); the code that writes both
    /// deletes a destination's overrides with it, in the same transaction.
    func migrationTwo() -> [String] {
        ["ALTER TABLE \(table("overrides")) DROP CONSTRAINT IF EXISTS overrides_workspace_destination_fkey"]
    }

    func migrationOne() -> [String] {
        [
            """
            CREATE TABLE \(table("workspaces")) (
                name text PRIMARY KEY,
                lineage text NOT NULL,
                serial bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE \(table("destinations")) (
                workspace text NOT NULL REFERENCES \(table("workspaces")) (name) ON DELETE CASCADE,
                name text NOT NULL,
                connection text NOT NULL,
                pagerduty_schedule text NOT NULL,
                watermark timestamptz,
                PRIMARY KEY (workspace, name)
            )
            """,
            """
            CREATE TABLE \(table("overrides")) (
                workspace text NOT NULL,
                destination text NOT NULL,
                id text NOT NULL,
                start_at timestamptz NOT NULL,
                end_at timestamptz NOT NULL,
                user_id text NOT NULL,
                PRIMARY KEY (workspace, destination, id),
                FOREIGN KEY (workspace, destination) REFERENCES \(table("destinations")) (workspace, name) ON DELETE CASCADE
            )
            """,
            """
            CREATE TABLE \(table("locks")) (
                workspace text PRIMARY KEY,
                id text NOT NULL,
                operation text NOT NULL,
                holder text NOT NULL,
                host text NOT NULL,
                pid integer NOT NULL,
                pipeline text,
                created_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE \(table("history")) (
                workspace text NOT NULL,
                serial bigint NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                recorded_by text NOT NULL,
                summary text NOT NULL,
                change jsonb NOT NULL,
                PRIMARY KEY (workspace, serial)
            )
            """,
        ]
    }
}
