import DurableFiles
import Foundation
public import HandoffTime

/// The simulated account: users, schedules, overrides and keys, indexed for the endpoints, and
/// written to its data file (atomically) after every change when it has one.
public actor SandboxStore {
    public let dataPath: String?
    private var users: [SandboxUser] = []
    private var userIndex: [String: Int] = [:]
    private var emailIndex: [String: Int] = [:]
    private var schedules: [SandboxSchedule] = []
    private var scheduleIndex: [String: Int] = [:]
    private var overridesBySchedule: [String: [SandboxOverride]] = [:]
    private var tokens: [String: SandboxToken] = [:]
    private var escalationPolicies: [SandboxEscalationPolicy] = []
    private var counter = 0

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Loads the data file when there is one, then adds from `seed` what is missing. Overrides
    /// of the seed are added only to a new account.
    public init(dataPath: String?, seed: SandboxSeed?) async throws {
        self.dataPath = dataPath
        var isNew = true
        if let dataPath, let bytes = try DurableFile.read(dataPath) {
            isNew = false
            do {
                let data = try JSONDecoder().decode(SandboxData.self, from: Data(bytes))
                for user in data.users { Self.insert(user, users: &users, index: &userIndex, emails: &emailIndex) }
                for schedule in data.schedules {
                    scheduleIndex[schedule.id] = schedules.count
                    schedules.append(schedule)
                }
                for override in data.overrides { overridesBySchedule[override.scheduleID, default: []].append(override) }
                for token in data.tokens { tokens[token.token] = token }
                escalationPolicies = data.escalationPolicies ?? []
                counter = data.counter
            } catch {
                throw LoadError(description: "the sandbox data file \(dataPath) is not readable: \(error)")
            }
        }
        if let seed { try applySeedNow(seed, includeOverrides: isNew) }
        if isNew || seed != nil { try persistNow() }
    }

    // MARK: - Reading

    public func snapshot() -> SandboxData {
        var data = SandboxData()
        data.users = users
        data.schedules = schedules
        data.overrides = overridesBySchedule.values.flatMap { $0 }.sorted { $0.sequence < $1.sequence }
        data.tokens = tokens.values.sorted { $0.token < $1.token }
        data.escalationPolicies = escalationPolicies.isEmpty ? nil : escalationPolicies
        data.counter = counter
        return data
    }

    func allUsers() -> [SandboxUser] { users }
    func user(id: String) -> SandboxUser? { userIndex[id].map { users[$0] } }
    func user(email: String) -> SandboxUser? { emailIndex[email.lowercased()].map { users[$0] } }
    func allSchedules() -> [SandboxSchedule] { schedules }
    func schedule(id: String) -> SandboxSchedule? { scheduleIndex[id].map { schedules[$0] } }

    /// Every override of a schedule, in creation order.
    public func overrides(scheduleID: String) -> [SandboxOverride] {
        overridesBySchedule[scheduleID] ?? []
    }

    /// The key's record, nil for a key the account does not know.
    func token(_ token: String) -> SandboxToken? { tokens[token] }

    public func tokenList() -> [SandboxToken] {
        tokens.values.sorted { $0.token < $1.token }
    }

    // MARK: - Changing

    /// Adds a user unless one with this e-mail exists; returns the user either way.
    @discardableResult
    public func addUser(name: String, email: String, timeZone: String = "UTC", id: String? = nil) throws -> SandboxUser {
        let user = addUserInMemory(name: name, email: email, timeZone: timeZone, id: id)
        try persistNow()
        return user
    }

    /// Adds many users with one write of the data file.
    public func addUsers(_ list: [(name: String, email: String)]) throws {
        for item in list { addUserInMemory(name: item.name, email: item.email, timeZone: "UTC", id: nil) }
        try persistNow()
    }

    /// Adds a schedule unless one with this id exists; returns the schedule either way.
    @discardableResult
    public func addSchedule(_ schedule: SandboxSchedule) throws -> SandboxSchedule {
        let added = addScheduleInMemory(schedule)
        try persistNow()
        return added
    }

    public func addToken(_ token: String, readOnly: Bool, scopes: [String]? = nil) throws {
        tokens[token] = SandboxToken(token: token, readOnly: readOnly, scopes: scopes)
        try persistNow()
    }

    /// Adds what `seed` has that the account lacks.
    public func apply(_ seed: SandboxSeed, includeOverrides: Bool) throws {
        try applySeedNow(seed, includeOverrides: includeOverrides)
        try persistNow()
    }

    /// Stores an override as created now, with a fresh id.
    public func createOverride(scheduleID: String, start: Instant, end: Instant, userID: String) throws -> SandboxOverride {
        counter += 1
        let override = SandboxOverride(
            id: SandboxID.make(prefix: "Q", counter: counter, length: 13),
            scheduleID: scheduleID,
            start: start,
            end: end,
            userID: userID,
            sequence: counter
        )
        overridesBySchedule[scheduleID, default: []].append(override)
        return override
    }

    public func deleteOverride(scheduleID: String, id: String) {
        overridesBySchedule[scheduleID]?.removeAll { $0.id == id }
    }

    func truncateOverride(scheduleID: String, id: String, end: Instant) {
        guard let index = overridesBySchedule[scheduleID]?.firstIndex(where: { $0.id == id }) else { return }
        overridesBySchedule[scheduleID]?[index].end = end
    }

    /// Writes the data file (after a batch of changes made by one request).
    public func persistNow() throws {
        guard let dataPath else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try DurableFile.write(Array(try encoder.encode(snapshot())), to: dataPath)
    }

    // MARK: - Shift-based (v3) schedules

    /// Changes one schedule under the actor (so a request's read and write are one step), with a
    /// source of fresh ids; writes the data file when `change` says it changed something. Nil
    /// when the account has no schedule with this id.
    func updateSchedule<T: Sendable>(
        id: String, _ change: @Sendable (inout SandboxSchedule, inout V3IDSource) -> (result: T, changed: Bool)
    ) throws -> T? {
        guard let index = scheduleIndex[id] else { return nil }
        var ids = V3IDSource(counter: counter)
        let outcome = change(&schedules[index], &ids)
        counter = ids.counter
        if outcome.changed { try persistNow() }
        return outcome.result
    }

    /// Removes a schedule with everything it holds.
    func removeSchedule(id: String) throws {
        guard scheduleIndex[id] != nil else { return }
        schedules.removeAll { $0.id == id }
        scheduleIndex = Dictionary(uniqueKeysWithValues: schedules.enumerated().map { ($1.id, $0) })
        overridesBySchedule[id] = nil
        try persistNow()
    }

    // MARK: - Escalation policies

    /// The policies stored through the API, in creation order.
    func storedEscalationPolicies() -> [SandboxEscalationPolicy] { escalationPolicies }

    /// Stores `policy` in place of the one with its id, or adds it; writes the data file.
    func putEscalationPolicy(_ policy: SandboxEscalationPolicy) throws {
        if let index = escalationPolicies.firstIndex(where: { $0.id == policy.id }) {
            escalationPolicies[index] = policy
        } else {
            escalationPolicies.append(policy)
        }
        try persistNow()
    }

    // MARK: - Internals

    @discardableResult
    private func addUserInMemory(name: String, email: String, timeZone: String, id: String?, jobTitle: String? = nil) -> SandboxUser {
        if let existing = user(email: email) { return existing }
        counter += 1
        let user = SandboxUser(
            id: id ?? SandboxID.make(prefix: "P", counter: counter, length: 6), name: name, email: email, timeZone: timeZone, jobTitle: jobTitle
        )
        Self.insert(user, users: &users, index: &userIndex, emails: &emailIndex)
        return user
    }

    @discardableResult
    private func addScheduleInMemory(_ schedule: SandboxSchedule) -> SandboxSchedule {
        if let existing = self.schedule(id: schedule.id) { return existing }
        scheduleIndex[schedule.id] = schedules.count
        schedules.append(schedule)
        return schedule
    }

    /// A fresh id for a schedule or layer.
    public func nextID(prefix: Character = "P") -> String {
        counter += 1
        return SandboxID.make(prefix: prefix, counter: counter, length: 6)
    }

    private func applySeedNow(_ seed: SandboxSeed, includeOverrides: Bool) throws {
        for user in seed.users {
            addUserInMemory(name: user.name, email: user.email, timeZone: user.timeZone ?? "UTC", id: user.id, jobTitle: user.jobTitle)
        }
        for token in seed.tokens where tokens[token.token] == nil {
            tokens[token.token] = SandboxToken(token: token.token, readOnly: token.readOnly)
        }
        for seeded in seed.schedules {
            if let id = seeded.id, schedule(id: id) != nil { continue }
            if seeded.id == nil, schedules.contains(where: { $0.name == seeded.name }) { continue }
            var layers: [SandboxLayer] = []
            for (index, layer) in (seeded.layers ?? []).enumerated() {
                let userIDs = try layer.users.map { try resolveUser($0, context: "layer \(index + 1) of schedule \(seeded.name)") }
                let restrictions = try (layer.restrictions ?? []).map { try Self.restriction($0, schedule: seeded.name) }
                layers.append(
                    SandboxLayer(
                        id: nextID(),
                        name: layer.name ?? "Layer \(index + 1)",
                        start: layer.start,
                        end: layer.end,
                        rotationVirtualStart: layer.rotationVirtualStart,
                        rotationTurnLengthSeconds: layer.rotationTurnLengthSeconds,
                        userIDs: userIDs,
                        restrictions: restrictions
                    )
                )
            }
            let id = seeded.id ?? nextID()
            var schedule = SandboxSchedule(id: id, name: seeded.name, timeZone: seeded.timeZone, description: seeded.description, type: seeded.type ?? "schedule", layers: layers)
            if schedule.isV3 {
                var ids = V3IDSource(counter: counter)
                schedule.v3 = try seeded.v3Details(ids: &ids) { try resolveUser($0, context: $1) }
                counter = ids.counter
            }
            addScheduleInMemory(schedule)
        }
        guard includeOverrides else { return }
        for seeded in seed.overrides {
            guard let schedule = schedule(id: seeded.schedule) ?? schedules.first(where: { $0.name == seeded.schedule }) else {
                throw SandboxSeed.LoadError(description: "a seeded override names schedule \(seeded.schedule), which the seed does not define")
            }
            let userID = try resolveUser(seeded.user, context: "an override of schedule \(seeded.schedule)")
            _ = try createOverride(scheduleID: schedule.id, start: seeded.start, end: seeded.end, userID: userID)
        }
    }

    private func resolveUser(_ reference: String, context: String) throws -> String {
        if let user = user(email: reference) ?? user(id: reference) { return user.id }
        throw SandboxSeed.LoadError(description: "\(context) names \(reference), which is not a user of the seed")
    }

    private static func restriction(_ seeded: SandboxSeed.Restriction, schedule: String) throws -> SandboxRestriction {
        guard let kind = SandboxRestriction.Kind(rawValue: seeded.type) else {
            throw SandboxSeed.LoadError(description: "schedule \(schedule) has a restriction of unknown type \(seeded.type)")
        }
        let parts = seeded.startTimeOfDay.split(separator: ":").compactMap { Int($0) }
        guard parts.count >= 2 else {
            throw SandboxSeed.LoadError(description: "schedule \(schedule) has a restriction starting at \(seeded.startTimeOfDay), not HH:MM:SS")
        }
        let seconds = parts[0] * 3600 + parts[1] * 60 + (parts.count > 2 ? parts[2] : 0)
        return SandboxRestriction(kind: kind, startTimeOfDay: seconds, durationSeconds: seeded.durationSeconds, startDayOfWeek: seeded.startDayOfWeek)
    }

    private static func insert(_ user: SandboxUser, users: inout [SandboxUser], index: inout [String: Int], emails: inout [String: Int]) {
        index[user.id] = users.count
        emails[user.email.lowercased()] = users.count
        users.append(user)
    }
}
