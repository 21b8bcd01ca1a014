import Foundation
public import HandoffTime

// The objects of PagerDuty's shift-based schedules (`/v3/schedules`, reference sheet
// pagerduty-v3.md section 5). PagerDuty's answers are hostile input: every field PagerDuty may
// leave out (or leaves out in its own examples) is optional or has a default, discriminators
// (`type`) are read leniently, and times are instants whatever offset they were written with.

// MARK: - Members and sources

/// Who holds a seat of a shift: a user, or an intentionally vacant seat (`empty_member`,
/// "Unassigned" in PagerDuty's interface). A member type Handoff does not know is kept as it came,
/// so that nothing is read as a person, or as nobody, by guess.
public enum PagerDutyShiftMember: Sendable, Hashable, Codable {
    case user(id: String)
    case empty
    /// A `type` other than `user_member` and `empty_member`.
    case unknown(type: String)

    enum CodingKeys: String, CodingKey {
        case type
        case userID = "user_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decodeIfPresent(String.self, forKey: .type)
        let userID = try container.decodeIfPresent(String.self, forKey: .userID)
        switch type {
        case "user_member"?:
            guard let userID else {
                throw DecodingError.keyNotFound(CodingKeys.userID, .init(codingPath: container.codingPath, debugDescription: "a user_member without a user_id"))
            }
            self = .user(id: userID)
        case "empty_member"?: self = .empty
        case nil:
            // A member that says neither what it is nor whom is not taken for a vacant seat.
            guard let userID else {
                throw DecodingError.keyNotFound(CodingKeys.type, .init(codingPath: container.codingPath, debugDescription: "a member without a type or a user_id"))
            }
            self = .user(id: userID)
        case let other?: self = .unknown(type: other)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .user(let id):
            try container.encode("user_member", forKey: .type)
            try container.encode(id, forKey: .userID)
        case .empty:
            try container.encode("empty_member", forKey: .type)
        case .unknown(let type):
            try container.encode(type, forKey: .type)
        }
    }

    /// The user's id, or nil for a vacant seat.
    public var userID: String? {
        if case .user(let id) = self { return id }
        return nil
    }
}

/// Where a computed shift comes from (`source` of a `computed_shift_assignment`).
public struct PagerDutyShiftSource: Sendable, Hashable, Decodable {
    public enum Kind: Sendable, Hashable {
        /// `schedule_rotation`: the rotation's own assignment.
        case rotation
        /// `custom_shift`.
        case customShift
        /// `schedule_rotation_override`: an override on a rotation.
        case rotationOverride
        /// `custom_shift_override`: an override on a custom shift.
        case customShiftOverride
        case unknown(String)

        init(_ text: String) {
            switch text {
            case "schedule_rotation": self = .rotation
            case "custom_shift": self = .customShift
            case "schedule_rotation_override": self = .rotationOverride
            case "custom_shift_override": self = .customShiftOverride
            default: self = .unknown(text)
            }
        }
    }

    public var kind: Kind
    /// For a rotation and an override on a rotation.
    public var rotationID: String?
    /// For a custom shift and an override on one (PagerDuty names it `shift_id`).
    public var shiftID: String?
    /// For both kinds of override.
    public var overrideID: String?

    enum CodingKeys: String, CodingKey {
        case type
        case rotationID = "rotation_id"
        case shiftID = "shift_id"
        case overrideID = "override_id"
    }

    public init(kind: Kind, rotationID: String? = nil, shiftID: String? = nil, overrideID: String? = nil) {
        self.kind = kind
        self.rotationID = rotationID
        self.shiftID = shiftID
        self.overrideID = overrideID
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = Kind(try container.decodeIfPresent(String.self, forKey: .type) ?? "")
        rotationID = try container.decodeIfPresent(String.self, forKey: .rotationID)
        shiftID = try container.decodeIfPresent(String.self, forKey: .shiftID)
        overrideID = try container.decodeIfPresent(String.self, forKey: .overrideID)
    }
}

// MARK: - Schedules, rotations, events

