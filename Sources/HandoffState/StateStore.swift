import Foundation
public import HandoffTime

/// Where the state lives: a local file, or PostgreSQL. Planning reads; applying takes the lock,
/// records every confirmed call, and finishes with one write.
public protocol StateStore: Sendable {
    /// For messages: `local state .handoff/state.json`.
    var description: String { get }
    /// The current state, including confirmed changes of an interrupted run; writes nothing.
    func read() async throws -> HandoffState
    /// Takes the lock (waiting up to `timeout` seconds) and opens a session for writing.
    func acquire(_ holder: LockHolder, timeout: Double) async throws -> any StateSession
    /// The lock in force, if any.
    func currentLock() async throws -> LockHolder?
    /// Breaks the lock with this id (a crashed run's); returns who held it.
    func forceUnlock(id: String) async throws -> LockHolder
}

/// A store that keeps every serial it wrote and can bring one back (PostgreSQL does; a local
/// state's history is Git's). Commands ask for this capability instead of a backend's type.
public protocol StateHistory: StateStore {
    /// The recorded changes, newest first, at most `limit`.
    func history(limit: Int) async throws -> [StateHistoryEntry]
    /// Takes the lock and writes the state of `serial` back as a new serial; returns it.
    func restore(serial: Int, holder: LockHolder, timeout: Double) async throws -> HandoffState
}

/// One entry of a state's change history.
public struct StateHistoryEntry: Sendable, Hashable {
    public var serial: Int
    public var recorded: Instant
    public var recordedBy: String
    public var summary: String

    public init(serial: Int, recorded: Instant, recordedBy: String, summary: String) {
        self.serial = serial
        self.recorded = recorded
        self.recordedBy = recordedBy
        self.summary = summary
    }
}

/// A writer's hold on the state: what it records is durable at once; `finish` folds it into one
/// new serial; `release` gives up the lock.
public protocol StateSession: Sendable {
    /// The state when the lock was taken.
    var initialState: HandoffState { get async }
    /// The state with every change recorded so far.
    var currentState: HandoffState { get async }
    /// Records one confirmed change durably before returning.
    func record(_ change: StateChange) async throws
    /// Writes the state with everything recorded (serial + 1); writes nothing when nothing changed.
    @discardableResult
    func finish() async throws -> HandoffState
    /// Replaces the whole state with `state`, serial and lineage included (migrating between
    /// backends, restoring an earlier serial); refused when the state moved since the lock was taken.
    func replace(with state: HandoffState) async throws
    /// Gives up the lock.
    func release() async
}

/// Who holds (or asks for) the lock, for the messages of whoever waits.
public struct LockHolder: Sendable, Hashable {
    public var id: String
    /// `apply`, `state migrate`, …
    public var operation: String
    public var user: String
    public var host: String
    public var pid: Int32
    /// A CI pipeline or job id when one is known (GitHub Actions, GitLab CI, …).
    public var pipeline: String?
    public var created: Instant

    public init(id: String, operation: String, user: String, host: String, pid: Int32, pipeline: String?, created: Instant) {
        self.id = id
        self.operation = operation
        self.user = user
        self.host = host
        self.pid = pid
        self.pipeline = pipeline
        self.created = created
    }

    /// This process, about to do `operation`.
    public static func current(operation: String, now: Instant) -> LockHolder {
        let environment = ProcessInfo.processInfo.environment
        var hostBuffer = [CChar](repeating: 0, count: 256)
        gethostname(&hostBuffer, hostBuffer.count - 1)
        let host = String(decoding: hostBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let pipelineKeys = [
            ("GITHUB_RUN_ID", "GitHub Actions run"), ("CI_PIPELINE_ID", "GitLab pipeline"), ("BUILDKITE_BUILD_ID", "Buildkite build"),
            ("CIRCLE_WORKFLOW_ID", "CircleCI workflow"), ("BUILD_ID", "build"),
        ]
        let pipeline = pipelineKeys.first { environment[$0.0] != nil }.map { "\($0.1) \(environment[$0.0] ?? "")" }
        var random = SystemRandomNumberGenerator()
        let id = String((0..<10).map { _ in Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")[Int(random.next() % 32)] })
        return LockHolder(
            id: id,
            operation: operation,
            user: environment["USER"] ?? environment["LOGNAME"] ?? "unknown",
            host: host.isEmpty ? "unknown" : host,
            pid: ProcessInfo.processInfo.processIdentifier,
            pipeline: pipeline,
            created: now
        )
    }

    /// `apply by alice on ci-runner-7 (pid 4242, GitHub Actions run 99) since 2026-11-22T12:00:00Z`.
    public var summary: String {
        let pipelineText = pipeline.map { ", \($0)" } ?? ""
        return "\(operation) by \(user) on \(host) (pid \(pid)\(pipelineText)) since \(created)"
    }
}

/// A state problem as one sentence: unreadable, locked, stale.
public struct StateError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case unreadable, locked, noSuchLock, writeFailed, conflict, unavailable
    }

    public var kind: Kind
    public var message: String
    /// The holder of the lock, for `locked`.
    public var holder: LockHolder?
    /// For `locked`: the holder was a process of this machine that no longer runs (killed,
    /// crashed), so nothing can write through its lock and it may be broken.
    public var holderIsGone: Bool

    public init(_ kind: Kind, _ message: String, holder: LockHolder? = nil, holderIsGone: Bool = false) {
        self.kind = kind
        self.message = message
        self.holder = holder
        self.holderIsGone = holderIsGone
    }

    public var description: String { message }
}
