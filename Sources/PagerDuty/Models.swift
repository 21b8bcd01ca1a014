public import HandoffDestination
public import HandoffTime

/// A PagerDuty user: only what Handoff reads and keeps (no contact methods, no roles).
public struct PagerDutyUser: Sendable, Hashable, Decodable {
    public var id: String
    public var name: String
    public var email: String
    public var timeZone: String?

    enum CodingKeys: String, CodingKey {
        case id, name, email
        case timeZone = "time_zone"
    }

    public init(id: String, name: String, email: String, timeZone: String? = nil) {
        self.id = id
        self.name = name
        self.email = email
        self.timeZone = timeZone
    }
}

/// A reference to another object (`user_reference`, `schedule_reference`).
public struct PagerDutyReference: Sendable, Hashable, Decodable {
    public var id: String
    public var type: String?
    public var summary: String?

    public init(id: String, type: String? = nil, summary: String? = nil) {
        self.id = id
        self.type = type
        self.summary = summary
    }
}

/// An override as PagerDuty stores it: a user on a schedule's override layer over `[start, end)`.
public struct PagerDutyOverride: Sendable, Hashable, Decodable {
    public var id: String
    public var start: Instant
    public var end: Instant
    public var user: PagerDutyReference

    public init(id: String, start: Instant, end: Instant, user: PagerDutyReference) {
        self.id = id
        self.start = start
        self.end = end
        self.user = user
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }
}

/// What PagerDuty did with one override of a bulk create.
public enum OverrideCreation: Sendable, Hashable {
    case created(PagerDutyOverride)
    /// Refused with the item's status and PagerDuty's reasons ("Override must end in the future").
    case rejected(PlannedOverride, status: Int, errors: [String])
}

/// What a delete did, as PagerDuty tells the cases apart.
public enum OverrideDeletion: Sendable, Hashable {
    /// 204: the override was in the future and is gone.
    case deleted
    /// 200: the override was in progress; its end is now "now" and its past part remains.
    case truncated
    /// 404: there was no such override (already deleted).
    case notFound
}

/// A layer-based (v2) schedule with the parts Handoff reads.
public struct PagerDutySchedule: Sendable, Hashable, Decodable {
    public var id: String
    public var type: String
    public var name: String
    public var timeZone: String
    public var description: String?
    public var scheduleLayers: [PagerDutyScheduleLayer]
    public var finalSchedule: PagerDutySubSchedule?
    public var overridesSubschedule: PagerDutySubSchedule?
    public var users: [PagerDutyReference]

    enum CodingKeys: String, CodingKey {
        case id, type, name, description, users
        case timeZone = "time_zone"
        case scheduleLayers = "schedule_layers"
        case finalSchedule = "final_schedule"
        case overridesSubschedule = "overrides_subschedule"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? "schedule"
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? id
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone) ?? "UTC"
        description = try container.decodeIfPresent(String.self, forKey: .description)
        scheduleLayers = try container.decodeIfPresent([PagerDutyScheduleLayer].self, forKey: .scheduleLayers) ?? []
        finalSchedule = try container.decodeIfPresent(PagerDutySubSchedule.self, forKey: .finalSchedule)
        overridesSubschedule = try container.decodeIfPresent(PagerDutySubSchedule.self, forKey: .overridesSubschedule)
        users = try container.decodeIfPresent([PagerDutyReference].self, forKey: .users) ?? []
    }

    /// The users on any of its layers, each once: `users` is read-only in PagerDuty's schema and
    /// not always filled in, the layers always are.
    public var layerMemberIDs: Set<String> {
        Set(scheduleLayers.flatMap { $0.users.map(\.user.id) })
    }
}

/// One rotation layer of a schedule.
public struct PagerDutyScheduleLayer: Sendable, Hashable, Decodable {
    public struct Member: Sendable, Hashable, Decodable {
        public var user: PagerDutyReference
    }

    public var id: String?
    public var name: String?
    public var start: Instant
    public var end: Instant?
    public var rotationVirtualStart: Instant
    public var rotationTurnLengthSeconds: Int
    public var users: [Member]
    public var restrictions: [PagerDutyRestriction]
    public var renderedScheduleEntries: [PagerDutyScheduleEntry]?

    enum CodingKeys: String, CodingKey {
        case id, name, start, end, users, restrictions
        case rotationVirtualStart = "rotation_virtual_start"
        case rotationTurnLengthSeconds = "rotation_turn_length_seconds"
        case renderedScheduleEntries = "rendered_schedule_entries"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        start = try container.decode(Instant.self, forKey: .start)
        end = try container.decodeIfPresent(Instant.self, forKey: .end)
        rotationVirtualStart = try container.decode(Instant.self, forKey: .rotationVirtualStart)
        rotationTurnLengthSeconds = try container.decode(Int.self, forKey: .rotationTurnLengthSeconds)
        users = try container.decodeIfPresent([Member].self, forKey: .users) ?? []
        restrictions = try container.decodeIfPresent([PagerDutyRestriction].self, forKey: .restrictions) ?? []
        renderedScheduleEntries = try container.decodeIfPresent([PagerDutyScheduleEntry].self, forKey: .renderedScheduleEntries)
    }
}

/// A daily or weekly window a layer is restricted to, in wall-clock time.
public struct PagerDutyRestriction: Sendable, Hashable, Decodable {
    public var type: String
    /// `HH:MM:SS`.
    public var startTimeOfDay: String
    public var durationSeconds: Int
    /// 1 = Monday … 7 = Sunday, for weekly restrictions.
    public var startDayOfWeek: Int?

    enum CodingKeys: String, CodingKey {
        case type
        case startTimeOfDay = "start_time_of_day"
        case durationSeconds = "duration_seconds"
        case startDayOfWeek = "start_day_of_week"
    }
}

/// One rendered entry: who is on call over `[start, end)`.
public struct PagerDutyScheduleEntry: Sendable, Hashable, Decodable {
    public var start: Instant
    public var end: Instant?
    public var user: PagerDutyReference?
}

/// `final_schedule` and `overrides_subschedule`.
public struct PagerDutySubSchedule: Sendable, Hashable, Decodable {
    public var name: String?
    public var renderedScheduleEntries: [PagerDutyScheduleEntry]
    public var renderedCoveragePercentage: Double?

    enum CodingKeys: String, CodingKey {
        case name
        case renderedScheduleEntries = "rendered_schedule_entries"
        case renderedCoveragePercentage = "rendered_coverage_percentage"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        renderedScheduleEntries = try container.decodeIfPresent([PagerDutyScheduleEntry].self, forKey: .renderedScheduleEntries) ?? []
        renderedCoveragePercentage = try container.decodeIfPresent(Double.self, forKey: .renderedCoveragePercentage)
    }
}
