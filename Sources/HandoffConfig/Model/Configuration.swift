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
