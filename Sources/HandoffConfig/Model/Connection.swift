public import YAMLNodes

/// A PagerDuty account Handoff talks to.
public struct Connection: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The real PagerDuty; the key is only ever read from `tokenEnvironmentVariable`.
        case pagerDuty(tokenEnvironmentVariable: String, apiURL: String)
        /// The built-in simulated PagerDuty, with its data in a file relative to the configuration
        /// directory and an optional seed file.
        case sandbox(dataPath: String, seedPath: String?)
    }

    public var name: String
    public var kind: Kind
    public var location: SourceLocation
    /// Where `api_url` is written, when it is: a host the key may not go to is reported there.
    public var apiURLLocation: SourceLocation?

    public init(name: String, kind: Kind, location: SourceLocation, apiURLLocation: SourceLocation? = nil) {
        self.name = name
        self.kind = kind
        self.location = location
        self.apiURLLocation = apiURLLocation
    }

    public static let defaultAPIURL = "https://api.pagerduty.com"
    public static let defaultSandboxDataPath = ".handoff/sandbox.json"

    public var typeName: String {
        switch kind {
        case .pagerDuty: return "pagerduty"
        case .sandbox: return "sandbox"
        }
    }
}
