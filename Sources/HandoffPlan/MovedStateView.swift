public import HandoffConfig
public import HandoffState
import SafeText

/// The state as the planner sees it once the configuration's `moved` entries are carried out: a
/// pure function of the state and the configuration, so that planning stays one. The applier
/// records the same renames in the state before anything else it does for those destinations.
public struct MovedStateView: Sendable {
    /// The state with every applicable move done (serial and lineage unchanged).
    public var state: HandoffState
    /// New name → old name, for the moves this plan carries out (the state still held the old name).
    public var movedFrom: [String: String]
    /// Moves that cannot be carried out, one sentence each.
    public var problems: [String]

    /// Applies `configuration.moves` to `state`. A move whose old name the state no longer holds is
    /// done already (or was never needed) and changes nothing, so the entry may stay in the
    /// configuration, as Terraform's `moved` blocks do.
    public init(_ state: HandoffState, configuration: Configuration) {
        var view = state
        var movedFrom: [String: String] = [:]
        var problems: [String] = []
        for move in configuration.moves {
            guard let record = state.destinations[move.from] else { continue }
            if state.destinations[move.to] != nil {
                problems.append(
                    "destination \"\(move.from)\" is moved to \"\(move.to)\", but the state holds a record of both; "
                        + "drop the moved entry, or forget one of them with `handoff state rm`"
                )
                continue
            }
            if let target = configuration.destination(named: move.to),
                target.connection != record.connection || target.pagerDutySchedule != record.destinationSchedule
            {
                problems.append(
                    "destination \"\(move.from)\" is moved to \"\(move.to)\", but \"\(move.from)\" wrote PagerDuty schedule \(SafeText.line(record.destinationSchedule)) "
                        + "through connection \"\(SafeText.line(record.connection))\" and \"\(move.to)\" writes \(target.pagerDutySchedule) through \"\(target.connection)\"; "
                        + "a move leaves the overrides where they are, so drop the moved entry to have them deleted and created anew"
                )
                continue
            }
            view.apply(StateChange(destination: move.from, connection: record.connection, destinationSchedule: record.destinationSchedule, movedTo: move.to))
            movedFrom[move.to] = move.from
        }
        self.state = view
        self.movedFrom = movedFrom
        self.problems = problems
    }
}
