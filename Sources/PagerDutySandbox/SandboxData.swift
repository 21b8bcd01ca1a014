public import HandoffTime

/// Everything the simulated PagerDuty account holds; what its data file stores.
public struct SandboxData: Sendable, Codable, Hashable {
    public var formatVersion = 1
    public var users: [SandboxUser] = []
    public var schedules: [SandboxSchedule] = []
    public var overrides: [SandboxOverride] = []
    public var tokens: [SandboxToken] = []
    /// Escalation policies created or changed through the API (nil in older data files).
    public var escalationPolicies: [SandboxEscalationPolicy]?
    /// Source of deterministic ids and creation order.
    public var counter: Int = 0

    public init() {}
}

public struct SandboxUser: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var email: String
    public var timeZone: String
    /// Shown as `job_title` when set (optional, so older data files read unchanged).
    public var jobTitle: String?

    public init(id: String, name: String, email: String, timeZone: String = "UTC", jobTitle: String? = nil) {
        self.id = id
        self.name = name
        self.email = email
        self.timeZone = timeZone
        self.jobTitle = jobTitle
    }
}

/// A schedule. Layers are kept in the order a POST body lists them: the last one has the highest
/// precedence (PagerDuty's "Layer N" wins over "Layer 1").
public struct SandboxSchedule: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var timeZone: String
    public var description: String?
    /// `schedule`, or `schedule_v3` for a shift-based schedule (which the v2 endpoints refuse).
    public var type: String
    public var layers: [SandboxLayer]
    /// Rotations, custom shifts and overrides of a shift-based schedule; nil for a layered one
    /// (and in data files written before shift-based schedules existed).
    public var v3: SandboxV3Details?

    public init(id: String, name: String, timeZone: String, description: String? = nil, type: String = "schedule", layers: [SandboxLayer] = []) {
        self.id = id
        self.name = name
        self.timeZone = timeZone
        self.description = description
        self.type = type
        self.layers = layers
    }
}

public struct SandboxLayer: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var start: Instant
    public var end: Instant?
    public var rotationVirtualStart: Instant
    public var rotationTurnLengthSeconds: Int
    /// Rotation order.
    public var userIDs: [String]
    public var restrictions: [SandboxRestriction]

    public init(
        id: String,
        name: String,
        start: Instant,
        end: Instant? = nil,
        rotationVirtualStart: Instant,
        rotationTurnLengthSeconds: Int,
        userIDs: [String],
        restrictions: [SandboxRestriction] = []
    ) {
        self.id = id
        self.name = name
        self.start = start
        self.end = end
        self.rotationVirtualStart = rotationVirtualStart
        self.rotationTurnLengthSeconds = rotationTurnLengthSeconds
        self.userIDs = userIDs
        self.restrictions = restrictions
    }
}

/// A daily or weekly window a layer is restricted to, in the schedule's time zone.
public struct SandboxRestriction: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable {
        case daily = "daily_restriction"
        case weekly = "weekly_restriction"
    }

    public var kind: Kind
    /// Seconds after midnight.
    public var startTimeOfDay: Int
    public var durationSeconds: Int
    /// 1 = Monday … 7 = Sunday (weekly only).
    public var startDayOfWeek: Int?

    public init(kind: Kind, startTimeOfDay: Int, durationSeconds: Int, startDayOfWeek: Int? = nil) {
        self.kind = kind
        self.startTimeOfDay = startTimeOfDay
        self.durationSeconds = durationSeconds
        self.startDayOfWeek = startDayOfWeek
    }
}

public struct SandboxOverride: Sendable, Codable, Hashable {
    public var id: String
    public var scheduleID: String
    public var start: Instant
    public var end: Instant
    public var userID: String
    /// Creation order: where overrides overlap, the latest created wins.
    public var sequence: Int

    public init(id: String, scheduleID: String, start: Instant, end: Instant, userID: String, sequence: Int) {
        self.id = id
        self.scheduleID = scheduleID
        self.start = start
        self.end = end
        self.userID = userID
        self.sequence = sequence
    }
}

public struct SandboxToken: Sendable, Codable, Hashable {
    public var token: String
    public var readOnly: Bool
    /// OAuth scopes (`users.read`, `schedules.read`, `schedules.write`, `oncalls.read`); nil for an
    /// API key, which is limited only by `readOnly`.
    public var scopes: [String]?

    public init(token: String, readOnly: Bool, scopes: [String]? = nil) {
        self.token = token
        self.readOnly = readOnly
        self.scopes = scopes
    }
}

/// Ids in PagerDuty's style, deterministic so that test output is the same on every run: users,
/// schedules and layers `P` + 6 characters, overrides `Q` + 13, escalation policies `E…`.
enum SandboxID {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    static func make(prefix: Character, counter: Int, length: Int) -> String {
        // A bijective scramble of the counter, so consecutive ids do not look consecutive.
        var modulus: UInt64 = 1
        for _ in 0..<min(length, 12) { modulus *= 36 }
        var value = (UInt64(counter) &* 0x9E37_79B1 &+ 0x7F4A_7C15) % modulus
        var characters: [Character] = []
        for _ in 0..<length {
            characters.append(alphabet[Int(value % 36)])
            value /= 36
        }
        return String(prefix) + String(characters.reversed())
    }
}
