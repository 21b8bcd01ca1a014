public import HandoffPagerDuty
public import HandoffSync
public import PagerDuty

/// The connection kinds of the `handoff` program: `pagerduty` (a real account through its key)
/// and `sandbox` (the simulated PagerDuty started inside this process). A target of its own, so
/// that the command line, the test support and the benchmarks register the same kinds while the
/// plan/apply library links neither PagerDuty nor its simulator.
extension ConnectionKinds {
    /// Both kinds; `configure` adjusts every PagerDuty client (tests: a virtual clock, fast retries).
    public static func standard(
        configure: @escaping @Sendable (inout PagerDutyClient.Configuration) -> Void = { _ in }
    ) -> ConnectionKinds {
        var kinds = ConnectionKinds()
        kinds.registerPagerDuty(configure: configure)
        kinds.registerSandbox(configure: configure)
        return kinds
    }

    /// `type: pagerduty`: a client of the account, its key from the environment.
    public mutating func registerPagerDuty(configure: @escaping @Sendable (inout PagerDutyClient.Configuration) -> Void = { _ in }) {
        register("pagerduty") { request in
            let options = request.options
            let destination = try PagerDutyConnection.open(
                request.connection,
                environment: options.environment,
                apiHosts: options.apiHosts,
                settings: .init(options, configure: configure)
            )
            return Opened(destination: destination, close: { await destination.close() })
        }
    }
}

extension PagerDutyConnection.Settings {
    init(_ options: ConnectionOptions, configure: @escaping @Sendable (inout PagerDutyClient.Configuration) -> Void) {
        self.init()
        parallelism = options.parallelism
        progress = options.progress
        self.configure = configure
    }
}
