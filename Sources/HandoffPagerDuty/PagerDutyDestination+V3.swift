public import HandoffDestination
public import HandoffTime
import PagerDuty
import SafeText
import Synchronization

// MARK: - Shift-based schedules: listing, creating, deleting and moving

extension PagerDutyDestination {
    /// Objects per v3 create request: the reference's advice (section 12.4; PagerDuty's maximum
    /// is unconfirmed).
    public static let v3BatchSize = 20

    /// The most v3 object starts kept to classify deletes (a bound on memory whatever is listed).
    static let listedStartsLimit = 100_000

    // MARK: - Listing

    /// A shift-based schedule's overrides and custom shifts overlapping `window`, every page of
    /// both, as records with their targets: an override of a rotation is `.rotation(id:,
    /// replacing:)` (the user it replaces; nil for a vacant seat), one of a custom shift
    /// `.customShiftOverride`, each with the overriding user; a custom shift is one record per
    /// assigned user, `.customShift`.
    ///
    /// A custom shift with several members (made by a person in PagerDuty's web app; the API and
    /// Handoff make one member each) is one object, listed once: its person is all of its members
    /// (`membersKey`), which no wanted shift has, so it is never matched or adopted as Handoff's
    /// own, and where it must go (reverted, or in the way) it is one delete that names them all.
    ///
    /// An object that puts no user on call (an override whose overriding member is
    /// `empty_member`, a custom shift's vacant or unknown member) is **not listed**: it shows no
    /// person, Handoff never writes one, so it is never Handoff's own and never matches a wanted
    /// piece; it stays as PagerDuty has it (the layout still reads its effect on the rotation
    /// through the member it replaces). An override that names neither a rotation nor a custom
    /// shift is refused: which object it is could only be guessed.
    func v3Records(schedule: String, overlapping window: InstantRange) async throws -> [OverrideRecord] {
        async let listedOverrides = client.v3Overrides(scheduleID: schedule, overlapping: window)
        async let listedShifts = client.v3CustomShifts(scheduleID: schedule, overlapping: window)
        let overrides = try await listedOverrides
        let shifts = try await listedShifts
        var records: [OverrideRecord] = []
        var starts: [String: Instant] = [:]
        for override in overrides {
            starts[Self.key(override.id, customShift: false)] = override.start
            guard let userID = override.overridingMember?.userID else { continue }
            let target: OverrideTarget
            switch override.target {
            case .rotation(let id)?: target = .rotation(id: id, replacing: override.overriddenMember?.userID)
            case .customShift(let id)?: target = .customShiftOverride(id: id, replacing: override.overriddenMember?.userID)
            case nil:
                throw DestinationError(
                    .other,
                    "PagerDuty listed override \(SafeText.excerpt(override.id)) of shift-based schedule \(SafeText.excerpt(schedule)) "
                        + "without saying which rotation or custom shift it overrides"
                )
            }
            records.append(OverrideRecord(id: override.id, start: override.start, end: override.end, userID: userID, target: target))
        }
        for shift in shifts {
            starts[Self.key(shift.id, customShift: true)] = shift.start
            // Several members, at least one of them a user; otherwise the one member's user (a
            // shift of vacant or unknown seats alone puts nobody on call: not listed).
            let several = shift.members.count > 1 && shift.members.contains { $0.userID != nil }
            let userID = several ? Self.membersKey(shift.members) : shift.members.lazy.compactMap(\.userID).first
            guard let userID else { continue }
            records.append(OverrideRecord(id: shift.id, start: shift.start, end: shift.end, userID: userID, target: .customShift))
        }
        listedStarts.withLock { known in
            if known.count + starts.count > Self.listedStartsLimit { known.removeAll() }
            known.merge(starts) { _, new in new }
        }
        return records
    }

    static func key(_ id: String, customShift: Bool) -> String {
        (customShift ? "custom_shift:" : "override:") + id
    }

    // MARK: - Custom shifts of several members

