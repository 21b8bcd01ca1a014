import DurableFiles
import Foundation
import HandoffTime
import OrderedJSON

/// The state as one JSON file, written atomically, with a journal beside it (`state.json.journal`)
/// that receives one flushed line per confirmed PagerDuty call, and a lock file
/// (`state.json.lock`) holding who writes. The journal is folded into the file at the end of a
/// run, or by the next run after a crash. The journal and the lock are never opened through a
/// symbolic link (the state file's own path is checked where the configuration names it).
public struct LocalStateStore: StateStore {
    /// The state file's path as the process opens it.
    public let path: String
    /// The path shown in messages (relative to the current directory when possible).
    public let displayPath: String

    public init(path: String, displayPath: String? = nil) {
        self.path = path
        self.displayPath = displayPath ?? path
    }

    /// How a waiting `acquire` pauses between looks at the lock (`Task.sleep`); a test replaces
    /// it to learn that the wait has begun, instead of sleeping itself.
    var pause: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    var journalPath: String { path + ".journal" }
    var lockPath: String { path + ".lock" }

    public var description: String { "local state \(displayPath)" }

    public func read() async throws -> HandoffState {
        try load().folded
    }

    struct Loaded {
        /// The state file as written.
        var base: HandoffState
        /// With the journal of an interrupted run applied.
        var folded: HandoffState
        var journalHasEntries: Bool
    }

    func load() throws -> Loaded {
        var base = HandoffState.empty
        do {
            if let bytes = try DurableFile.read(path) {
                base = try StateCoding.decodeState(bytes)
            }
        } catch let failure as StateCoding.Failure where failure.isNewerFormat {
            throw StateError(.unreadable, "the state file \(displayPath) cannot be read: \(failure.description); it was left as it is; use a Handoff that reads it")
        } catch let failure as StateCoding.Failure where failure.saysHowToRecover {
            throw StateError(.unreadable, "the state file \(displayPath) cannot be read: \(failure.description); it was left as it is")
        } catch let failure as StateCoding.Failure {
            throw StateError(
                .unreadable,
                "the state file \(displayPath) cannot be read: \(failure.description); it was left as it is; restore it from a backup, "
                    + "or move it away and plan: with no state, Handoff adopts the overrides equal to the configuration and deletes none made by hand"
            )
        } catch {
            throw StateError(.unreadable, "the state file \(displayPath) cannot be read: \(error)")
        }
        var folded = base
        var applied = 0
        let journal: [UInt8]?
        do {
            // Never through a link: one committed beside the state would make plan read, and apply
            // append to, a file anywhere.
            journal = try DurableFile.read(journalPath, followingLinks: false)
        } catch let failure as DurableFile.Failure {
            throw StateError(
                .unreadable,
                "the state journal \(displayPath).journal cannot be read: \(failure.reason); it was left as it is: "
                    + "remove it, and the next plan lists PagerDuty and shows what remains"
            )
        } catch {
            throw StateError(.unreadable, "the state journal \(displayPath).journal cannot be read: \(error)")
        }
        if let journal, !journal.isEmpty {
            let lines = journal.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() where !line.isEmpty {
                let isLast = index == lines.count - 1
                let entry: StateCoding.JournalEntry
                do {
                    entry = try StateCoding.decodeJournalLine(line)
                } catch {
                    // A last line without its newline was being written when the run stopped: that
                    // call was never confirmed as recorded, and the next plan will see reality.
                    if isLast { break }
                    throw StateError(
                        .unreadable,
                        "line \(index + 1) of the state journal \(displayPath).journal cannot be read: \(error); it holds what an interrupted apply recorded: "
                            + "repair or delete that line, and the next plan lists PagerDuty and shows what remains"
                    )
                }
                if base.lineage == nil, base.serial == 0, folded.lineage == nil { folded.lineage = entry.lineage }
                guard entry.lineage == folded.lineage else {
                    throw StateError(
                        .unreadable,
                        "the state journal \(displayPath).journal belongs to another state (lineage \(entry.lineage), not \(folded.lineage ?? "none")); move it away to continue"
                    )
                }
                if entry.baseSerial < base.serial { continue }  // folded already, before a crash removed it
                guard entry.baseSerial == base.serial else {
                    throw StateError(
                        .unreadable,
                        "the state journal \(displayPath).journal extends serial \(entry.baseSerial), but the state file is at serial \(base.serial); "
                            + "if the state file was restored and is right, move the journal away, and the next plan lists PagerDuty and shows what remains"
                    )
                }
                folded.apply(entry.change)
                applied += 1
            }
        }
        if applied > 0 { folded.serial = try HandoffState.serial(after: base.serial, store: description) }
        return Loaded(base: base, folded: folded, journalHasEntries: applied > 0)
    }

