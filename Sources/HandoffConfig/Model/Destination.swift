public import YAMLNodes

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
    /// `pagerduty_rotation`: on a shift-based PagerDuty schedule, the rotation (id or name) whose
    /// on-call the export replaces; nil lets a schedule with exactly one rotation choose it.
    public var pagerDutyRotation: String?
    public var manualChanges: ManualChanges
    public var location: SourceLocation
    public var scheduleLocation: SourceLocation
    public var connectionLocation: SourceLocation

    public init(
        name: String,
        schedule: String,
        connection: String,
        pagerDutySchedule: String,
        pagerDutyRotation: String? = nil,
        manualChanges: ManualChanges = .keep,
        location: SourceLocation,
        scheduleLocation: SourceLocation? = nil,
        connectionLocation: SourceLocation? = nil
    ) {
        self.name = name
        self.schedule = schedule
        self.connection = connection
        self.pagerDutySchedule = pagerDutySchedule
        self.pagerDutyRotation = pagerDutyRotation
        self.manualChanges = manualChanges
        self.location = location
        self.scheduleLocation = scheduleLocation ?? location
        self.connectionLocation = connectionLocation ?? location
    }
}
