public import YAMLNodes

/// Where Handoff keeps what it exported (DESIGN section 8).
public struct StateSettings: Sendable, Hashable {
    public enum Backend: Sendable, Hashable {
        /// A JSON file; the path is relative to the configuration directory.
        case local(path: String)
        /// PostgreSQL; the URL (which may hold a password) is read from an environment variable.
        case postgres(urlEnvironmentVariable: String, schema: String, workspace: String, historyDays: Int)
    }

    public var backend: Backend
    public var location: SourceLocation?

    public init(backend: Backend, location: SourceLocation? = nil) {
        self.backend = backend
        self.location = location
    }

    public static let defaultLocalPath = ".handoff/state.json"
    public static let `default` = StateSettings(backend: .local(path: defaultLocalPath))
}
