import Foundation
public import HandoffTime
import OrderedJSON

/// `GET`, `POST`, `PUT` and `DELETE` on `/v3/schedules/{id}/overrides`: overrides of one rotation
/// (or one custom shift) of a shift-based schedule.
extension PagerDutyClient {

    /// Overrides of a shift-based schedule that overlap `range`, with their real start and end,
    /// every page (25 by default, 100 asked for). Sent with `overflow=true` and `time_zone=UTC`;
    /// what comes back is filtered to `range` here, since which overrides PagerDuty's window
    /// selects is unconfirmed.
    public func v3Overrides(scheduleID: String, overlapping range: InstantRange, pageSize: Int = v3ItemPageSize) async throws -> [PagerDutyOverrideShift] {
        let listed = try await v3List(
            V3Page<PagerDutyOverrideShift>.self,
            path: Self.v3SchedulePath(scheduleID) + "/overrides",
            query: Self.v3WindowQuery(range),
            pageSize: pageSize,
            whatListed: "overrides",
            purpose: "list the overrides of shift-based schedule \(scheduleID)",
            scheduleID: scheduleID,
            pastTheLimit: .fail
        )
        return listed.filter { $0.range.overlaps(range) }
    }

    /// One override by id (how Handoff finds its own again), or nil when there is none (404).
    public func v3Override(scheduleID: String, overrideID: String) async throws -> PagerDutyOverrideShift? {
        let purpose = "read override \(overrideID) of shift-based schedule \(scheduleID)"
        let response = try await transport.send(APIRequest(method: .get, path: Self.v3OverridePath(scheduleID, overrideID), purpose: purpose))
        if response.status == 404 { return nil }
        try checkV3(response, purpose: purpose, write: false, scheduleID: scheduleID)
        return try decode(V3Single<PagerDutyOverrideShift>.self, response, purpose: purpose).value
    }

    /// Creates overrides in one request (`{"overrides": [...]}`) and returns them in the order
    /// asked, with their ids. Keep batches small (PagerDuty's maximum is unconfirmed; twenty is
    /// the sheet's advice).
    ///
    /// A 400 is `.refused`: nothing was created, and the error holds PagerDuty's message and every
    /// detail, whether `errors` came as a field map or as a list. Throws `outcomeUnknown` when the
    /// response was lost, was a 5xx, or does not say which created override is which (another
    /// count, other times): some may exist, so list and match before creating any again. The POST
    /// itself is never repeated unless it certainly never left.
    public func createV3Overrides(scheduleID: String, _ overrides: [NewOverrideShift]) async throws -> ShiftBatchCreation<PagerDutyOverrideShift> {
        guard !overrides.isEmpty else { return .created([]) }
        let purpose = "create \(overrides.count == 1 ? "1 override" : "\(overrides.count) overrides") on shift-based schedule \(scheduleID)"
        let items: [JSONValue] = overrides.map { override in
            var pairs: [(String, JSONValue)] = [("type", .string("override_shift"))]
            switch override.target {
            case .rotation(let id): pairs.append(("rotation_id", .string(id)))
            case .customShift(let id): pairs.append(("custom_shift_id", .string(id)))
            }
            pairs += [
                ("start_time", .string(override.start.description)),
                ("end_time", .string(override.end.description)),
                ("overridden_member", Self.memberJSON(override.overriddenMember)),
                ("overriding_member", Self.memberJSON(override.overridingMember)),
            ]
            return .object(pairs)
        }
        let response = try await transport.send(
            APIRequest(
                method: .post,
                path: Self.v3SchedulePath(scheduleID) + "/overrides",
                body: Self.v3Body(.object([("overrides", .array(items))])),
                purpose: purpose
            )
        )
        if let refusal = try refusal(response, purpose: purpose, scheduleID: scheduleID) { return .refused(refusal) }
        try checkV3(response, purpose: purpose, write: true, scheduleID: scheduleID)
        let created = try? JSONDecoder().decode(V3Page<PagerDutyOverrideShift>.self, from: Data(response.body)).items
        guard let created, let matched = Self.matched(created, to: overrides) else {
            throw unknownCreation(purpose: purpose, what: "override", response: response)
        }
        return .created(matched)
    }

    /// Moves an override in place: a new start, end or overriding member (`PUT`, repeated safely
    /// after a lost answer, since it sets the same values again). Returns the override as
    /// PagerDuty now has it. A refusal (400: an override that has started or ended may accept
    /// less) is thrown as `rejected` with every detail; a missing override as `notFound`.
    public func updateV3Override(scheduleID: String, overrideID: String, _ change: OverrideShiftChange) async throws -> PagerDutyOverrideShift {
        let purpose = "move override \(overrideID) of shift-based schedule \(scheduleID)"
        let fields: [(String, JSONValue)] =
            [
                change.start.map { ("start_time", JSONValue.string($0.description)) },
                change.end.map { ("end_time", JSONValue.string($0.description)) },
                change.overridingMember.map { ("overriding_member", Self.memberJSON($0)) },
            ].compactMap { $0 }
        let response = try await transport.send(
            APIRequest(
                method: .put,
                path: Self.v3OverridePath(scheduleID, overrideID),
                body: Self.v3Body(.object([("override", .object(fields))])),
                purpose: purpose
            )
        )
        try checkV3(response, purpose: purpose, write: true, scheduleID: scheduleID, itemRequest: true)
        return try decode(V3Single<PagerDutyOverrideShift>.self, response, purpose: purpose).value
    }

