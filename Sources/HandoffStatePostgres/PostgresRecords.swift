import Foundation
import HandoffDestination
import HandoffState
import HandoffTime
import Logging
import OrderedJSON
import PostgresNIO

// MARK: - Records
// The rows of each recorded change, a whole state written at once, and an earlier state rebuilt from the history.

extension PostgresStateSession {
    /// The rows of one change, and its history entry (what undoing it needs).
    func write(_ change: StateChange, _ connection: PostgresConnection) async throws {
        let workspace = store.workspace
        let destination = change.destination
        let before = current.destinations[destination]
        var removedRecords: [OverrideRecord] = []
        var truncated: [(String, Instant, Instant)] = []
        var pendingChanges: (marked: [String], cleared: [String]) = ([], [])
        var updatedRecords: [OverrideRecord] = []
        if let newName = change.movedTo {
            // Both rows renamed in this one transaction, as `HandoffState.apply` does: only when the
            // old name is there and the new one is free (the lock holder checked both).
            if before != nil, current.destinations[newName] == nil {
                try await connection.query(
                    "UPDATE \(unescaped: table("destinations")) SET name = \(newName) WHERE workspace = \(workspace) AND name = \(destination)", logger: logger
                )
                try await connection.query(
                    "UPDATE \(unescaped: table("overrides")) SET destination = \(newName) WHERE workspace = \(workspace) AND destination = \(destination)", logger: logger
                )
            }
        } else if change.removeDestination {
            removedRecords = before?.overrides ?? []
            try await connection.query(
                "DELETE FROM \(unescaped: table("overrides")) WHERE workspace = \(workspace) AND destination = \(destination)", logger: logger
            )
            try await connection.query(
                "DELETE FROM \(unescaped: table("destinations")) WHERE workspace = \(workspace) AND name = \(destination)", logger: logger
            )
        } else {
            try await connection.query(
                """
                INSERT INTO \(unescaped: table("destinations")) (workspace, name, connection, pagerduty_schedule)
                VALUES (\(workspace), \(destination), \(change.connection), \(change.destinationSchedule))
                ON CONFLICT (workspace, name) DO UPDATE SET connection = EXCLUDED.connection, pagerduty_schedule = EXCLUDED.pagerduty_schedule
                """,
                logger: logger
            )
            let known = Dictionary((before?.overrides ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            if !change.deleted.isEmpty {
                removedRecords += change.deleted.compactMap { known[$0] }
                try await connection.query(
                    "DELETE FROM \(unescaped: table("overrides")) WHERE workspace = \(workspace) AND destination = \(destination) AND id = ANY(\(change.deleted))",
                    logger: logger
                )
            }
            for cut in change.truncated {
                guard let record = known[cut.id] else { continue }
                truncated.append((cut.id, record.end, cut.end))
                try await connection.query(
                    "UPDATE \(unescaped: table("overrides")) SET end_at = \(PostgresStateStore.date(cut.end)) WHERE workspace = \(workspace) AND destination = \(destination) AND id = \(cut.id)",
                    logger: logger
                )
            }
            if !change.created.isEmpty {
                let targets = PostgresStateStore.targetColumns(change.created)
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: table("overrides")) (workspace, destination, id, start_at, end_at, user_id, delete_pending, target_type, target_id, target_replacing)
                    SELECT \(workspace), \(destination), id, start_at, end_at, user_id, delete_pending, NULLIF(target_type, ''), NULLIF(target_id, ''), NULLIF(target_replacing, '')
                    FROM unnest(\(change.created.map(\.id))::text[], \(change.created.map { PostgresStateStore.date($0.start) })::timestamptz[],
                        \(change.created.map { PostgresStateStore.date($0.end) })::timestamptz[], \(change.created.map(\.userID))::text[],
                        \(change.created.map(\.deletePending))::boolean[], \(targets.types)::text[], \(targets.ids)::text[], \(targets.replacing)::text[])
                        AS created (id, start_at, end_at, user_id, delete_pending, target_type, target_id, target_replacing)
                    ON CONFLICT DO NOTHING
                    """,
                    logger: logger
                )
            }
            // Moved in place: only records the state holds change, and the history keeps how they were.
            let moved = change.updated.filter { known[$0.id] != nil && !change.deleted.contains($0.id) }
            updatedRecords = moved.compactMap { known[$0.id] }
            if !moved.isEmpty {
                let targets = PostgresStateStore.targetColumns(moved)
                try await connection.query(
                    """
                    UPDATE \(unescaped: table("overrides")) AS o SET start_at = u.start_at, end_at = u.end_at, user_id = u.user_id, delete_pending = u.delete_pending,
                        target_type = NULLIF(u.target_type, ''), target_id = NULLIF(u.target_id, ''), target_replacing = NULLIF(u.target_replacing, '')
                    FROM unnest(\(moved.map(\.id))::text[], \(moved.map { PostgresStateStore.date($0.start) })::timestamptz[],
                        \(moved.map { PostgresStateStore.date($0.end) })::timestamptz[], \(moved.map(\.userID))::text[],
                        \(moved.map(\.deletePending))::boolean[], \(targets.types)::text[], \(targets.ids)::text[], \(targets.replacing)::text[])
                        AS u (id, start_at, end_at, user_id, delete_pending, target_type, target_id, target_replacing)
                    WHERE o.workspace = \(workspace) AND o.destination = \(destination) AND o.id = u.id
                    """,
                    logger: logger
                )
            }
            // Only marks that change are written and kept in the history, so undoing them is exact.
            let marked = change.markDeletePending.filter { known[$0].map { !$0.deletePending } ?? false }
            if !marked.isEmpty {
                try await connection.query(
                    "UPDATE \(unescaped: table("overrides")) SET delete_pending = true WHERE workspace = \(workspace) AND destination = \(destination) AND id = ANY(\(marked))",
                    logger: logger
                )
            }
            let cleared = change.clearDeletePending.filter { known[$0]?.deletePending ?? false }
            if !cleared.isEmpty {
                try await connection.query(
                    "UPDATE \(unescaped: table("overrides")) SET delete_pending = false WHERE workspace = \(workspace) AND destination = \(destination) AND id = ANY(\(cleared))",
                    logger: logger
                )
            }
            pendingChanges = (marked, cleared)
            if let cutoff = change.dropEndedBefore {
                removedRecords += (before?.overrides ?? []).filter { $0.end <= cutoff && !change.deleted.contains($0.id) }
                try await connection.query(
                    "DELETE FROM \(unescaped: table("overrides")) WHERE workspace = \(workspace) AND destination = \(destination) AND end_at <= \(PostgresStateStore.date(cutoff))",
                    logger: logger
                )
            }
            if let kind = change.scheduleKind {
                try await connection.query(
                    "UPDATE \(unescaped: table("destinations")) SET schedule_kind = \(kind.rawValue) WHERE workspace = \(workspace) AND name = \(destination)", logger: logger
                )
            }
            if let watermark = change.watermark {
                try await connection.query(
                    """
                    UPDATE \(unescaped: table("destinations")) SET watermark = GREATEST(coalesce(watermark, \(PostgresStateStore.date(watermark))), \(PostgresStateStore.date(watermark)))
                    WHERE workspace = \(workspace) AND name = \(destination)
                    """,
                    logger: logger
                )
            }
        }
        let entry = HistoryCoding.entry(change, before: before, removedRecords: removedRecords, truncated: truncated, pending: pendingChanges, updated: updatedRecords)
        // The history names the marks that changed a record, not ids the state never held.
        var summarized = change
        summarized.markDeletePending = pendingChanges.marked
        summarized.clearDeletePending = pendingChanges.cleared
        summarized.updated = change.updated.filter { record in updatedRecords.contains { $0.id == record.id } }
        try await connection.query(
            """
            INSERT INTO \(unescaped: table("history")) (workspace, serial, recorded_by, summary, change)
            VALUES (\(workspace), \(try HandoffState.serial(after: current.serial, store: store.description)), \(holder.summary), \(HistoryCoding.summary(summarized)), \(entry.serialized(pretty: false))::jsonb)
            """,
            logger: logger
        )
        try await connection.query(
            "DELETE FROM \(unescaped: table("history")) WHERE workspace = \(workspace) AND recorded_at < now() - make_interval(days => \(Int32(clamping: store.historyRetentionDays)))",
            logger: logger
        )
    }


    func replaceNow(with state: HandoffState, summary: String, history: JSONValue) async throws {
        let workspace = store.workspace
        let expected = current.serial
        var state = state
        // The lineage stored is the one later compare-and-sets compare against.
        if state.lineage == nil { state.lineage = current.lineage ?? UUID().uuidString.lowercased() }
        do {
            try await connection.withTransaction(logger: logger) { connection in
                let present = try await connection.value(
                    "SELECT serial FROM \(unescaped: self.table("workspaces")) WHERE name = \(workspace) FOR UPDATE", Int.self, logger: self.logger
                ) ?? 0
                guard present == expected else {
                    throw StateError(.conflict, "the \(self.store.description) changed under this run (it expected serial \(expected)); nothing was overwritten")
                }
                // Overrides reference nothing (schema version 2): they go explicitly, and first.
                try await connection.query("DELETE FROM \(unescaped: self.table("overrides")) WHERE workspace = \(workspace)", logger: self.logger)
                try await connection.query("DELETE FROM \(unescaped: self.table("destinations")) WHERE workspace = \(workspace)", logger: self.logger)
                try await connection.query("DELETE FROM \(unescaped: self.table("workspaces")) WHERE name = \(workspace)", logger: self.logger)
                try await connection.query(
                    "INSERT INTO \(unescaped: self.table("workspaces")) (name, lineage, serial) VALUES (\(workspace), \(state.lineage), \(state.serial))",
                    logger: self.logger
                )
                for (name, destination) in state.destinations.sorted(by: { $0.key < $1.key }) {
                    try await connection.query(
                        """
                        INSERT INTO \(unescaped: self.table("destinations")) (workspace, name, connection, pagerduty_schedule, watermark, schedule_kind)
                        VALUES (\(workspace), \(name), \(destination.connection), \(destination.destinationSchedule), \(destination.watermark.map(PostgresStateStore.date)),
                            \(destination.scheduleKind?.rawValue))
                        """,
                        logger: self.logger
                    )
                    // Rows in chunks of an array each, whatever the number of overrides.
                    var offset = 0
                    while offset < destination.overrides.count {
                        let chunk = destination.overrides[offset..<min(destination.overrides.count, offset + 20_000)]
                        let targets = PostgresStateStore.targetColumns(chunk)
                        try await connection.query(
                            """
                            INSERT INTO \(unescaped: self.table("overrides")) (workspace, destination, id, start_at, end_at, user_id, delete_pending, target_type, target_id, target_replacing)
                            SELECT \(workspace), \(name), id, start_at, end_at, user_id, delete_pending, NULLIF(target_type, ''), NULLIF(target_id, ''), NULLIF(target_replacing, '')
                            FROM unnest(\(chunk.map(\.id))::text[], \(chunk.map { PostgresStateStore.date($0.start) })::timestamptz[],
                                \(chunk.map { PostgresStateStore.date($0.end) })::timestamptz[], \(chunk.map(\.userID))::text[],
                                \(chunk.map(\.deletePending))::boolean[], \(targets.types)::text[], \(targets.ids)::text[], \(targets.replacing)::text[])
                                AS chunk (id, start_at, end_at, user_id, delete_pending, target_type, target_id, target_replacing)
                            """,
                            logger: self.logger
                        )
                        offset += chunk.count
                    }
                }
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: self.table("history")) (workspace, serial, recorded_by, summary, change)
                    VALUES (\(workspace), \(state.serial), \(self.holder.summary), \(summary), \(history.serialized(pretty: false))::jsonb)
                    ON CONFLICT (workspace, serial) DO UPDATE SET recorded_at = now(), recorded_by = EXCLUDED.recorded_by, summary = EXCLUDED.summary, change = EXCLUDED.change
                    """,
                    logger: self.logger
                )
            }
            current = state
        } catch {
            throw store.describe(error, doing: "write")
        }
    }

    /// The state as it was at `serial`: the current state with the later changes undone, newest first.
    func state(atSerial serial: Int) async throws -> HandoffState {
        try await inTurn(failureEndsWriting: false) { try await self.stateNow(atSerial: serial) }
    }

    func stateNow(atSerial serial: Int) async throws -> HandoffState {
        guard serial <= current.serial, serial >= 0 else {
            throw StateError(.unreadable, "serial \(serial) does not exist; the state is at serial \(current.serial)")
        }
        do {
            if serial < current.serial, let oldest = try await store.oldestHistorySerial(connection: connection), oldest > serial + 1 {
                throw StateError(.unreadable, "the history starts at serial \(oldest); serial \(serial) is older than the history kept")
            }
            var state = current
            for (_, text) in try await store.changes(after: serial, connection: connection) {
                try HistoryCoding.undo(text, on: &state)
            }
            state.serial = serial
            return state
        } catch let error as StateError {
            throw error
        } catch {
            throw store.describe(error, doing: "read the history of")
        }
    }
}
