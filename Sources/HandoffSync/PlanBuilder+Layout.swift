import HandoffDestination
import HandoffPlan
import HandoffTime

/// Layouts: what each destination's wanted shifts become on its schedule (whole overrides on a
/// layer-based one; pieces of a rotation's member, custom shifts and pieces the rotation already
/// covers on a shift-based one), asked of every destination side by side before any listing.
extension PlanBuilder {
    /// One destination's shifts to lay out.
    struct LayoutJob: Sendable {
        var name: String
        var connection: String
        var request: LayoutRequest
    }

    /// Every job's layout, by destination name, side by side; every failure is a sentence (a
    /// schedule upgraded under Handoff says what to run).
    static func layouts(_ jobs: [LayoutJob], hub: ConnectionHub) async -> (layouts: [String: DestinationLayout], problems: [String]) {
        var layouts: [String: DestinationLayout] = [:]
        var problems: [String] = []
        await withTaskGroup(of: (String, Result<DestinationLayout, any Error>).self) { group in
            for job in jobs {
                group.addTask {
                    do {
                        let destination = try hub.destination(job.connection)
                        return (job.name, .success(try await destination.layout(job.request)))
                    } catch {
                        return (job.name, .failure(error))
                    }
                }
            }
            for await (name, result) in group {
                switch result {
                case .success(let layout): layouts[name] = layout
                case .failure(let error as DestinationError) where error.kind == .kindChanged:
                    problems.append(kindChangedMessage(destination: name, schedule: jobs.first { $0.name == name }?.request.schedule ?? ""))
                case .failure(let error): problems.append("\(error)")
                }
            }
        }
        // Destinations of one unreachable connection fail with the same sentence: once.
        return (layouts, Set(problems).sorted())
    }

    /// The one sentence for a schedule upgraded to shift-based since Handoff last wrote it.
    static func kindChangedMessage(destination: String, schedule: String) -> String {
        "destination \"\(destination)\": its PagerDuty schedule \(schedule) is now shift-based, but Handoff last wrote it as layer-based, "
            + "so the overrides the state records for it do not exist there; run `handoff state readopt \(destination)`"
    }

    /// The desired overrides of one destination with each shift replaced by its pieces (same person,
    /// reason and origin; the piece's range and target; a piece with nothing to write kept as
    /// covered). A layout that does not fit its shifts (another count, a piece outside its shift,
    /// empty, or overlapping the one before) is a problem sentence, never trusted.
    static func pieces(_ desired: [DesiredOverride], layout: DestinationLayout, destination name: String) -> Result<[DesiredOverride], SyncError> {
        guard layout.pieces.count == desired.count else {
            return .failure(SyncError("destination \"\(name)\": its layout has \(layout.pieces.count) shifts for the \(desired.count) given; nothing is planned from it"))
        }
        var result: [DesiredOverride] = []
        result.reserveCapacity(desired.count)
        for (shift, pieces) in zip(desired, layout.pieces) {
            var previousEnd = shift.start
            for piece in pieces {
                guard piece.start < piece.end, piece.start >= previousEnd, piece.end <= shift.end else {
                    return .failure(SyncError("destination \"\(name)\": its layout splits the shift \(shift.start) → \(shift.end) into pieces that do not fit it; nothing is planned from it"))
                }
                previousEnd = piece.end
                result.append(
                    DesiredOverride(
                        start: piece.start, end: piece.end, userID: shift.userID, person: shift.person, reason: shift.reason, origin: shift.origin,
                        target: piece.write?.target ?? .schedule, covered: piece.write == nil
                    )
                )
            }
        }
        return .success(result)
    }

    /// The users a plan names beyond the people of its overrides: those the targets of wanted
    /// pieces and listed overrides replace, per connection.
    static func replacedUsers(_ inputs: [DestinationInput], listed: [ScheduleKey: ObservedSchedule]) -> [String: Set<String>] {
        var ids: [String: Set<String>] = [:]
        for input in inputs {
            for desired in input.desired {
                if let id = desired.target.replacedUserID { ids[input.connection, default: []].insert(id) }
            }
        }
        for (key, observed) in listed {
            for override in observed.overrides {
                if let id = override.target.replacedUserID { ids[key.connection, default: []].insert(id) }
            }
        }
        return ids
    }
}