    /// Deletes an override. Every answer that leaves no override in the future is an outcome,
    /// not an error: 204 (removed, or cut to end now if it had started), 200 (cut, as v2 says
    /// it), 404 (already gone). A 400 is "already ended" only when a read of the override shows
    /// that it ended by `now` (the run's time); any other 400 is a refusal, thrown, since taking it
    /// for an outcome would leave someone on call that nobody chose. A 400 naming the layered API
    /// is `wrongScheduleKind`, thrown.
    public func deleteV3Override(scheduleID: String, overrideID: String, now: Instant) async throws -> ShiftDeletion {
        try await deleteV3Item(
            path: Self.v3OverridePath(scheduleID, overrideID),
            purpose: "delete override \(overrideID) of shift-based schedule \(scheduleID)",
            scheduleID: scheduleID,
            now: now,
            end: { try await self.v3Override(scheduleID: scheduleID, overrideID: overrideID)?.end }
        )
    }

    // MARK: - Shared by overrides and custom shifts

    static func v3OverridePath(_ scheduleID: String, _ overrideID: String) -> String {
        v3SchedulePath(scheduleID) + "/overrides/\(QueryString.escape(overrideID))"
    }

    /// A 400 to a bulk create that is not about the schedule's kind: the whole request was
    /// refused, as one error with PagerDuty's message and every detail.
    func refusal(_ response: APIResponse, purpose: String, scheduleID: String) throws -> PagerDutyError? {
        guard response.status == 400 else { return nil }
        if let wrong = wrongKind(response, purpose: purpose, scheduleID: scheduleID, api: .shiftBased) { throw wrong }
        do {
            try check(response, purpose: purpose, write: true)
        } catch let error as PagerDutyError {
            return error
        }
        return nil
    }

    func unknownCreation(purpose: String, what: String, response: APIResponse) -> PagerDutyError {
        PagerDutyError(
            .outcomeUnknown,
            "PagerDuty's answer to \(purpose) (\(response.status)) did not say which \(what) is which; whether they exist is unknown",
            status: response.status
        )
    }

    /// `end` reads the item's end again (nil: it is gone), to tell an item that ended from a
    /// refusal of another kind when PagerDuty answers 400.
    func deleteV3Item(
        path: String, purpose: String, scheduleID: String, now: Instant, end: @Sendable () async throws -> Instant?
    ) async throws -> ShiftDeletion {
        let response = try await transport.send(APIRequest(method: .delete, path: path, purpose: purpose))
        switch response.status {
        case 204: return .deleted
        case 200: return .truncated
        case 404: return .notFound
        case 400:
            if let wrong = wrongKind(response, purpose: purpose, scheduleID: scheduleID, api: .shiftBased) { throw wrong }
            // The follow-up read tells an item that already ended (done) from a real refusal.
            guard let itemEnd = try await end() else { return .notFound }
            guard itemEnd <= now else {
                throw ((try? refusal(response, purpose: purpose, scheduleID: scheduleID)) ?? nil)
                    ?? PagerDutyError(.rejected, "PagerDuty refused to \(purpose) on \(connection) (400)", status: 400)
            }
            let body = ErrorBody(bytes: response.body, key: configuration.key)
            return .alreadyEnded(body.errors.isEmpty ? [body.message].compactMap { $0 } : body.errors)
        default:
            try checkV3(response, purpose: purpose, write: true, scheduleID: scheduleID, itemRequest: true)
            return .deleted
        }
    }

    /// The created overrides in the order requested: each request takes the first unused answer
    /// with its start and end and, where the answer names them, its target and members (what the
    /// answer leaves out is filled in from the request). Nil when any request finds none, or the
    /// counts differ: which is which is then unknown.
    static func matched(_ created: [PagerDutyOverrideShift], to requested: [NewOverrideShift]) -> [PagerDutyOverrideShift]? {
        guard created.count == requested.count else { return nil }
        var unused = created
        var result: [PagerDutyOverrideShift] = []
        for request in requested {
            guard
                let index = unused.firstIndex(where: {
                    $0.start == request.start && $0.end == request.end && ($0.target ?? request.target) == request.target
                        && ($0.overriddenMember ?? request.overriddenMember) == request.overriddenMember
                        && ($0.overridingMember ?? request.overridingMember) == request.overridingMember
                })
            else { return nil }
            var override = unused.remove(at: index)
            override.target = override.target ?? request.target
            override.overriddenMember = override.overriddenMember ?? request.overriddenMember
            override.overridingMember = override.overridingMember ?? request.overridingMember
            result.append(override)
        }
        return result
    }
}
