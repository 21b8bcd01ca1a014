import YAMLNodes
import SafeText

/// `destinations:`: which PagerDuty schedule receives a schedule's shifts, through which connection.
extension FileDecoder {
    mutating func decodeDestination(_ name: String, key: YAMLNode, _ node: YAMLNode) -> Destination? {
        let context = "destination \"\(name)\""
        let allowed = ["schedule", "connection", "pagerduty_schedule", "manual_changes", "description"]
        guard let fields = reader.fields(of: node, allowed: allowed, in: context) else { return nil }
        let scheduleNode = fields.required("schedule", in: context, reader: &reader, missingAt: key.location)
        let connectionNode = fields.required("connection", in: context, reader: &reader, missingAt: key.location)
        let pagerDutyNode = fields.required("pagerduty_schedule", in: context, reader: &reader, missingAt: key.location)
        let schedule = scheduleNode.flatMap { reader.string($0, "\"schedule\"") }
        let connection = connectionNode.flatMap { reader.string($0, "\"connection\"") }
        var pagerDutySchedule = pagerDutyNode.flatMap { reader.string($0, "\"pagerduty_schedule\"") }
        if let id = pagerDutySchedule, let idNode = pagerDutyNode,
            !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) || id.count > 32
        {
            reader.error("\"pagerduty_schedule\" must be a PagerDuty schedule id such as PABC123, not \"\(SafeText.excerpt(id))\"", at: idNode)
            pagerDutySchedule = nil
        }
        var manualChanges = Destination.ManualChanges.keep
        if let node = fields["manual_changes"] {
            guard let value = reader.choice(node, "\"manual_changes\"", Destination.ManualChanges.self) else { return nil }
            manualChanges = value
        }
        if let node = fields["description"] { _ = reader.string(node, "\"description\"", allowingLineBreaks: true) }
        guard let schedule, let connection, let pagerDutySchedule, let scheduleNode, let connectionNode else { return nil }
        return Destination(
            name: name,
            schedule: schedule,
            connection: connection,
            pagerDutySchedule: pagerDutySchedule,
            manualChanges: manualChanges,
            location: key.location,
            scheduleLocation: scheduleNode.location,
            connectionLocation: connectionNode.location
        )
    }
}