    /// Between the members of a several-member custom shift in its person's id (PagerDuty's
    /// user ids are letters and digits, so no single user's id contains it).
    static let membersSeparator: Character = ","
    /// A vacant seat, and a member of a type Handoff does not know, in such an id.
    static let vacantMember = "empty"
    static let unknownMember = "unknown"
    /// The most members named (PagerDuty allows 20 on an event); the rest are counted.
    static let membersLimit = 20

    /// The person of a custom shift with several members: every member in PagerDuty's order,
    /// `PALICE1,PBOB001` (`empty` for a vacant seat), up to `membersLimit`, then `+N`.
    static func membersKey(_ members: [PagerDutyShiftMember]) -> String {
        var parts = members.prefix(membersLimit).map { member -> String in
            switch member {
            case .user(let id): id
            case .empty: vacantMember
            case .unknown: unknownMember
            }
        }
        if members.count > membersLimit { parts.append("+\(members.count - membersLimit)") }
        return parts.joined(separator: String(membersSeparator))
    }

    /// The people of a `membersKey` as one: their names and e-mail addresses, joined (a user
    /// PagerDuty no longer has is named by id). Nil when `id` is not such a key.
    func membersUser(id: String) async throws -> DestinationUser? {
        guard id.contains(Self.membersSeparator) else { return nil }
        var names: [String] = []
        var emails: [String] = []
        for part in id.split(separator: Self.membersSeparator).prefix(Self.membersLimit + 1).map(String.init) {
            switch part {
            case Self.vacantMember: names.append("a vacant seat")
            case Self.unknownMember: names.append("a member of an unknown type")
            case _ where part.hasPrefix("+"): names.append("\(part.dropFirst()) more")
            default:
                // One member's id holds no separator: `user(id:)` looks it up as any other.
                if let user = try await user(id: part) {
                    names.append(user.name)
                    emails.append(user.email)
                } else {
                    names.append("deleted PagerDuty user \(part)")
                }
            }
        }
        let name = SafeText.list(names)
        return DestinationUser(id: id, name: name, email: emails.isEmpty ? "unknown" : emails.joined(separator: ", "))
    }

    // MARK: - Creating

    /// Creates the items of `overrides` whose target is `.rotation` (as v3 overrides) or
    /// `.customShift` (as v3 custom shifts), `v3BatchSize` per request, and puts each one's
    /// result at its index in `results`. A v3 400 refuses a whole request with no per-item
    /// status (reference 12.4): its items are then sent one by one, so that only the refused ones
    /// are rejected. A lost answer throws `.outcomeUnknown` (the applier lists and matches by
    /// target before sending anything again).
    func createV3(schedule: String, _ overrides: [PlannedOverride], into results: inout [OverrideCreationResult?]) async throws {
        let rotationItems = overrides.indices.filter { if case .rotation = overrides[$0].target { true } else { false } }
        let shiftItems = overrides.indices.filter { overrides[$0].target == .customShift }
        for chunk in Self.chunks(rotationItems) {
            try await create(chunk.map { overrides[$0] }, indices: chunk, into: &results) { items in
                try await self.createOverrideShifts(schedule: schedule, items)
            }
        }
        for chunk in Self.chunks(shiftItems) {
            try await create(chunk.map { overrides[$0] }, indices: chunk, into: &results) { items in
                try await self.createCustomShifts(schedule: schedule, items)
            }
        }
    }

    /// One request's items: created with ids, or refused (then one by one).
    private func create(
        _ items: [PlannedOverride],
        indices: [Int],
        into results: inout [OverrideCreationResult?],
        send: ([PlannedOverride]) async throws -> Result<[OverrideRecord], PagerDutyError>
    ) async throws {
        switch try await send(items) {
        case .success(let records):
            for (index, record) in zip(indices, records) { results[index] = .created(record) }
        case .failure(let refusal) where items.count == 1:
            if let index = indices.first, let item = items.first { results[index] = .rejected(item, reason: Self.reason(item, refusal)) }
        case .failure:
            for (index, item) in zip(indices, items) {
                switch try await send([item]) {
                case .success(let records):
                    results[index] = records.first.map(OverrideCreationResult.created)
                case .failure(let refusal):
                    results[index] = .rejected(item, reason: Self.reason(item, refusal))
                }
            }
        }
    }