    // MARK: - Locking

    /// Waits up to `timeout` seconds (at most a day; a negative or unknown timeout is no wait) for
    /// the lock, looking at it every 200 ms. A lock that cannot be read (a folder, a link, another
    /// user's file) may still be a run's: it is waited for like any lock, then named with the reason.
    public func acquire(_ holder: LockHolder, timeout: Double) async throws -> any StateSession {
        let deadline = ContinuousClock.now + Self.waitingTime(timeout)
        while true {
            if try createLock(holder) { break }
            let found: LockHolder?
            do {
                found = try currentLock()
            } catch let error as StateError {
                guard ContinuousClock.now < deadline else { throw error }
                try await pause(Self.pollInterval)
                continue
            }
            guard ContinuousClock.now < deadline else {
                // Gone between the two looks: that run just finished, so try once more at once.
                guard let found else {
                    if try createLock(holder) { break }
                    throw StateError(.locked, "the state \(displayPath) is locked by a run that keeps taking and giving up the lock; wait for it (--lock-timeout)")
                }
                throw lockedError(found, waited: timeout)
            }
            try await pause(Self.pollInterval)
        }
        do {
            let loaded = try load()
            // A journal folded in moved the serial on: the run must still be able to count past it.
            if let problem = HandoffState.serialProblem(loaded.folded.serial) {
                throw StateError(.unreadable, "the state file \(displayPath) with its journal cannot be used: \(problem)")
            }
            return LocalStateSession(store: self, holder: holder, loaded: loaded)
        } catch {
            removeLock(ifHeldBy: holder.id)
            throw error
        }
    }

    static let pollInterval: Duration = .milliseconds(200)

    /// `timeout` seconds as a duration, within 0 seconds and a day whatever the number (NaN and
    /// infinities included), so no conversion can trap.
    static func waitingTime(_ timeout: Double) -> Duration {
        guard timeout.isFinite, timeout > 0 else { return .zero }
        return .milliseconds(Int64(min(timeout, 86_400) * 1000))
    }

