/// Which store keeps the state for a configured backend: one registry, filled by the composition
/// root (the command line registers `local` and `postgres`), so adding a backend is a
/// registration and not another case in every switch. Generic over the configuration's settings
/// type, which this module does not know.
public struct StateBackends<Settings: Sendable>: Sendable {
    /// Where a store is made: the configuration directory (relative paths) and the environment
    /// (database URLs).
    public struct Context: Sendable {
        public var directory: String
        public var environment: [String: String]

        public init(directory: String, environment: [String: String]) {
            self.directory = directory
            self.environment = environment
        }
    }

    /// Makes the store of one backend from its settings; throws one sentence when it cannot.
    public typealias Factory = @Sendable (Settings, Context) throws -> any StateStore

    private let kind: @Sendable (Settings) -> String
    private var factories: [String: Factory] = [:]

    /// `kind` names the backend a setting asks for (`local`, `postgres`).
    public init(kind: @escaping @Sendable (Settings) -> String) {
        self.kind = kind
    }

    /// Registers the store of the backend `name`; a later registration of the name replaces it.
    public mutating func register(_ name: String, _ factory: @escaping Factory) {
        factories[name] = factory
    }

    /// The names registered, sorted.
    public var names: [String] { factories.keys.sorted() }

    /// The store for `settings`; an `unavailable` state error when no backend of its kind is
    /// registered.
    public func store(for settings: Settings, context: Context) throws -> any StateStore {
        let name = kind(settings)
        guard let factory = factories[name] else {
            throw StateError(.unavailable, "no state backend \"\(name)\" is available; known: \(names.joined(separator: ", "))")
        }
        return try factory(settings, context)
    }
}
