import Foundation
public import HandoffDestination
public import HandoffTime
import OrderedJSON

/// `GET`, `POST` and `DELETE` on `/schedules/{id}/overrides`: what plan and apply read and write.
extension PagerDutyClient {

    /// Overrides of a schedule that overlap `range`, each with its real start and end
    /// (`overflow=true`: PagerDuty would otherwise clip them to the range).
    public func overrides(scheduleID: String, overlapping range: InstantRange) async throws -> [PagerDutyOverride] {
        let purpose = "list the overrides of schedule \(scheduleID)"
        let response = try await transport.send(
            APIRequest(
                method: .get,
                path: "/schedules/\(QueryString.escape(scheduleID))/overrides",
                query: [("since", range.start.description), ("until", range.end.description), ("overflow", "true")],
                purpose: purpose
            )
        )
        try check(response, purpose: purpose, write: false, scheduleID: scheduleID)
        return try decode(OverridesResponse.self, response, purpose: purpose).overrides
    }

    /// Creates overrides in one request and reports each one's fate in request order.
    ///
    /// Throws `outcomeUnknown` when the response was lost or cannot be matched to the request:
    /// some overrides may exist; list and match before creating them again.
    public func createOverrides(scheduleID: String, _ overrides: [PlannedOverride]) async throws -> [OverrideCreation] {
        guard !overrides.isEmpty else { return [] }
        let purpose = "create \(overrides.count == 1 ? "1 override" : "\(overrides.count) overrides") on schedule \(scheduleID)"
        let items: [[String: Any]] = overrides.map {
            [
                "start": $0.start.description,
                "end": $0.end.description,
                "user": ["id": $0.userID, "type": "user_reference"],
                "time_zone": "UTC",
            ]
        }
        let body = try JSONSerialization.data(withJSONObject: ["overrides": items], options: [.sortedKeys])
        let response = try await transport.send(
            APIRequest(method: .post, path: "/schedules/\(QueryString.escape(scheduleID))/overrides", body: Array(body), purpose: purpose)
        )
        if response.status == 400 {
            // Every item refused at once: PagerDuty's standard error body instead of statuses.
            let error = ErrorBody(bytes: response.body, key: configuration.key)
            let reasons = error.errors.isEmpty ? [error.message ?? "refused"] : error.errors
            return overrides.map { .rejected($0, status: 400, errors: reasons) }
        }
        try check(response, purpose: purpose, write: true, scheduleID: scheduleID)
        guard let results = Self.creationResults(response.body, requested: overrides, key: configuration.key) else {
            throw PagerDutyError(
                .outcomeUnknown,
                "PagerDuty's answer to \(purpose) (\(response.status)) did not say what became of each override; whether they exist is unknown",
                status: response.status
            )
        }
        return results
    }

    /// Reads both response shapes: the bare array of `{status, override, errors}` the
    /// specification documents, and an object holding `overrides` (statuses or plain overrides).
    /// A status that is not a whole number, and anything else unexpected, is nil: unknown.
    /// An item's reasons are redacted, escaped, cut and at most 20, as any error text.
    static func creationResults(_ body: [UInt8], requested: [PlannedOverride], key: APIKey) -> [OverrideCreation]? {
        guard let object = try? JSONValue.parse(body) else { return nil }
        let items: [JSONValue]
        if let array = object.arrayValue {
            items = array
        } else if let wrapped = object["overrides"]?.arrayValue {
            items = wrapped
        } else if let single = object["override"] {
            items = [single]
        } else {
            return nil
        }
        guard items.count == requested.count else { return nil }
        var results: [OverrideCreation] = []
        for (item, request) in zip(items, requested) {
            guard item.objectValue != nil else { return nil }
            let status = item["status"]?.intValue
            if item["status"] != nil, status == nil { return nil }
            let overrideObject = status == nil ? item : item["override"]
            if let status, !(200..<300).contains(status) {
                let errors: [String]
                switch item["errors"] {
                case .array(let list)?: errors = list.compactMap(\.stringValue)
                case .string(let text)?: errors = [text]
                default: errors = []
                }
                results.append(.rejected(request, status: status, errors: ErrorBody.visible(errors, key: key)))
                continue
            }
            guard let override = overrideObject.flatMap(decodeOverride) else { return nil }
            results.append(.created(override))
        }
        return results
    }

    private static func decodeOverride(_ object: JSONValue) -> PagerDutyOverride? {
        guard object.objectValue != nil else { return nil }
        return try? JSONDecoder().decode(PagerDutyOverride.self, from: Data(object.serialized(pretty: false).utf8))
    }

    /// Deletes an override: a future one disappears (204), one in progress is cut to end now
    /// (200), and one that does not exist is reported as such (404).
    public func deleteOverride(scheduleID: String, overrideID: String) async throws -> OverrideDeletion {
        let purpose = "delete override \(overrideID) of schedule \(scheduleID)"
        let response = try await transport.send(
            APIRequest(
                method: .delete,
                path: "/schedules/\(QueryString.escape(scheduleID))/overrides/\(QueryString.escape(overrideID))",
                purpose: purpose
            )
        )
        switch response.status {
        case 204: return .deleted
        case 200: return .truncated
        case 404: return .notFound
        default:
            try check(response, purpose: purpose, write: true)
            return .deleted
        }
    }
}
