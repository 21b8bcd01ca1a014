public import PagerDuty

/// What an import reads from PagerDuty: the schedules with their layers, and of the layers'
/// members only what the configuration needs (id, name, e-mail, time zone).
public struct ImportSource: Sendable {
    public var schedules: [PagerDutySchedule]
    public var users: [String: PagerDutyUser]

    /// Reads the schedules `ids` (every schedule the key sees when nil), in the order given.
    public static func fetch(_ ids: [String]?, client: PagerDutyClient) async throws -> ImportSource {
        var wanted = ids ?? []
        if ids == nil { wanted = try await client.listSchedules().map(\.id) }
        var schedules: [PagerDutySchedule] = []
        for id in wanted { schedules.append(try await client.schedule(id: id)) }
        let userIDs = schedules.reduce(into: Set<String>()) { $0.formUnion($1.layerMemberIDs) }
        var users: [String: PagerDutyUser] = [:]
        // One listing (pages of 100) when it takes fewer requests than a look-up per member.
        if userIDs.count > 10 {
            for user in try await client.listUsers() where userIDs.contains(user.id) { users[user.id] = user }
        }
        for id in userIDs.sorted() where users[id] == nil { users[id] = try await client.user(id: id) }
        return ImportSource(schedules: schedules, users: users)
    }
}