    private func createOverrideShifts(schedule: String, _ items: [PlannedOverride]) async throws -> Result<[OverrideRecord], PagerDutyError> {
        let requests = items.compactMap { item -> NewOverrideShift? in
            guard case .rotation(let rotation, let replacing) = item.target else { return nil }
            return NewOverrideShift(
                target: .rotation(id: rotation), start: item.start, end: item.end,
                overriddenMember: replacing.map { .user(id: $0) } ?? .empty, overridingMember: .user(id: item.userID)
            )
        }
        switch try await client.createV3Overrides(scheduleID: schedule, requests) {
        case .created(let created):
            return .success(zip(created, items).map { OverrideRecord(id: $0.id, start: $0.start, end: $0.end, userID: $1.userID, target: $1.target) })
        case .refused(let error):
            return .failure(error)
        }
    }

    private func createCustomShifts(schedule: String, _ items: [PlannedOverride]) async throws -> Result<[OverrideRecord], PagerDutyError> {
        let requests = items.map { NewCustomShift(start: $0.start, end: $0.end, member: .user(id: $0.userID)) }
        switch try await client.createV3CustomShifts(scheduleID: schedule, requests) {
        case .created(let created):
            return .success(zip(created, items).map { OverrideRecord(id: $0.id, start: $0.start, end: $0.end, userID: $1.userID, target: .customShift) })
        case .refused(let error):
            return .failure(error)
        }
    }

    static func chunks(_ indices: [Int]) -> [[Int]] {
        stride(from: 0, to: indices.count, by: v3BatchSize).map { Array(indices[$0..<min($0 + v3BatchSize, indices.count)]) }
    }

    /// One sentence: which object PagerDuty refused, and PagerDuty's reasons (already escaped).
    static func reason(_ item: PlannedOverride, _ refusal: PagerDutyError) -> String {
        let what: String
        switch item.target {
        case .rotation(let rotation, let replacing):
            what = "the override of \(replacing.map { "user \(SafeText.excerpt($0))" } ?? "the vacant seat") on rotation \(SafeText.excerpt(rotation))"
        default:
            what = "the custom shift"
        }
        let details = refusal.apiErrors.isEmpty ? (refusal.apiMessage ?? refusal.message) : refusal.apiErrors.prefix(10).joined(separator: "; ")
        return "PagerDuty refused \(what) \(item.start) → \(item.end) for user \(SafeText.excerpt(item.userID)) (\(refusal.status ?? 400)): \(details)"
    }

    // MARK: - Deleting

    /// Deletes a v3 override (`.rotation`, `.customShiftOverride`) or custom shift
    /// (`.customShift`). PagerDuty answers 204 whether it removed the object or cut it to end
    /// now: an object this run listed as started by now is `.truncated`, any other `.deleted`;
    /// 200 (v2's answer to a cut) is `.truncated`; 404, and 400 for an object that has already
    /// ended, are `.alreadyGone` (reference 12.6).
    ///
    /// One object is deleted once a run: a second delete of an id PagerDuty already confirmed
    /// (which would cut a started object again, or answer 404) is `.alreadyGone`, unsent.
    func deleteV3(schedule: String, id: String, target: OverrideTarget) async throws -> OverrideDeletionResult {
        let now = self.now()
        let customShift = target == .customShift
        let key = Self.key(id, customShift: customShift)
        if confirmedV3Deletes.withLock({ $0.contains(key) }) { return .alreadyGone }
        let deletion = try await translated(schedule) {
            customShift
                ? try await client.deleteV3CustomShift(scheduleID: schedule, customShiftID: id, now: now)
                : try await client.deleteV3Override(scheduleID: schedule, overrideID: id, now: now)
        }
        let result: OverrideDeletionResult
        switch deletion {
        case .deleted:
            let start = listedStarts.withLock { $0[key] }
            result = start.map { $0 <= now } == true ? .truncated : .deleted
        case .truncated: result = .truncated
        case .notFound, .alreadyEnded: result = .alreadyGone
        }
        confirmedV3Deletes.withLock { known in
            if known.count >= Self.listedStartsLimit { known.removeAll() }
            known.insert(key)
        }
        return result
    }

