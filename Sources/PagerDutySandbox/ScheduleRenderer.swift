import HandoffTime

/// Who is on call when, as the simulated PagerDuty renders a schedule: each layer's turns cut to
/// its restrictions, the override layer on top (the latest created override wins where they
/// overlap), and the final schedule taking, at every instant, the override or else the
/// highest-precedence layer with someone on call.
///
/// The rules it picks where PagerDuty documents none (reference section 8): a turn length that is
/// a whole number of days keeps its wall-clock handoff in the schedule's time zone across
/// daylight-saving changes (other lengths are fixed spans of real time), and a restriction is a
/// wall-clock span (08:00 for 9 hours ends at 17:00 local time on every day). Turns follow the
/// schedule's zone; restrictions follow the zone a request names when the `restrictionZone` quirk
/// says so (the published description's sentence, docs/pagerduty-fidelity.md), else the schedule's.
enum ScheduleRenderer {
    struct Entry: Hashable {
        enum Source: Hashable {
            case layer(index: Int, turn: Int)
            case override(id: String)
        }

        var start: Instant
        var end: Instant
        var userID: String
        var source: Source
    }

    // MARK: Layers

    /// The turns of `layer` over `window`, cut to its restrictions; turns are counted in `zone`,
    /// restrictions read in `restrictionZone` (the same zone when nil).
    static func layerEntries(_ layer: SandboxLayer, index: Int, zone: Zone, restrictionZone: Zone? = nil, window: InstantRange) -> [Entry] {
        let bounded = InstantRange(start: max(window.start, layer.start), end: min(window.end, layer.end ?? window.end))
        guard !bounded.isEmpty, !layer.userIDs.isEmpty, layer.rotationTurnLengthSeconds > 0 else { return [] }
        let margin = InstantRange(start: bounded.start.adding(seconds: -8 * 86_400), end: bounded.end.adding(seconds: 8 * 86_400))
        let offsets = zone.timeline(covering: margin)
        let turns = LayerTurns(layer: layer, zone: offsets)
        let allowed = restrictionWindows(layer.restrictions, zone: (restrictionZone ?? zone).timeline(covering: margin), window: bounded)
        var entries: [Entry] = []
        var k = turns.index(containing: bounded.start)
        while true {
            let turn = InstantRange(start: turns.start(k), end: turns.start(k + 1))
            if turn.start >= bounded.end { break }
            let owner = layer.userIDs[((k % layer.userIDs.count) + layer.userIDs.count) % layer.userIDs.count]
            for piece in intersect(turn, allowed) {
                guard let clipped = piece.clamped(to: bounded) else { continue }
                entries.append(Entry(start: clipped.start, end: clipped.end, userID: owner, source: .layer(index: index, turn: k)))
            }
            k += 1
        }
        return entries
    }

    /// The restriction windows over `window`, merged; the whole window when there are none.
    static func restrictionWindows(_ restrictions: [SandboxRestriction], zone: some ZoneOffsets, window: InstantRange) -> [InstantRange] {
        guard !restrictions.isEmpty else { return [window] }
        let windows = restrictions.map { restriction in
            // A weekly restriction opens on its day only (an unknown day: never); a daily one every day.
            let days = restriction.kind == .weekly ? [Weekday(rawValue: restriction.startDayOfWeek ?? 1)].compactMap { $0 } : Weekday.allCases
            return WeeklyWindow(days: days, opensAtSecond: restriction.startTimeOfDay, seconds: Int64(restriction.durationSeconds))
        }
        return WeeklyWindow.openRanges(windows, in: window, zone: zone)
    }

    // MARK: Overrides and the final schedule

    /// The override layer: at each instant the override created last among those in force.
    static func overrideEntries(_ overrides: [SandboxOverride], window: InstantRange) -> [Entry] {
        let relevant = overrides.filter { $0.start < window.end && window.start < $0.end && $0.start < $0.end }
        guard !relevant.isEmpty else { return [] }
        let boundaries = Set(relevant.flatMap { [max($0.start, window.start), min($0.end, window.end)] }).sorted()
        var entries: [Entry] = []
        for (start, end) in zip(boundaries, boundaries.dropFirst()) {
            let winner = relevant.filter { $0.start <= start && end <= $0.end }.max { $0.sequence < $1.sequence }
            guard let winner else { continue }
            append(Entry(start: start, end: end, userID: winner.userID, source: .override(id: winner.id)), to: &entries)
        }
        return entries
    }

