public import HandoffDestination
public import HandoffTime
import PagerDuty
import SafeText
import Synchronization

// MARK: - The schedule's kind, and what a shift becomes on it

extension PagerDutyDestination {
    /// How far past the plan's window (and its shifts) the v3 baseline is read on each side:
    /// far more than one rotation turn of any usual rotation (reference section 12.1.4 asks for
    /// one rotation period), so that R's handoffs around the edges are PagerDuty's, not cut.
    public static let v3BaselineMarginSeconds: Int64 = 35 * 86_400

    /// What writing `request.shifts` takes on its schedule. A schedule the state remembers as
    /// layer-based is trusted without a request (its kind is checked when its overrides are
    /// listed: a v2 listing answered as shift-based throws `.kindChanged`); one never written is
    /// detected (one request for a layer-based schedule, the v2 API asked first); a shift-based
    /// one is read (`v3Layout`). The kind is kept for the rest of the run.
    public func layout(_ request: LayoutRequest) async throws -> DestinationLayout {
        do {
            switch request.rememberedKind {
            case .layerBased?:
                remember(.layerBased, for: request.schedule)
                return .whole(request.shifts, kind: .layerBased)
            case .shiftBased?:
                remember(.shiftBased, for: request.schedule)
                return try await v3Layout(request)
            default:
                switch try await client.detectScheduleKind(id: request.schedule, expected: .layerBased) {
                case .layerBased:
                    remember(.layerBased, for: request.schedule)
                    return .whole(request.shifts, kind: .layerBased)
                case .shiftBased:
                    remember(.shiftBased, for: request.schedule)
                    return try await v3Layout(request)
                case .missing:
                    throw DestinationError(
                        .notFound,
                        "no such PagerDuty schedule \(SafeText.excerpt(request.schedule)) on connection \"\(client.configuration.connectionName)\" "
                            + "(neither the layer-based nor the shift-based API knows it)"
                    )
                }
            }
        } catch let error as DestinationError {
            throw error
        } catch {
            throw Self.translate(error, schedule: request.schedule)
        }
    }

    /// The v3 baseline (reference section 12.1.4): the schedule with its rotations and PagerDuty's
    /// final schedule over the plan's window and shifts, padded by `v3BaselineMarginSeconds`, and,
    /// when that final schedule shows overrides, the overrides over the same window (for whom each
    /// one hides); then `V3Layout`. Two requests at most; none without shifts.
    func v3Layout(_ request: LayoutRequest) async throws -> DestinationLayout {
        guard !request.shifts.isEmpty else { return DestinationLayout(kind: .shiftBased, pieces: [], updatesInPlace: true) }
        var start = request.window.start
        var end = request.window.end
        for shift in request.shifts {
            start = min(start, shift.start)
            end = max(end, shift.end)
        }
        let range = InstantRange(start: start.adding(seconds: -Self.v3BaselineMarginSeconds), end: end.adding(seconds: Self.v3BaselineMarginSeconds))
        let schedule = try await client.v3Schedule(id: request.schedule, rendering: range)
        guard let final = schedule.finalSchedule else {
            throw DestinationError(
                .other,
                "PagerDuty's answer about shift-based schedule \(SafeText.excerpt(request.schedule)) holds no final schedule, though Handoff asked for one"
            )
        }
        let assignments = final.computedShiftAssignments
        let showsOverrides = assignments.contains { $0.source.kind == .rotationOverride }
        let overrides = showsOverrides ? try await client.v3Overrides(scheduleID: request.schedule, overlapping: range) : []
        return try V3Layout.layout(
            schedule: request.schedule,
            requested: request.rotation,
            rotations: schedule.rotations.map(V3Layout.Rotation.init),
            assignments: assignments,
            overrides: overrides,
            shifts: request.shifts
        )
    }

    // MARK: - The kinds found in this run

    /// The kind this run found or was told for `schedule`, if any.
    func kind(of schedule: String) -> ScheduleKind? {
        kinds.withLock { $0[schedule] }
    }

    func remember(_ kind: ScheduleKind, for schedule: String) {
        kinds.withLock { $0[schedule] = kind }
    }

    /// Whether `schedule`, whose v2 request got `answer` (a 400 naming the other API, or a 404),
    /// is shift-based: said by the answer itself when it names the v3 API, else asked of the v3
    /// API (one request).
    func isShiftBased(_ schedule: String, answer: PagerDutyError) async throws -> Bool {
        if answer.kind == .wrongScheduleKind, let kind = answer.scheduleKind { return kind == .shiftBased }
        return try await client.detectScheduleKind(id: schedule, expected: .shiftBased).kind == .shiftBased
    }

    /// The error for a schedule that is no longer the kind this run knew it as.
    static func kindChanged(_ schedule: String, from old: ScheduleKind) -> DestinationError {
        let new: ScheduleKind = old == .layerBased ? .shiftBased : .layerBased
        return DestinationError(
            .kindChanged,
            "PagerDuty schedule \(SafeText.excerpt(schedule)) is \(new.displayName) now, but Handoff last knew it as \(old.displayName) "
                + "(PagerDuty changed it in place, keeping its id), so the overrides Handoff recorded for it mean nothing there"
        )
    }
}
