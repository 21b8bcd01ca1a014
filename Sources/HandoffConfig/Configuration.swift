public import HandoffTime
public import YAMLNodes

/// The desired state a configuration directory declares: who is on call where, and which PagerDuty
/// schedule receives it. Every element keeps the place it was declared, for later messages.
///
/// Collections are sorted by name so that everything derived from a configuration is the same on
/// every machine, whatever order the files were read in.
public struct Configuration: Sendable {
    /// The configuration directory as given, the base of relative paths inside it.
    public var directory: String
    public var state: StateSettings
    public var connections: [Connection]
    public var people: [Person]
    public var schedules: [Schedule]
    public var destinations: [Destination]
    /// `moved:` entries: destinations renamed with their state (in file order).
    public var moves: [MovedDestination]
    /// `removed:` entries: destinations let go of on purpose (in file order).
    public var removals: [RemovedDestination]

    private var connectionIndex: [String: Int]
    private var personIndex: [String: Int]
    private var scheduleIndex: [String: Int]
    private var destinationIndex: [String: Int]

    public init(
        directory: String,
        state: StateSettings,
        connections: [Connection],
        people: [Person],
        schedules: [Schedule],
        destinations: [Destination],
        moves: [MovedDestination] = [],
        removals: [RemovedDestination] = []
    ) {
        self.directory = directory
        self.state = state
        self.connections = connections.sorted { $0.name < $1.name }
        self.people = people.sorted { $0.key < $1.key }
        self.schedules = schedules.sorted { $0.name < $1.name }
        self.destinations = destinations.sorted { $0.name < $1.name }
        self.moves = moves
        self.removals = removals
        self.connectionIndex = Configuration.index(self.connections.map(\.name))
        self.personIndex = Configuration.index(self.people.map(\.key))
        self.scheduleIndex = Configuration.index(self.schedules.map(\.name))
        self.destinationIndex = Configuration.index(self.destinations.map(\.name))
    }

    private static func index(_ names: [String]) -> [String: Int] {
        Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func connection(named name: String) -> Connection? { connectionIndex[name].map { connections[$0] } }
    public func person(_ key: String) -> Person? { personIndex[key].map { people[$0] } }
    public func schedule(named name: String) -> Schedule? { scheduleIndex[name].map { schedules[$0] } }
    public func destination(named name: String) -> Destination? { destinationIndex[name].map { destinations[$0] } }
}

/// Where Handoff keeps what it exported (DESIGN section 8).
public struct StateSettings: Sendable, Hashable {
    public enum Backend: Sendable, Hashable {
        /// A JSON file; the path is relative to the configuration directory.
        case local(path: String)
        /// PostgreSQL; the URL (which may hold a password) is read from an environment variable.
        case postgres(urlEnvironmentVariable: String, schema: String, workspace: String, historyDays: Int)
    }

    public var backend: Backend
    public var location: SourceLocation?

    public init(backend: Backend, location: SourceLocation? = nil) {
        self.backend = backend
        self.location = location
    }

    public static let defaultLocalPath = ".handoff/state.json"
    public static let `default` = StateSettings(backend: .local(path: defaultLocalPath))
}

/// A PagerDuty account Handoff talks to.
public struct Connection: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The real PagerDuty; the key is only ever read from `tokenEnvironmentVariable`.
        case pagerDuty(tokenEnvironmentVariable: String, apiURL: String)
        /// The built-in simulated PagerDuty, with its data in a file relative to the configuration
        /// directory and an optional seed file.
        case sandbox(dataPath: String, seedPath: String?)
    }

    public var name: String
    public var kind: Kind
    public var location: SourceLocation
    /// Where `api_url` is written, when it is: a host the key may not go to is reported there.
    public var apiURLLocation: SourceLocation?

    public init(name: String, kind: Kind, location: SourceLocation, apiURLLocation: SourceLocation? = nil) {
        self.name = name
        self.kind = kind
        self.location = location
        self.apiURLLocation = apiURLLocation
    }

    public static let defaultAPIURL = "https://api.pagerduty.com"
    public static let defaultSandboxDataPath = ".handoff/sandbox.json"

    public var typeName: String {
        switch kind {
        case .pagerDuty: return "pagerduty"
        case .sandbox: return "sandbox"
        }
    }
}

/// Someone who can be on call, found in PagerDuty by e-mail.
public struct Person: Sendable, Hashable {
    /// The name used in the configuration (`alice`), or the e-mail address for people named in a
    /// rotation by address only.
    public var key: String
    /// The display name, when given (`Alice Archer`).
    public var name: String?
    public var email: String
    public var location: SourceLocation

    public init(key: String, name: String?, email: String, location: SourceLocation) {
        self.key = key
        self.name = name
        self.email = email
        self.location = location
    }

    /// `Alice Archer <alice@example.com>`, or the key when no name is given.
    public var displayName: String { "\(name ?? key) <\(email)>" }
}

/// A rotation and everything that bends it: coverage windows, time off, swaps and explicit covers.
public struct Schedule: Sendable {
    public var name: String
    public var zone: Zone
    public var rotation: Rotation
    /// Empty means around the clock.
    public var coverage: [CoverageWindow]
    public var horizon: CalendarDuration
    public var timeOff: [TimeOff]
    public var assignments: [Assignment]
    public var swaps: [Swap]
    public var location: SourceLocation

