import HandoffDestination
import HandoffRota
import HandoffTime

/// Handovers: who is on call before and after a destination's plan, where that changes, and why.
///
/// The periods come from `OnCallTimeline.changes` over the overrides PagerDuty holds now (those the
/// plan deletes and those it keeps) and the same once the plan is applied (the kept ones, then the
/// created ones, which PagerDuty puts on top as made last). Under both lies what the schedule itself
/// has on call where the destination knows it (`underlying`: a shift-based schedule's rotation
/// members), so that a period no override holds names the rotation's member, not `nobody`; for
/// the reasons, such a period counts as one nothing of Handoff's or of a person's holds. Each
/// period is then cut where the override behind it on either side changes, given its reason, and
/// joined again with its neighbours of the same reason: maximal periods per before, after and why.
///
/// The reason comes from the new shift covering the period where it names an entry of the
/// configuration (swap, explicit cover, time off, a `rotation.changes` entry), from the old override
/// where that explains it (made by hand, a member who left), and otherwise from comparing the old
/// override with the new shift, with no copy of the old configuration. These comparisons are
/// heuristics, in this order (after made by hand, nothing exported there yet (`exported`), and the
/// new shift's swap, cover or time off):
/// - nobody before the watermark: `coverageChanged` (hours covered that were not);
/// - the override before is Handoff's, and its person is no longer configured, or is in no era of
///   the rotation and holds none of its new shifts: `memberLeft`;
/// - nobody after (or only an override that stays): `coverageChanged` (hours no longer covered);
/// - the new shift belongs to a `rotation.changes` entry that takes effect after `now`:
///   `rotationChange(from:)`;
/// - the new holder had an override for the same shift moved by less than a day at both ends:
///   `timeZoneChanged` (also what a new time of day for `start` looks like);
/// - on a schedule with `coverage`, the new holder had an override overlapping the new shift in the
///   same turn with another range: `coverageChanged`;
/// - otherwise `rotationChanged`.
/// docs/configuration.md says the same for users.
extension Reconciler {
    /// What happens to one live override in the plan.
    enum LiveFate: Sendable, Hashable {
        case stays
        /// An owned override nothing wants any more.
        case deletedOwned
        /// Made by hand, deleted as `manual_changes: revert`.
        case deletedManual
        /// Made by hand, overwritten on first export.
        case deletedOnFirstExport
    }

    /// An override the plan creates, with the desired override it comes from.
    struct Created: Sendable {
        var range: InstantRange
        var userID: String
        var desired: DesiredOverride?
        /// Made again after a person deleted it (`manual_changes: revert`).
        var recreated: Bool
    }

    /// What the reasons need to know of a destination.
    struct HandoverContext: Sendable {
        var now: Instant
        var watermark: Instant?
        var removed: Bool
        /// Everyone in any era of the schedule's rotation.
        var members: Set<String>
        /// Of the people outside the rotation whose overrides of Handoff's go, those who hold one of
        /// the new shifts (nobody else is asked).
        var scheduled: Set<String>
        var directory: PeopleDirectory
    }

    /// One side of a handover: the override holding the pager there, or the schedule's own member.
    private enum Source {
        case live(OverrideRecord, LiveFate)
        case created(Created)
        /// The schedule's own member, under everything on both sides.
        case underlying(UnderlyingOnCall)

        var range: InstantRange {
            switch self {
            case .live(let override, _): InstantRange(start: override.start, end: override.end)
            case .created(let created): created.range
            case .underlying(let seat): seat.range
            }
        }

        var userID: String {
            switch self {
            case .live(let override, _): override.userID
            case .created(let created): created.userID
            case .underlying(let seat): seat.userID
            }
        }

        /// The rotation whose own member holds the pager here; nil for an override.
        var rotationID: String? {
            guard case .underlying(let seat) = self else { return nil }
            return seat.rotationID
        }

        /// The source as the reasons see it: the schedule's own member is no override at all.
        var overriding: Source? { rotationID == nil ? self : nil }
    }

