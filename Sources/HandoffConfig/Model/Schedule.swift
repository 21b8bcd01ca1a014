public import HandoffTime
public import YAMLNodes

/// A rotation and everything that bends it: coverage windows, time off, swaps and explicit covers.
public struct Schedule: Sendable {
    public var name: String
    public var zone: Zone
    public var rotation: Rotation
    /// Empty means around the clock.
    public var coverage: [CoverageWindow]
    public var horizon: CalendarDuration
    /// How far ahead who is on call is announced and may not change silently (DESIGN 5): a
    /// plan that changes a shift in `[now, now + freeze)` is refused unless an entry names that
    /// time (a swap, a cover, time off, a rotation change from inside it). Zero turns it off.
    public var freeze: CalendarDuration
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
        freeze: CalendarDuration = Schedule.defaultFreeze,
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
        self.freeze = freeze
        self.timeOff = timeOff
        self.assignments = assignments
        self.swaps = swaps
        self.location = location
    }

    public static let defaultHorizon = CalendarDuration(8, .weeks)
    /// The freeze of a schedule that sets none, when the top level sets none either.
    public static let defaultFreeze = CalendarDuration(1, .weeks)
    /// The longest horizon accepted: exporting further ahead than this is almost surely a typo.
    public static let maximumHorizonDays = 730

    /// Every person who takes a turn in some era, in first-appearance order.
    public var members: [String] {
        var seen: Set<String> = []
        return rotation.eras.flatMap(\.members).filter { seen.insert($0).inserted }
    }
}
