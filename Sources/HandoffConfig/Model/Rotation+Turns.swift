public import HandoffTime

/// Turn arithmetic: where turn *k* of an era begins, and which turn holds an instant, computed
/// directly (never by walking turns from the start), so any window costs the same.
extension RotationEra {
    /// The instant turn `k` begins: `from + k·turn` on the wall clock for days and weeks, in
    /// absolute time for minutes and hours.
    public func turnStart(_ k: Int, in zone: some ZoneOffsets) -> Instant {
        if turn.isCalendarBased {
            return zone.instant(for: from.adding(days: k * turn.days))
        }
        return zone.instant(for: from).adding(seconds: Int64(k) * turn.nominalSeconds)
    }

    /// The index of the turn that contains `instant` (negative before `from`).
    public func turnIndex(containing instant: Instant, in zone: some ZoneOffsets) -> Int {
        if !turn.isCalendarBased {
            let elapsed = instant - zone.instant(for: from)
            return Int(elapsed.floorDivided(by: turn.nominalSeconds))
        }
        // Estimate on the wall clock, then correct for daylight-saving shifts of an hour or so.
        let localSeconds = instant.secondsSinceEpoch + Int64(zone.offset(at: instant))
        var k = Int((localSeconds - from.localSeconds).floorDivided(by: Int64(turn.days) * 86_400))
        while turnStart(k + 1, in: zone) <= instant { k += 1 }
        while turnStart(k, in: zone) > instant { k -= 1 }
        return k
    }

    /// The index of the turn that begins at the wall-clock time `local`, or nil when no turn
    /// begins there (the index may be negative: a turn before the era).
    public func turnIndex(startingAt local: LocalDateTime, in zone: some ZoneOffsets) -> Int? {
        if turn.isCalendarBased {
            guard local.minuteOfDay == from.minuteOfDay else { return nil }
            let days = local.date.daysSinceEpoch - from.date.daysSinceEpoch
            guard days % turn.days == 0 else { return nil }
            return days / turn.days
        }
        let elapsed = zone.instant(for: local) - zone.instant(for: from)
        guard elapsed % turn.nominalSeconds == 0 else { return nil }
        return Int(elapsed / turn.nominalSeconds)
    }

    /// The wall-clock start of turn `k`, as a schedule's author would name it in a swap.
    public func turnStartLocal(_ k: Int, in zone: some ZoneOffsets) -> LocalDateTime {
        if turn.isCalendarBased { return from.adding(days: k * turn.days) }
        return zone.local(at: turnStart(k, in: zone))
    }
}

extension Rotation {
    /// The era in force at `instant` (the last one whose `from` is not after it), with its index.
    public func era(at instant: Instant, in zone: some ZoneOffsets) -> (index: Int, era: RotationEra)? {
        var found: (Int, RotationEra)?
        for (index, era) in eras.enumerated() where zone.instant(for: era.from) <= instant {
            found = (index, era)
        }
        return found
    }

    /// The last regular handoff at or before `instant`: the start of the turn holding it, in the
    /// era in force then (turns before the first era continue its rhythm backwards). In whole
    /// minutes, as the expansion cuts turns.
    public func handoff(atOrBefore instant: Instant, in zone: some ZoneOffsets) -> Instant {
        guard !eras.isEmpty else { return instant }
        let era = eras[eraIndex(at: instant, in: zone) ?? 0]
        return era.turnStart(era.turnIndex(containing: instant, in: zone), in: zone).flooredToMinute
    }

    /// The first regular handoff at or after `instant`: `instant` itself when a turn starts there,
    /// else the start of the next turn, or of the next era when that comes first.
    public func handoff(atOrAfter instant: Instant, in zone: some ZoneOffsets) -> Instant {
        guard !eras.isEmpty else { return instant }
        let index = eraIndex(at: instant, in: zone) ?? 0
        let era = eras[index]
        var k = era.turnIndex(containing: instant, in: zone)
        var start = era.turnStart(k, in: zone).flooredToMinute
        // Flooring to the minute can leave a start just before `instant`; a few steps at most.
        var steps = 0
        while start < instant, steps < 3 {
            k += 1
            steps += 1
            start = era.turnStart(k, in: zone).flooredToMinute
        }
        if index + 1 < eras.count {
            start = min(start, zone.instant(for: eras[index + 1].from).flooredToMinute)
        }
        return max(start, instant)
    }

    /// The last time the rota's handoff time of day (the local time of day its era's turns start
    /// at, e.g. 09:00) came round at or before `instant`, in the era in force then; with
    /// `atOrAfter`, the first at or after it. A weekly rota handing over on Mondays at 09:00 has
    /// 09:00 every day as its handoff time of day, so a day off is handed over at 09:00, not at
    /// midnight and not at the next Monday.
    public func handoffTimeOfDay(atOrBefore instant: Instant, in zone: some ZoneOffsets) -> Instant {
        guard !eras.isEmpty else { return instant }
        let time = eras[eraIndex(at: instant, in: zone) ?? 0].from.time
        var day = LocalDateTime(date: zone.local(at: instant).date, time: time)
        if zone.instant(for: day).flooredToMinute > instant { day = day.adding(days: -1) }
        return min(zone.instant(for: day).flooredToMinute, instant)
    }

    /// See `handoffTimeOfDay(atOrBefore:in:)`.
    public func handoffTimeOfDay(atOrAfter instant: Instant, in zone: some ZoneOffsets) -> Instant {
        guard !eras.isEmpty else { return instant }
        let time = eras[eraIndex(at: instant, in: zone) ?? 0].from.time
        var day = LocalDateTime(date: zone.local(at: instant).date, time: time)
        if zone.instant(for: day).flooredToMinute < instant { day = day.adding(days: 1) }
        return max(zone.instant(for: day).flooredToMinute, instant)
    }

    /// The index of the era in force at `instant`, by bisection (eras are in order, as validation
    /// ensures), so that many time-off entries over many eras stay cheap; nil before the first.
    private func eraIndex(at instant: Instant, in zone: some ZoneOffsets) -> Int? {
        var low = 0
        var high = eras.count
        while low < high {
            let middle = low + (high - low) / 2
            if zone.instant(for: eras[middle].from) <= instant { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }

    /// The absolute range era `index` is in force: from its `from` to the next era's `from`.
    public func range(ofEra index: Int, in zone: some ZoneOffsets) -> InstantRange {
        let start = zone.instant(for: eras[index].from)
        let end = index + 1 < eras.count ? zone.instant(for: eras[index + 1].from) : Instant(secondsSinceEpoch: .max / 4)
        return InstantRange(start: start, end: end)
    }
}
