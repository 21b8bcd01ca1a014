public import HandoffTime

// MARK: - Who the destination itself shows on call

/// What a destination shows on call on one of its schedules over a window: its own rendering
/// (PagerDuty's final schedule), so that `handoff who --source pagerduty` can set it beside what
/// the configuration says. Read-only; nothing here is written back.
public struct DestinationOnCall: Sendable, Hashable {
    /// How the destination names the kind of schedule (`layer-based`, `shift-based`), for people;
    /// nil when the destination has one kind only.
    public var kind: String?
    /// Every entry that overlaps the window asked for, in start order. Entries may overlap in
    /// time: some schedules put several people on call at once.
    public var entries: [OnCallEntry]

    public init(kind: String?, entries: [OnCallEntry]) {
        self.kind = kind
        self.entries = entries
    }
}

/// One entry of a destination's rendering: a seat held over `[start, end)`.
public struct OnCallEntry: Sendable, Hashable {
    public var start: Instant
    public var end: Instant
    /// The user on call; nil for a seat the destination shows as vacant ("unassigned").
    public var userID: String?
    public var source: OnCallSource

    public init(start: Instant, end: Instant, userID: String?, source: OnCallSource) {
        self.start = start
        self.end = end
        self.userID = userID
        self.source = source
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }
}

/// Why an entry is on call, as far as the destination says. Ids are the destination's own, as
/// it sent them (hostile input: escape before showing).
public enum OnCallSource: Sendable, Hashable {
    /// The rotation layers of a layer-based schedule.
    case layers
    /// An override of a layer-based schedule (its override layer).
    case layerOverride
    /// A rotation of a shift-based schedule.
    case rotation(id: String?)
    /// An override replacing a rotation's member.
    case rotationOverride(rotationID: String?, overrideID: String?)
    /// A custom shift, which adds its member to whoever else is on call.
    case customShift(id: String?)
    /// An override replacing a custom shift's member.
    case customShiftOverride(customShiftID: String?, overrideID: String?)
    /// A source the destination named in a way Handoff does not know, as given.
    case other(String)
}

extension OverrideDestination {
    public func onCall(schedule: String, over window: InstantRange) async throws -> DestinationOnCall {
        throw DestinationError(.unsupported, "this destination cannot tell who it shows on call")
    }
}
