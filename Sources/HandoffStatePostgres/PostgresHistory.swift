import Foundation
public import HandoffState
import Logging
import OrderedJSON
import PostgresNIO

// MARK: - History and restore
// The append-only history of changes (`StateHistory`), and bringing an earlier serial back.

extension PostgresStateStore {
    public func history(limit: Int) async throws -> [StateHistoryEntry] {
        try await withConnection(doing: "read the history of") { connection in
            var entries: [StateHistoryEntry] = []
            for try await (serial, recorded, by, summary) in try await connection.query(
                "SELECT serial, recorded_at, recorded_by, summary FROM \(unescaped: table("history")) WHERE workspace = \(workspace) ORDER BY serial DESC LIMIT \(limit)",
                logger: logger
            ).decode((Int, Date, String, String).self) {
                entries.append(StateHistoryEntry(serial: serial, recorded: Self.instant(recorded), recordedBy: by, summary: summary))
            }
            return entries
        }
    }

    /// The stored change of each serial after `serial`, newest first, to be undone.
    func changes(after serial: Int, connection: PostgresConnection) async throws -> [(Int, String)] {
        var changes: [(Int, String)] = []
        for try await (number, change) in try await connection.query(
            "SELECT serial, change::text FROM \(unescaped: table("history")) WHERE workspace = \(workspace) AND serial > \(serial) ORDER BY serial DESC",
            logger: logger
        ).decode((Int, String).self) {
            changes.append((number, change))
        }
        return changes
    }

    func oldestHistorySerial(connection: PostgresConnection) async throws -> Int? {
        try await connection.value("SELECT min(serial) FROM \(unescaped: table("history")) WHERE workspace = \(workspace)", Int?.self, logger: logger) ?? nil
    }

    /// Makes the state what it was at `serial`, as a new serial (so that the restore itself can be
    /// seen in the history); only serials within the history kept can be restored.
    public func restore(serial: Int, holder: LockHolder, timeout: Double) async throws -> HandoffState {
        guard let session = try await acquire(holder, timeout: timeout) as? PostgresStateSession else {
            throw StateError(.unavailable, "the \(description) could not be locked")
        }
        do {
            let current = await session.currentState
            var restored = try await session.state(atSerial: serial)
            restored.serial = try HandoffState.serial(after: current.serial, store: description)
            restored.lineage = current.lineage
            try await session.replace(
                with: restored,
                summary: "restored the state of serial \(serial)",
                history: .object(["restore_of_state": .bool(true), "restored_serial": .int(serial)])
            )
            await session.release()
            return restored
        } catch {
            await session.release()
            throw error
        }
    }
}
