import HandoffTime
import OrderedJSON
import SafeText

/// A saved plan (`handoff plan --out FILE`): the plan's own value, with what `apply` needs to
/// carry it out exactly and to refuse it when it went stale: the state it was made from, the
/// window each PagerDuty schedule was listed over and a fingerprint of what was there.
///
/// The file encodes the `Plan` value, not a rendering of it: `decode(encode(plan)) == plan`, and
/// reasons are codes, put into words only when the plan is shown. Its keys are those of the JSON
/// plan where both have a field (times in UTC), so a Handoff from before `file_version` still reads
/// it (without the reasons of its actions); this Handoff refuses a file without `file_version` 2,
/// whose reasons were English words.
public enum PlanFile {
    public static let kind = "handoff-plan"
    /// The version of this encoding, beside the plan format (`Plan.formatVersion`) the file shares
    /// with the JSON plan.
    public static let fileVersion: Int64 = 2

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    // MARK: - Encoding

    public static func encode(_ plan: Plan, configurationDirectory: String) -> String {
        JSONValue.object([
            "kind": .string(kind),
            "format_version": .string(Plan.formatVersion),
            "file_version": .integer(version(of: plan)),
            "now": time(plan.now),
            "configuration": .string(configurationDirectory),
            "state": .object([
                "lineage": plan.stateLineage.map(JSONValue.string) ?? .null,
                "serial": .int(plan.stateSerial),
            ]),
            "changes": .bool(plan.hasChanges),
            "summary": PlanRenderer.summaryJSON(plan),
            // Present only when set, as in the JSON plan (`schemas/plan.schema.json`).
            "allow_first_export_deletes": plan.allowFirstExportDeletes ? .bool(true) : nil,
            "frozen_changes_allowed": plan.frozenChangesAllowed ? .bool(true) : nil,
            "frozen_changes": .array(plan.frozenChanges.map(encode)),
            "destinations": .array(plan.destinations.map(encode)),
        ]).serialized()
    }

    private static func time(_ instant: Instant) -> JSONValue { .string(instant.description) }

    private static func encode(_ destination: DestinationPlan) -> JSONValue {
        let zone = Zone(identifier: destination.timeZone) ?? Zone.utc
        var pairs: [(String, JSONValue)] = [
            ("name", .string(destination.name)),
            ("connection", .string(destination.connection)),
            ("pagerduty_schedule", .string(destination.destinationSchedule)),
            ("time_zone", .string(destination.timeZone)),
            ("interrupted_deletes", .object([
                "done": .array(destination.interruptedDeletes.done.map(JSONValue.string)),
                "withdrawn": .array(destination.interruptedDeletes.withdrawn.map(JSONValue.string)),
            ])),
            ("watermark", .object([
                "before": destination.watermarkBefore.map(time) ?? .null,
                "after": destination.watermarkAfter.map(time) ?? .null,
            ])),
            ("observed_window", destination.observedWindow.map { .object(["start": time($0.start), "end": time($0.end)]) } ?? .null),
            ("live_fingerprint", .string(destination.liveFingerprint)),
            ("handovers", .array(destination.handovers.map(encode))),
            ("actions", .array(destination.actions.map { encode($0, zone: zone) })),
        ]
        // Flags and a move only when they hold, as the JSON plan writes them
        // (`schemas/plan.schema.json` describes both).
        if destination.removed { pairs.append(("removed", .bool(true))) }
        if destination.keepsOverrides { pairs.append(("keep_overrides", .bool(true))) }
        if let movedFrom = destination.movedFrom { pairs.append(("moved_from", .string(movedFrom))) }
        if destination.stateLooksLost { pairs.append(("state_looks_lost", .bool(true))) }
        pairs += encodeKind(destination)
        return .object(pairs)
    }

