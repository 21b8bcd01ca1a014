import YAMLNodes

/// A warning for a person no rotation lists and no cover assigns: probably a leftover or a typo.
enum IdlePeopleRule: ValidationRule {
    static func check(_ merged: MergedDeclarations, into diagnostics: inout [Diagnostic]) {
        // A schedule that failed to decode may well list the people who seem idle; say nothing then.
        let allSchedulesDecoded = merged.schedules.count == (merged.declared["schedule"] ?? []).count
        let onCall = Set(merged.schedules.flatMap { $0.members + $0.assignments.map(\.person) })
        for person in merged.people where allSchedulesDecoded && !onCall.contains(person.key) {
            diagnostics.append(.neverOnCall(person))
        }
    }
}

extension Diagnostic {
    fileprivate static func neverOnCall(_ person: Person) -> Diagnostic {
        .warning("\(person.key) is never on call: no rotation lists them and no cover assigns them", at: person.location)
    }
}
