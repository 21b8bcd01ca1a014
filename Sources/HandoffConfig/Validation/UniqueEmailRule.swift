import YAMLNodes

/// One e-mail, one person: PagerDuty users are found by address, so two people with one address
/// would be one PagerDuty user.
enum UniqueEmailRule {
    /// The people by lower-cased address (the first of each); a later person with an address
    /// already taken is an error.
    static func emails(of people: [Person], into diagnostics: inout [Diagnostic]) -> [String: Person] {
        var emails: [String: Person] = [:]
        for person in people {
            let key = person.email.lowercased()
            if let first = emails[key] {
                diagnostics.append(.sameEmail(person, as: first))
            } else {
                emails[key] = person
            }
        }
        return emails
    }
}

extension Diagnostic {
    fileprivate static func sameEmail(_ person: Person, as first: Person) -> Diagnostic {
        .error(
            "\(person.key) has the same e-mail address as \(first.key) (\(first.location)); each person needs an address of their own",
            at: person.location
        )
    }
}
