import Foundation
import HandoffDestination
@testable import HandoffState
import HandoffTime
import Testing

@Suite("Local state: atomic file, journal, lock")
struct LocalStateStoreTests {
    private func change(created: [OverrideRecord] = [], deleted: [String] = [], watermark: Instant? = nil) -> StateChange {
        StateChange(destination: "d", connection: "acme", destinationSchedule: "P1", created: created, deleted: deleted, watermark: watermark)
    }

    @Test("a missing state file is an empty state; the first write gives it a lineage and serial 1")
    func firstWrite() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try await store.read() == .empty)
        let session = try await store.acquire(holder("A"), timeout: 0)
        try await session.record(change(created: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U")], watermark: t(24)))
        let written = try await session.finish()
        await session.release()
        #expect(written.serial == 1)
        #expect(written.lineage != nil)
        let read = try await store.read()
        #expect(read == written)
        #expect(read.destinations["d"]?.overrides.map(\.id) == ["Q1"])
        #expect(read.destinations["d"]?.watermark == t(24))
        #expect(!FileManager.default.fileExists(atPath: directory + "/state.json.journal"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/state.json.lock"))
    }

    @Test("changes recorded before a crash survive in the journal: the next read sees them, the next run folds them")
    func crashRecovery() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await store.acquire(holder("A"), timeout: 0)
        try await first.record(change(created: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U")]))
        try await first.finish()
        try await first.record(change(created: [OverrideRecord(id: "Q2", start: t(24), end: t(48), userID: "U")]))
        try await first.record(change(deleted: ["Q1"]))
        // The process dies here: no finish, no release. Half a line was being written.
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/state.json.journal"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"lineage":"x","base_ser"#.utf8))
        try handle.close()
        try FileManager.default.removeItem(atPath: directory + "/state.json.lock")

        let seen = try await store.read()
        #expect(seen.serial == 2)
        #expect(seen.destinations["d"]?.overrides.map(\.id) == ["Q2"])
        let second = try await store.acquire(holder("B"), timeout: 0)
        #expect(await second.initialState == seen)
        let folded = try await second.finish()
        await second.release()
        #expect(folded.serial == 2)
        #expect(try await store.read() == folded)
        #expect(!FileManager.default.fileExists(atPath: directory + "/state.json.journal"))
    }

    @Test("a run that records after recovering a crash gets a new serial of its own")
    func serialAfterRecovery() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await store.acquire(holder("A"), timeout: 0)
        try await first.record(change(created: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U")]))
        try FileManager.default.removeItem(atPath: directory + "/state.json.lock")
        let second = try await store.acquire(holder("B"), timeout: 0)
        #expect(await second.initialState.serial == 1)
        try await second.record(change(created: [OverrideRecord(id: "Q2", start: t(24), end: t(48), userID: "U")]))
        let written = try await second.finish()
        await second.release()
        #expect(written.serial == 2)
        #expect(written.destinations["d"]?.overrides.map(\.id) == ["Q1", "Q2"])
    }

    @Test("an unreadable state file is an error naming it, and it is never overwritten")
    func unreadable() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "{ not json".write(toFile: directory + "/state.json", atomically: true, encoding: .utf8)
        let error = await #expect(throws: StateError.self) { try await store.read() }
        #expect(
            error?.message == "the state file state.json cannot be read: it is not valid JSON; it was left as it is; restore it from a backup, "
                + "or move it away and plan: with no state, Handoff adopts the overrides equal to the configuration and deletes none made by hand"
        )
        await #expect(throws: StateError.self) { try await store.acquire(holder("A"), timeout: 0) }
        #expect(try String(contentsOfFile: directory + "/state.json", encoding: .utf8) == "{ not json")
        #expect(!FileManager.default.fileExists(atPath: directory + "/state.json.lock"))

        try #"{"format_version": 7, "serial": 1, "destinations": {}}"#.write(toFile: directory + "/state.json", atomically: true, encoding: .utf8)
        let newer = await #expect(throws: StateError.self) { try await store.read() }
        #expect(newer?.message == "the state file state.json cannot be read: it has format_version 7; this Handoff reads versions 1 and 2; it was left as it is; use a Handoff that reads it")
    }

    @Test("a second writer fails at once naming the holder, or waits with a timeout")
    func locking() async throws {
        let (made, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var store = made
        // The waiter's pause between looks at the lock says that it found the lock taken, and
        // lasts until the first holder has let go: no sleep decides the order.
        let (waiting, nowWaiting) = AsyncStream<Void>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        store.pause = { _ in
            nowWaiting.yield()
            for await _ in released {}
        }
        let first = try await store.acquire(holder("FIRST"), timeout: 0)
        let error = await #expect(throws: StateError.self) { try await store.acquire(holder("SECOND"), timeout: 0) }
        #expect(error?.kind == .locked)
        #expect(error?.holder?.id == "FIRST")
        #expect(error?.holderIsGone == false)
        #expect(error?.message.contains("run `handoff state unlock FIRST`") == true)
        let waiter = Task { [store] in try await store.acquire(holder("SECOND"), timeout: 5) }
        for await _ in waiting { break }
        #expect(try await store.currentLock()?.id == "FIRST")
        await first.release()
        release.finish()
        let second = try await waiter.value
        #expect(try await store.currentLock()?.id == "SECOND")
        await second.release()
        #expect(try await store.currentLock() == nil)
    }

    @Test("unlock breaks a stale lock by id, and refuses another id")
    func unlock() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A holder on this host whose process is gone.
        _ = try await store.acquire(holder("STALE", pid: 999_999), timeout: 0)
        let error = await #expect(throws: StateError.self) { try await store.acquire(holder("NEW"), timeout: 0) }
        #expect(error?.message.contains("that process is no longer running") == true)
        #expect(error?.holderIsGone == true)
        await #expect(throws: StateError.self) { try await store.forceUnlock(id: "WRONG") }
        let broken = try await store.forceUnlock(id: "STALE")
        #expect(broken.id == "STALE" && broken.pid == 999_999)
        let session = try await store.acquire(holder("NEW"), timeout: 0)
        await session.release()
    }

    @Test("a journal from another state is refused")
    func foreignJournal() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let session = try await store.acquire(holder("A"), timeout: 0)
        try await session.record(change(created: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U")]))
        try await session.finish()
        await session.release()
        let line = StateCoding.journalLine(change(deleted: ["Q1"]), lineage: "another-lineage", baseSerial: 1)
        try (line + "\n").write(toFile: directory + "/state.json.journal", atomically: true, encoding: .utf8)
        let error = await #expect(throws: StateError.self) { try await store.read() }
        #expect(error?.message.hasPrefix("the state journal state.json.journal belongs to another state (lineage another-lineage") == true)
    }

    @Test("a damaged journal line, or a journal of an older state file, is an error saying which file and what to do")
    func damagedJournal() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let session = try await store.acquire(holder("A"), timeout: 0)
        try await session.record(change(created: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U")]))
        try await session.finish()
        let lineage = try #require(await session.currentState.lineage)
        await session.release()
        let good = StateCoding.journalLine(change(deleted: ["Q1"]), lineage: lineage, baseSerial: 1)
        try ("{ damaged\n" + good + "\n").write(toFile: directory + "/state.json.journal", atomically: true, encoding: .utf8)
        let damaged = await #expect(throws: StateError.self) { try await store.read() }
        #expect(
            damaged?.message == "line 1 of the state journal state.json.journal cannot be read: it is not valid JSON; it holds what an interrupted apply recorded: "
                + "repair or delete that line, and the next plan lists PagerDuty and shows what remains"
        )
        let ahead = StateCoding.journalLine(change(deleted: ["Q1"]), lineage: lineage, baseSerial: 5)
        try (ahead + "\n").write(toFile: directory + "/state.json.journal", atomically: true, encoding: .utf8)
        let mismatch = await #expect(throws: StateError.self) { try await store.read() }
        #expect(
            mismatch?.message == "the state journal state.json.journal extends serial 5, but the state file is at serial 1; "
                + "if the state file was restored and is right, move the journal away, and the next plan lists PagerDuty and shows what remains"
        )
    }

    @Test("a delete-pending mark is one journal line, survives a crash and the fold, and clears; a state written before the mark reads as unmarked")
    func deletePendingMark() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await store.acquire(holder("A"), timeout: 0)
        try await first.record(change(created: [OverrideRecord(id: "Q1", start: t(0), end: t(24), userID: "U"), OverrideRecord(id: "Q2", start: t(24), end: t(48), userID: "U")]))
        try await first.finish()
        var marking = change()
        marking.markDeletePending = ["Q1", "Q2", "M9"]
        try await first.record(marking)
        let journal = try String(contentsOfFile: directory + "/state.json.journal", encoding: .utf8)
        #expect(journal.split(separator: "\n").count == 1)
        #expect(journal.contains(#""mark_delete_pending":["Q1","Q2","M9"]"#))
        // Killed here: the journal holds the marks.
        try FileManager.default.removeItem(atPath: directory + "/state.json.lock")
        let seen = try await store.read()
        #expect(seen.destinations["d"]?.overrides.map(\.deletePending) == [true, true])
        let second = try await store.acquire(holder("B"), timeout: 0)
        var clearing = change()
        clearing.clearDeletePending = ["Q2"]
        try await second.record(clearing)
        let written = try await second.finish()
        await second.release()
        #expect(written.destinations["d"]?.overrides.map(\.deletePending) == [true, false])
        #expect(try await store.read() == written)
        let file = try String(contentsOfFile: directory + "/state.json", encoding: .utf8)
        #expect(file.components(separatedBy: #""delete_pending": true"#).count == 2)

        // A state file from before the mark existed.
        let older = #"{"format_version": 1, "lineage": "L", "serial": 4, "destinations": {"d": {"connection": "acme", "pagerduty_schedule": "P1", "watermark": null, "#
            + #""overrides": [{"id": "Q1", "start": "2026-11-22T00:00:00Z", "end": "2026-11-23T00:00:00Z", "user": "U"}]}}}"#
        try older.write(toFile: directory + "/state.json", atomically: true, encoding: .utf8)
        #expect(try await store.read().destinations["d"]?.overrides.first?.deletePending == false)
    }
}
