public import HandoffDestination
public import HandoffTime

/// What Handoff has exported, per destination (DESIGN section 8): the watermark and the overrides
/// it created and owns. A live override whose id is here is Handoff's; any other is a person's.
public struct HandoffState: Sendable, Hashable {
    /// The version a state file is written with: 1 for one that holds only layer-based records
    /// (as every earlier Handoff wrote it), `shiftBasedFormatVersion` once any destination is
    /// shift-based or any record acts on a rotation or as a custom shift, so that a Handoff that
    /// knows only version 1 refuses the file instead of taking those records for whole-schedule
    /// overrides and deleting them through the wrong API.
    public static let formatVersion = 1
    public static let shiftBasedFormatVersion = 2

    /// The version this state is written with (see `formatVersion`).
    public var fileFormatVersion: Int {
        let shiftBased = destinations.values.contains { destination in
            destination.scheduleKind == .shiftBased || destination.overrides.contains { $0.target != .schedule }
        }
        return shiftBased ? Self.shiftBasedFormatVersion : Self.formatVersion
    }

    /// Identifies one history of states; a state from another history is never mistaken for an
    /// older version of this one.
    public var lineage: String?
    /// Incremented by every write of the state.
    public var serial: Int
    public var destinations: [String: DestinationState]

    public init(lineage: String? = nil, serial: Int = 0, destinations: [String: DestinationState] = [:]) {
        self.lineage = lineage
        self.serial = serial
        self.destinations = destinations
    }

    public static let empty = HandoffState()

    /// Every override id owned by any destination, to tell a sibling destination's override (on a
    /// shared PagerDuty schedule) from a person's.
    public var allOwnedIDs: Set<String> {
        Set(destinations.values.flatMap { $0.overrides.map(\.id) })
    }

    /// Applies one confirmed change.
    public mutating func apply(_ change: StateChange) {
        if let newName = change.movedTo {
            // The whole record changes name in one step, or nothing does (the new name is taken).
            if destinations[newName] == nil, let entry = destinations.removeValue(forKey: change.destination) {
                destinations[newName] = entry
            }
            return
        }
        if change.removeDestination {
            destinations[change.destination] = nil
            return
        }
        var state = destinations[change.destination]
            ?? DestinationState(connection: change.connection, destinationSchedule: change.destinationSchedule)
        state.connection = change.connection
        state.destinationSchedule = change.destinationSchedule
        let removed = Set(change.deleted)
        if !removed.isEmpty { state.overrides.removeAll { removed.contains($0.id) } }
        for truncation in change.truncated {
            if let index = state.overrides.firstIndex(where: { $0.id == truncation.id }) { state.overrides[index].end = truncation.end }
        }
        for record in change.updated {
            if let index = state.overrides.firstIndex(where: { $0.id == record.id }) { state.overrides[index] = record }
        }
        let known = Set(state.overrides.map(\.id))
        state.overrides += change.created.filter { !known.contains($0.id) }
        let marked = Set(change.markDeletePending)
        let unmarked = Set(change.clearDeletePending)
        if !marked.isEmpty || !unmarked.isEmpty {
            for index in state.overrides.indices {
                if marked.contains(state.overrides[index].id) { state.overrides[index].deletePending = true }
                if unmarked.contains(state.overrides[index].id) { state.overrides[index].deletePending = false }
            }
        }
        if let cutoff = change.dropEndedBefore { state.overrides.removeAll { $0.end <= cutoff } }
        state.overrides.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        if let watermark = change.watermark { state.watermark = max(state.watermark ?? watermark, watermark) }
        if let kind = change.scheduleKind { state.scheduleKind = kind }
        destinations[change.destination] = state
    }
}

/// One destination's part of the state.
public struct DestinationState: Sendable, Hashable {
    public var connection: String
    public var destinationSchedule: String
    /// The latest instant through which overrides have been exported successfully.
    public var watermark: Instant?
    /// Overrides Handoff created (or adopted) that may still matter, sorted by start.
    public var overrides: [OverrideRecord]
    /// The kind of the destination's schedule when Handoff last wrote it (nil: before Handoff
    /// remembered kinds, which means layer-based). A plan that finds another kind stops.
    public var scheduleKind: DestinationScheduleKind?

