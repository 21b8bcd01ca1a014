public import HandoffDestination
public import HandoffTime

/// What a plan will do, per destination: the reviewed artefact of `handoff plan` and the exact
/// instructions of `handoff apply`.
public struct Plan: Sendable, Hashable {
    public static let formatVersion = "1"

    /// `now` of the plan, rounded down to a whole minute: the replacement of a shift in progress
    /// starts then, before the override it replaces is cut (DESIGN 4).
    public var now: Instant
    public var destinations: [DestinationPlan]
    /// The state the plan was made from; `apply` refuses the plan when the state has moved.
    public var stateLineage: String?
    public var stateSerial: Int
    /// The run allowed deleting overrides made by hand where the state looks lost
    /// (`--allow-first-export-deletes`); a saved plan carries the choice to `apply`.
    public var allowFirstExportDeletes: Bool
    /// The run accepted changes of announced shifts (`--allow-frozen-changes`); a saved plan
    /// carries the choice to `apply`.
    public var frozenChangesAllowed: Bool
    /// The announced shifts this plan hands to someone else, as the run allowed.
    public var frozenChanges: [FrozenChange]

    public init(
        now: Instant, destinations: [DestinationPlan], stateLineage: String?, stateSerial: Int, allowFirstExportDeletes: Bool = false,
        frozenChangesAllowed: Bool = false, frozenChanges: [FrozenChange] = []
    ) {
        self.now = now
        self.destinations = destinations.sorted { $0.name < $1.name }
        self.stateLineage = stateLineage
        self.stateSerial = stateSerial
        self.allowFirstExportDeletes = allowFirstExportDeletes
        self.frozenChangesAllowed = frozenChangesAllowed
        self.frozenChanges = frozenChanges
    }

    public var summary: PlanSummary {
        var summary = PlanSummary()
        for destination in destinations {
            for action in destination.actions {
                switch action.kind {
                case .create: summary.create += 1
                case .delete: summary.delete += 1
                case .adopt: summary.adopt += 1
                case .keep: summary.kept += 1
                case .drift: summary.drift += 1
                case .move: summary.move += 1
                }
            }
            if destination.watermarkMoves { summary.watermarks += 1 }
            if destination.removed { summary.removedDestinations += 1 }
            if destination.movedFrom != nil { summary.moved += 1 }
            if destination.removed && destination.keepsOverrides { summary.forgotten += 1 }
        }
        return summary
    }

    /// True when applying would change PagerDuty or the state.
    public var hasChanges: Bool { destinations.contains(where: \.hasChanges) }
}

/// Counts for the summary line and the JSON `summary`.
public struct PlanSummary: Sendable, Hashable {
    public var create = 0
    public var delete = 0
    public var adopt = 0
    public var kept = 0
    public var drift = 0
    /// Overrides changed in place (shift-based schedules).
    public var move = 0
    public var watermarks = 0
    public var removedDestinations = 0
    /// Destinations renamed by a `moved` entry (state only, no PagerDuty call).
    public var moved = 0
    /// Removed destinations whose overrides stay in PagerDuty (state only, no PagerDuty call).
    public var forgotten = 0

    public init() {}
}

/// One destination's part of the plan.
public struct DestinationPlan: Sendable, Hashable {
    public var name: String
    public var connection: String
    public var destinationSchedule: String
    /// The schedule's zone, for showing times; UTC for a removed destination.
    public var timeZone: String
    public var watermarkBefore: Instant?
    public var watermarkAfter: Instant?
    /// Creates first, then deletes, each by start; then adoptions, kept and drift (no API call).
    public var actions: [PlanAction]
    /// The destination is no longer in the configuration: its overrides go, then its state.
    public var removed: Bool
    /// For a removed destination, a `removed` entry with `keep_overrides: true`: its overrides stay
    /// in PagerDuty and only its state goes, with no PagerDuty call.
    public var keepsOverrides: Bool
    /// A `moved` entry renames the destination from this name: the state's record of it carries
    /// over (before anything else is applied), so nothing is deleted and created again.
    public var movedFrom: String?
    /// The window the PagerDuty schedule's overrides were listed over, and a fingerprint of what
    /// the listing returned: `apply` lists the same window and refuses the plan if it differs.
    public var observedWindow: InstantRange?
    public var liveFingerprint: String
    /// The state has no record of this destination, yet PagerDuty holds overrides equal to the
    /// configuration's (DESIGN 5.9): they are adopted, and overrides made by hand are deleted only
    /// with `--allow-first-export-deletes`.
    public var stateLooksLost: Bool
    /// Records an interrupted apply marked delete-pending, resolved by the listing.
    public var interruptedDeletes: InterruptedDeletes
    /// Who is on call before and after the plan, where that changes, in order: what a reviewer
    /// reads first (the actions are how it is done).
    public var handovers: [Handover]
    /// The schedule's kind as the destination found it (nil: a destination of one kind, or a
    /// removed destination); the state remembers it once applied.
    public var scheduleKind: DestinationScheduleKind?
    /// Sentences the destination asks the plan to show (where it cannot give the configuration's
    /// meaning exactly), one line each.
    public var notes: [String] = []

