public import HandoffTime

// MARK: - Shift-based (v3) schedules: what the account stores

/// The parts of a shift-based schedule that a layered one lacks. A schedule is shift-based when
/// its `type` is `schedule_v3`; both kinds share one id space (one list in the store).
public struct SandboxV3Details: Sendable, Codable, Hashable {
    public var rotations: [SandboxV3Rotation] = []
    public var customShifts: [SandboxV3CustomShift] = []
    public var overrides: [SandboxV3Override] = []
    /// Team ids, as given on create.
    public var teamIDs: [String] = []
    /// Whether an escalation policy points at the schedule (a delete is refused then). Schedules
    /// created through `POST /v3/schedules` start without one; an upgraded schedule keeps its own.
    public var referencedByEscalationPolicy = false
    /// The schedule's audit records, oldest first (nil until the first write is recorded; see
    /// `SandboxAPI+V3Audit.swift`).
    public var auditRecords: [SandboxV3AuditRecord]?

    public init() {}
}

/// A seat of a shift: a user, or an intentionally vacant seat (`empty_member`) when `userID` is nil.
public struct SandboxV3Member: Sendable, Codable, Hashable {
    public var userID: String?

    public init(userID: String?) {
        self.userID = userID
    }
}

/// A rotation: settings live on its events. A deleted rotation is hidden from the API but keeps
/// its past shifts in the final schedule.
public struct SandboxV3Rotation: Sendable, Codable, Hashable {
    public var id: String
    public var events: [SandboxV3Event] = []
    public var deleted = false

    public init(id: String) {
        self.id = id
    }
}

/// One recurring coverage pattern: the first occurrence `[start, end)` in `timeZone`, repeated by
/// `recurrence` (RFC 5545 lines), producing shifts within `[effectiveSince, effectiveUntil)`.
public struct SandboxV3Event: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var start: Instant
    public var end: Instant
    public var timeZone: String
    public var effectiveSince: Instant
    public var effectiveUntil: Instant?
    public var recurrence: [String]
    /// `every_member_assignment_strategy` when true, else `rotating_member_assignment_strategy`.
    public var everyMember: Bool
    public var members: [SandboxV3Member]
    public var shiftsPerMember: Int?
    /// Deleted while active or past: hidden from the API, its history stays in the final schedule.
    public var deleted = false

    public init(
        id: String, name: String, start: Instant, end: Instant, timeZone: String, effectiveSince: Instant, effectiveUntil: Instant?,
        recurrence: [String], everyMember: Bool, members: [SandboxV3Member], shiftsPerMember: Int?
    ) {
        self.id = id
        self.name = name
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.effectiveSince = effectiveSince
        self.effectiveUntil = effectiveUntil
        self.recurrence = recurrence
        self.everyMember = everyMember
        self.members = members
        self.shiftsPerMember = shiftsPerMember
    }

    /// Past (ended), active (producing shifts) or future (not yet effective) at `now`.
    enum Timing { case past, active, future }

    func timing(at now: Instant) -> Timing {
        if let until = effectiveUntil, until <= now { return .past }
        return effectiveSince > now ? .future : .active
    }
}

/// A one-off shift that adds one person (or a vacant seat) to the schedule.
public struct SandboxV3CustomShift: V3Item, Codable, Hashable {
    public var id: String
    public var assignmentID: String
    public var start: Instant
    public var end: Instant
    public var member: SandboxV3Member
    /// Further members of a shift made with several people (PagerDuty's web app can; its API
    /// creates one member per shift, and so does this one): only a direct write to the store
    /// sets them. Listed as further assignments, each on call for the whole shift.
    public var extraMembers: [SandboxV3Member]?

    public init(id: String, assignmentID: String, start: Instant, end: Instant, member: SandboxV3Member, extraMembers: [SandboxV3Member]? = nil) {
        self.id = id
        self.assignmentID = assignmentID
        self.start = start
        self.end = end
        self.member = member
        self.extraMembers = extraMembers
    }

    /// Every member, the first one first.
    var allMembers: [SandboxV3Member] { [member] + (extraMembers ?? []) }
}

/// An override scoped to one rotation or one custom shift: `overriding` replaces `overridden`
/// for that source only, within `[start, end)`.
public struct SandboxV3Override: V3Item, Codable, Hashable {
    public var id: String
    public var rotationID: String?
    public var customShiftID: String?
    public var start: Instant
    public var end: Instant
    public var overridden: SandboxV3Member
    public var overriding: SandboxV3Member
    /// Creation order: where two overlap on the same source and member, the newest wins.
    public var sequence: Int

    public init(
        id: String, rotationID: String?, customShiftID: String?, start: Instant, end: Instant, overridden: SandboxV3Member,
        overriding: SandboxV3Member, sequence: Int
    ) {
        self.id = id
        self.rotationID = rotationID
        self.customShiftID = customShiftID
        self.start = start
        self.end = end
        self.overridden = overridden
        self.overriding = overriding
        self.sequence = sequence
    }
}

extension SandboxSchedule {
    /// The `type` of a shift-based schedule.
    public static let v3Type = "schedule_v3"

    /// Whether this is a shift-based (v3) schedule.
    public var isV3: Bool { type == Self.v3Type }
}

/// Ids of v3 sub-resources: 26 uppercase alphanumerics starting `AG`, like PagerDuty's examples.
enum V3ID {
    static func make(counter: Int) -> String {
        "AG" + SandboxID.make(prefix: "O", counter: counter, length: 12) + SandboxID.make(prefix: "X", counter: counter &* 7 &+ 3, length: 10)
    }
}

/// Fresh ids for v3 objects, drawn from the store's counter while it changes a schedule.
struct V3IDSource: Sendable {
    var counter: Int

    mutating func next() -> String {
        counter += 1
        return V3ID.make(counter: counter)
    }

    /// The next creation sequence number (shares the counter, so it only grows).
    mutating func sequence() -> Int {
        counter += 1
        return counter
    }
}

/// What the simulator changes one at a time under a shift-based schedule, known by its id.
public protocol V3Item: Sendable {
    var id: String { get }
    var start: Instant { get set }
    var end: Instant { get set }
}
