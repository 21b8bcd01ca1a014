import Foundation
import HandoffConfig

extension APIHostPolicy {
    /// The policy of this run: PagerDuty's API hosts and loopback, plus the hosts the pipeline
    /// lists in `HANDOFF_ALLOWED_API_HOSTS`. Read here, at the edge, and passed to the loader and
    /// the connections; the configuration can never widen it.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> APIHostPolicy {
        do {
            return try APIHostPolicy(allowList: environment[environmentVariable])
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}
