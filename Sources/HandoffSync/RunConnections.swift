import HandoffConfig

/// What a run tells about the connections it owns: when they are open, and when they are about to
/// close and have closed, on every path (errors included). Benchmarks time the work between the
/// two; tests count that every opening is followed by a close.
public struct ConnectionHooks: Sendable {
    /// The connections are open; nothing has been sent through them by the run yet.
    public var opened: @Sendable (ConnectionHub) async -> Void = { _ in }
    /// The run's work with the connections is over (done or failed); they close next.
    public var closing: @Sendable () async -> Void = {}
    /// The connections are closed.
    public var closed: @Sendable () async -> Void = {}

    public init() {}
}

extension ConnectionHub {
    /// Opens the connections `names`, runs `body` with them, and closes them whatever happens:
    /// the one place a run's connections are opened and closed.
    static func using<Result: Sendable>(
        _ names: Set<String>, configuration: Configuration, options: ConnectionOptions, hooks: ConnectionHooks,
        _ body: (ConnectionHub) async throws -> Result
    ) async throws -> Result {
        let hub = try await open(names, configuration: configuration, options: options)
        await hooks.opened(hub)
        let result: Result
        do {
            result = try await body(hub)
        } catch {
            await hooks.closing()
            await hub.close()
            await hooks.closed()
            throw error
        }
        await hooks.closing()
        await hub.close()
        await hooks.closed()
        return result
    }
}