    public init(
        name: String,
        connection: String,
        destinationSchedule: String,
        timeZone: String,
        watermarkBefore: Instant?,
        watermarkAfter: Instant?,
        actions: [PlanAction],
        removed: Bool = false,
        observedWindow: InstantRange? = nil,
        liveFingerprint: String,
        stateLooksLost: Bool = false,
        interruptedDeletes: InterruptedDeletes = InterruptedDeletes(),
        keepsOverrides: Bool = false,
        movedFrom: String? = nil,
        handovers: [Handover] = []
    ) {
        self.name = name
        self.connection = connection
        self.destinationSchedule = destinationSchedule
        self.timeZone = timeZone
        self.watermarkBefore = watermarkBefore
        self.watermarkAfter = watermarkAfter
        self.actions = actions
        self.removed = removed
        self.observedWindow = observedWindow
        self.liveFingerprint = liveFingerprint
        self.stateLooksLost = stateLooksLost
        self.interruptedDeletes = interruptedDeletes
        self.keepsOverrides = keepsOverrides
        self.movedFrom = movedFrom
        self.handovers = handovers
    }

    public var watermarkMoves: Bool { watermarkAfter != watermarkBefore && watermarkAfter != nil }

    public var hasChanges: Bool {
        removed || movedFrom != nil || watermarkMoves || !interruptedDeletes.isEmpty || actions.contains { [.create, .delete, .adopt, .move].contains($0.kind) }
    }

    public func actions(_ kind: PlanAction.Kind) -> [PlanAction] { actions.filter { $0.kind == kind } }
}

/// Owned overrides a killed apply marked delete-pending, as the listing found them: the state
/// learns the outcome with no PagerDuty call. A delete that may have happened never counts as drift.
public struct InterruptedDeletes: Sendable, Hashable {
    /// Gone from PagerDuty: Handoff's delete went through; the records go.
    public var done: [String]
    /// Still in PagerDuty and wanted again: the marks go, the overrides stay Handoff's.
    public var withdrawn: [String]

    public init(done: [String] = [], withdrawn: [String] = []) {
        self.done = done
        self.withdrawn = withdrawn
    }

    public var isEmpty: Bool { done.isEmpty && withdrawn.isEmpty }
}

/// One line of a plan.
public struct PlanAction: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Create an override.
        case create
        /// Delete an override (one in progress is cut to end now).
        case delete
        /// Take a person-made override equal to a desired one into the state; no API call.
        case adopt
        /// A manual override before the watermark stays (`manual_changes: keep`).
        case keep
        /// An override Handoff made was deleted in PagerDuty and is not recreated (`keep`).
        case drift
        /// Change an override Handoff made in place (its start, end or person; its target stays),
        /// where the schedule allows it: one request instead of a delete and a create.
        /// `overrideID` is the override moved, `previous` how it is now.
        case move
    }

    public var kind: Kind
    public var start: Instant
    public var end: Instant
    /// The PagerDuty user.
    public var userID: String
    /// Display name and e-mail of that user.
    public var person: String
    public var email: String
    /// The override concerned (deletes, adoptions, kept ones).
    public var overrideID: String?
    /// Why, where the plan says (a plain create needs no reason).
    public var reason: Reason?
    /// Where the override acts: `.schedule` on a layer-based schedule; a rotation's member or a
    /// custom shift on a shift-based one.
    public var target: OverrideTarget
    /// For a move: the override as it is before the move.
    public var previous: OverrideRecord?
    /// The display name of the member the target replaces (an override of a rotation's or a custom
    /// shift's member), so the plan names them; nil for a vacant seat or another target.
    public var replacedPerson: String?
    /// For a move: the display name of the person of `previous`.
    public var previousPerson: String?

    public init(
        kind: Kind, start: Instant, end: Instant, userID: String, person: String, email: String, overrideID: String? = nil, reason: Reason? = nil,
        target: OverrideTarget = .schedule, previous: OverrideRecord? = nil, replacedPerson: String? = nil, previousPerson: String? = nil
    ) {
        self.replacedPerson = replacedPerson
        self.previousPerson = previousPerson
        self.kind = kind
        self.start = start
        self.end = end
        self.userID = userID
        self.person = person
        self.email = email
        self.overrideID = overrideID
        self.reason = reason
        self.target = target
        self.previous = previous
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }
}

