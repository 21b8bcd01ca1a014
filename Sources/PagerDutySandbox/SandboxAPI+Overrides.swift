import Foundation
import HandoffTime
import OrderedJSON

/// `GET`, `POST` and `DELETE` on `/schedules/{id}/overrides`.
extension SandboxAPI {

    func listOverrides(_ scheduleID: String, _ query: QueryParameters) async -> SandboxReply {
        guard let schedule = await store.schedule(id: scheduleID) else { return notFound() }
        if schedule.type != "schedule" { return v3Refusal() }
        let zone = Zone(identifier: schedule.timeZone) ?? .utc
        guard query["since"] != nil, query["until"] != nil else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["since and until are required"], quirks: quirks)
        }
        guard case (let since?, let until?) = parseWindowParameters(query, zone: zone) ?? (nil, nil) else {
            return .error(400, "Invalid time values in 'since' and/or 'until' parameters", code: 2004, quirks: quirks)
        }
        guard since <= until else { return .error(400, "Invalid Query Date Range", code: 2005, quirks: quirks) }
        let window = InstantRange(start: since, end: until)
        var overrides = await store.overrides(scheduleID: scheduleID).filter { $0.start < window.end && window.start < $0.end }
        var items: [JSONValue]
        if query.flag("editable") {
            overrides = overrides.filter { $0.start > now }
            items = overrides.map { .object([("id", .string($0.id))]) }
        } else {
            items = []
            for override in overrides {
                var shown = override
                if !query.flag("overflow") {
                    shown.start = max(override.start, window.start)
                    shown.end = min(override.end, window.end)
                }
                items.append(await overrideJSON(shown, zone: zone, includeID: true))
            }
        }
        var pairs: [(String, JSONValue)] = [("overrides", .array(items))]
        if quirks.paginateOverrideListing {
            pairs += [("limit", .int(items.count)), ("offset", .int(0)), ("more", .bool(false)), ("total", .null)]
        }
        return .json(quirks.overrideListingStatus, .object(pairs))
    }

    func createOverrides(_ scheduleID: String, body: [UInt8], contentType: String?) async -> SandboxReply {
        guard contentType?.lowercased().hasPrefix("application/json") == true else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["Content-Type must be application/json"], quirks: quirks)
        }
        guard let schedule = await store.schedule(id: scheduleID) else { return notFound() }
        if schedule.type != "schedule" { return v3Refusal() }
        let zone = Zone(identifier: schedule.timeZone) ?? .utc
        let dictionary = (try? JSONValue.parse(body)).flatMap { $0.objectValue == nil ? nil : $0 }
        // The deprecated single form, as the `singleOverrideForm` quirk has it (`.removed` falls
        // through to the refusal of a body without `overrides`).
        var bulk = dictionary?["overrides"]?.arrayValue
        if let single = dictionary?["override"], single.objectValue != nil {
            switch quirks.singleOverrideForm {
            case .legacyObject: return await createSingle(single, schedule: schedule, zone: zone)
            case .asBulk: bulk = [single]
            case .removed: bulk = nil
            }
        }
        guard let items = bulk, !items.isEmpty else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["overrides must be a non-empty list"], quirks: quirks)
        }
        guard items.count <= quirks.maxOverridesPerRequest else {
            return .error(
                400, "Invalid Input Provided", code: 2001,
                errors: ["overrides should have at most \(quirks.maxOverridesPerRequest) item(s)"], quirks: quirks
            )
        }
        var results: [JSONValue] = []
        var allErrors: [String] = []
        var created = 0
        for item in items {
            let fields = item.objectValue == nil ? JSONValue.object([]) : item
            let candidate = await validate(fields, zone: zone)
            switch candidate {
            case .valid(let start, let end, let user):
                guard let override = try? await store.createOverride(scheduleID: scheduleID, start: start, end: end, userID: user.id) else {
                    return .error(500, "An internal error has occurred. PagerDuty team has been notified.", code: 2000, quirks: quirks)
                }
                created += 1
                results.append(.object([("status", .int(201)), ("override", await overrideJSON(override, zone: zone, includeID: true))]))
            case .invalid(let errors, let echo):
                allErrors += errors
                results.append(.object([("status", .int(400)), ("errors", .array(errors.map(JSONValue.string))), ("override", echo)]))
            }
        }
        if created > 0 {
            do { try await store.persistNow() } catch {
                return .error(500, "An internal error has occurred. PagerDuty team has been notified.", code: 2000, quirks: quirks)
            }
        }
        if created == 0, quirks.allFailedStatus == 400 {
            return .error(400, "Invalid Input Provided", code: 2001, errors: allErrors, quirks: quirks)
        }
        return .json(201, quirks.wrapBulkResponse ? .object([("overrides", .array(results))]) : .array(results))
    }

    func createSingle(_ fields: JSONValue, schedule: SandboxSchedule, zone: Zone) async -> SandboxReply {
        switch await validate(fields, zone: zone) {
        case .valid(let start, let end, let user):
            guard let override = try? await store.createOverride(scheduleID: schedule.id, start: start, end: end, userID: user.id),
                (try? await store.persistNow()) != nil
            else {
                return .error(500, "An internal error has occurred. PagerDuty team has been notified.", code: 2000, quirks: quirks)
            }
            return .json(201, .object([("override", await overrideJSON(override, zone: zone, includeID: true))]))
        case .invalid(let errors, _):
            // `errors` is the declared list of strings, or one comma-joined string as seen in 2021
            // (go-pagerduty #339) under `singleOverrideErrorsAsString`; every error quirk applies.
            var shape = quirks
            shape.errorsAsString = quirks.errorsAsString || quirks.singleOverrideErrorsAsString
            return .error(400, "Invalid Override", code: 2001, errors: errors, quirks: shape)
        }
    }

    enum Candidate {
        case valid(Instant, Instant, SandboxUser)
        case invalid([String], JSONValue)
    }

    /// Checks one requested override as PagerDuty does, collecting every reason it fails.
    func validate(_ fields: JSONValue, zone defaultZone: Zone) async -> Candidate {
        let zone = fields["time_zone"]?.stringValue.flatMap(Zone.init(identifier:)) ?? defaultZone
        let start = fields["start"]?.stringValue.flatMap { parseTime($0, zone: zone) }
        let end = fields["end"]?.stringValue.flatMap { parseTime($0, zone: zone) }
        let userID = fields["user"]?["id"]?.stringValue
        let user: SandboxUser?
        if let userID { user = await store.user(id: userID) } else { user = nil }
        var errors: [String] = []
        if start == nil { errors.append("Start must be a valid date and time") }
        if end == nil { errors.append("End must be a valid date and time") }
        if let start, let end {
            if end <= now { errors.append("Override must end in the future") }
            if end <= start { errors.append("Override must end after its start") }
            if quirks.rejectPastStart, start < now { errors.append("Override must start in the future") }
        }
        if user == nil { errors.append(userID == nil ? "User must be specified" : "User not found") }
        guard errors.isEmpty, let start, let end, let user else {
            var echo: [(String, JSONValue)] = []
            if let text = fields["start"]?.stringValue { echo.append(("start", .string(start.map { formatted($0, zone) } ?? text))) }
            if let text = fields["end"]?.stringValue { echo.append(("end", .string(end.map { formatted($0, zone) } ?? text))) }
            if let user {
                echo.append(("user", userReference(user)))
            } else if let userID {
                echo.append(("user", .object([("id", .string(userID)), ("type", .string("user_reference"))])))
            }
            return .invalid(errors, .object(echo))
        }
        return .valid(start, end, user)
    }

    func deleteOverride(_ scheduleID: String, _ id: String) async -> SandboxReply {
        guard let schedule = await store.schedule(id: scheduleID) else { return notFound() }
        if schedule.type != "schedule" { return v3Refusal() }
        guard let override = await store.overrides(scheduleID: scheduleID).first(where: { $0.id == id }) else {
            return .error(
                404, quirks.unknownOverrideCode == 4004 ? "Override Not Found" : "Not Found", code: quirks.unknownOverrideCode, quirks: quirks
            )
        }
        if override.end <= now {
            return .error(
                quirks.pastDeleteStatus, "Invalid Input Provided", code: 2001,
                errors: ["Cannot remove an override that has already ended"], quirks: quirks
            )
        }
        let status: Int
        if override.start > now {
            await store.deleteOverride(scheduleID: scheduleID, id: id)
            status = 204
        } else {
            await store.truncateOverride(scheduleID: scheduleID, id: id, end: now)
            status = 200
        }
        do { try await store.persistNow() } catch {
            return .error(500, "An internal error has occurred. PagerDuty team has been notified.", code: 2000, quirks: quirks)
        }
        return SandboxReply(status: status, body: nil)
    }

    func overrideJSON(_ override: SandboxOverride, zone: Zone, includeID: Bool) async -> JSONValue {
        let user = await store.user(id: override.userID)
        var pairs: [(String, JSONValue)] = []
        if includeID { pairs.append(("id", .string(override.id))) }
        pairs += [
            ("start", .string(formatted(override.start, quirks.overridesInUTC ? .utc : zone))),
            ("end", .string(formatted(override.end, quirks.overridesInUTC ? .utc : zone))),
            ("user", user.map(userReference) ?? .object([("id", .string(override.userID)), ("type", .string("user_reference"))])),
        ]
        return .object(pairs)
    }
}