/// A time with the zone it belongs to (`{date_time, time_zone}`), the shape of an event's
/// `start_time` and `end_time`: the zone is what the event's recurrence follows across DST.
public struct PagerDutyZonedTime: Sendable, Hashable, Decodable {
    public var instant: Instant
    /// The IANA name PagerDuty gave, as given.
    public var timeZone: String

    enum CodingKeys: String, CodingKey {
        case dateTime = "date_time"
        case timeZone = "time_zone"
    }

    public init(instant: Instant, timeZone: String) {
        self.instant = instant
        self.timeZone = timeZone
    }

    /// Reads `date_time` with any offset, or, written without one, as wall-clock time in
    /// `time_zone` (whether PagerDuty ever sends that is unconfirmed; reading it costs nothing).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .dateTime)
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone) ?? "UTC"
        if let instant = Instant(rfc3339: text) {
            self.instant = instant
        } else if let local = Instant(rfc3339: text + "Z"), let zone = Zone(identifier: timeZone) {
            self.instant = zone.instant(forLocalSeconds: local.secondsSinceEpoch)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [CodingKeys.dateTime], debugDescription: "not a date and time"))
        }
    }
}

/// How an event hands out its occurrences (`assignment_strategy`).
public struct PagerDutyAssignmentStrategy: Sendable, Hashable, Decodable {
    /// `rotating_member_assignment_strategy` (members take turns) or
    /// `every_member_assignment_strategy` (all are on call at every occurrence), as given.
    public var type: String
    public var members: [PagerDutyShiftMember]
    /// Occurrences in a row one member holds (rotating strategy only).
    public var shiftsPerMember: Int?

    enum CodingKeys: String, CodingKey {
        case type, members
        case shiftsPerMember = "shifts_per_member"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? ""
        members = try container.decodeIfPresent([PagerDutyShiftMember].self, forKey: .members) ?? []
        shiftsPerMember = try container.decodeIfPresent(Int.self, forKey: .shiftsPerMember)
    }

    public var isRotating: Bool { type == "rotating_member_assignment_strategy" }
    public var isEveryMember: Bool { type == "every_member_assignment_strategy" }
}

/// One recurring coverage pattern of a rotation (`schedule_event`).
public struct PagerDutyRotationEvent: Sendable, Hashable, Decodable {
    public var id: String
    public var name: String?
    /// The first occurrence is `[startTime, endTime)`; later ones follow `recurrence`.
    public var startTime: PagerDutyZonedTime
    public var endTime: PagerDutyZonedTime
    /// When the event starts producing shifts (PagerDuty moves a past value to "now").
    public var effectiveSince: Instant?
    /// When it stops; nil for never.
    public var effectiveUntil: Instant?
    /// RFC 5545 lines: one `RRULE`, any `EXDATE` and `RDATE`.
    public var recurrence: [String]
    public var assignmentStrategy: PagerDutyAssignmentStrategy?

    enum CodingKeys: String, CodingKey {
        case id, name, recurrence
        case startTime = "start_time"
        case endTime = "end_time"
        case effectiveSince = "effective_since"
        case effectiveUntil = "effective_until"
        case assignmentStrategy = "assignment_strategy"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        startTime = try container.decode(PagerDutyZonedTime.self, forKey: .startTime)
        endTime = try container.decode(PagerDutyZonedTime.self, forKey: .endTime)
        effectiveSince = try container.decodeIfPresent(Instant.self, forKey: .effectiveSince)
        effectiveUntil = try container.decodeIfPresent(Instant.self, forKey: .effectiveUntil)
        recurrence = try container.decodeIfPresent([String].self, forKey: .recurrence) ?? []
        assignmentStrategy = try container.decodeIfPresent(PagerDutyAssignmentStrategy.self, forKey: .assignmentStrategy)
    }
}

/// A rotation of a shift-based schedule. It has no settings of its own: its events say when and
/// who. Its `type` is not checked (PagerDuty's examples say `rotation`, its schema
/// `schedule_rotation`).
public struct PagerDutyRotation: Sendable, Hashable, Decodable {
    public var id: String
    public var events: [PagerDutyRotationEvent]