// MARK: - Handovers

/// A maximal period in which the plan changes who is on call for a destination: `before` (as
/// PagerDuty's overrides say now) and `after` (once the plan is applied), and why. The way people
/// read a rota: "from Monday 09:00 to the next Monday 09:00, Dave instead of Frank (swap)".
public struct Handover: Sendable, Hashable {
    /// A PagerDuty user holding the pager (through an override, or as a shift-based schedule's
    /// rotation member), with what the plan knows of them.
    public struct Holder: Sendable, Hashable {
        public var userID: String
        /// The configuration's key for this person, when the configuration knows them.
        public var person: String?
        public var name: String
        public var email: String
        /// Set where they hold the pager as a member of this rotation of a shift-based schedule,
        /// in their own turn, with no override or custom shift (nil: through one, as always on a
        /// layer-based schedule).
        public var rotationID: String?

        public init(userID: String, person: String?, name: String, email: String, rotationID: String? = nil) {
            self.userID = userID
            self.person = person
            self.name = name
            self.email = email
            self.rotationID = rotationID
        }
    }

    /// Why the person on call changes: typed, so that renderers alone put it into words (and the
    /// JSON carries a stable code). See `Reconciler` for how each is told from the others.
    public enum Reason: Sendable, Hashable {
        /// The new shift is a turn taken by a swap (`swaps`).
        case swap
        /// The new shift is an explicit cover (`assignments`).
        case explicitCover
        /// The new shift covers a member's time off (`time_off`).
        case timeOffCover
        /// The new shift belongs to a `rotation.changes` entry that takes effect at `from`.
        case rotationChange(from: Instant)
        /// The rotation deals this turn to someone else (members, order, `turn` or `start`).
        case rotationChanged
        /// The hours the schedule covers changed (`coverage`): someone on call where nobody was,
        /// nobody where someone was, or a covered piece that moved.
        case coverageChanged
        /// The same shift, moved in time by less than a day: the schedule's `time_zone` (or the
        /// time of day of its handoffs) changed.
        case timeZoneChanged
        /// The person on call before is no longer in the schedule.
        case memberLeft
        /// The destination is no longer configured: its overrides go.
        case destinationRemoved
        /// An override made by hand goes, as `manual_changes` is `revert`.
        case manualOverrideReverted
        /// An override made by hand in the way of the first export goes.
        case firstExportOverForeign
        /// Exported for the first time: nothing of Handoff's was there (first export, longer horizon).
        case exported
        /// An override of Handoff's deleted by hand is made again, as `manual_changes` is `revert`.
        case recreated

        /// The stable code of the JSON plan (`schemas/plan.schema.json`).
        public var code: String {
            switch self {
            case .swap: "swap"
            case .explicitCover: "explicit_cover"
            case .timeOffCover: "time_off_cover"
            case .rotationChange: "rotation_change"
            case .rotationChanged: "rotation_changed"
            case .coverageChanged: "coverage_changed"
            case .timeZoneChanged: "time_zone_changed"
            case .memberLeft: "member_left"
            case .destinationRemoved: "destination_removed"
            case .manualOverrideReverted: "manual_override_reverted"
            case .firstExportOverForeign: "first_export_over_foreign_override"
            case .exported: "exported"
            case .recreated: "recreated"
            }
        }

        /// The reason of a code, with the instant a `rotation_change` takes effect.
        public init?(code: String, from: Instant? = nil) {
            switch code {
            case "swap": self = .swap
            case "explicit_cover": self = .explicitCover
            case "time_off_cover": self = .timeOffCover
            case "rotation_change":
                guard let from else { return nil }
                self = .rotationChange(from: from)
            case "rotation_changed": self = .rotationChanged
            case "coverage_changed": self = .coverageChanged
            case "time_zone_changed": self = .timeZoneChanged
            case "member_left": self = .memberLeft
            case "destination_removed": self = .destinationRemoved
            case "manual_override_reverted": self = .manualOverrideReverted
            case "first_export_over_foreign_override": self = .firstExportOverForeign
            case "exported": self = .exported
            case "recreated": self = .recreated
            default: return nil
            }
        }
    }

    public var range: InstantRange
    /// Nobody (`nil`): nothing the plan knows of holds the pager (a layer-based schedule's own
    /// layers, which Handoff does not read, or hours a shift-based schedule's rotation leaves open).
    public var before: Holder?
    public var after: Holder?
    public var why: Reason
    /// The period contains the plan's `now`: the person on call right now changes.
    public var containsNow: Bool

    public init(range: InstantRange, before: Holder?, after: Holder?, why: Reason, containsNow: Bool) {
        self.range = range
        self.before = before
        self.after = after
        self.why = why
        self.containsNow = containsNow
    }
}
