import DurableFiles
import Foundation
import OrderedJSON
public import HandoffTime
import YAMLNodes

/// Accounts, people and schedules to start a simulated PagerDuty with, from YAML or JSON:
///
/// ```yaml
/// users: [{ name: Alice Archer, email: alice@example.com, time_zone: Europe/Berlin, job_title: SRE }]
/// schedules:
///   - name: Platform
///     id: PABC123                 # optional
///     time_zone: Europe/Berlin
///     layers:                     # optional; POST order, the last wins
///       - start: 2026-11-02T09:00:00+01:00
///         rotation_virtual_start: 2026-11-02T09:00:00+01:00
///         rotation_turn_length_seconds: 604800
///         users: [alice@example.com, bob@example.com]
///         restrictions: [{ type: daily_restriction, start_time_of_day: "09:00:00", duration_seconds: 32400 }]
/// tokens: [{ token: ro-token, read_only: true }]
/// overrides: [{ schedule: PABC123, start: …, end: …, user: alice@example.com }]
/// ```
public struct SandboxSeed: Sendable, Decodable, Hashable {
    public struct User: Sendable, Decodable, Hashable {
        public var name: String
        public var email: String
        public var timeZone: String?
        public var id: String?
        public var jobTitle: String?

        public init(name: String, email: String, timeZone: String? = nil, id: String? = nil, jobTitle: String? = nil) {
            self.name = name
            self.email = email
            self.timeZone = timeZone
            self.id = id
            self.jobTitle = jobTitle
        }
    }

    public struct Restriction: Sendable, Decodable, Hashable {
        public var type: String
        public var startTimeOfDay: String
        public var durationSeconds: Int
        public var startDayOfWeek: Int?

        public init(type: String, startTimeOfDay: String, durationSeconds: Int, startDayOfWeek: Int? = nil) {
            self.type = type
            self.startTimeOfDay = startTimeOfDay
            self.durationSeconds = durationSeconds
            self.startDayOfWeek = startDayOfWeek
        }
    }

    public struct Layer: Sendable, Decodable, Hashable {
        public var name: String?
        public var start: Instant
        public var end: Instant?
        public var rotationVirtualStart: Instant
        public var rotationTurnLengthSeconds: Int
        /// E-mail addresses or user ids, in rotation order.
        public var users: [String]
        public var restrictions: [Restriction]?

        public init(
            name: String? = nil,
            start: Instant,
            end: Instant? = nil,
            rotationVirtualStart: Instant,
            rotationTurnLengthSeconds: Int,
            users: [String],
            restrictions: [Restriction]? = nil
        ) {
            self.name = name
            self.start = start
            self.end = end
            self.rotationVirtualStart = rotationVirtualStart
            self.rotationTurnLengthSeconds = rotationTurnLengthSeconds
            self.users = users
            self.restrictions = restrictions
        }
    }

    public struct Schedule: Sendable, Decodable, Hashable {
        public var name: String
        public var timeZone: String
        public var id: String?
        public var description: String?
        public var type: String?
        public var layers: [Layer]?
        /// Rotations of a shift-based schedule (`type: schedule_v3`); see `SandboxSeed.Rotation`.
        public var rotations: [Rotation]?

        public init(
            name: String, timeZone: String, id: String? = nil, description: String? = nil, type: String? = nil, layers: [Layer]? = nil,
            rotations: [Rotation]? = nil
        ) {
            self.name = name
            self.timeZone = timeZone
            self.id = id
            self.description = description
            self.type = type
            self.layers = layers
            self.rotations = rotations
        }
    }

    public struct Token: Sendable, Decodable, Hashable {
        public var token: String
        public var readOnly: Bool

        public init(token: String, readOnly: Bool) {
            self.token = token
            self.readOnly = readOnly
        }
    }

    public struct Override: Sendable, Decodable, Hashable {
        /// Schedule id or name.
        public var schedule: String
        public var start: Instant
        public var end: Instant
        /// E-mail address or user id.
        public var user: String

        public init(schedule: String, start: Instant, end: Instant, user: String) {
            self.schedule = schedule
            self.start = start
            self.end = end
            self.user = user
        }
    }

    public var users: [User]
    public var schedules: [Schedule]
    public var tokens: [Token]
    public var overrides: [Override]

