import HandoffTime

// MARK: - A successor event as a roster change

/// On a shift-based schedule a roster change is made by ending one event (`effective_until`) and
/// starting another in the same rotation (`effective_since`), usually with the same recurrence
/// and other members. Where the successor continues the pattern of the era before it, it is a
/// `rotation.changes` entry of that era's schedule; this says which, or why not.
extension EventMapping {
    /// A `rotation.changes` entry: from `from` (a turn start of the era before it), `members`
    /// take turns in the order PagerDuty puts them on call, every `turnDays` days.
    struct Continuation: Equatable {
        var from: LocalDateTime
        var members: [String]
        var turnDays: Int
        /// How far PagerDuty's own member order was turned so that the member PagerDuty puts on
        /// call at `from` comes first (0: PagerDuty's order as it is).
        var rotatedBy: Int
    }

    /// The era a continuation follows: its start and turn (the event's own, or the last change's).
    struct Era: Equatable {
        var start: LocalDateTime
        var turnDays: Int
    }

    /// The most days between the end of one event and the first turn of its successor that are
    /// checked minute by minute for coverage; further apart, the successor is not a change.
    static let longestContinuationGapDays = 400

    /// How `later` (taking effect at `since`) continues `era` of `self`, which PagerDuty stops at
    /// `until`, so that the schedule with the change puts the same person on call at every
    /// instant as PagerDuty does: both in one zone with one coverage, `later`'s turns starting on
    /// a turn start of `era` at or after `until` (PagerDuty counts a successor's turns from its own
    /// first occurrence), and nothing covered between `until` and that turn start or `since`
    /// (PagerDuty has nobody of the rotation there, or hands over in the middle of a turn).
    func continuation(of era: Era, until: Instant, by later: EventMapping, since: Instant) -> Result<Continuation, Refusal> {
        guard later.zoneName == zoneName else { return .failure(Refusal("it repeats in another time zone than the event it follows")) }
        guard later.coverage == coverage else { return .failure(Refusal("it covers other hours of the week than the event it follows")) }
        guard since >= until else { return .failure(Refusal("it takes effect at \(since), before the event it follows stops at \(until)")) }
        guard era.turnDays > 0, later.turnDays > 0, !later.members.isEmpty else { return .failure(Refusal("its turns have no length")) }
        // The first turn start of the era at or after `until` (a change must be a later turn start).
        let untilDay = zone.local(at: until).date.daysSinceEpoch
        var k = max(1, (untilDay - era.start.date.daysSinceEpoch).floorDiv(era.turnDays))
        var from = era.start.adding(days: k * era.turnDays)
        for _ in 0..<3 where zone.instant(for: from) < until {
            k += 1
            from = era.start.adding(days: k * era.turnDays)
        }
        guard zone.instant(for: from) >= until, zone.instant(for: from) > zone.instant(for: era.start) else { return .failure(Refusal("the event it follows stops before its first turn")) }
        // PagerDuty's turns of `later` must start there too.
        let offset = from.date.daysSinceEpoch - later.start.date.daysSinceEpoch
        guard later.start.minuteOfDay == from.minuteOfDay, offset.floorMod(later.turnDays) == 0 else {
            return .failure(Refusal(
                "its turns start at \(later.start) and every \(later.turnDays) days after, not at \(from), the first handoff of the rotation after \(until), where a change takes effect"
            ))
        }
        // Between `until` and the first turn it has (at `from`, or its own first occurrence if that
        // is later), PagerDuty has nobody of the rotation where the coverage has someone.
        let firstTurn = max(zone.instant(for: from), zone.instant(for: later.start), since)
        if until < firstTurn {
            let covered = coverage.isFull ? true : anyCovered(InstantRange(start: until, end: firstTurn))
            guard covered == false else {
                return .failure(Refusal(
                    since > until
                        ? "PagerDuty has nobody of this rotation on call between the events (from \(until) to \(since)), and a Handoff rotation has no gap"
                        : "PagerDuty hands over to it at \(until), in the middle of a turn, and a change takes effect at a handoff (\(from))"
                ))
            }
        }
        let n = later.members.count
        let turn = offset.floorDiv(later.turnDays).floorMod(n)
        let members = Array(later.members[turn...] + later.members[..<turn])
        return .success(Continuation(from: from, members: members, turnDays: later.turnDays, rotatedBy: turn))
    }

    /// Whether any minute of `range` lies in the coverage (on the zone's wall clock); nil when the
    /// range is too long to check.
    func anyCovered(_ range: InstantRange) -> Bool? {
        let minutes = (range.end - range.start + 59) / 60
        guard minutes <= Int64(Self.longestContinuationGapDays) * 1_440 else { return nil }
        var instant = range.start
        for _ in 0..<max(0, minutes) {
            let local = zone.local(at: instant)
            if coverage.contains(minute: (local.date.weekday.rawValue - 1) * 1_440 + local.minuteOfDay) { return true }
            instant = instant.adding(seconds: 60)
        }
        return false
    }
}

fileprivate extension Int {
    /// The quotient rounded towards minus infinity (`-1 / 7` is -1, not 0).
    func floorDiv(_ divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// The remainder with the divisor's sign (`-1 mod 7` is 6).
    func floorMod(_ divisor: Int) -> Int {
        ((self % divisor) + divisor) % divisor
    }
}