    public init(
        name: String,
        zone: Zone,
        rotation: Rotation,
        coverage: [CoverageWindow] = [],
        horizon: CalendarDuration = Schedule.defaultHorizon,
        timeOff: [TimeOff] = [],
        assignments: [Assignment] = [],
        swaps: [Swap] = [],
        location: SourceLocation
    ) {
        self.name = name
        self.zone = zone
        self.rotation = rotation
        self.coverage = coverage
        self.horizon = horizon
        self.timeOff = timeOff
        self.assignments = assignments
        self.swaps = swaps
        self.location = location
    }

    public static let defaultHorizon = CalendarDuration(8, .weeks)
    /// The longest horizon accepted: exporting further ahead than this is almost surely a typo.
    public static let maximumHorizonDays = 730

    /// Every person who takes a turn in some era, in first-appearance order.
    public var members: [String] {
        var seen: Set<String> = []
        return rotation.eras.flatMap(\.members).filter { seen.insert($0).inserted }
    }
}

/// The rotation: one era from `start`, then one per `changes` entry.
public struct Rotation: Sendable, Hashable {
    /// In order; each era begins where the one before it ends.
    public var eras: [RotationEra]

    public init(eras: [RotationEra]) {
        self.eras = eras
    }
}

/// A stretch of a rotation with one roster and one rhythm; turns are numbered afresh from `from`.
public struct RotationEra: Sendable, Hashable {
    public var from: LocalDateTime
    /// Person keys, in rotation order; the first takes the turn that begins at `from`.
    public var members: [String]
    public var turn: CalendarDuration
    public var location: SourceLocation
    /// Where each member was named, parallel to `members`.
    public var memberLocations: [SourceLocation]

    public init(
        from: LocalDateTime,
        members: [String],
        turn: CalendarDuration,
        location: SourceLocation,
        memberLocations: [SourceLocation]? = nil
    ) {
        self.from = from
        self.members = members
        self.turn = turn
        self.location = location
        self.memberLocations = memberLocations ?? Array(repeating: location, count: members.count)
    }

    public static let minimumTurn = CalendarDuration(30, .minutes)
    public static let maximumTurn = CalendarDuration(52, .weeks)
}

/// A weekly window of wall-clock time in which the schedule needs someone on call.
public struct CoverageWindow: Sendable, Hashable {
    /// The days on which the window opens (it may run into the next day).
    public var days: [Weekday]
    public var from: LocalTime
    /// When `to` is not after `from`, the window runs past midnight into the next day.
    public var to: LocalTime
    public var location: SourceLocation

    public init(days: [Weekday], from: LocalTime, to: LocalTime, location: SourceLocation) {
        self.days = days
        self.from = from
        self.to = to
        self.location = location
    }

    /// Minutes the window lasts on the wall clock.
    public var lengthInMinutes: Int {
        to.minutes > from.minutes ? to.minutes - from.minutes : (to.minutes == from.minutes ? 0 : 1440 - from.minutes + to.minutes)
    }
}

/// Someone's absence, in wall-clock time of the schedule: dates mean whole days, `until` exclusive.
public struct TimeOff: Sendable, Hashable {
    public var person: String
    public var from: LocalDateTime
    public var until: LocalDateTime
    public var location: SourceLocation
    /// Where the person was named.
    public var personLocation: SourceLocation

    public init(
        person: String,
        from: LocalDateTime,
        until: LocalDateTime,
        location: SourceLocation,
        personLocation: SourceLocation? = nil
    ) {
        self.person = person
        self.from = from
        self.until = until
        self.location = location
        self.personLocation = personLocation ?? location
    }
}

/// An explicit cover: this person is on call in this range whatever the rotation says.
public struct Assignment: Sendable, Hashable {
    public var person: String
    public var from: LocalDateTime
    public var until: LocalDateTime
    public var location: SourceLocation
    /// Where the person was named.
    public var personLocation: SourceLocation

    public init(
        person: String,
        from: LocalDateTime,
        until: LocalDateTime,
        location: SourceLocation,
        personLocation: SourceLocation? = nil
    ) {
        self.person = person
        self.from = from
        self.until = until
        self.location = location
        self.personLocation = personLocation ?? location
    }
}

/// Two turns, named by their start, whose owners exchange places.
public struct Swap: Sendable, Hashable {
    public var first: LocalDateTime
    public var second: LocalDateTime
    public var location: SourceLocation

    public init(first: LocalDateTime, second: LocalDateTime, location: SourceLocation) {
        self.first = first
        self.second = second
        self.location = location
    }
}

/// Which PagerDuty schedule receives a schedule's shifts, through which connection.
public struct Destination: Sendable, Hashable {
    /// What to do about changes people make in PagerDuty before the watermark (DESIGN section 5).
    public enum ManualChanges: String, Sendable, Hashable, CaseIterable {
        case keep, revert
    }

    public var name: String
    public var schedule: String
    public var connection: String
    public var pagerDutySchedule: String
    public var manualChanges: ManualChanges
    public var location: SourceLocation
    public var scheduleLocation: SourceLocation
    public var connectionLocation: SourceLocation

    public init(
        name: String,
        schedule: String,
        connection: String,
        pagerDutySchedule: String,
        manualChanges: ManualChanges = .keep,
        location: SourceLocation,
        scheduleLocation: SourceLocation? = nil,
        connectionLocation: SourceLocation? = nil
    ) {
        self.name = name
        self.schedule = schedule
        self.connection = connection
        self.pagerDutySchedule = pagerDutySchedule
        self.manualChanges = manualChanges
        self.location = location
        self.scheduleLocation = scheduleLocation ?? location
        self.connectionLocation = connectionLocation ?? location
    }
}