    public init(
        connection: String, destinationSchedule: String, watermark: Instant? = nil, overrides: [OverrideRecord] = [], scheduleKind: DestinationScheduleKind? = nil
    ) {
        self.connection = connection
        self.destinationSchedule = destinationSchedule
        self.watermark = watermark
        self.overrides = overrides
        self.scheduleKind = scheduleKind
    }
}

/// What one confirmed PagerDuty call (or one decision of a run) changed, recorded durably before
/// the next call: its size is that of the call, not of the state.
public struct StateChange: Sendable, Hashable {
    public var destination: String
    public var connection: String
    public var destinationSchedule: String
    /// Overrides now owned: created by a call, or adopted.
    public var created: [OverrideRecord]
    /// Overrides no longer owned (deleted, or found gone).
    public var deleted: [String]
    /// Owned overrides changed in place (moved with one request, the id kept): each replaces the
    /// record with its id, start, end, person and target alike. An id the state does not hold is
    /// ignored (only overrides Handoff owns are moved).
    public var updated: [OverrideRecord]
    /// Overrides cut to end at "now" by a delete of one in progress.
    public var truncated: [Truncation]
    /// Moves the watermark (never backwards).
    public var watermark: Instant?
    /// Owned overrides whose DELETE is about to be sent (recorded before it is).
    public var markDeletePending: [String]
    /// Owned overrides whose interrupted delete never happened and that are wanted again.
    public var clearDeletePending: [String]
    /// Forget records of overrides that ended at or before this instant.
    public var dropEndedBefore: Instant?
    /// The kind the destination's schedule was written as, remembered once an apply of it
    /// succeeded (nil: unchanged), so that the next plan notices a schedule upgraded under it.
    public var scheduleKind: DestinationScheduleKind?
    /// The destination left the configuration and nothing of it remains.
    public var removeDestination: Bool
    /// The destination's whole record (watermark and owned overrides) now goes by this name: a
    /// `moved` entry or `handoff state mv`. One record, so a run killed around it leaves either
    /// name, never half of each.
    public var movedTo: String?

    public struct Truncation: Sendable, Hashable {
        public var id: String
        public var end: Instant

        public init(id: String, end: Instant) {
            self.id = id
            self.end = end
        }
    }

    public init(
        destination: String,
        connection: String,
        destinationSchedule: String,
        created: [OverrideRecord] = [],
        deleted: [String] = [],
        updated: [OverrideRecord] = [],
        truncated: [Truncation] = [],
        markDeletePending: [String] = [],
        clearDeletePending: [String] = [],
        watermark: Instant? = nil,
        dropEndedBefore: Instant? = nil,
        scheduleKind: DestinationScheduleKind? = nil,
        removeDestination: Bool = false,
        movedTo: String? = nil
    ) {
        self.destination = destination
        self.connection = connection
        self.destinationSchedule = destinationSchedule
        self.created = created
        self.deleted = deleted
        self.updated = updated
        self.truncated = truncated
        self.markDeletePending = markDeletePending
        self.clearDeletePending = clearDeletePending
        self.watermark = watermark
        self.dropEndedBefore = dropEndedBefore
        self.scheduleKind = scheduleKind
        self.removeDestination = removeDestination
        self.movedTo = movedTo
    }
}

extension StateChange {
    /// Forgets everything the state holds of a destination (its owned overrides, watermark and
    /// remembered kind) in one record: `handoff state readopt`, for a schedule whose kind changed
    /// under Handoff (upgraded in place, same id), where the records mean nothing any more. The
    /// destination is then as one never exported: its next plan lists the schedule, adopts every
    /// object equal to what the configuration wants, and creates only what is missing.
    public static func readopt(_ destination: String, _ record: DestinationState) -> StateChange {
        var change = StateChange(destination: destination, connection: record.connection, destinationSchedule: record.destinationSchedule)
        change.removeDestination = true
        return change
    }
}