    // MARK: - Reading one back

    /// A v3 override or custom shift by id as PagerDuty holds it now (how the applier learns
    /// where a started one was cut), nil when PagerDuty has none (404). An override is returned
    /// with the target and user PagerDuty names (the target asked for where the answer leaves
    /// them out; an empty user where nobody overrides); a custom shift with its first user. The
    /// whole schedule's override layer (`.schedule`) has no such read: `.unsupported`.
    public func override(schedule: String, id: String, target: OverrideTarget) async throws -> OverrideRecord? {
        switch target {
        case .schedule:
            throw DestinationError(.unsupported, "a layer-based PagerDuty schedule cannot read one override by its id")
        case .rotation, .customShiftOverride:
            guard let found = try await translated(schedule, { try await client.v3Override(scheduleID: schedule, overrideID: id) }) else { return nil }
            let replacing = found.overriddenMember?.userID
            let answered: OverrideTarget? =
                switch found.target {
                case .rotation(let rotation)?: .rotation(id: rotation, replacing: replacing)
                case .customShift(let shift)?: .customShiftOverride(id: shift, replacing: replacing)
                case nil: nil
                }
            return OverrideRecord(id: found.id, start: found.start, end: found.end, userID: found.overridingMember?.userID ?? "", target: answered ?? target)
        case .customShift:
            guard let found = try await translated(schedule, { try await client.v3CustomShift(scheduleID: schedule, customShiftID: id) }) else { return nil }
            return OverrideRecord(id: found.id, start: found.start, end: found.end, userID: found.members.lazy.compactMap(\.userID).first ?? "", target: .customShift)
        }
    }

    // MARK: - Moving

    /// Changes a v3 override (its start, end and overriding user; PagerDuty cannot change its
    /// rotation or the member it replaces) or custom shift (start, end, member) in place with one
    /// PUT (of an override's end alone where `previous` has its start and person), and returns it
    /// as PagerDuty now has it, under the same id and target. The whole schedule's override layer
    /// (`.schedule`) has no such call: `.unsupported`.
    public func updateOverride(schedule: String, id: String, from previous: OverrideRecord?, to override: PlannedOverride) async throws -> OverrideRecord {
        switch override.target {
        case .schedule:
            throw DestinationError(.unsupported, "a layer-based PagerDuty schedule cannot change an override in place; delete it and create a new one")
        case .rotation, .customShiftOverride:
            // Once an override has started PagerDuty takes only a new end (reference 7.7), which is
            // all the reconciler changes of a started one (it cuts or lengthens it): a PUT that keeps
            // the start and person the plan found sends the end alone, whether or not it started.
            let change =
                previous.map { $0.start == override.start && $0.userID == override.userID } == true
                ? OverrideShiftChange(end: override.end)
                : OverrideShiftChange(start: override.start, end: override.end, overridingMember: .user(id: override.userID))
            let updated = try await translated(schedule) { try await client.updateV3Override(scheduleID: schedule, overrideID: id, change) }
            return OverrideRecord(
                id: updated.id, start: updated.start, end: updated.end, userID: updated.overridingMember?.userID ?? override.userID, target: override.target
            )
        case .customShift:
            let change = CustomShiftChange(start: override.start, end: override.end, member: .user(id: override.userID))
            let updated = try await translated(schedule) { try await client.updateV3CustomShift(scheduleID: schedule, customShiftID: id, change) }
            return OverrideRecord(
                id: updated.id, start: updated.start, end: updated.end, userID: updated.member?.userID ?? override.userID, target: .customShift
            )
        }
    }
}