    private static func encode(_ handover: Handover) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("start", time(handover.range.start)), ("end", time(handover.range.end)), ("before", holder(handover.before)), ("after", holder(handover.after)),
        ]
        pairs += encode(handover.why)
        pairs.append(("now", .bool(handover.containsNow)))
        return .object(pairs)
    }

    /// `why` and, for a `rotation_change`, `from`.
    private static func encode(_ why: Handover.Reason) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = [("why", .string(why.code))]
        if case .rotationChange(let from) = why { pairs.append(("from", time(from))) }
        return pairs
    }

    private static func encode(_ change: FrozenChange) -> JSONValue {
        return .object([
            "destination": .string(change.destination),
            "schedule": .string(change.schedule),
            "time_zone": .string(change.timeZone),
            "start": time(change.start),
            "end": time(change.end),
            "before": holder(change.before),
            "after": holder(change.after),
        ])
    }

    private static func encode(_ action: PlanAction, zone: Zone) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("action", .string(action.kind.rawValue)),
            ("start", time(action.start)),
            ("end", time(action.end)),
            ("person", .string(action.person)),
            ("email", .string(action.email)),
            ("pagerduty_user", .string(action.userID)),
        ]
        if let id = action.overrideID { pairs.append(("override_id", .string(id))) }
        // The words for a reader of the file (and the previous version of Handoff); the code for
        // reading the value back exactly.
        if let reason = action.reason {
            pairs.append(("reason", .string(PlanRenderer.words(reason, in: zone))))
            pairs.append(("reason_code", encode(reason)))
        }
        pairs += encodeTarget(action)
        return .object(pairs)
    }

    private static func encode(_ reason: PlanAction.Reason) -> JSONValue {
        switch reason {
        case .memberLeft(let inProgress), .destinationRemoved(let inProgress):
            return .object([("code", .string(ReasonCode(reason).rawValue)), ("in_progress", .bool(inProgress))])
        case .noLongerDesired(let unwanted, let inProgress):
            var pairs: [(String, JSONValue)] = [
                ("code", .string(ReasonCode(reason).rawValue)), ("in_progress", .bool(inProgress)), ("unwanted", .string(UnwantedCode(unwanted).rawValue)),
            ]
            if case .handovers(let reasons) = unwanted { pairs.append(("handovers", .array(reasons.map { .object(encode($0)) }))) }
            return .object(pairs)
        default:
            return .object([("code", .string(ReasonCode(reason).rawValue))])
        }
    }

    // MARK: - Decoding

    /// The plan and the configuration directory it was made for.
    public static func decode(_ bytes: [UInt8]) throws -> (plan: Plan, configurationDirectory: String) {
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch {
            throw Failure(description: "it is not JSON (\(error))")
        }
        guard root["kind"]?.stringValue == kind else { throw Failure(description: "it is not a saved Handoff plan (no \"kind\": \"\(kind)\")") }
        guard root["format_version"]?.stringValue == Plan.formatVersion else {
            let found = root["format_version"].map { SafeText.excerpt($0.serialized(pretty: false), limit: 40) } ?? "none"
            throw Failure(description: "it has plan format \(found); this Handoff reads format \(Plan.formatVersion)")
        }
        guard let version = root["file_version"]?.int64Value, version >= fileVersion else {
            throw Failure(description: "it was saved by an earlier Handoff (it has no file_version \(fileVersion)); make a new plan with this one")
        }
        guard version <= shiftBasedFileVersion else {
            throw Failure(description: "it was saved by a later Handoff (file_version \(version)); apply it with that Handoff or make a new plan with this one")
        }
        let reader = Reader()
        let state = try reader.object(root["state"], "state")
        let plan = Plan(
            now: try reader.instant(root["now"], "now"),
            destinations: try reader.array(root["destinations"], "destinations").map(decodeDestination),
            stateLineage: try reader.optionalString(state["lineage"], "the state's lineage"),
            stateSerial: try reader.integer(state["serial"], "the state's serial"),
            allowFirstExportDeletes: try reader.flag(root["allow_first_export_deletes"], "allow_first_export_deletes"),
            frozenChangesAllowed: try reader.flag(root["frozen_changes_allowed"], "frozen_changes_allowed"),
            frozenChanges: try reader.array(root["frozen_changes"], "frozen_changes").map(decodeFrozenChange)
        )
        return (plan, try reader.string(root["configuration"], "configuration"))
    }

    private static func decodeDestination(_ value: JSONValue) throws -> DestinationPlan {
        let reader = Reader()
        let object = try reader.object(value, "a destination")
        let name = try reader.string(object["name"], "a destination's name")
        let what = "destination \(SafeText.excerpt(name, limit: 80))"
        let watermark = try reader.object(object["watermark"], "the watermark of \(what)")
        let interrupted = try reader.object(object["interrupted_deletes"], "the interrupted deletes of \(what)")
        let window = try object["observed_window"].flatMap { value -> InstantRange? in
            if value.isNull { return nil }
            let window = try reader.object(value, "the observed window of \(what)")
            return InstantRange(start: try reader.instant(window["start"], "the observed window of \(what)"), end: try reader.instant(window["end"], "the observed window of \(what)"))
        }
        var destination = DestinationPlan(
            name: name,
            connection: try reader.string(object["connection"], "the connection of \(what)"),
            destinationSchedule: try reader.string(object["pagerduty_schedule"], "the PagerDuty schedule of \(what)"),
            timeZone: try reader.string(object["time_zone"], "the time zone of \(what)"),
            watermarkBefore: try reader.optionalInstant(watermark["before"], "the watermark of \(what)"),
            watermarkAfter: try reader.optionalInstant(watermark["after"], "the watermark of \(what)"),
            actions: try reader.array(object["actions"], "the actions of \(what)").map { try decodeAction($0, what) },
            removed: try reader.flag(object["removed"], "removed of \(what)"),
            observedWindow: window,
            liveFingerprint: try reader.string(object["live_fingerprint"], "the live fingerprint of \(what)"),
            stateLooksLost: try reader.flag(object["state_looks_lost"], "state_looks_lost of \(what)"),
            interruptedDeletes: InterruptedDeletes(
                done: try reader.strings(interrupted["done"], "the interrupted deletes of \(what)"),
                withdrawn: try reader.strings(interrupted["withdrawn"], "the interrupted deletes of \(what)")
            ),
            keepsOverrides: try reader.flag(object["keep_overrides"], "keep_overrides of \(what)"),
            movedFrom: try reader.optionalString(object["moved_from"], "moved_from of \(what)"),
            handovers: try reader.array(object["handovers"], "the handovers of \(what)").map { try decodeHandover($0, what) }
        )
        try decodeKind(object, into: &destination, what)
        return destination
    }

    private static func decodeHandover(_ value: JSONValue, _ what: String) throws -> Handover {
        let reader = Reader()
        let object = try reader.object(value, "a handover of \(what)")
        func holder(_ value: JSONValue?) throws -> Handover.Holder? {
            guard let value, !value.isNull else { return nil }
            let fields = try reader.object(value, "a holder of a handover of \(what)")
            return Handover.Holder(
                userID: try reader.string(fields["pagerduty_user"], "the PagerDuty user of a handover of \(what)"),
                person: try reader.optionalString(fields["person"], "a person of a handover of \(what)"),
                name: try reader.string(fields["name"], "a name of a handover of \(what)"),
                email: try reader.string(fields["email"], "an e-mail of a handover of \(what)"),
                rotationID: try reader.optionalString(fields["rotation_id"], "the rotation of a handover of \(what)")
            )
        }
        return Handover(
            range: InstantRange(start: try reader.instant(object["start"], "a handover of \(what)"), end: try reader.instant(object["end"], "a handover of \(what)")),
            before: try holder(object["before"]),
            after: try holder(object["after"]),
            why: try decodeHandoverReason(object, "a handover of \(what)"),
            containsNow: try reader.bool(object["now"], "a handover of \(what)")
        )
    }

    private static func decodeHandoverReason(_ object: JSONValue, _ what: String) throws -> Handover.Reason {
        let reader = Reader()
        let from = try reader.optionalInstant(object["from"], what)
        guard let code = object["why"]?.stringValue, let why = Handover.Reason(code: code, from: from) else {
            throw Failure(description: "\(what) lacks a known reason")
        }
        return why
    }

    private static func decodeFrozenChange(_ value: JSONValue) throws -> FrozenChange {
        let reader = Reader()
        let object = try reader.object(value, "a frozen change")
        func holder(_ value: JSONValue?) throws -> PeopleDirectory.Entry? {
            guard let value, !value.isNull else { return nil }
            let fields = try reader.object(value, "a holder of a frozen change")
            return PeopleDirectory.Entry(
                name: try reader.string(fields["name"], "a name of a frozen change"),
                email: try reader.string(fields["email"], "an e-mail of a frozen change"),
                person: try reader.optionalString(fields["person"], "a person of a frozen change")
            )
        }
        return FrozenChange(
            destination: try reader.string(object["destination"], "the destination of a frozen change"),
            schedule: try reader.string(object["schedule"], "the schedule of a frozen change"),
            timeZone: try reader.string(object["time_zone"], "the time zone of a frozen change"),
            start: try reader.instant(object["start"], "a frozen change"),
            end: try reader.instant(object["end"], "a frozen change"),
            before: try holder(object["before"]),
            after: try holder(object["after"])
        )
    }

    private static func decodeAction(_ value: JSONValue, _ what: String) throws -> PlanAction {
        let reader = Reader()
        let object = try reader.object(value, "an action of \(what)")
        guard let kind = object["action"]?.stringValue.flatMap(PlanAction.Kind.init(rawValue:)) else {
            throw Failure(description: "an action of \(what) lacks a known kind")
        }
        var action = PlanAction(
            kind: kind,
            start: try reader.instant(object["start"], "an action of \(what)"),
            end: try reader.instant(object["end"], "an action of \(what)"),
            userID: try reader.string(object["pagerduty_user"], "the PagerDuty user of an action of \(what)"),
            person: try reader.string(object["person"], "the person of an action of \(what)"),
            email: try reader.string(object["email"], "the e-mail of an action of \(what)"),
            overrideID: try reader.optionalString(object["override_id"], "the override of an action of \(what)"),
            reason: try object["reason_code"].flatMap { $0.isNull ? nil : try decodeReason($0, "the reason of an action of \(what)") }
        )
        try decodeTarget(object, into: &action, what)
        return action
    }

    private static func decodeReason(_ value: JSONValue, _ what: String) throws -> PlanAction.Reason {
        let reader = Reader()
        let object = try reader.object(value, what)
        guard let code = object["code"]?.stringValue.flatMap(ReasonCode.init(rawValue:)) else { throw Failure(description: "\(what) has no known code") }
        switch code {
        case .deletedByHandKept: return .deletedByHandKept
        case .recreatedAfterDeleteByHand: return .recreatedAfterDeleteByHand
        case .madeOutsideEqual: return .madeOutsideEqual
        case .stateLooksLost: return .stateLooksLost
        case .overwrittenOnFirstExport: return .overwrittenOnFirstExport
        case .manualOverrideReverted: return .manualOverrideReverted
        case .manualOverrideBeforeWatermark: return .manualOverrideBeforeWatermark
        case .memberLeft: return .memberLeft(inProgress: try reader.bool(object["in_progress"], what))
        case .destinationRemoved: return .destinationRemoved(inProgress: try reader.bool(object["in_progress"], what))
        case .noLongerDesired:
            guard let unwantedCode = object["unwanted"]?.stringValue.flatMap(UnwantedCode.init(rawValue:)) else {
                throw Failure(description: "\(what) does not say why the override is no longer desired")
            }
            let unwanted: PlanAction.Unwanted
            switch unwantedCode {
            case .beyondHorizon: unwanted = .beyondHorizon
            case .nobodyScheduled: unwanted = .nobodyScheduled
            case .swap: unwanted = .swap
            case .timeOff: unwanted = .timeOff
            case .explicitCover: unwanted = .explicitCover
            case .rotationChanged: unwanted = .rotationChanged
            case .handovers:
                unwanted = .handovers(try reader.array(object["handovers"], what).map { try decodeHandoverReason(reader.object($0, what), what) })
            }
            return .noLongerDesired(unwanted, inProgress: try reader.bool(object["in_progress"], what))
        }
    }
}
