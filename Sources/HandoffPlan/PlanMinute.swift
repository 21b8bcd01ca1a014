import HandoffDestination
public import HandoffTime

/// The minute a plan is made in. A plan's `now` is rounded down to a whole minute (DESIGN 4),
/// while PagerDuty keeps seconds: an override it cut when Handoff's DELETE arrived ends, and the
/// replacement Handoff then made from that cut begins, at some second of a minute. A plan made
/// within that minute takes such instants as the minute has them: what begins within it has
/// begun, what ends within it has ended. So a plan made seconds after an apply finds nothing to
/// change, where it would otherwise move the replacement's start back to the minute and list the
/// cut override's last seconds as someone else's. Of minute-aligned instants, all that a
/// configuration can say, one that begins at the plan's minute itself has begun: by the time the
/// plan is applied it is in progress, and a delete cuts it.
public struct PlanMinute: Sendable, Hashable {
    /// The plan's `now`: the minute's first second.
    public var start: Instant

    public init(_ now: Instant) { start = now }

    /// The minute's end: the first instant after it.
    public var end: Instant { start.adding(seconds: 60) }

    /// Whether something that begins at `instant` has begun by the end of the minute.
    public func hasBegun(_ instant: Instant) -> Bool { instant < end }

    /// Whether something that ends at `instant` is still running after the minute.
    public func outlasts(_ instant: Instant) -> Bool { instant >= end }

    /// `instant`, or the minute's start where it lies before the minute's end: where a span
    /// beginning at `instant` runs from, as far as the plan is concerned.
    public func clipped(_ instant: Instant) -> Instant { hasBegun(instant) ? start : instant }
}

extension Reconciler {
    /// Creates on a rotation that begin within the plan's minute, each started after what of the
    /// same rotation ended within it (`ended`: an override cut at a second of this minute, which
    /// the plan takes as over). PagerDuty may refuse two overrides of one rotation member at once
    /// (reference 7.6), even for seconds; a plan made within the minute of an earlier cut (a
    /// retried apply) so creates nothing that overlaps it. Everything else is returned as is.
    static func afterEnded(_ actions: [PlanAction], ended: [OverrideRecord], minute: PlanMinute) -> [PlanAction] {
        guard !ended.isEmpty else { return actions }
        let byEnd = ended.sorted { ($0.end, $0.id) < ($1.end, $1.id) }
        return actions.map { action in
            guard action.kind == .create, case .rotation = action.target, minute.hasBegun(action.start) else { return action }
            var create = action
            for override in byEnd where override.target == create.target && override.start < create.end && create.start < override.end && override.end < create.end {
                create.start = override.end
            }
            return create
        }
    }
}
