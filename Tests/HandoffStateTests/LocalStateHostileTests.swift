@testable import DurableFiles
import Foundation
import HandoffDestination
import HandoffState
import HandoffTime
import Testing

/// The local state against what a hostile or broken folder holds: locks nobody can read, serials
/// at the edge of the integers, files that are not files; and the modes of the files it writes.
@Suite("Local state: hostile files and numbers", .timeLimit(.minutes(1)))
struct LocalStateHostileTests {
    private func change(_ id: String) -> StateChange {
        StateChange(destination: "d", connection: "acme", destinationSchedule: "P1", created: [OverrideRecord(id: id, start: t(0), end: t(24), userID: "U")])
    }

    /// The error of `acquire`, or nil when it took the lock (then released).
    private func acquireError(_ store: LocalStateStore, timeout: Double) async -> StateError? {
        do {
            let session = try await store.acquire(holder("A"), timeout: timeout)
            await session.release()
            return nil
        } catch let error as StateError {
            return error
        } catch {
            Issue.record("not a StateError: \(error)")
            return nil
        }
    }

    // MARK: - Locks that cannot be read

    @Test("a folder at the lock path fails at once, naming the lock and why")
    func folderLock() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/state.json.lock", withIntermediateDirectories: false)
        let error = await acquireError(store, timeout: 0)
        #expect(error?.message == "the lock state.json.lock cannot be read: it is a folder, not a file; if no run holds it, remove it and run again")
        #expect(throws: StateError.self) { try store.currentLock() }
    }

    @Test("a dangling symbolic link at the lock path fails at once; a link is never followed")
    func danglingLinkLock() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createSymbolicLink(atPath: directory + "/state.json.lock", withDestinationPath: directory + "/nowhere")
        let error = await acquireError(store, timeout: 0)
        #expect(error?.message == "the lock state.json.lock cannot be read: it is a symbolic link, and Handoff does not follow one there; if no run holds it, remove it and run again")
        // Nothing was created through the link.
        #expect(!FileManager.default.fileExists(atPath: directory + "/nowhere"))
    }

    @Test("a FIFO at the lock path (a file that cannot be read) fails at once instead of blocking")
    func fifoLock() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(mkfifo(directory + "/state.json.lock", 0o600) == 0)
        let error = await acquireError(store, timeout: 0)
        #expect(error?.message == "the lock state.json.lock cannot be read: it is not a regular file; if no run holds it, remove it and run again")
    }

    @Test("an unreadable lock is waited for up to --lock-timeout, then fails: no spinning past the deadline")
    func unreadableLockHonoursTimeout() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/state.json.lock", withIntermediateDirectories: false)
        let started = ContinuousClock.now
        let error = await acquireError(store, timeout: 0.5)
        let waited = ContinuousClock.now - started
        #expect(error?.kind == .unreadable)
        #expect(waited >= .milliseconds(500))
        #expect(waited < .seconds(20))
    }

    @Test("a lock whose pid is beyond 32 bits is read, not trapped on")
    func hugePidInLock() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(#"{"id":"X","operation":"apply","user":"u","host":"h","pid":9223372036854775807}"#.utf8).write(to: URL(fileURLWithPath: directory + "/state.json.lock"))
        let holder = try #require(try await store.currentLock())
        #expect(holder.id == "X")
        #expect(holder.pid == 0)
        let error = await acquireError(store, timeout: 0)
        #expect(error?.kind == .locked)
    }

    @Test("any --lock-timeout number, infinite or NaN included, takes a free lock without trapping", arguments: [Double.infinity, .nan, 1e300, -1, -.infinity])
    func extremeTimeouts(timeout: Double) async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await acquireError(store, timeout: timeout) == nil)
    }

    // MARK: - Serials at the edge

    private func writeState(serial: String, in directory: String) throws {
        let text = #"{"format_version":1,"lineage":"L","serial":\#(serial),"destinations":{}}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/state.json"))
    }

    @Test("a state at serial Int64.max is refused when read, with how to recover, before any run can start")
    func hugeSerialRefused() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try writeState(serial: "9223372036854775807", in: directory)
        let expected = "the state file state.json cannot be read: its serial 9223372036854775807 is not between 0 and 9007199254740990; "
            + "set \"serial\" in it to a whole number in that range (1 will do) and make a new plan; it was left as it is"
        await #expect(throws: StateError(.unreadable, expected)) { try await store.read() }
        #expect(await acquireError(store, timeout: 0)?.message == expected)
        #expect(!FileManager.default.fileExists(atPath: directory + "/state.json.lock"))
        try writeState(serial: "-3", in: directory)
        #expect(await acquireError(store, timeout: 0)?.message.contains("its serial -3 is not between 0 and") == true)
    }

    @Test("a state one below the largest serial, with a journal to fold, is refused before the run, not after its calls")
    func serialAtTheEdgeWithJournal() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let edge = HandoffState.maximumSerial - 1
        try writeState(serial: String(edge), in: directory)
        let line = StateCoding.journalLine(change("Q1"), lineage: "L", baseSerial: edge)
        try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/state.json.journal"))
        #expect(try await store.read().serial == HandoffState.maximumSerial)
        let error = await acquireError(store, timeout: 0)
        #expect(error?.message == "the state file state.json with its journal cannot be used: its serial 9007199254740991 is not between 0 and 9007199254740990; "
            + "set \"serial\" in it to a whole number in that range (1 will do) and make a new plan")
        #expect(!FileManager.default.fileExists(atPath: directory + "/state.json.lock"))
    }

    // MARK: - Files that are not files

    @Test("a state path that leads to a device or a folder is an error, never an endless read")
    func stateFileNotAFile() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createSymbolicLink(atPath: directory + "/state.json", withDestinationPath: "/dev/zero")
        await #expect(throws: StateError(.unreadable, "the state file state.json cannot be read: could not read \(directory)/state.json: it is not a regular file")) {
            try await store.read()
        }
        try FileManager.default.removeItem(atPath: directory + "/state.json")
        try FileManager.default.createDirectory(atPath: directory + "/state.json", withIntermediateDirectories: false)
        await #expect(throws: StateError.self) { try await store.read() }
    }

    // MARK: - Links beside the state

    @Test("a journal that is a symbolic link to a file outside is neither read by plan nor appended to by apply")
    func journalLinkOut() async throws {
        let (store, directory) = try makeStore()
        let outside = directory + "-outside"
        defer { try? FileManager.default.removeItem(atPath: directory); try? FileManager.default.removeItem(atPath: outside) }
        let secret = StateCoding.journalLine(change("SECRETLINE"), lineage: "L", baseSerial: 0) + "\nPAGERDUTY_TOKEN=u+SECRETKEY\n"
        try Data(secret.utf8).write(to: URL(fileURLWithPath: outside))
        try FileManager.default.createSymbolicLink(atPath: directory + "/state.json.journal", withDestinationPath: outside)
        let expected = "the state journal state.json.journal cannot be read: it is a symbolic link, and Handoff does not follow one there; "
            + "it was left as it is: remove it, and the next plan lists PagerDuty and shows what remains"
        await #expect(throws: StateError(.unreadable, expected)) { try await store.read() }
        let error = await acquireError(store, timeout: 0)
        #expect(error?.message == expected)
        #expect(!FileManager.default.fileExists(atPath: directory + "/state.json.lock"))
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == secret)
    }

    @Test("a journal link that appears during a run is not appended to: the record fails, naming the journal")
    func journalLinkDuringRun() async throws {
        let (store, directory) = try makeStore()
        let outside = directory + "-outside"
        defer { try? FileManager.default.removeItem(atPath: directory); try? FileManager.default.removeItem(atPath: outside) }
        try Data("outside\n".utf8).write(to: URL(fileURLWithPath: outside))
        let session = try await store.acquire(holder("A"), timeout: 0)
        try FileManager.default.createSymbolicLink(atPath: directory + "/state.json.journal", withDestinationPath: outside)
        await #expect(throws: StateError(.writeFailed, "the state journal state.json.journal cannot be written: could not append to \(directory)/state.json.journal: it is a symbolic link, and Handoff does not follow one there")) {
            try await session.record(change("Q1"))
        }
        await session.release()
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "outside\n")
    }

    @Test("a read that the system answers with EAGAIN is an error, never an endless loop")
    func readAgainIsAnError() throws {
        var calls = 0
        let failure = try #require(throws: DurableFile.Failure.self) {
            try DurableFile.readAll(3, path: "state.json", limit: 1 << 20) { _, _, _ in
                calls += 1
                // Stands in for an endless run of EAGAIN: a loop that retries them reaches the end.
                if calls > 1000 { return 0 }
                errno = EAGAIN
                return -1
            }
        }
        #expect(failure.description == "could not read state.json: \(String(cString: strerror(EAGAIN)))")
        #expect(calls == 1)
    }

    // MARK: - Modes

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test("a new state file, its journal and its lock are created 0600")
    func newFilesArePrivate() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let session = try await store.acquire(holder("A"), timeout: 0)
        #expect(try mode(directory + "/state.json.lock") == 0o600)
        try await session.record(change("Q1"))
        #expect(try mode(directory + "/state.json.journal") == 0o600)
        try await session.finish()
        await session.release()
        #expect(try mode(directory + "/state.json") == 0o600)
    }

    @Test("rewriting the state keeps the mode its owner gave the file", arguments: [0o644, 0o640, 0o600, 0o664])
    func rewriteKeepsMode(original: Int) async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await store.acquire(holder("A"), timeout: 0)
        try await first.record(change("Q1"))
        try await first.finish()
        await first.release()
        try FileManager.default.setAttributes([.posixPermissions: original], ofItemAtPath: directory + "/state.json")
        let second = try await store.acquire(holder("B"), timeout: 0)
        try await second.record(change("Q2"))
        let written = try await second.finish()
        await second.release()
        #expect(written.serial == 2)
        #expect(try mode(directory + "/state.json") == original)
    }
}
