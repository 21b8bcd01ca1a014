/// What the state still records about a destination, so validation can tell a user that a
/// connection cannot be removed while something exported through it remains in PagerDuty.
public struct StateUsage: Sendable, Hashable {
    public var destination: String
    public var connection: String

    public init(destination: String, connection: String) {
        self.destination = destination
        self.connection = connection
    }
}
