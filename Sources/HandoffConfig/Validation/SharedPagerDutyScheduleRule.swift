import HandoffTime
import YAMLNodes

/// Two destinations may feed one PagerDuty schedule (follow-the-sun) only if their coverage
/// never overlaps; otherwise each would overwrite the other's overrides. Checked over a year
/// from the later rotation start, which covers every daylight-saving arrangement of a year.
enum SharedPagerDutyScheduleRule: ValidationRule {
    static func check(_ merged: MergedDeclarations, into diagnostics: inout [Diagnostic]) {
        let schedules = Dictionary(
            merged.schedules.filter { !merged.partialSchedules.contains($0.name) }.map { ($0.name, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        let groups = Dictionary(grouping: merged.destinations) { "\($0.connection)\u{0}\($0.pagerDutySchedule)" }
        for (_, group) in groups where group.count > 1 {
            let sorted = group.sorted { $0.location < $1.location }
            for (i, first) in sorted.enumerated() {
                for second in sorted[(i + 1)...] {
                    guard let a = schedules[first.schedule], let b = schedules[second.schedule] else { continue }
                    if let overlap = firstOverlap(a, b) {
                        diagnostics.append(.coverageOverlaps(first, second, at: overlap, in: a))
                    }
                }
            }
        }
    }

    private static func firstOverlap(_ a: Schedule, _ b: Schedule) -> Instant? {
        let start = max(a.zone.instant(for: a.rotation.eras[0].from), b.zone.instant(for: b.rotation.eras[0].from))
        let window = InstantRange(start: start, end: start.adding(seconds: 373 * 86_400))
        let left = a.coveredRanges(in: window, zone: a.zone.timeline(covering: window))
        let right = b.coveredRanges(in: window, zone: b.zone.timeline(covering: window))
        var i = 0
        var j = 0
        while i < left.count, j < right.count {
            if left[i].overlaps(right[j]) { return max(left[i].start, right[j].start) }
            if left[i].end <= right[j].end { i += 1 } else { j += 1 }
        }
        return nil
    }
}

extension Diagnostic {
    fileprivate static func coverageOverlaps(_ first: Destination, _ second: Destination, at overlap: Instant, in schedule: Schedule) -> Diagnostic {
        let local = schedule.zone.local(at: overlap)
        let offset = Instant.offsetText(schedule.zone.offset(at: overlap))
        return .error(
            "destinations \"\(first.name)\" and \"\(second.name)\" both write PagerDuty schedule \(second.pagerDutySchedule) "
                + "through connection \"\(second.connection)\", and their coverage overlaps "
                + "(first at \(local.date.weekday.abbreviation) \(local.date) \(local.time) \(offset), schedule \"\(schedule.name)\"'s time)",
            at: second.location,
            detail: "Give their schedules coverage windows that do not overlap, or send them to different PagerDuty schedules."
        )
    }
}
