import HandoffTime
import YAMLNodes


/// What one file declares, before the files are merged and cross-checked.
struct FileDeclarations: Sendable {
    var path: String
    var versions: [(value: Int, location: SourceLocation)] = []
    var states: [StateSettings] = []
    var connections: [Connection] = []
    var people: [Person] = []
    var schedules: [Schedule] = []
    var destinations: [Destination] = []
    var moves: [MovedDestination] = []
    var removals: [RemovedDestination] = []
    /// The top-level `freeze`, the default of schedules that set none.
    var freezes: [(value: CalendarDuration, location: SourceLocation)] = []
    /// Schedules that set their own `freeze`.
    var explicitFreezes: Set<String> = []
    var diagnostics: [Diagnostic] = []
    /// Every name declared, by kind ("connection", "person", ...), including entries that failed
    /// to decode, so that references to them do not also report "not defined".
    var declaredNames: [String: Set<String>] = [:]
    /// Schedules decoded with placeholders for invalid parts (already reported); they take part
    /// in reference checks but not in checks that need their times.
    var partialSchedules: Set<String> = []
}
