import Foundation
import HandoffTime
import OrderedJSON

/// A saved plan (`handoff plan --out FILE`): the JSON plan plus what `apply` needs to carry it
/// out exactly and to refuse it when it went stale: the state it was made from, the window each
/// PagerDuty schedule was listed over and a fingerprint of what was there.
public enum PlanFile {
    public static let kind = "handoff-plan"

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func encode(_ plan: Plan, configurationDirectory: String) -> String {
        guard case .object(var pairs) = PlanRenderer.json(plan) else { return "" }
        pairs.insert(("kind", .string(kind)), at: 0)
        pairs.append(("configuration", .string(configurationDirectory)))
        pairs.append((
            "state",
            .object([
                "lineage": plan.stateLineage.map(JSONValue.string) ?? .null,
                "serial": .int(plan.stateSerial),
            ])
        ))
        // The destinations again, with what apply checks.
        if let index = pairs.firstIndex(where: { $0.0 == "destinations" }) {
            pairs[index].1 = .array(plan.destinations.map { destination in
                guard case .object(var fields) = PlanRenderer.json(destination) else { return .null }
                fields.append((
                    "observed_window",
                    destination.observedWindow.map { .object(["start": .string($0.start.description), "end": .string($0.end.description)]) } ?? .null
                ))
                fields.append(("live_fingerprint", .string(destination.liveFingerprint)))
                return .object(fields)
            })
        }
        return JSONValue.object(pairs).serialized()
    }

