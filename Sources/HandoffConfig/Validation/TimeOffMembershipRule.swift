import YAMLNodes
import SafeText

/// Time off matters for members only: for anyone else it is most likely a typo.
enum TimeOffMembershipRule: ValidationRule {
    static func check(_ merged: MergedDeclarations, into diagnostics: inout [Diagnostic]) {
        for schedule in merged.schedules {
            let members = Set(schedule.members)
            for timeOff in schedule.timeOff where !members.contains(timeOff.person) {
                diagnostics.append(.timeOffOfNonMember(timeOff, schedule: schedule.name, members: members))
            }
        }
    }
}

extension Diagnostic {
    fileprivate static func timeOffOfNonMember(_ timeOff: TimeOff, schedule: String, members: Set<String>) -> Diagnostic {
        .error(
            "\(SafeText.excerpt(timeOff.person)) is not a member of the rotation of schedule \"\(schedule)\"; time off matters only for members"
                + Suggestion.hint(for: timeOff.person, in: members),
            at: timeOff.personLocation
        )
    }
}
