public import HandoffTime

// MARK: - Where an override acts, and what a shift becomes

/// Where on a destination schedule a written object acts. A layer-based PagerDuty schedule has one
/// override layer on top of everything (`.schedule`); a shift-based one overrides one rotation's
/// member at a time (`.rotation`) and adds people with custom shifts (`.customShift`). The target
/// is part of what makes two objects the same: an override of Alice's rotation shift by Bob is not
/// a custom shift of Bob's over the same hours.
public enum OverrideTarget: Sendable, Hashable {
    /// The whole schedule: the person replaces whoever the schedule shows.
    case schedule
    /// One rotation of a shift-based schedule: the person replaces the member `replacing` (a user
    /// id; nil for a seat the rotation leaves vacant) of the rotation `id`, and only there.
    case rotation(id: String, replacing: String?)
    /// A shift of its own beside the rotations: the person is on call in addition to whoever else
    /// the schedule shows (PagerDuty's custom shift, with one member).
    case customShift
    /// An override of a custom shift's member. Handoff never writes one; it is listed so that one
    /// made by a person is kept or reverted like any other.
    case customShiftOverride(id: String, replacing: String?)
}

/// How a destination's schedule takes overrides, as named for people (`layer-based`,
/// `shift-based`). Remembered in the state per destination: a schedule whose kind changes under
/// Handoff (PagerDuty upgrades a schedule in place, keeping its id) is stopped, not written blindly.
public struct DestinationScheduleKind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Overrides act on the whole schedule (PagerDuty's layered schedules; the v2 API).
    public static let layerBased = DestinationScheduleKind(rawValue: "layer-based")
    /// Overrides act per rotation, custom shifts add people (PagerDuty's v3 API).
    public static let shiftBased = DestinationScheduleKind(rawValue: "shift-based")

    public var description: String { rawValue }
}

/// What writing a destination's wanted shifts onto one schedule takes: the schedule's kind, the
/// pieces each shift becomes, and what the plan must say where the destination cannot give a
/// shift its configured meaning exactly.
public struct DestinationLayout: Sendable, Hashable {
    /// The schedule's kind as found now (nil: the destination has one kind only).
    public var kind: DestinationScheduleKind?
    /// For every shift given to `layout`, in the same order, its pieces in start order; together
    /// they cover the shift exactly, with no overlap.
    public var pieces: [[LayoutPiece]]
    /// One sentence each, shown on the destination in the plan (say, that other rotations of the
    /// schedule stay on call beside the exported person). Text from the destination is escaped by
    /// whoever renders it.
    public var notes: [String]
    /// Whether an object of this schedule can be changed in place (start, end or person) while
    /// its target stays, as long as it has not started: fewer requests than a delete and a create.
    public var updatesInPlace: Bool
    /// Who the schedule itself has on call under every override and custom shift, as far as the
    /// destination knows: on a shift-based schedule, the own members of the rotation the export
    /// replaces, from PagerDuty's final schedule. Empty where unknown (a layer-based schedule,
    /// whose layers Handoff does not read): the plan then says `nobody` there.
    public var underlying: [UnderlyingOnCall]

    public init(
        kind: DestinationScheduleKind?, pieces: [[LayoutPiece]], notes: [String] = [], updatesInPlace: Bool = false, underlying: [UnderlyingOnCall] = []
    ) {
        self.kind = kind
        self.pieces = pieces
        self.notes = notes
        self.updatesInPlace = updatesInPlace
        self.underlying = underlying
    }

    /// Every shift written whole, as one override of the whole schedule: a layer-based schedule.
    public static func whole(_ shifts: [PlannedOverride], kind: DestinationScheduleKind?) -> DestinationLayout {
        DestinationLayout(
            kind: kind,
            pieces: shifts.map { [LayoutPiece(start: $0.start, end: $0.end, write: PlannedOverride(start: $0.start, end: $0.end, userID: $0.userID))] }
        )
    }
}

/// A stretch of time in which a schedule itself has `userID` on call with nothing of Handoff's or
/// of a person's on top: a member of the shift-based schedule's rotation `rotationID` in their own
/// turn. What the plan's handovers show where no override holds the pager, instead of `nobody`.
public struct UnderlyingOnCall: Sendable, Hashable {
    public var range: InstantRange
    public var userID: String
    public var rotationID: String

    public init(range: InstantRange, userID: String, rotationID: String) {
        self.range = range
        self.userID = userID
        self.rotationID = rotationID
    }
}

/// One piece of a shift: `[start, end)`, and the object that puts the shift's person on call
/// there, or nil where the schedule already shows them without one (their own rotation turn).
public struct LayoutPiece: Sendable, Hashable {
    public var start: Instant
    public var end: Instant
    public var write: PlannedOverride?

    public init(start: Instant, end: Instant, write: PlannedOverride?) {
        self.start = start
        self.end = end
        self.write = write
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }
}

/// What `layout` is asked: the shifts the configuration wants on one schedule, and what the state
/// remembers of it.
public struct LayoutRequest: Sendable, Hashable {
    /// The destination's schedule id.
    public var schedule: String
    /// The rotation whose on-call the export replaces, by id or name, where the schedule has
    /// several (the configuration's `pagerduty_rotation`); nil to let a one-rotation schedule
    /// choose.
    public var rotation: String?
    /// Whole shifts, start order, each with its person's user id (the target is ignored).
    public var shifts: [PlannedOverride]
    /// The window the plan compares over.
    public var window: InstantRange
    /// The kind the state remembers from the last write; nil for a destination never written.
    public var rememberedKind: DestinationScheduleKind?

    public init(schedule: String, rotation: String?, shifts: [PlannedOverride], window: InstantRange, rememberedKind: DestinationScheduleKind?) {
        self.schedule = schedule
        self.rotation = rotation
        self.shifts = shifts
        self.window = window
        self.rememberedKind = rememberedKind
    }
}

extension OverrideDestination {
    /// One kind only, every shift whole on the whole schedule.
    public func layout(_ request: LayoutRequest) async throws -> DestinationLayout {
        .whole(request.shifts, kind: nil)
    }
}