    public init(users: [User] = [], schedules: [Schedule] = [], tokens: [Token] = [], overrides: [Override] = []) {
        self.users = users
        self.schedules = schedules
        self.tokens = tokens
        self.overrides = overrides
    }

    enum CodingKeys: String, CodingKey { case users, schedules, tokens, overrides }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        users = try container.decodeIfPresent([User].self, forKey: .users) ?? []
        schedules = try container.decodeIfPresent([Schedule].self, forKey: .schedules) ?? []
        tokens = try container.decodeIfPresent([Token].self, forKey: .tokens) ?? []
        overrides = try container.decodeIfPresent([Override].self, forKey: .overrides) ?? []
    }

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads a seed file: JSON when it ends in `.json`, YAML otherwise.
    /// The largest seed file read (a seed names a few people and schedules).
    static let maximumBytes = 16 << 20

    public static func load(path: String) throws -> SandboxSeed {
        let bytes: [UInt8]?
        do { bytes = try DurableFile.read(path, limit: maximumBytes) } catch let failure as DurableFile.Failure {
            throw LoadError(description: "sandbox seed \(path) cannot be read: \(failure.reason)")
        }
        guard let bytes else { throw LoadError(description: "sandbox seed \(path) cannot be read: it does not exist") }
        return try parse(bytes, path: path)
    }

    /// Checks the numbers the renderer divides by and steps with, so that no seed can trap it.
    func checkNumbers(path: String) throws {
        let longestTurn = 10 * 366 * 86_400
        for schedule in schedules {
            for layer in schedule.layers ?? [] {
                let name = "layer \(layer.name ?? "(unnamed)") of schedule \(schedule.name)"
                guard (1...longestTurn).contains(layer.rotationTurnLengthSeconds) else {
                    throw LoadError(description: "sandbox seed \(path): the \(name) has rotation_turn_length_seconds \(layer.rotationTurnLengthSeconds); it must be between 1 and \(longestTurn)")
                }
                for restriction in layer.restrictions ?? [] {
                    guard (1...604_800).contains(restriction.durationSeconds) else {
                        throw LoadError(description: "sandbox seed \(path): a restriction of the \(name) has duration_seconds \(restriction.durationSeconds); it must be between 1 and 604800")
                    }
                    if let day = restriction.startDayOfWeek, !(1...7).contains(day) {
                        throw LoadError(description: "sandbox seed \(path): a restriction of the \(name) has start_day_of_week \(day); it must be between 1 and 7")
                    }
                }
            }
        }
    }

    public static func parse(_ bytes: [UInt8], path: String) throws -> SandboxSeed {
        var json = Data(bytes)
        if !path.hasSuffix(".json") {
            let loaded = YAMLLoader.load(bytes, path: path)
            if let error = loaded.errors.first { throw LoadError(description: "\(error.location): \(error.message)") }
            json = Data((loaded.root.map(Self.jsonValue) ?? .object([])).serialized(pretty: false).utf8)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let seed: SandboxSeed
        do {
            seed = try decoder.decode(SandboxSeed.self, from: json)
        } catch {
            throw LoadError(description: "sandbox seed \(path) is not valid: \(error)")
        }
        try seed.checkNumbers(path: path)
        return seed
    }

    /// YAML scalars as JSON would read them: plain numbers and booleans typed, the rest strings. A
    /// key given twice (only keys that are not scalars can be, read as "") keeps its last value.
    private static func jsonValue(_ node: YAMLNode) -> JSONValue {
        switch node.content {
        case .mapping(let pairs):
            var members: [(String, JSONValue)] = []
            var positions: [String: Int] = [:]
            for pair in pairs {
                let key = pair.key.scalar?.value ?? ""
                let value = jsonValue(pair.value)
                if let position = positions[key] {
                    members[position].1 = value
                } else {
                    positions[key] = members.count
                    members.append((key, value))
                }
            }
            return .object(members)
        case .sequence(let items):
            return .array(items.map(jsonValue))
        case .scalar(let scalar):
            if node.isNull { return .null }
            guard scalar.isPlain else { return .string(scalar.value) }
            if let integer = Int64(scalar.value) { return .integer(integer) }
            // `inf` and `nan` have no JSON number: they stay text.
            if let number = Double(scalar.value), number.isFinite { return .number(number) }
            switch scalar.value {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: return .string(scalar.value)
            }
        }
    }
}
