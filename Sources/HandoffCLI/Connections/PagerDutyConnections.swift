import HandoffDestination
import HandoffPagerDuty
import HandoffSync
import PagerDuty

extension ConnectionHub {
    /// The PagerDuty client behind a connection, for what only PagerDuty offers (`handoff import`
    /// reads schedules with their layers); any connection the program opens is one today.
    func pagerDutyClient(_ connection: String) throws -> PagerDutyClient {
        guard let pagerDuty = try destination(connection) as? PagerDutyDestination else {
            throw SyncError("connection \"\(connection)\" is not a PagerDuty connection, which an import reads from")
        }
        return pagerDuty.client
    }
}
