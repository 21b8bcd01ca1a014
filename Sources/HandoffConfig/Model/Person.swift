public import YAMLNodes

/// Someone who can be on call, found in PagerDuty by e-mail.
public struct Person: Sendable, Hashable {
    /// The name used in the configuration (`alice`), or the e-mail address for people named in a
    /// rotation by address only.
    public var key: String
    /// The display name, when given (`Alice Archer`).
    public var name: String?
    public var email: String
    public var location: SourceLocation

    public init(key: String, name: String?, email: String, location: SourceLocation) {
        self.key = key
        self.name = name
        self.email = email
        self.location = location
    }

    /// `Alice Archer <alice@example.com>`, or the key when no name is given.
    public var displayName: String { "\(name ?? key) <\(email)>" }
}
