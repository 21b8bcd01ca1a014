import Foundation
public import HandoffTime
public import PagerDuty

/// What an import reads from PagerDuty: the schedules with their layers (layer-based) or their
/// rotations, custom shifts and overrides (shift-based), and of the members only what the
/// configuration needs (id, name, e-mail, time zone).
public struct ImportSource: Sendable {
    /// The layer-based schedules, in the order asked for.
    public var schedules: [PagerDutySchedule]
    /// The shift-based schedules, in the order asked for.
    public var shiftBased: [ShiftBasedImport]
    /// Every schedule in the order asked for.
    public var order: [Item]
    public var users: [String: PagerDutyUser]

    /// A place in `order`: an index into `schedules` or into `shiftBased`.
    public enum Item: Sendable, Hashable {
        case layerBased(Int)
        case shiftBased(Int)
    }

    public init(schedules: [PagerDutySchedule], shiftBased: [ShiftBasedImport] = [], order: [Item]? = nil, users: [String: PagerDutyUser]) {
        self.schedules = schedules
        self.shiftBased = shiftBased
        self.order = order ?? (schedules.indices.map(Item.layerBased) + shiftBased.indices.map(Item.shiftBased))
        self.users = users
    }

    /// How far ahead custom shifts and overrides of a shift-based schedule are read.
    public static let shiftWindowSeconds: Int64 = 366 * 86_400

    /// Reads the schedules `ids` (every schedule the key sees when nil, layer-based first), in the
    /// order given. Each id's kind is found out (the layered API is asked first, so a layer-based
    /// schedule costs the one read it always did); custom shifts and overrides of a shift-based
    /// one are read from `now` (the system clock when nil) for a year.
    public static func fetch(_ ids: [String]?, client: PagerDutyClient, now: Instant? = nil) async throws -> ImportSource {
        let now = now ?? Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))
        var schedules: [PagerDutySchedule] = []
        var shiftBased: [ShiftBasedImport] = []
        var order: [Item] = []
        func addShiftBased(_ id: String, _ known: PagerDutyV3Schedule?) async throws {
            let schedule: PagerDutyV3Schedule
            if let known { schedule = known } else { schedule = try await client.v3Schedule(id: id) }
            let window = InstantRange(start: now, end: now.adding(seconds: shiftWindowSeconds))
            let customShifts = try await client.v3CustomShifts(scheduleID: schedule.id, overlapping: window)
            let overrides = try await client.v3Overrides(scheduleID: schedule.id, overlapping: window)
            order.append(.shiftBased(shiftBased.count))
            shiftBased.append(ShiftBasedImport(schedule: schedule, customShifts: customShifts, overrides: overrides))
        }
        if let ids {
            for id in ids {
                switch try await client.detectScheduleKind(id: id, expected: .layerBased) {
                case .layerBased(let schedule?):
                    order.append(.layerBased(schedules.count))
                    schedules.append(schedule)
                case .shiftBased(let schedule):
                    try await addShiftBased(id, schedule)
                case .layerBased(nil), .missing:
                    // The read that says what went wrong in the words it always did.
                    order.append(.layerBased(schedules.count))
                    schedules.append(try await client.schedule(id: id))
                }
            }
        } else {
            for reference in try await client.listSchedules() {
                order.append(.layerBased(schedules.count))
                schedules.append(try await client.schedule(id: reference.id))
            }
            let known = Set(schedules.map(\.id))
            for reference in try await client.listV3Schedules() where !known.contains(reference.id) {
                try await addShiftBased(reference.id, nil)
            }
        }
        var userIDs = schedules.reduce(into: Set<String>()) { $0.formUnion($1.layerMemberIDs) }
        for item in shiftBased { userIDs.formUnion(item.memberIDs) }
        var users: [String: PagerDutyUser] = [:]
        // One listing (pages of 100) when it takes fewer requests than a look-up per member.
        if userIDs.count > 10 {
            for user in try await client.listUsers() where userIDs.contains(user.id) { users[user.id] = user }
        }
        for id in userIDs.sorted() where users[id] == nil { users[id] = try await client.user(id: id) }
        return ImportSource(schedules: schedules, shiftBased: shiftBased, order: order, users: users)
    }
}

/// A shift-based schedule as an import reads it: rotations with their events, and the custom
/// shifts and overrides of the coming year.
public struct ShiftBasedImport: Sendable, Hashable {
    public var schedule: PagerDutyV3Schedule
    public var customShifts: [PagerDutyCustomShift]
    public var overrides: [PagerDutyOverrideShift]

    public init(schedule: PagerDutyV3Schedule, customShifts: [PagerDutyCustomShift] = [], overrides: [PagerDutyOverrideShift] = []) {
        self.schedule = schedule
        self.customShifts = customShifts
        self.overrides = overrides
    }

    /// The users the configuration may name: members of events and of custom shifts.
    var memberIDs: Set<String> {
        var ids = Set(schedule.rotations.flatMap(\.events).flatMap { $0.assignmentStrategy?.members ?? [] }.compactMap(\.userID))
        for shift in customShifts { ids.formUnion(shift.members.compactMap(\.userID)) }
        return ids
    }
}