    /// The handovers of one destination. `live` in PagerDuty's order (a later one wins where they
    /// overlap), `created` in the order they are made; `covered`, the pieces the schedule's own
    /// rotation gives the wanted person, lie under everything on both sides (the rotation is there
    /// before the apply as after it: they change nothing by themselves, but where an override over
    /// them comes or goes, their person is who is on call without it). `underlying`, what the
    /// schedule itself has on call, lies under all of them on both sides in the same way.
    static func handovers(
        live: [(OverrideRecord, LiveFate)], created: [Created], covered: [Created] = [], underlying: [UnderlyingOnCall] = [], context: HandoverContext
    ) -> [Handover] {
        let own: [Source] = underlying.map { .underlying($0) }
        let before: [Source] = own + covered.map { .created($0) } + live.map { .live($0.0, $0.1) }
        let after: [Source] = own + covered.map { .created($0) } + live.filter { $0.1 == .stays }.map { .live($0.0, $0.1) } + created.map { .created($0) }
        guard let end = latest(live.lazy.map(\.0.end).max(), created.lazy.map(\.range.end).max()), end > context.now else { return [] }
        let window = InstantRange(start: context.now, end: end)
        // Who is on call can change only where an override goes or comes: elsewhere both sides have
        // the same override on top. Only the overrides over those periods are laid out, so a plan
        // that changes a little of a long schedule costs little.
        let changing = mergedRanges(live.filter { $0.1 != .stays }.map { InstantRange(start: $0.0.start, end: $0.0.end) } + created.map(\.range))
        guard !changing.isEmpty else { return [] }
        // Which source holds the pager where, on each side, to find the override behind a period.
        let beforeFlat = OnCallTimeline.flatten(before.indices.filter { overlapsAny(before[$0].range, changing) }.map { Holding(before[$0].range, $0) }, within: window)
        let afterFlat = OnCallTimeline.flatten(after.indices.filter { overlapsAny(after[$0].range, changing) }.map { Holding(after[$0].range, $0) }, within: window)
        let changes = OnCallTimeline.changes(
            flatBefore: beforeFlat.map { Holding($0.range, before[$0.holder].userID) },
            flatAfter: afterFlat.map { Holding($0.range, after[$0.holder].userID) }
        )
        guard !changes.isEmpty else { return [] }
        let deletedByUser = Dictionary(grouping: live.filter { $0.1 == .deletedOwned }.map(\.0), by: \.userID)
            .mapValues { $0.sorted { ($0.start, $0.end) < ($1.start, $1.end) } }

        var result: [Handover] = []
        for change in changes {
            var cuts: [Instant] = [change.range.start, change.range.end]
            for flat in [beforeFlat, afterFlat] {
                for piece in pieces(of: flat, overlapping: change.range) {
                    if change.range.start < piece.range.start { cuts.append(piece.range.start) }
                    if piece.range.end < change.range.end { cuts.append(piece.range.end) }
                }
            }
            cuts.sort()
            var previous: Instant?
            for cut in cuts {
                defer { previous = cut }
                guard let start = previous, start < cut else { continue }
                // One source on each side over the piece: it is cut at every source's edges.
                let was = source(at: start, in: beforeFlat).map { before[$0] }
                let will = source(at: start, in: afterFlat).map { after[$0] }
                let beforeHolder = change.before.map { holder($0, context.directory, rotation: was?.rotationID) }
                let afterHolder = change.after.map { holder($0, context.directory, rotation: will?.rotationID) }
                let why = reason(
                    range: InstantRange(start: start, end: cut), before: was?.overriding, after: will?.overriding,
                    beforeUser: was?.overriding == nil ? nil : change.before, context: context, deletedByUser: deletedByUser
                )
                if var last = result.last, last.range.end == start, last.before == beforeHolder, last.after == afterHolder, last.why == why {
                    last.range.end = cut
                    last.containsNow = last.range.contains(context.now)
                    result[result.count - 1] = last
                } else {
                    let range = InstantRange(start: start, end: cut)
                    result.append(Handover(range: range, before: beforeHolder, after: afterHolder, why: why, containsNow: range.contains(context.now)))
                }
            }
        }
        return result
    }

    private static func holder(_ userID: String, _ directory: PeopleDirectory, rotation: String?) -> Handover.Holder {
        let entry = directory.entry(userID)
        return Handover.Holder(userID: userID, person: entry.person, name: entry.name, email: entry.email, rotationID: rotation)
    }

