public import HandoffTime

/// Where overrides are written: what the planner and the applier need of an on-call product, and
/// nothing more. PagerDuty's v2 REST API is the first adapter (`HandoffPagerDuty`); an in-memory
/// one in the test support proves that this is enough. An adapter is opened per connection, used
/// by many tasks at once (hence `Sendable`), and closed by whoever opened it.
///
/// Every failure an adapter throws is a `DestinationError`: the planner and applier branch on its
/// kind (an unknown outcome is resolved by listing, a read-only key stops the connection) and show
/// its message as it is. A message is one lower-case sentence that never holds a secret (no key,
/// no token, no authorisation header), whatever the product answered.
public protocol OverrideDestination: Sendable {
    /// What the destination can do; read once per run.
    var capabilities: DestinationCapabilities { get }

    /// The destination's users for these e-mail addresses, keyed by the address lower-cased. An
    /// address with no user is simply absent (the planner names every such person at once); the
    /// comparison ignores case. Reads only.
    func resolveUsers(emails: [String]) async throws -> [String: DestinationUser]

    /// One user by id, for overrides of people the configuration does not know. A user that does
    /// not exist (deleted) is `nil`, not an error: a plan still shows their overrides.
    func user(id: String) async throws -> DestinationUser?

    /// The overrides of `schedule` that overlap `window` (start before its end, end after its
    /// start), every page of them: an override missing here would be created a second time, so a
    /// listing that cannot be complete throws instead. Order does not matter. Reads only.
    func overrides(schedule: String, overlapping window: InstantRange) async throws -> [OverrideRecord]

    /// Creates `overrides` on `schedule`, at most `capabilities.maxBatchSize` of them, and answers
    /// one result per item in the order given: created (with the id the destination gave it) or
    /// rejected (with a sentence saying why). When the answer is lost after the request may have
    /// reached the destination (a timeout, a dropped connection, a server error), it throws
    /// `DestinationError` of kind `.outcomeUnknown`, never another kind: the applier then lists
    /// the schedule and matches before it sends anything again, so nothing is created twice.
    /// A key that may read but not write throws `.readOnlyKey`.
    func createOverrides(schedule: String, _ overrides: [PlannedOverride]) async throws -> [OverrideCreationResult]

    /// Deletes the override `id` of `schedule` (an object of kind `target`: a destination with
    /// several kinds of object tells them apart by it): one in the future goes, one in progress is
    /// cut to end now, and one already gone is `.alreadyGone`, not an error (deleting is
    /// idempotent).
    func deleteOverride(schedule: String, id: String, target: OverrideTarget) async throws -> OverrideDeletionResult

    /// Changes the override `id` in place from `previous` (as the plan found it; nil where not
    /// known) to `override` (same target, new start, end or person), where the schedule's
    /// `DestinationLayout.updatesInPlace` says it can; the default throws `DestinationError` of
    /// kind `.unsupported`. Where `previous` has the same start and person, only the end changes,
    /// which is all a destination may take of an object that has begun. An answer lost after the
    /// request may have reached the destination throws `.outcomeUnknown` (a PUT is idempotent:
    /// sending it again is safe).
    func updateOverride(schedule: String, id: String, from previous: OverrideRecord?, to override: PlannedOverride) async throws -> OverrideRecord

    /// The override `id` of `schedule` (an object of kind `target`) as the destination holds it
    /// now, or nil when there is none. The applier reads a started override back after deleting
    /// it, where its replacement waits for it: the destination cut it at the moment the delete
    /// arrived (by its own clock, later than the plan's), and the replacement starts where it now
    /// ends, so the two never overlap. Reads only. The default throws `DestinationError` of kind
    /// `.unsupported` (the replacement then starts where the plan says, as before).
    func override(schedule: String, id: String, target: OverrideTarget) async throws -> OverrideRecord?

    /// What writing `request.shifts` onto its schedule takes (see `DestinationLayout`); reads only.
    /// Also where a destination finds the schedule's kind and refuses, with `.kindChanged`, one
    /// whose kind is no longer the remembered one. The default (`Layout.swift`) writes every
    /// shift whole on the whole schedule.
    func layout(_ request: LayoutRequest) async throws -> DestinationLayout

