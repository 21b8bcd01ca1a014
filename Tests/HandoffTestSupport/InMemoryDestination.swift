public import HandoffDestination
public import HandoffTime
import Synchronization

/// An override destination held in memory, with faults to inject and calls counted: the proof
/// that `OverrideDestination` is all the planner and the applier need (no sockets, no PagerDuty),
/// and the setting of tests that need a destination to misbehave on cue.
public final class InMemoryDestination: OverrideDestination {
    /// Faults, each used up as it happens.
    public struct Faults: Sendable {
        /// Creates whose answer is lost after they were carried out (`.outcomeUnknown`).
        public var lostCreateAnswers = 0
        /// Every write refused as from a key that may only read.
        public var readOnly = false
        /// Items for these user ids are rejected, the others of their batch created.
        public var rejectedUsers: Set<String> = []
        /// Moves in place whose answer is lost after they were carried out (`.outcomeUnknown`).
        public var lostUpdateAnswers = 0

        public init() {}
    }

    /// Calls made, by method.
    public struct Calls: Sendable, Hashable {
        public var resolveUsers = 0
        public var user = 0
        public var list = 0
        public var create = 0
        public var delete = 0
        public var update = 0
        public var layout = 0

        /// Writes: creates, deletes and changes in place.
        public var writes: Int { create + delete + update }
    }

    private struct Held {
        var users: [DestinationUser]
        var overrides: [String: [OverrideRecord]] = [:]
        var nextID = 1
        var now: Instant
        var faults = Faults()
        var calls = Calls()
        var layout: (@Sendable (LayoutRequest) throws -> DestinationLayout)?
        var updatesInPlace = false
        var deletedTargets: [OverrideTarget] = []
    }

    public static let readOnlyMessage = "the API key of connection \"memory\" may only read, and this would write; use a key with write access"

    private let held: Mutex<Held>
    public let capabilities: DestinationCapabilities

    public init(users: [DestinationUser], now: Instant, maxBatchSize: Int = 50) {
        held = Mutex(Held(users: users, now: now))
        capabilities = DestinationCapabilities(maxBatchSize: maxBatchSize)
    }

    // MARK: - Test controls

    public func setNow(_ now: Instant) { held.withLock { $0.now = now } }
    public func inject(_ change: (inout Faults) -> Void) { held.withLock { change(&$0.faults) } }
    public var calls: Calls { held.withLock { $0.calls } }

    /// Answers `layout` with `body` from now on (nil: every shift whole on the whole schedule, the
    /// protocol's default), as a shift-based destination splits shifts at its rotation's handoffs.
    public func setLayout(_ body: (@Sendable (LayoutRequest) throws -> DestinationLayout)?) { held.withLock { $0.layout = body } }
    public func overrides(_ schedule: String) -> [OverrideRecord] { held.withLock { $0.overrides[schedule] ?? [] } }

    /// Removes an override as a person would, without counting a call.
    public func removeByHand(schedule: String, id: String) {
        held.withLock { $0.overrides[schedule]?.removeAll { $0.id == id } }
    }

    /// Adds an override as a person would, without counting a call.
    @discardableResult
    public func addByHand(schedule: String, start: Instant, end: Instant, userID: String, target: OverrideTarget = .schedule) -> OverrideRecord {
        held.withLock { held in
            let record = OverrideRecord(id: "H\(held.nextID)", start: start, end: end, userID: userID, target: target)
            held.nextID += 1
            held.overrides[schedule, default: []].append(record)
            return record
        }
    }

    /// Deletes a user (their overrides stay, as in PagerDuty).
    public func removeUser(id: String) {
        held.withLock { $0.users.removeAll { $0.id == id } }
    }

    // MARK: - OverrideDestination

    public func resolveUsers(emails: [String]) async throws -> [String: DestinationUser] {
        held.withLock { held in
            held.calls.resolveUsers += 1
            let wanted = Set(emails.map { $0.lowercased() })
            var found: [String: DestinationUser] = [:]
            for user in held.users where wanted.contains(user.email.lowercased()) { found[user.email.lowercased()] = user }
            return found
        }
    }

