import HandoffDestination
import SafeText

/// Shift-based schedules in words: the schedule's kind, what each object is, and the notes.
extension PlanRenderer {
    /// ` (shift-based)` after a shift-based schedule's id; nothing for any other (a layer-based
    /// schedule reads as it always has).
    static func kindWords(_ destination: DestinationPlan) -> String {
        destination.scheduleKind == .shiftBased ? " (\(DestinationScheduleKind.shiftBased))" : ""
    }

    /// What an object of a target other than the whole schedule does, escaped, for after the
    /// person: `replaces Alice Archer on rotation R1`, `fills a vacant seat on rotation R1`,
    /// `replaces Bob Brown on custom shift C1`; nil for the whole schedule and a custom shift
    /// (whose line names it).
    static func targetWords(_ action: PlanAction) -> String? {
        func replaced(_ userID: String?) -> String {
            guard let userID else { return "fills a vacant seat" }
            return "replaces " + SafeText.line(action.replacedPerson ?? "PagerDuty user \(userID)")
        }
        switch action.target {
        case .schedule, .customShift: return nil
        case .rotation(let id, let replacing): return "\(replaced(replacing)) on rotation \(SafeText.line(id))"
        case .customShiftOverride(let id, let replacing): return "\(replaced(replacing)) on custom shift \(SafeText.line(id))"
        }
    }

    /// `! note      …`: one line per sentence the destination asks the plan to show, escaped.
    static func noteLines(_ destination: DestinationPlan, colours: Colours) -> [String] {
        destination.notes.map { colours.yellow("! note     ") + " " + SafeText.line($0) }
    }
}
