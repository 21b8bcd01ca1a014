public import HandoffConfig
public import HandoffDestination
public import HandoffRota
public import HandoffTime

// MARK: - What the reconciler is given

/// An override the configuration wants, for one shift: start clipped to `now` for the shift in
/// progress, whole minutes.
public struct DesiredOverride: Sendable, Hashable {
    public var start: Instant
    public var end: Instant
    public var userID: String
    /// The person's key in the configuration.
    public var person: String
    public var reason: Shift.Reason
    /// Where the shift comes from, so handovers can say why they happen: the shift whole (its
    /// start not clipped to `now`), the whole turn it belongs to, and, for a shift of a
    /// `rotation.changes` entry, when that entry takes effect. Nil when unknown.
    public var origin: Origin?
    /// Where the override acts (`.schedule` on a layer-based schedule): part of what makes a
    /// listed override equal to this one.
    public var target: OverrideTarget
    /// A piece the schedule's own rotation already gives this person (`LayoutPiece.write` nil):
    /// never created, matched or a reason to delete anything, but who is on call there once the
    /// plan is applied, so handovers show the person and no false gap.
    public var covered: Bool

    /// The shift behind a desired override.
    public struct Origin: Sendable, Hashable {
        public var shift: InstantRange
        public var turn: InstantRange
        /// When the `rotation.changes` entry of the shift takes effect (nil: the first era).
        public var eraStart: Instant?
        /// The schedule covers only some hours (`coverage`).
        public var partialCoverage: Bool

        public init(shift: InstantRange, turn: InstantRange, eraStart: Instant?, partialCoverage: Bool) {
            self.shift = shift
            self.turn = turn
            self.eraStart = eraStart
            self.partialCoverage = partialCoverage
        }
    }

    public init(
        start: Instant, end: Instant, userID: String, person: String, reason: Shift.Reason, origin: Origin? = nil, target: OverrideTarget = .schedule,
        covered: Bool = false
    ) {
        self.start = start
        self.end = end
        self.userID = userID
        self.person = person
        self.reason = reason
        self.origin = origin
        self.target = target
        self.covered = covered
    }
}

/// Names and addresses of PagerDuty users, so plans show people, never bare ids.
public struct PeopleDirectory: Sendable {
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var email: String
        /// The configuration's key for this person, when the configuration knows them.
        public var person: String?

        public init(name: String, email: String, person: String? = nil) {
            self.name = name
            self.email = email
            self.person = person
        }
    }

    public var users: [String: Entry]

    public init(users: [String: Entry] = [:]) {
        self.users = users
    }

    public func entry(_ userID: String) -> Entry {
        users[userID] ?? Entry(name: "PagerDuty user \(userID)", email: "unknown")
    }
}

/// One configured destination, ready to reconcile.
public struct DestinationInput: Sendable {
    public var name: String
    public var connection: String
    public var destinationSchedule: String
    public var timeZone: String
    public var manualChanges: Destination.ManualChanges
    /// Sorted by start; covering `[now, max(watermark, horizonEnd))`, so that overrides exported
    /// beyond a horizon made shorter are compared, not deleted (DESIGN 5).
    public var desired: [DesiredOverride]
    /// Everyone in the schedule's rotation, to tell "member left" from other reasons.
    public var members: Set<String>
    /// `now` plus the schedule's horizon.
    public var horizonEnd: Instant
    /// The schedule's kind as the destination's `layout` found it (nil: a destination of one kind).
    public var scheduleKind: DestinationScheduleKind?
    /// What the destination asks the plan to say about it, one sentence each.
    public var notes: [String]
    /// Whether an override of Handoff's that has not started can be changed in place: a delete and
    /// a create of the same target, both in the future, become one move.
    public var updatesInPlace: Bool
    /// Who the schedule itself has on call under every override (`DestinationLayout.underlying`):
    /// what the handovers show, on both sides, where nothing of Handoff's or of a person's holds
    /// the pager. Empty: unknown, `nobody` there.
    public var underlying: [UnderlyingOnCall] = []

    public init(
        name: String,
        connection: String,
        destinationSchedule: String,
        timeZone: String,
        manualChanges: Destination.ManualChanges,
        desired: [DesiredOverride],
        members: Set<String>,
        horizonEnd: Instant,
        scheduleKind: DestinationScheduleKind? = nil,
        notes: [String] = [],
        updatesInPlace: Bool = false
    ) {
        self.scheduleKind = scheduleKind
        self.notes = notes
        self.updatesInPlace = updatesInPlace
        self.name = name
        self.connection = connection
        self.destinationSchedule = destinationSchedule
        self.timeZone = timeZone
        self.manualChanges = manualChanges
        self.desired = desired
        self.members = members
        self.horizonEnd = horizonEnd
    }
}

/// A PagerDuty schedule's overrides as listed over `window`.
public struct ObservedSchedule: Sendable {
    public var window: InstantRange
    public var overrides: [OverrideRecord]

    public init(window: InstantRange, overrides: [OverrideRecord]) {
        self.window = window
        self.overrides = overrides
    }
}

/// The PagerDuty schedule a destination writes, as observed: one listing may serve several
/// destinations (follow-the-sun).
public struct ScheduleKey: Sendable, Hashable, Comparable {
    public var connection: String
    public var destinationSchedule: String

    public init(connection: String, destinationSchedule: String) {
        self.connection = connection
        self.destinationSchedule = destinationSchedule
    }

    public static func < (lhs: ScheduleKey, rhs: ScheduleKey) -> Bool {
        (lhs.connection, lhs.destinationSchedule) < (rhs.connection, rhs.destinationSchedule)
    }
}
