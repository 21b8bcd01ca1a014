import HandoffDestination
import HandoffTime
public import OrderedJSON

/// The JSON plan, for programs (`schemas/plan.schema.json`).
extension PlanRenderer {
    // MARK: - JSON

    /// The document `schemas/plan.schema.json` describes.
    public static func json(_ plan: Plan) -> JSONValue {
        .object([
            "format_version": .string(Plan.formatVersion),
            "changes": .bool(plan.hasChanges),
            "now": .string(plan.now.description),
            "allow_first_export_deletes": plan.allowFirstExportDeletes ? .bool(true) : nil,
            "frozen_changes_allowed": plan.frozenChangesAllowed ? .bool(true) : nil,
            "frozen_changes": plan.frozenChangesAllowed ? .array(plan.frozenChanges.map(json)) : nil,
            "summary": summaryJSON(plan),
            "destinations": .array(plan.destinations.map(json)),
        ])
    }

    /// The counts of a plan's actions, as the JSON plan and a saved plan both write them.
    static func summaryJSON(_ plan: Plan) -> JSONValue {
        let summary = plan.summary
        return .object([
            "create": .int(summary.create),
            "delete": .int(summary.delete),
            "adopt": .int(summary.adopt),
            "kept": .int(summary.kept),
            "drift": .int(summary.drift),
            "move": summary.move > 0 ? .int(summary.move) : nil,
            "moved": summary.moved > 0 ? .int(summary.moved) : nil,
            "forgotten": summary.forgotten > 0 ? .int(summary.forgotten) : nil,
        ])
    }

    static func json(_ change: FrozenChange) -> JSONValue {
        let zone = Zone(identifier: change.timeZone) ?? Zone.utc
        return .object([
            "destination": .string(change.destination),
            "schedule": .string(change.schedule),
            "time_zone": .string(change.timeZone),
            "start": .string(DisplayTime.rfc3339(change.start, in: zone)),
            "end": .string(DisplayTime.rfc3339(change.end, in: zone)),
            "before": holder(change.before),
            "after": holder(change.after),
        ])
    }

    /// `{"start", "end", "before", "after", "why", "now"}`; `why` is a stable code, with `from`
    /// for a `rotation_change`.
    static func json(_ handover: Handover, zone: Zone) -> JSONValue {
        var from: JSONValue?
        if case .rotationChange(let instant) = handover.why { from = .string(DisplayTime.rfc3339(instant, in: zone)) }
        return .object([
            "start": .string(DisplayTime.rfc3339(handover.range.start, in: zone)),
            "end": .string(DisplayTime.rfc3339(handover.range.end, in: zone)),
            "before": holder(handover.before),
            "after": holder(handover.after),
            "why": .string(handover.why.code),
            "from": from,
            "now": .bool(handover.containsNow),
        ])
    }

    static func json(_ destination: DestinationPlan) -> JSONValue {
        let zone = Zone(identifier: destination.timeZone) ?? Zone.utc
        return .object([
            "name": .string(destination.name),
            "connection": .string(destination.connection),
            "pagerduty_schedule": .string(destination.destinationSchedule),
            "time_zone": .string(destination.timeZone),
            "removed": destination.removed ? .bool(true) : nil,
            "keep_overrides": destination.removed && destination.keepsOverrides ? .bool(true) : nil,
            "moved_from": destination.movedFrom.map(JSONValue.string),
            "state_looks_lost": destination.stateLooksLost ? .bool(true) : nil,
            "schedule_kind": jsonScheduleKind(destination).map(JSONValue.string),
            "notes": destination.notes.isEmpty ? nil : .array(destination.notes.map(JSONValue.string)),
            "interrupted_deletes": destination.interruptedDeletes.isEmpty ? nil : .object([
                "done": .array(destination.interruptedDeletes.done.map(JSONValue.string)),
                "withdrawn": .array(destination.interruptedDeletes.withdrawn.map(JSONValue.string)),
            ]),
            "watermark": .object([
                "before": destination.watermarkBefore.map { .string(DisplayTime.rfc3339($0, in: zone)) } ?? .null,
                "after": destination.watermarkAfter.map { .string(DisplayTime.rfc3339($0, in: zone)) } ?? .null,
            ]),
            "handovers": .array(destination.handovers.map { json($0, zone: zone) }),
            "actions": .array(destination.actions.map { action in
                .object([
                    "action": .string(action.kind.rawValue),
                    "start": .string(DisplayTime.rfc3339(action.start, in: zone)),
                    "end": .string(DisplayTime.rfc3339(action.end, in: zone)),
                    "person": .string(action.person),
                    "email": .string(action.email),
                    "pagerduty_user": .string(action.userID),
                    "override_id": action.overrideID.map(JSONValue.string),
                    "reason": action.reason.map { .string(words($0, in: zone)) },
                    "target": targetJSON(action),
                    "previous": action.previous.map { previous in
                        .object([
                            "override_id": .string(previous.id),
                            "start": .string(DisplayTime.rfc3339(previous.start, in: zone)),
                            "end": .string(DisplayTime.rfc3339(previous.end, in: zone)),
                            "person": action.previousPerson.map(JSONValue.string),
                            "pagerduty_user": .string(previous.userID),
                        ])
                    },
                ])
            }),
        ])
    }
}

/// The kind the JSON plan names: a shift-based schedule's only, so that the plans of layer-based
/// schedules read as they did before kinds were known (a layer-based kind is what an absent one
/// means).
func jsonScheduleKind(_ destination: DestinationPlan) -> String? {
    guard let kind = destination.scheduleKind, kind != .layerBased else { return nil }
    return kind.rawValue
}

/// An action's target as the JSON plan and a saved plan both write it; nil for the whole schedule
/// (a layer-based schedule's plan reads as before targets existed).
func targetJSON(_ action: PlanAction) -> JSONValue? {
    var pairs: [(String, JSONValue)]
    switch action.target {
    case .schedule:
        return nil
    case .rotation(let id, let replacing):
        pairs = [("kind", .string("rotation")), ("rotation_id", .string(id)), ("replacing_user_id", replacing.map(JSONValue.string) ?? .null)]
    case .customShift:
        pairs = [("kind", .string("custom_shift"))]
    case .customShiftOverride(let id, let replacing):
        pairs = [("kind", .string("custom_shift_override")), ("custom_shift_id", .string(id)), ("replacing_user_id", replacing.map(JSONValue.string) ?? .null)]
    }
    if let name = action.replacedPerson { pairs.append(("replacing_person", .string(name))) }
    return .object(pairs)
}

/// A person of a frozen change as the JSON plan and a saved plan both write it (`$defs/person`).
func holder(_ entry: PeopleDirectory.Entry?) -> JSONValue {
    entry.map { .object(["person": $0.person.map(JSONValue.string) ?? .null, "name": .string($0.name), "email": .string($0.email)]) } ?? .null
}

/// A person of a handover as the JSON plan and a saved plan both write it.
func holder(_ holder: Handover.Holder?) -> JSONValue {
    guard let holder else { return .null }
    return .object([
        "person": holder.person.map(JSONValue.string) ?? .null,
        "name": .string(holder.name),
        "email": .string(holder.email),
        "pagerduty_user": .string(holder.userID),
        "rotation_id": holder.rotationID.map(JSONValue.string),
    ])
}
