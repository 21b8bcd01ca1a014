import HandoffDestination
import HandoffPlan
import HandoffTime

// MARK: - Cuts of started rotation overrides
// A started override of a rotation that a create replaces is deleted first (`writeSteps`), and
// the destination cuts it at the moment the DELETE arrives, by its own clock: later than the
// plan's `now` by the seconds an apply takes, or by hours for a saved plan. Its replacement,
// planned from `now`, would overlap what is left of it over that time, which PagerDuty may refuse
// (reference 7.6). So the applier reads the cut object back and starts what waits for it where it
// now ends. The plan is not changed; the state records what the destination created.

extension Applier {
    /// What is left of a deleted started object: it keeps `[start, end)`, `end` as the
    /// destination now holds it.
    struct Cut: Sendable, Hashable {
        var target: OverrideTarget
        var start: Instant
        var end: Instant
    }

    /// After a step of deletes: reads back every deleted object of a `.rotation` target that the
    /// destination cut (answered `.truncated`, or begun within the plan's minute) and that one of
    /// `creates` overlaps, and returns where each now ends. A destination without such a read
    /// (`.unsupported`: the in-memory one, v2) gives no cut, and the creates start as planned.
    ///
    /// Any other failure of the read (its answer lost, a refusal), or an answer that shows the
    /// object still whole, is one failure sentence: the creates that wait for it are then not
    /// sent (the destination stops before its next step), since starting them by a guess could
    /// overlap the cut object where PagerDuty refuses that. Nothing is lost: an override of
    /// Handoff's stays in the state marked delete-pending (one made by hand has no record; the
    /// next plan sees its remnant as made by hand), the rotation's own member is on call in the
    /// meantime, and the next apply creates the replacement from its own time.
    static func readCuts(
        _ deletes: [PlanAction],
        results: [String: OverrideDeletionResult],
        creates: [PlanAction],
        now: Instant,
        schedule: String,
        target: any OverrideDestination
    ) async -> (cuts: [Cut], failures: [String], unresolved: Set<String>) {
        let waiting = Dictionary(grouping: creates.filter { if case .rotation = $0.target { true } else { false } }, by: \.target)
        var cuts: [Cut] = []
        var failures: [String] = []
        var unresolved: Set<String> = []
        for delete in deletes {
            guard let id = delete.overrideID, let result = results[id], let creates = waiting[delete.target] else { continue }
            let cut = result == .truncated || (result == .deleted && PlanMinute(now).hasBegun(delete.start))
            let replacements = creates.filter { $0.range.overlaps(delete.range) }
            guard cut, !replacements.isEmpty else { continue }
            let what = "override \(id) of \(delete.target.rotationDescription), deleted from \(delete.start)–\(delete.end) while in progress,"
            let waits = "the \(replacements.count == 1 ? "override that replaces it was" : "\(replacements.count) overrides that replace it were") not created"
            do {
                guard let found = try await target.override(schedule: schedule, id: id, target: delete.target) else {
                    // Removed whole: nothing of it is left to overlap, unless it was said to be cut.
                    guard result == .truncated else { continue }
                    unresolved.insert(id)
                    failures.append("\(what) was answered as cut and then as not found, so \(waits); the next plan lists the schedule and shows what remains")
                    continue
                }
                guard found.end < delete.end else {
                    unresolved.insert(id)
                    failures.append("\(what) is still shown until \(found.end), so \(waits); the next plan lists the schedule and shows what remains")
                    continue
                }
                // What PagerDuty keeps of it, as it says (nothing, where that is empty).
                if found.start < found.end { cuts.append(Cut(target: delete.target, start: found.start, end: found.end)) }
            } catch let error as DestinationError where error.kind == .unsupported {
                continue
            } catch {
                unresolved.insert(id)
                failures.append(
                    "\(what) could not be read back to learn where it was cut (\(error)), so \(waits); the next apply creates the replacement from its own time"
                )
            }
        }
        return (cuts, failures, unresolved)
    }

    /// The deletes of `deletes` that a create of `creates` waits for (same rotation, overlapping
    /// spans): the ones `readCuts` may read back, whose deletion is recorded after it.
    /// In O((deletes + creates) log creates), whatever a saved plan holds.
    static func cutCandidates(_ deletes: [PlanAction], creates: [PlanAction]) -> Set<String> {
        var byTarget: [OverrideTarget: [InstantRange]] = [:]
        for create in creates { if case .rotation = create.target { byTarget[create.target, default: []].append(create.range) } }
        guard !byTarget.isEmpty else { return [] }
        // Per target, the creates by start and the latest end among the first k of them: a delete
        // overlaps one iff, among those starting before it ends, the latest end is after its start.
        var sorted: [OverrideTarget: (starts: [Instant], latestEnd: [Instant])] = [:]
        for (target, ranges) in byTarget {
            let ordered = ranges.sorted { $0.start < $1.start }
            var latest: [Instant] = []
            latest.reserveCapacity(ordered.count)
            for range in ordered { latest.append(max(latest.last ?? range.end, range.end)) }
            sorted[target] = (ordered.map(\.start), latest)
        }
        return Set(deletes.compactMap { delete in
            guard let id = delete.overrideID, let (starts, latestEnd) = sorted[delete.target] else { return nil }
            // How many creates start before the delete's span ends.
            var low = 0
            var high = starts.count
            while low < high {
                let middle = low + (high - low) / 2
                if starts[middle] < delete.end { low = middle + 1 } else { high = middle }
            }
            return low > 0 && latestEnd[low - 1] > delete.start ? id : nil
        })
    }

    /// `create` starting where no cut object of its target still runs: a create that overlaps
    /// what a cut object keeps starts where that object now ends (the object was cut when the
    /// delete arrived, so what lies before its new end is past); nil when nothing of it is left.
    /// `cuts` in the order found; each one is applied in start order, so that a chain of them is
    /// followed.
    static func afterCuts(_ create: PlanAction, _ cuts: [Cut]) -> PlanAction? {
        var create = create
        for cut in cuts.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) where cut.target == create.target {
            if cut.start < create.end, create.start < cut.end { create.start = max(create.start, cut.end) }
        }
        return create.start < create.end ? create : nil
    }
}

extension OverrideTarget {
    /// `rotation R (replacing U)`, for sentences about a rotation override.
    fileprivate var rotationDescription: String {
        guard case .rotation(let rotation, let replacing) = self else { return "the schedule" }
        return "rotation \(rotation) (replacing \(replacing ?? "the vacant seat"))"
    }
}
