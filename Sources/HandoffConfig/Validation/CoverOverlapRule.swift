import HandoffTime
import YAMLNodes

/// The explicit covers of one schedule do not overlap: each says who is on call, and two would
/// contradict each other. Schedules whose times failed to decode are skipped.
enum CoverOverlapRule: ValidationRule {
    static func check(_ merged: MergedDeclarations, into diagnostics: inout [Diagnostic]) {
        for schedule in merged.schedules where !merged.partialSchedules.contains(schedule.name) {
            check(schedule, into: &diagnostics)
        }
    }

    private static func check(_ schedule: Schedule, into diagnostics: inout [Diagnostic]) {
        let sorted = schedule.assignments.sorted { ($0.from, $0.location) < ($1.from, $1.location) }
        guard sorted.count > 1 else { return }
        for index in 1..<sorted.count {
            let previous = sorted[index - 1]
            let current = sorted[index]
            let previousRange = InstantRange(start: schedule.zone.instant(for: previous.from), end: schedule.zone.instant(for: previous.until))
            let currentRange = InstantRange(start: schedule.zone.instant(for: current.from), end: schedule.zone.instant(for: current.until))
            if previousRange.overlaps(currentRange) {
                diagnostics.append(.coversOverlap(current, previous))
            }
        }
    }
}

extension Diagnostic {
    fileprivate static func coversOverlap(_ current: Assignment, _ previous: Assignment) -> Diagnostic {
        .error(
            "this cover of \(current.person) (\(current.from) to \(current.until)) overlaps the cover of \(previous.person) "
                + "at line \(previous.location.line) (\(previous.from) to \(previous.until)); covers of one schedule must not overlap",
            at: current.location
        )
    }
}