    enum CodingKeys: String, CodingKey { case id, events }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        events = try container.decodeIfPresent([PagerDutyRotationEvent].self, forKey: .events) ?? []
    }
}

/// One entry of a v3 final schedule: who is on call over `[start, end)` and why. Entries may
/// overlap (several people on call at once), and a vacant seat is an entry too.
public struct PagerDutyComputedShift: Sendable, Hashable, Decodable {
    public var start: Instant
    public var end: Instant
    public var member: PagerDutyShiftMember
    public var source: PagerDutyShiftSource

    enum CodingKeys: String, CodingKey {
        case member, source
        case start = "start_time"
        case end = "end_time"
    }

    public init(start: Instant, end: Instant, member: PagerDutyShiftMember, source: PagerDutyShiftSource) {
        self.start = start
        self.end = end
        self.member = member
        self.source = source
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        start = try container.decode(Instant.self, forKey: .start)
        end = try container.decode(Instant.self, forKey: .end)
        // An entry without its member or its source is refused, not filled in: a made-up vacant
        // seat or gap would have the exporter add someone next to whoever is really on call.
        member = try container.decode(PagerDutyShiftMember.self, forKey: .member)
        source = try container.decode(PagerDutyShiftSource.self, forKey: .source)
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }
}

/// PagerDuty's own rendering of a v3 schedule over the window asked for.
public struct PagerDutyV3FinalSchedule: Sendable, Hashable, Decodable {
    public var renderedCoveragePercentage: Double?
    public var computedShiftAssignments: [PagerDutyComputedShift]

    enum CodingKeys: String, CodingKey {
        case renderedCoveragePercentage = "rendered_coverage_percentage"
        case computedShiftAssignments = "computed_shift_assignments"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        renderedCoveragePercentage = try container.decodeIfPresent(Double.self, forKey: .renderedCoveragePercentage)
        computedShiftAssignments = try container.decodeIfPresent([PagerDutyComputedShift].self, forKey: .computedShiftAssignments) ?? []
    }
}

/// A shift-based (v3) schedule, with its rotations and their events, and PagerDuty's final
/// schedule when a window was asked for.
public struct PagerDutyV3Schedule: Sendable, Hashable, Decodable {
    public var id: String
    /// `schedule_v3` as documented; kept as given.
    public var type: String
    public var name: String
    public var timeZone: String
    public var description: String?
    public var teams: [PagerDutyReference]
    public var escalationPolicies: [PagerDutyReference]
    public var rotations: [PagerDutyRotation]
    public var finalSchedule: PagerDutyV3FinalSchedule?
    public var htmlURL: String?

    enum CodingKeys: String, CodingKey {
        case id, type, name, description, teams, rotations
        case timeZone = "time_zone"
        case escalationPolicies = "escalation_policies"
        case finalSchedule = "final_schedule"
        case htmlURL = "html_url"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? "schedule_v3"
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? id
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone) ?? "UTC"
        description = try container.decodeIfPresent(String.self, forKey: .description)
        teams = try container.decodeIfPresent([PagerDutyReference].self, forKey: .teams) ?? []
        escalationPolicies = try container.decodeIfPresent([PagerDutyReference].self, forKey: .escalationPolicies) ?? []
        rotations = try container.decodeIfPresent([PagerDutyRotation].self, forKey: .rotations) ?? []
        finalSchedule = try container.decodeIfPresent(PagerDutyV3FinalSchedule.self, forKey: .finalSchedule)
        htmlURL = try container.decodeIfPresent(String.self, forKey: .htmlURL)
    }
}

/// An item of `GET /v3/schedules`: only the id and the name (`summary`); the rest needs the detail.
public struct PagerDutyV3ScheduleReference: Sendable, Hashable, Decodable {
    public var id: String
    /// The schedule's name; PagerDuty's MCP client treats a missing one as normal.
    public var summary: String?
    public var htmlURL: String?

    enum CodingKeys: String, CodingKey {
        case id, summary
        case htmlURL = "html_url"
    }
}