    /// The reason of one piece of a handover (see the type's documentation for the order).
    private static func reason(
        range: InstantRange,
        before: Source?,
        after: Source?,
        beforeUser: String?,
        context: HandoverContext,
        deletedByUser: [String: [OverrideRecord]]
    ) -> Handover.Reason {
        if context.removed { return .destinationRemoved }
        if case .live(_, let fate) = before {
            if fate == .deletedManual { return .manualOverrideReverted }
            if fate == .deletedOnFirstExport { return .firstExportOverForeign }
        }
        // Nothing was exported there yet (a first export, a longer horizon): that is the change,
        // whatever the new shifts are.
        if beforeUser == nil, context.watermark.map({ range.start >= $0 }) ?? true { return .exported }
        var desired: DesiredOverride?
        if case .created(let created) = after {
            if created.recreated { return .recreated }
            desired = created.desired
            switch created.desired?.reason {
            case .swap: return .swap
            case .assignment: return .explicitCover
            case .timeOffCover: return .timeOffCover
            case .rotation, nil: break
            }
        }
        // Before the watermark, hours nobody of Handoff's held: coverage grew.
        guard let beforeUser else { return .coverageChanged }
        // An override of Handoff's was made for someone configured then: unknown now, or in no era
        // of the rotation and with no new shift, they left.
        if case .live(_, .deletedOwned) = before,
            context.directory.users[beforeUser]?.person.map({ !context.members.contains($0) && !context.scheduled.contains($0) }) ?? true
        {
            return .memberLeft
        }
        guard let desired else { return .coverageChanged }
        guard let origin = desired.origin else { return .rotationChanged }
        if let eraStart = origin.eraStart, eraStart > context.now { return .rotationChange(from: eraStart) }
        let old = overlapping(deletedByUser[desired.userID] ?? [], origin.shift)
        if old.contains(where: { movedLessThanADay($0, origin.shift, now: context.now) }) { return .timeZoneChanged }
        let shift = InstantRange(start: max(origin.shift.start, context.now), end: origin.shift.end)
        if origin.partialCoverage,
            old.contains(where: { InstantRange(start: max($0.start, context.now), end: $0.end) != shift && origin.turn.contains(max($0.start, context.now)) })
        {
            return .coverageChanged
        }
        return .rotationChanged
    }

    /// The same shift moved in time by less than a day at both ends (an hour either way for a
    /// daylight-saving change between); an override made while its shift was in progress began
    /// then, so only its end counts.
    private static func movedLessThanADay(_ old: OverrideRecord, _ shift: InstantRange, now: Instant) -> Bool {
        let endMoved = shift.end.secondsSinceEpoch.subtractingReportingOverflow(old.end.secondsSinceEpoch)
        guard !endMoved.overflow, endMoved.partialValue != 0, endMoved.partialValue.magnitude < 86_400 else { return false }
        if PlanMinute(now).hasBegun(old.start), shift.start <= now { return true }
        let startMoved = shift.start.secondsSinceEpoch.subtractingReportingOverflow(old.start.secondsSinceEpoch)
        let difference = startMoved.partialValue.subtractingReportingOverflow(endMoved.partialValue)
        // Both ends move the same way (an end alone moving is a coverage or turn change).
        guard !startMoved.overflow, !difference.overflow, startMoved.partialValue != 0 else { return false }
        return (startMoved.partialValue > 0) == (endMoved.partialValue > 0) && difference.partialValue.magnitude <= 3_600
    }

    /// The overrides of a list sorted by start that overlap `range`; the list is one person's.
    private static func overlapping(_ sorted: [OverrideRecord], _ range: InstantRange) -> [OverrideRecord] {
        sorted.filter { $0.start < range.end && range.start < $0.end }
    }

    /// The later of two instants, either of which may be missing.
    private static func latest(_ first: Instant?, _ second: Instant?) -> Instant? {
        guard let first else { return second }
        guard let second else { return first }
        return Swift.max(first, second)
    }

    /// Ranges as disjoint ones sorted by start, overlapping or touching ones joined.
    private static func mergedRanges(_ ranges: [InstantRange]) -> [InstantRange] {
        var merged: [InstantRange] = []
        for range in ranges.sorted(by: { $0.start < $1.start }) where range.start < range.end {
            if let last = merged.last, range.start <= last.end {
                merged[merged.count - 1].end = Swift.max(last.end, range.end)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// The pieces of a flat timeline (sorted, disjoint) that overlap `range`.
    private static func pieces(of flat: [Holding<Int>], overlapping range: InstantRange) -> ArraySlice<Holding<Int>> {
        var low = 0
        var high = flat.count
        while low < high {
            let middle = (low + high) / 2
            if flat[middle].range.end <= range.start { low = middle + 1 } else { high = middle }
        }
        return flat[low...].prefix { $0.range.start < range.end }
    }

    /// The source holding the pager at `instant` in a flat timeline.
    private static func source(at instant: Instant, in flat: [Holding<Int>]) -> Int? {
        pieces(of: flat, overlapping: InstantRange(start: instant, end: instant.adding(seconds: 1))).first?.holder
    }
}