    /// Creates the lock file unless it exists; true when this process now holds the lock.
    private func createLock(_ holder: LockHolder) throws -> Bool {
        let directory = (lockPath as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let descriptor = open(lockPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(DurableFile.newFileMode))
        if descriptor < 0 {
            if errno == EEXIST { return false }
            throw StateError(.writeFailed, "the lock \(displayPath).lock cannot be created: \(String(cString: strerror(errno)))")
        }
        let bytes = Array(Self.lockJSON(holder).serialized().utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        guard written == bytes.count else {
            unlink(lockPath)
            throw StateError(.writeFailed, "the lock \(displayPath).lock cannot be written")
        }
        return true
    }

    /// The holder the lock file names; nil when there is no lock. A lock file that cannot be read
    /// is an error naming it and the reason: a lock nobody can read is never taken for no lock.
    public func currentLock() throws -> LockHolder? {
        let bytes: [UInt8]
        do {
            guard let read = try DurableFile.read(lockPath, limit: 64 << 10, followingLinks: false) else { return nil }
            bytes = read
        } catch let failure as DurableFile.Failure {
            throw StateError(
                .unreadable,
                "the lock \(displayPath).lock cannot be read: \(failure.reason); if no run holds it, remove it and run again"
            )
        }
        guard let object = try? JSONValue.parse(bytes), object.objectValue != nil else {
            // Being written this instant, or damaged: report what is known.
            return LockHolder(id: "unknown", operation: "an unknown operation", user: "unknown", host: "unknown", pid: 0, pipeline: nil, created: Instant(secondsSinceEpoch: 0))
        }
        let pid = object["pid"]?.intValue.flatMap { Int32(exactly: $0) } ?? 0
        return LockHolder(
            id: object["id"]?.stringValue ?? "unknown",
            operation: object["operation"]?.stringValue ?? "unknown",
            user: object["user"]?.stringValue ?? "unknown",
            host: object["host"]?.stringValue ?? "unknown",
            pid: pid,
            pipeline: object["pipeline"]?.stringValue,
            created: object["created"]?.stringValue.flatMap(Instant.init(rfc3339:)) ?? Instant(secondsSinceEpoch: 0)
        )
    }

    public func forceUnlock(id: String) async throws -> LockHolder {
        guard let holder = try currentLock() else {
            throw StateError(.noSuchLock, "the state \(displayPath) is not locked")
        }
        guard holder.id == id || holder.id == "unknown" else {
            throw StateError(.noSuchLock, "the lock of \(displayPath) has id \(holder.id), not \(id); it is held by \(holder.summary)", holder: holder)
        }
        guard unlink(lockPath) == 0 else {
            throw StateError(.writeFailed, "the lock \(displayPath).lock cannot be removed: \(String(cString: strerror(errno)))")
        }
        return holder
    }

    func removeLock(ifHeldBy id: String) {
        if let holder = try? currentLock(), holder.id == id { unlink(lockPath) }
    }

    private func lockedError(_ holder: LockHolder, waited: Double) -> StateError {
        var gone = ""
        var hostBuffer = [CChar](repeating: 0, count: 256)
        gethostname(&hostBuffer, hostBuffer.count - 1)
        let host = String(decoding: hostBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if holder.host == host, holder.pid > 0, kill(holder.pid, 0) != 0, errno == ESRCH {
            gone = "; that process is no longer running"
        }
        let seconds = Self.waitingTime(waited).components.seconds
        let waitedText = seconds > 0 ? " after waiting \(seconds) seconds" : ""
        return StateError(
            .locked,
            "the state \(displayPath) is locked by \(holder.summary)\(waitedText)\(gone); "
                + "wait for it (--lock-timeout), or if that run is gone, run `handoff state unlock \(holder.id)`",
            holder: holder,
            holderIsGone: !gone.isEmpty
        )
    }

    static func lockJSON(_ holder: LockHolder) -> JSONValue {
        .object([
            "id": .string(holder.id),
            "operation": .string(holder.operation),
            "user": .string(holder.user),
            "host": .string(holder.host),
            "pid": .int(Int(holder.pid)),
            "pipeline": holder.pipeline.map(JSONValue.string),
            "created": .string(holder.created.description),
        ])
    }

    // MARK: - Writing

    func write(_ state: HandoffState) throws {
        do {
            try DurableFile.write(Array(StateCoding.json(state).serialized().utf8), to: path)
        } catch {
            throw StateError(.writeFailed, "the state file \(displayPath) cannot be written: \(error)")
        }
    }

    func appendJournal(_ line: String) throws {
        do {
            try DurableFile.appendLine(Array(line.utf8), to: journalPath)
        } catch {
            throw StateError(.writeFailed, "the state journal \(displayPath).journal cannot be written: \(error)")
        }
    }

    func removeJournal() throws {
        do { try DurableFile.remove(journalPath) } catch {
            throw StateError(.writeFailed, "the state journal \(displayPath).journal cannot be removed: \(error)")
        }
    }
}

/// An apply's hold on a local state: journal lines as it goes, one atomic write at the end.
actor LocalStateSession: StateSession {
    private let store: LocalStateStore
    private let holder: LockHolder
    private var initial: HandoffState
    private var current: HandoffState
    /// The serial of the state file the journal lines extend.
    private var fileSerial: Int
    private var pendingFold: Bool
    private var recorded = 0

    init(store: LocalStateStore, holder: LockHolder, loaded: LocalStateStore.Loaded) {
        self.store = store
        self.holder = holder
        var folded = loaded.folded
        if folded.lineage == nil { folded.lineage = UUID().uuidString.lowercased() }
        initial = folded
        current = folded
        fileSerial = loaded.base.serial
        pendingFold = loaded.journalHasEntries
    }

    var initialState: HandoffState { initial }
    var currentState: HandoffState { current }

    func record(_ change: StateChange) throws {
        try store.appendJournal(StateCoding.journalLine(change, lineage: current.lineage ?? "", baseSerial: fileSerial))
        current.apply(change)
        recorded += 1
    }

    func finish() throws -> HandoffState {
        guard recorded > 0 || pendingFold else { return current }
        var state = current
        state.serial = recorded > 0 ? try HandoffState.serial(after: initial.serial, store: store.description) : initial.serial
        try commit(state)
        return state
    }

    func replace(with state: HandoffState) throws {
        guard recorded == 0 else {
            throw StateError(.conflict, "the state \(store.displayPath) has changes recorded in this run; it cannot be replaced now")
        }
        try commit(state)
    }

    /// Writes `state` as the file, drops the journal it folds in, and starts afresh from it.
    private func commit(_ state: HandoffState) throws {
        try store.write(state)
        try store.removeJournal()
        initial = state
        current = state
        fileSerial = state.serial
        pendingFold = false
        recorded = 0
    }

    func release() {
        store.removeLock(ifHeldBy: holder.id)
    }
}