    /// The final schedule from the override layer and the layers (in POST order, the last wins).
    static func finalEntries(layers: [[Entry]], overrides: [Entry], window: InstantRange) -> [Entry] {
        var boundarySet: Set<Instant> = [window.start, window.end]
        for entry in overrides { boundarySet.formUnion([entry.start, entry.end]) }
        for list in layers { for entry in list { boundarySet.formUnion([entry.start, entry.end]) } }
        let boundaries = boundarySet.filter { window.start <= $0 && $0 <= window.end }.sorted()
        var entries: [Entry] = []
        for (start, end) in zip(boundaries, boundaries.dropFirst()) {
            if let entry = covering(overrides, start) {
                append(Entry(start: start, end: end, userID: entry.userID, source: entry.source), to: &entries)
                continue
            }
            for list in layers.reversed() {
                if let entry = covering(list, start) {
                    append(Entry(start: start, end: end, userID: entry.userID, source: entry.source), to: &entries)
                    break
                }
            }
        }
        return entries
    }

    static func coveragePercentage(_ entries: [Entry], window: InstantRange) -> Double {
        guard !window.isEmpty else { return 0 }
        let covered = entries.reduce(Int64(0)) { $0 + (min($1.end, window.end) - max($1.start, window.start)) }
        return (Double(covered) / Double(window.seconds) * 10_000).rounded() / 100
    }

    // MARK: Helpers

    /// The entry of a sorted, non-overlapping list that contains `instant`.
    private static func covering(_ entries: [Entry], _ instant: Instant) -> Entry? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].end <= instant { low = middle + 1 } else { high = middle }
        }
        guard low < entries.count, entries[low].start <= instant else { return nil }
        return entries[low]
    }

    /// Appends, joining with the previous entry when it continues the same turn or override.
    private static func append(_ entry: Entry, to entries: inout [Entry]) {
        if let last = entries.last, last.end == entry.start, last.source == entry.source, last.userID == entry.userID {
            entries[entries.count - 1].end = entry.end
        } else {
            entries.append(entry)
        }
    }

    private static func intersect(_ range: InstantRange, _ allowed: [InstantRange]) -> [InstantRange] {
        allowed.compactMap { $0.clamped(to: range) }
    }
}

/// Turn arithmetic of one layer: turn k starts at `rotation_virtual_start + k·length`.
struct LayerTurns {
    let layer: SandboxLayer
    let zone: ZoneTimeline
    private let days: Int?
    private let virtualStartLocal: Int64

    init(layer: SandboxLayer, zone: ZoneTimeline) {
        self.layer = layer
        self.zone = zone
        let length = layer.rotationTurnLengthSeconds
        days = length % 86_400 == 0 ? length / 86_400 : nil
        virtualStartLocal = layer.rotationVirtualStart.secondsSinceEpoch + Int64(zone.offset(at: layer.rotationVirtualStart))
    }

    func start(_ k: Int) -> Instant {
        if let days {
            return zone.instant(forLocalSeconds: virtualStartLocal + Int64(k) * Int64(days) * 86_400)
        }
        return layer.rotationVirtualStart.adding(seconds: Int64(k) * Int64(layer.rotationTurnLengthSeconds))
    }

    func index(containing instant: Instant) -> Int {
        let length = Int64(layer.rotationTurnLengthSeconds)
        var k: Int
        if days != nil {
            let local = instant.secondsSinceEpoch + Int64(zone.offset(at: instant))
            k = Int((local - virtualStartLocal).floorDivided(by: length))
        } else {
            k = Int((instant - layer.rotationVirtualStart).floorDivided(by: length))
        }
        while start(k + 1) <= instant { k += 1 }
        while start(k) > instant { k -= 1 }
        return k
    }
}
