import YAMLNodes
import SafeText

/// Turns the names in rotations, time off and covers into person keys: a key as written, or an
/// e-mail address (of a defined person, or of someone known only by address, who becomes an
/// implicit person). A key that names no person is an error.
struct PersonReferencesRule {
    let declaredKeys: Set<String>
    let emails: [String: Person]
    /// People known only by the address a schedule names them by, in first-mention order.
    var implicitPeople: [Person] = []
    private var implicitByEmail: [String: String] = [:]

    init(emails: [String: Person], declaredKeys: Set<String>) {
        self.declaredKeys = declaredKeys
        self.emails = emails
    }

    mutating func resolve(_ schedule: inout Schedule, into diagnostics: inout [Diagnostic]) {
        for era in schedule.rotation.eras.indices {
            let locations = schedule.rotation.eras[era].memberLocations
            schedule.rotation.eras[era].members = schedule.rotation.eras[era].members.enumerated().map { index, name in
                resolve(name, at: locations[index], role: "a member", schedule: schedule.name, into: &diagnostics)
            }
        }
        for index in schedule.timeOff.indices {
            let entry = schedule.timeOff[index]
            schedule.timeOff[index].person = resolve(entry.person, at: entry.personLocation, role: "taking time off", schedule: schedule.name, into: &diagnostics)
        }
        for index in schedule.assignments.indices {
            let entry = schedule.assignments[index]
            schedule.assignments[index].person = resolve(
                entry.person, at: entry.personLocation, role: "covering", schedule: schedule.name, into: &diagnostics
            )
        }
    }

    private mutating func resolve(_ name: String, at location: SourceLocation, role: String, schedule: String, into diagnostics: inout [Diagnostic]) -> String {
        if name.contains("@") {
            if let person = emails[name.lowercased()] { return person.key }
            guard FileDecoder.isEmailAddress(name) else {
                diagnostics.append(.notAnEmailAddress(name, at: location))
                return name
            }
            if let key = implicitByEmail[name.lowercased()] { return key }
            implicitByEmail[name.lowercased()] = name
            implicitPeople.append(Person(key: name, name: nil, email: name, location: location))
            return name
        }
        if !declaredKeys.contains(name) {
            diagnostics.append(.undefinedPerson(name, role: role, schedule: schedule, declared: declaredKeys, at: location))
        }
        return name
    }
}

extension Diagnostic {
    fileprivate static func notAnEmailAddress(_ name: String, at location: SourceLocation) -> Diagnostic {
        .error("\"\(SafeText.excerpt(name))\" is not an e-mail address", at: location)
    }

    fileprivate static func undefinedPerson(_ name: String, role: String, schedule: String, declared: Set<String>, at location: SourceLocation) -> Diagnostic {
        .error(
            "schedule \"\(schedule)\" names \"\(SafeText.excerpt(name))\" as \(role), but no person \"\(SafeText.excerpt(name))\" is defined under \"people\""
                + Suggestion.hint(for: name, in: declared),
            at: location
        )
    }
}