    public func user(id: String) async throws -> DestinationUser? {
        held.withLock { held in
            held.calls.user += 1
            return held.users.first { $0.id == id }
        }
    }

    public func overrides(schedule: String, overlapping window: InstantRange) async throws -> [OverrideRecord] {
        held.withLock { held in
            held.calls.list += 1
            return (held.overrides[schedule] ?? []).filter { $0.start < window.end && $0.end > window.start }
        }
    }

    public func createOverrides(schedule: String, _ overrides: [PlannedOverride]) async throws -> [OverrideCreationResult] {
        try held.withLock { held in
            held.calls.create += 1
            if held.faults.readOnly { throw DestinationError(.readOnlyKey, Self.readOnlyMessage) }
            var results: [OverrideCreationResult] = []
            for override in overrides {
                if held.faults.rejectedUsers.contains(override.userID) {
                    results.append(.rejected(override, reason: "the destination refused the override for user \(override.userID): not on this schedule"))
                    continue
                }
                let record = OverrideRecord(id: "M\(held.nextID)", start: override.start, end: override.end, userID: override.userID, target: override.target)
                held.nextID += 1
                held.overrides[schedule, default: []].append(record)
                results.append(.created(record))
            }
            if held.faults.lostCreateAnswers > 0 {
                held.faults.lostCreateAnswers -= 1
                throw DestinationError(.outcomeUnknown, "the answer to a create on schedule \(schedule) was lost; whether the overrides exist is unknown")
            }
            return results
        }
    }

    public func deleteOverride(schedule: String, id: String, target: OverrideTarget) async throws -> OverrideDeletionResult {
        try held.withLock { held in
            held.calls.delete += 1
            if held.faults.readOnly { throw DestinationError(.readOnlyKey, Self.readOnlyMessage) }
            held.deletedTargets.append(target)
            guard let index = held.overrides[schedule]?.firstIndex(where: { $0.id == id }), let record = held.overrides[schedule]?[index] else {
                return .alreadyGone
            }
            if record.start < held.now {
                held.overrides[schedule]?[index].end = held.now
                return .truncated
            }
            held.overrides[schedule]?.remove(at: index)
            return .deleted
        }
    }

    public func layout(_ request: LayoutRequest) async throws -> DestinationLayout {
        let body = held.withLock { held in
            held.calls.layout += 1
            return held.layout
        }
        return try body?(request) ?? .whole(request.shifts, kind: nil)
    }

    // MARK: - Moves in place (off unless a test turns them on)

    /// Lets `updateOverride` change overrides in place, as a shift-based schedule does.
    public func allowUpdatesInPlace() { held.withLock { $0.updatesInPlace = true } }
    /// The target every delete named, in order.
    public var deletedTargets: [OverrideTarget] { held.withLock { $0.deletedTargets } }

    public func updateOverride(schedule: String, id: String, from previous: OverrideRecord?, to override: PlannedOverride) async throws -> OverrideRecord {
        try held.withLock { held in
            guard held.updatesInPlace else {
                throw DestinationError(.unsupported, "this destination cannot change an override in place; delete it and create a new one")
            }
            held.calls.update += 1
            if held.faults.readOnly { throw DestinationError(.readOnlyKey, Self.readOnlyMessage) }
            guard let index = held.overrides[schedule]?.firstIndex(where: { $0.id == id }) else {
                throw DestinationError(.notFound, "override \(id) of schedule \(schedule) does not exist")
            }
            let record = OverrideRecord(id: id, start: override.start, end: override.end, userID: override.userID, target: override.target)
            held.overrides[schedule]?[index] = record
            if held.faults.lostUpdateAnswers > 0 {
                held.faults.lostUpdateAnswers -= 1
                throw DestinationError(.outcomeUnknown, "the answer to a change of override \(id) on schedule \(schedule) was lost; whether it moved is unknown")
            }
            return record
        }
    }
}
