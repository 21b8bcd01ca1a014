public import HandoffDestination
public import HandoffTime
import PagerDuty

// MARK: - Who PagerDuty shows on call

extension PagerDutyDestination {
    /// The most entries read from one rendering: far more than any real schedule has over the
    /// windows `who` asks for (a year of hourly shifts with a few concurrent seats), so that a
    /// hostile answer cannot make the program allocate and sort without end.
    public static let maximumOnCallEntries = 20_000

    /// PagerDuty's own final schedule of `schedule` over `window`, of either kind: the kind found
    /// with the client's detection (which, asked with the window, reads the rendering in the same
    /// request when it can), then a layer-based schedule's rendered final schedule (each entry
    /// marked as an override where the override layer holds that user then), or a shift-based
    /// schedule's computed shift assignments with their sources (`include[]=final_schedule`,
    /// `overflow=true`, so a shift keeps its real start and end), vacant seats included.
    public func onCall(schedule: String, over window: InstantRange) async throws -> DestinationOnCall {
        do {
            switch try await client.detectScheduleKind(id: schedule, rendering: window) {
            case .layerBased(let found):
                let read: PagerDutySchedule
                if let found { read = found } else { read = try await client.schedule(id: schedule, rendering: window) }
                return try Self.onCall(layerBased: read, window: window)
            case .shiftBased(let found):
                let read: PagerDutyV3Schedule
                if let found, found.finalSchedule != nil { read = found } else { read = try await client.v3Schedule(id: schedule, rendering: window) }
                return try Self.onCall(shiftBased: read, window: window)
            case .missing:
                throw DestinationError(
                    .notFound,
                    "no such PagerDuty schedule \(schedule) on connection \"\(client.configuration.connectionName)\" (neither the layer-based nor the shift-based API knows it)"
                )
            }
        } catch let error as DestinationError {
            throw error
        } catch {
            throw Self.translate(error)
        }
    }

    /// A layer-based schedule's final schedule. An entry without a user is left out (v2 shows a
    /// gap as no entry); one whose user the override layer holds at its start is an override.
    static func onCall(layerBased schedule: PagerDutySchedule, window: InstantRange) throws -> DestinationOnCall {
        let rendered = schedule.finalSchedule?.renderedScheduleEntries ?? []
        let overrides = schedule.overridesSubschedule?.renderedScheduleEntries ?? []
        try checkCount(rendered.count + overrides.count, schedule: schedule.id)
        var entries: [OnCallEntry] = []
        for entry in rendered {
            guard let user = entry.user?.id else { continue }
            let end = entry.end ?? window.end
            guard entry.start < end else { continue }
            let isOverride = overrides.contains { other in
                other.user?.id == user && other.start <= entry.start && entry.start < (other.end ?? window.end)
            }
            entries.append(OnCallEntry(start: entry.start, end: end, userID: user, source: isOverride ? .layerOverride : .layers))
        }
        return DestinationOnCall(kind: ScheduleKind.layerBased.displayName, entries: sorted(entries))
    }

    /// A shift-based schedule's computed shift assignments, each with its source; overlapping
    /// entries (concurrent on-calls) and vacant seats stay as PagerDuty sent them.
    static func onCall(shiftBased schedule: PagerDutyV3Schedule, window: InstantRange) throws -> DestinationOnCall {
        guard let final = schedule.finalSchedule else {
            throw DestinationError(.other, "PagerDuty's answer about shift-based schedule \(schedule.id) holds no final schedule, though Handoff asked for one")
        }
        let assignments = final.computedShiftAssignments
        try checkCount(assignments.count, schedule: schedule.id)
        let entries = assignments.compactMap { assignment -> OnCallEntry? in
            guard assignment.start < assignment.end else { return nil }
            let userID: String?
            switch assignment.member {
            case .user(let id): userID = id
            case .empty: userID = nil
            case .unknown: return nil
            }
            return OnCallEntry(start: assignment.start, end: assignment.end, userID: userID, source: source(assignment.source))
        }
        return DestinationOnCall(kind: ScheduleKind.shiftBased.displayName, entries: sorted(entries))
    }

    static func source(_ source: PagerDutyShiftSource) -> OnCallSource {
        switch source.kind {
        case .rotation: .rotation(id: source.rotationID)
        case .rotationOverride: .rotationOverride(rotationID: source.rotationID, overrideID: source.overrideID)
        case .customShift: .customShift(id: source.shiftID)
        case .customShiftOverride: .customShiftOverride(customShiftID: source.shiftID, overrideID: source.overrideID)
        case .unknown(let type): .other(type)
        }
    }

    private static func checkCount(_ count: Int, schedule: String) throws {
        guard count <= maximumOnCallEntries else {
            throw DestinationError(
                .other,
                "PagerDuty's final schedule of \(schedule) has \(count) entries over the window asked for; Handoff reads at most \(maximumOnCallEntries)"
            )
        }
    }

    /// Start order; ties by end, then by user, so that the output is the same on every run.
    private static func sorted(_ entries: [OnCallEntry]) -> [OnCallEntry] {
        entries.sorted { ($0.start, $0.end, $0.userID ?? "") < ($1.start, $1.end, $1.userID ?? "") }
    }
}