    /// Who the destination itself shows on call on `schedule` over `window` (its own rendering,
    /// every entry that overlaps the window, concurrent ones included), for `handoff who
    /// --source pagerduty`. Reads only. The default (`OnCallReading.swift`) throws
    /// `DestinationError` of kind `.unsupported`.
    func onCall(schedule: String, over window: InstantRange) async throws -> DestinationOnCall
}

extension OverrideDestination {
    public func updateOverride(schedule: String, id: String, from previous: OverrideRecord?, to override: PlannedOverride) async throws -> OverrideRecord {
        throw DestinationError(.unsupported, "this destination cannot change an override in place; delete it and create a new one")
    }

    public func override(schedule: String, id: String, target: OverrideTarget) async throws -> OverrideRecord? {
        throw DestinationError(.unsupported, "this destination cannot read one override by its id")
    }
}

/// What a destination can do, so the applier need not find out by failing.
public struct DestinationCapabilities: Sendable, Hashable {
    /// Overrides per create request at most (PagerDuty: 50 is what Handoff sends).
    public var maxBatchSize: Int
    /// Whether `updateOverride` works; otherwise a change is a create and a delete.
    public var updatesInPlace: Bool

    public init(maxBatchSize: Int, updatesInPlace: Bool = false) {
        self.maxBatchSize = max(1, maxBatchSize)
        self.updatesInPlace = updatesInPlace
    }
}

/// A person as the destination knows them.
public struct DestinationUser: Sendable, Hashable {
    public var id: String
    public var name: String
    public var email: String

    public init(id: String, name: String, email: String) {
        self.id = id
        self.name = name
        self.email = email
    }
}

/// An override to create: a user on call over `[start, end)`.
public struct PlannedOverride: Sendable, Hashable {
    public var start: Instant
    public var end: Instant
    public var userID: String
    /// Where it acts; `.schedule` on a layer-based schedule.
    public var target: OverrideTarget

    public init(start: Instant, end: Instant, userID: String, target: OverrideTarget = .schedule) {
        self.start = start
        self.end = end
        self.userID = userID
        self.target = target
    }
}

/// What the destination did with one override of a batch.
public enum OverrideCreationResult: Sendable, Hashable {
    case created(OverrideRecord)
    /// Refused; `reason` is one sentence naming the override and why (shown after the destination).
    case rejected(PlannedOverride, reason: String)
}

/// What a delete did.
public enum OverrideDeletionResult: Sendable, Hashable {
    /// It was in the future and is gone.
    case deleted
    /// It was in progress: it now ends at the time of the delete, its past part remains.
    case truncated
    /// There was no such override (deleted already, by a person or a killed run).
    case alreadyGone
}

/// A failure of a destination, as one sentence a person can act on; the kind lets the applier
/// branch. The message never holds a secret.
public struct DestinationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The key may read but not write: every destination on the connection stops.
        case readOnlyKey
        /// A write whose answer was lost: it may or may not have happened; list before retrying.
        case outcomeUnknown
        /// What was asked for does not exist (a schedule, an override).
        case notFound
        /// The destination kept refusing for too many requests after waiting as told.
        case rateLimited
        /// The destination cannot do this (`updateOverride` where it has no such call).
        case unsupported
        /// The schedule is no longer of the kind Handoff last wrote it as (upgraded in place):
        /// what the state records of it means nothing there; the destination stops until re-adopted.
        case kindChanged
        /// Anything else: unreachable, unauthorised, a refusal, an answer not understood.
        case other
    }

    public let kind: Kind
    /// The sentence shown to the user.
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// A failure reported as sentences shown as they are, several at once: each names what it is about
/// and where it is configured (a connection without its key, a host keys may not go to, every
/// person without a destination user, every unreadable schedule). Connection openers throw it for
/// problems shown as they are; the planner and applier for everything they report together.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public var messages: [String]

    public init(_ messages: [String]) {
        self.messages = messages
    }

    public init(_ message: String) {
        self.messages = [message]
    }

    public var description: String { messages.joined(separator: "\n") }
}