    /// The plan and the configuration directory it was made for.
    public static func decode(_ bytes: [UInt8]) throws -> (plan: Plan, configurationDirectory: String) {
        guard let root = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw Failure(description: "it is not JSON")
        }
        guard root["kind"] as? String == kind else { throw Failure(description: "it is not a saved Handoff plan (no \"kind\": \"\(kind)\")") }
        guard root["format_version"] as? String == Plan.formatVersion else {
            throw Failure(description: "it has plan format \(root["format_version"] ?? "none"); this Handoff reads format \(Plan.formatVersion)")
        }
        guard let now = (root["now"] as? String).flatMap(Instant.init(rfc3339:)),
            let directory = root["configuration"] as? String,
            let state = root["state"] as? [String: Any], let serial = state["serial"] as? Int,
            let destinations = root["destinations"] as? [[String: Any]]
        else { throw Failure(description: "it lacks now, configuration, state or destinations") }
        let plans = try destinations.map(decodeDestination)
        let allowDeletes = root["allow_first_export_deletes"] as? Bool ?? false
        let allowFrozen = root["frozen_changes_allowed"] as? Bool ?? false
        let frozen = try (root["frozen_changes"] as? [[String: Any]] ?? []).map(decodeFrozenChange)
        return (
            Plan(
                now: now, destinations: plans, stateLineage: state["lineage"] as? String, stateSerial: serial, allowFirstExportDeletes: allowDeletes,
                frozenChangesAllowed: allowFrozen, frozenChanges: frozen
            ),
            directory
        )
    }

    private static func decodeDestination(_ object: [String: Any]) throws -> DestinationPlan {
        guard let name = object["name"] as? String, let connection = object["connection"] as? String,
            let schedule = object["pagerduty_schedule"] as? String, let zone = object["time_zone"] as? String,
            let watermark = object["watermark"] as? [String: Any], let actions = object["actions"] as? [[String: Any]],
            let fingerprint = object["live_fingerprint"] as? String
        else { throw Failure(description: "a destination lacks one of its fields") }
        let window = (object["observed_window"] as? [String: Any]).flatMap { window -> InstantRange? in
            guard let start = (window["start"] as? String).flatMap(Instant.init(rfc3339:)),
                let end = (window["end"] as? String).flatMap(Instant.init(rfc3339:))
            else { return nil }
            return InstantRange(start: start, end: end)
        }
        return DestinationPlan(
            name: name,
            connection: connection,
            destinationSchedule: schedule,
            timeZone: zone,
            watermarkBefore: (watermark["before"] as? String).flatMap(Instant.init(rfc3339:)),
            watermarkAfter: (watermark["after"] as? String).flatMap(Instant.init(rfc3339:)),
            actions: try actions.map(decodeAction),
            removed: object["removed"] as? Bool ?? false,
            observedWindow: window,
            liveFingerprint: fingerprint,
            stateLooksLost: object["state_looks_lost"] as? Bool ?? false,
            interruptedDeletes: InterruptedDeletes(
                done: (object["interrupted_deletes"] as? [String: Any])?["done"] as? [String] ?? [],
                withdrawn: (object["interrupted_deletes"] as? [String: Any])?["withdrawn"] as? [String] ?? []
            ),
            keepsOverrides: object["keep_overrides"] as? Bool ?? false,
            movedFrom: object["moved_from"] as? String,
            handovers: try (object["handovers"] as? [[String: Any]] ?? []).map(decodeHandover)
        )
    }

    private static func decodeHandover(_ object: [String: Any]) throws -> Handover {
        func holder(_ value: Any?) throws -> Handover.Holder? {
            guard let fields = value as? [String: Any] else { return nil }
            guard let user = fields["pagerduty_user"] as? String else { throw Failure(description: "a handover names someone without their PagerDuty user") }
            return Handover.Holder(userID: user, person: fields["person"] as? String, name: fields["name"] as? String ?? user, email: fields["email"] as? String ?? "unknown")
        }
        guard let start = (object["start"] as? String).flatMap(Instant.init(rfc3339:)),
            let end = (object["end"] as? String).flatMap(Instant.init(rfc3339:)),
            let why = (object["why"] as? String).flatMap({ Handover.Reason(code: $0, from: (object["from"] as? String).flatMap(Instant.init(rfc3339:))) })
        else { throw Failure(description: "a handover lacks its times or a known reason") }
        return Handover(
            range: InstantRange(start: start, end: end),
            before: try holder(object["before"]),
            after: try holder(object["after"]),
            why: why,
            containsNow: object["now"] as? Bool ?? false
        )
    }

    private static func decodeFrozenChange(_ object: [String: Any]) throws -> FrozenChange {
        guard let destination = object["destination"] as? String, let schedule = object["schedule"] as? String,
            let startText = object["start"] as? String, let start = Instant(rfc3339: startText),
            let end = (object["end"] as? String).flatMap(Instant.init(rfc3339:))
        else { throw Failure(description: "a frozen change lacks its destination, schedule or times") }
        func holder(_ value: Any?) -> PeopleDirectory.Entry? {
            guard let fields = value as? [String: Any], let name = fields["name"] as? String else { return nil }
            return PeopleDirectory.Entry(name: name, email: fields["email"] as? String ?? "unknown", person: fields["person"] as? String)
        }
        let destinationZone = (object["time_zone"] as? String) ?? "UTC"
        return FrozenChange(
            destination: destination, schedule: schedule, timeZone: destinationZone, start: start, end: end,
            before: holder(object["before"]), after: holder(object["after"])
        )
    }

    private static func decodeAction(_ object: [String: Any]) throws -> PlanAction {
        guard let kind = (object["action"] as? String).flatMap(PlanAction.Kind.init(rawValue:)),
            let start = (object["start"] as? String).flatMap(Instant.init(rfc3339:)),
            let end = (object["end"] as? String).flatMap(Instant.init(rfc3339:)),
            let user = object["pagerduty_user"] as? String
        else { throw Failure(description: "an action lacks its kind, times or user") }
        return PlanAction(
            kind: kind,
            start: start,
            end: end,
            userID: user,
            person: object["person"] as? String ?? user,
            email: object["email"] as? String ?? "unknown",
            overrideID: object["override_id"] as? String,
            reason: object["reason"] as? String
        )
    }
}
