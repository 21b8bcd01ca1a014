import Foundation
public import HandoffTime
import OrderedJSON

/// `GET`, `POST`, `PUT` and `DELETE` on `/v3/schedules/{id}/custom_shifts`: one-off shifts that
/// add a person to a shift-based schedule's on-call, where no rotation covers.
extension PagerDutyClient {

    /// Custom shifts of a shift-based schedule that overlap `range`, with their real start and
    /// end, every page; sent and filtered as `v3Overrides` is.
    public func v3CustomShifts(scheduleID: String, overlapping range: InstantRange, pageSize: Int = v3ItemPageSize) async throws -> [PagerDutyCustomShift] {
        let listed = try await v3List(
            V3Page<PagerDutyCustomShift>.self,
            path: Self.v3SchedulePath(scheduleID) + "/custom_shifts",
            query: Self.v3WindowQuery(range),
            pageSize: pageSize,
            whatListed: "custom shifts",
            purpose: "list the custom shifts of shift-based schedule \(scheduleID)",
            scheduleID: scheduleID,
            pastTheLimit: .fail
        )
        return listed.filter { $0.range.overlaps(range) }
    }

    /// One custom shift by id, or nil when there is none (404).
    public func v3CustomShift(scheduleID: String, customShiftID: String) async throws -> PagerDutyCustomShift? {
        let purpose = "read custom shift \(customShiftID) of shift-based schedule \(scheduleID)"
        let response = try await transport.send(APIRequest(method: .get, path: Self.v3CustomShiftPath(scheduleID, customShiftID), purpose: purpose))
        if response.status == 404 { return nil }
        try checkV3(response, purpose: purpose, write: false, scheduleID: scheduleID)
        return try decode(V3Single<PagerDutyCustomShift>.self, response, purpose: purpose).value
    }

    /// Creates custom shifts in one request (`{"custom_shifts": [...]}`, one assignment each) and
    /// returns them in the order asked, with their ids. Outcomes as for `createV3Overrides`: a 400
    /// is `.refused` with every detail; a lost or unmatched answer throws `outcomeUnknown`.
    public func createV3CustomShifts(scheduleID: String, _ shifts: [NewCustomShift]) async throws -> ShiftBatchCreation<PagerDutyCustomShift> {
        guard !shifts.isEmpty else { return .created([]) }
        let purpose = "create \(shifts.count == 1 ? "1 custom shift" : "\(shifts.count) custom shifts") on shift-based schedule \(scheduleID)"
        let items: [JSONValue] = shifts.map { shift in
            .object([
                ("type", .string("custom_shift")),
                ("start_time", .string(shift.start.description)),
                ("end_time", .string(shift.end.description)),
                ("assignments", .array([Self.assignmentJSON(shift.member)])),
            ])
        }
        let response = try await transport.send(
            APIRequest(
                method: .post,
                path: Self.v3SchedulePath(scheduleID) + "/custom_shifts",
                body: Self.v3Body(.object([("custom_shifts", .array(items))])),
                purpose: purpose
            )
        )
        if let refusal = try refusal(response, purpose: purpose, scheduleID: scheduleID) { return .refused(refusal) }
        try checkV3(response, purpose: purpose, write: true, scheduleID: scheduleID)
        let created = try? JSONDecoder().decode(V3Page<PagerDutyCustomShift>.self, from: Data(response.body)).items
        guard let created, let matched = Self.matched(created, to: shifts) else {
            throw unknownCreation(purpose: purpose, what: "custom shift", response: response)
        }
        return .created(matched)
    }

    /// Changes a custom shift in place (`PUT`; after its start PagerDuty takes only a new end).
    /// Returns it as PagerDuty now has it; a refusal is thrown as `rejected` with every detail.
    public func updateV3CustomShift(scheduleID: String, customShiftID: String, _ change: CustomShiftChange) async throws -> PagerDutyCustomShift {
        let purpose = "change custom shift \(customShiftID) of shift-based schedule \(scheduleID)"
        let fields: [(String, JSONValue)] =
            [
                change.start.map { ("start_time", JSONValue.string($0.description)) },
                change.end.map { ("end_time", JSONValue.string($0.description)) },
                change.member.map { ("assignments", JSONValue.array([Self.assignmentJSON($0)])) },
            ].compactMap { $0 }
        let response = try await transport.send(
            APIRequest(
                method: .put,
                path: Self.v3CustomShiftPath(scheduleID, customShiftID),
                body: Self.v3Body(.object([("custom_shift", .object(fields))])),
                purpose: purpose
            )
        )
        try checkV3(response, purpose: purpose, write: true, scheduleID: scheduleID, itemRequest: true)
        return try decode(V3Single<PagerDutyCustomShift>.self, response, purpose: purpose).value
    }

    /// Deletes a custom shift: 204 removed (not started) or cut to end now (started), 404 already
    /// gone, 400 already ended (documented) when a read shows it ended by `now`; any other 400 is
    /// a refusal, thrown.
    public func deleteV3CustomShift(scheduleID: String, customShiftID: String, now: Instant) async throws -> ShiftDeletion {
        try await deleteV3Item(
            path: Self.v3CustomShiftPath(scheduleID, customShiftID),
            purpose: "delete custom shift \(customShiftID) of shift-based schedule \(scheduleID)",
            scheduleID: scheduleID,
            now: now,
            end: { try await self.v3CustomShift(scheduleID: scheduleID, customShiftID: customShiftID)?.end }
        )
    }

    // MARK: - Helpers

    static func v3CustomShiftPath(_ scheduleID: String, _ customShiftID: String) -> String {
        v3SchedulePath(scheduleID) + "/custom_shifts/\(QueryString.escape(customShiftID))"
    }

    static func assignmentJSON(_ member: PagerDutyShiftMember) -> JSONValue {
        .object([("type", .string("shift_assignment")), ("member", memberJSON(member))])
    }

    /// The created custom shifts in the order requested, matched on start, end and (where the
    /// answer names it) the member; nil when which is which cannot be told.
    static func matched(_ created: [PagerDutyCustomShift], to requested: [NewCustomShift]) -> [PagerDutyCustomShift]? {
        guard created.count == requested.count else { return nil }
        var unused = created
        var result: [PagerDutyCustomShift] = []
        for request in requested {
            guard
                let index = unused.firstIndex(where: {
                    $0.start == request.start && $0.end == request.end && ($0.members.isEmpty || $0.members == [request.member])
                })
            else { return nil }
            var shift = unused.remove(at: index)
            if shift.members.isEmpty { shift.members = [request.member] }
            result.append(shift)
        }
        return result
    }
}
