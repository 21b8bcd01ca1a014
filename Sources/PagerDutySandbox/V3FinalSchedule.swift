import HandoffTime

// MARK: - The final schedule of a v3 schedule

/// Where a computed assignment comes from (`ShiftSource`).
enum V3Source: Sendable, Hashable {
    case rotation(String)
    case customShift(String)
    case rotationOverride(rotation: String, override: String)
    case customShiftOverride(shift: String, override: String)
}

/// One computed shift assignment: who holds a seat, when, and why.
struct V3Assignment: Sendable, Hashable {
    var range: InstantRange
    var member: SandboxV3Member
    var source: V3Source
}

/// The final schedule: events expanded, custom shifts added, and each override replacing its
/// overridden member on its own source only, the source's entry split around it. Entries may
/// overlap (concurrent on-calls); vacant seats stay as `empty_member` entries.
enum V3FinalSchedule {
    /// Every assignment that overlaps `window`, whole (not clipped), in start order.
    static func assignments(_ details: SandboxV3Details, window: InstantRange, fixedUTC: Bool) -> [V3Assignment] {
        var steps = V3StepBudget()
        return assignments(details, window: window, fixedUTC: fixedUTC, steps: &steps)
    }

    /// As above, stepping within `steps` (the request's budget; a test hands in its own).
    static func assignments(_ details: SandboxV3Details, window: InstantRange, fixedUTC: Bool, steps: inout V3StepBudget) -> [V3Assignment] {
        var result: [V3Assignment] = []
        for base in baseAssignments(details, window: window, fixedUTC: fixedUTC, steps: &steps) {
            result += applyOverrides(to: base, details.overrides)
        }
        return result.filter { $0.range.overlaps(window) }.sorted { ($0.range.start, $0.range.end) < ($1.range.start, $1.range.end) }
    }

    /// What the rotations (deleted ones too: their past stays) and custom shifts put on call
    /// before overrides, overlapping `window`.
    static func baseAssignments(_ details: SandboxV3Details, window: InstantRange, fixedUTC: Bool) -> [V3Assignment] {
        var steps = V3StepBudget()
        return baseAssignments(details, window: window, fixedUTC: fixedUTC, steps: &steps)
    }

    /// As above, stepping within `steps`.
    static func baseAssignments(_ details: SandboxV3Details, window: InstantRange, fixedUTC: Bool, steps: inout V3StepBudget) -> [V3Assignment] {
        var result: [V3Assignment] = []
        // One budget for the whole request (V3Expansion.maximumOccurrences and the steps of
        // V3StepBudget), not one per event.
        for rotation in details.rotations where result.count < V3Expansion.maximumOccurrences && !steps.isExhausted {
            result += rotationAssignments(rotation, window: window, fixedUTC: fixedUTC, limit: V3Expansion.maximumOccurrences - result.count, steps: &steps)
        }
        for shift in details.customShifts where shift.start < window.end && window.start < shift.end {
            for member in shift.allMembers {
                result.append(V3Assignment(range: InstantRange(start: shift.start, end: shift.end), member: member, source: .customShift(shift.id)))
            }
        }
        return result
    }

    /// At most `limit` assignments: a request's budget, shared by its rotations and events.
    static func rotationAssignments(_ rotation: SandboxV3Rotation, window: InstantRange, fixedUTC: Bool, limit: Int = V3Expansion.maximumOccurrences) -> [V3Assignment] {
        var steps = V3StepBudget()
        return rotationAssignments(rotation, window: window, fixedUTC: fixedUTC, limit: limit, steps: &steps)
    }

    /// As above, stepping within `steps`, the request's budget.
    static func rotationAssignments(
        _ rotation: SandboxV3Rotation, window: InstantRange, fixedUTC: Bool, limit: Int = V3Expansion.maximumOccurrences, steps: inout V3StepBudget
    ) -> [V3Assignment] {
        var result: [V3Assignment] = []
        for event in rotation.events where result.count < limit && !steps.isExhausted {
            let zone = Zone(identifier: event.timeZone) ?? .utc
            guard case .success(let rule) = V3Recurrence.parse(event.recurrence, zone: zone) else { continue }
            for occurrence in V3Expansion.occurrences(of: event, rule: rule, window: window, fixedUTC: fixedUTC, limit: limit - result.count, steps: &steps) {
                for member in V3Expansion.members(of: event, occurrence: occurrence.index) where result.count < limit {
                    result.append(V3Assignment(range: occurrence.range, member: member, source: .rotation(rotation.id)))
                }
            }
        }
        return result
    }

    /// `base` cut where overrides of its source and member apply; the newest override wins
    /// where two overlap.
    static func applyOverrides(to base: V3Assignment, _ overrides: [SandboxV3Override]) -> [V3Assignment] {
        let matching = overrides.filter { override in
            guard override.overridden == base.member, override.start < base.range.end, base.range.start < override.end else { return false }
            switch base.source {
            case .rotation(let id): return override.rotationID == id
            case .customShift(let id): return override.customShiftID == id
            default: return false
            }
        }
        guard !matching.isEmpty else { return [base] }
        var cuts: Set<Instant> = [base.range.start, base.range.end]
        for override in matching {
            if base.range.contains(override.start) { cuts.insert(override.start) }
            if base.range.contains(override.end) { cuts.insert(override.end) }
        }
        let points = cuts.sorted()
        var pieces: [V3Assignment] = []
        for (start, end) in zip(points, points.dropFirst()) {
            let winner = matching.filter { $0.start <= start && end <= $0.end }.max { $0.sequence < $1.sequence }
            var piece = base
            piece.range = InstantRange(start: start, end: end)
            if let winner {
                piece.member = winner.overriding
                switch base.source {
                case .rotation(let id): piece.source = .rotationOverride(rotation: id, override: winner.id)
                case .customShift(let id): piece.source = .customShiftOverride(shift: id, override: winner.id)
                default: break
                }
            }
            if var last = pieces.last, last.source == piece.source, last.member == piece.member, last.range.end == start {
                last.range.end = end
                pieces[pieces.count - 1] = last
            } else {
                pieces.append(piece)
            }
        }
        return pieces
    }

    /// The share (0–100) of `window` some entry covers; vacant seats count only when asked.
    static func coveragePercentage(_ assignments: [V3Assignment], window: InstantRange, countEmpty: Bool) -> Double {
        guard window.seconds > 0 else { return 0 }
        let ranges = assignments.filter { countEmpty || $0.member.userID != nil }.compactMap { $0.range.clamped(to: window) }
        let covered = ranges.merged().reduce(Int64(0)) { $0 + $1.seconds }
        return (Double(covered) / Double(window.seconds) * 10_000).rounded() / 100
    }
}
