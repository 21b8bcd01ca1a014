import YAMLNodes
import SafeText

/// `destinations:`: which PagerDuty schedule receives a schedule's shifts, through which connection.
extension FileDecoder {
    /// PagerDuty names are short; a longer value is a mistake, not a rotation.
    static let maximumRotationLength = 200

    mutating func decodeDestination(_ name: String, key: YAMLNode, _ node: YAMLNode) -> Destination? {
        let context = "destination \"\(name)\""
        let allowed = ["schedule", "connection", "pagerduty_schedule", "pagerduty_rotation", "manual_changes", "description"]
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
        var pagerDutyRotation: String?
        if let node = fields["pagerduty_rotation"], let rotation = reader.string(node, "\"pagerduty_rotation\"") {
            // A rotation's id (PABC123) or its name as PagerDuty shows it: one line, not blank.
            if rotation.allSatisfy(\.isWhitespace) || rotation.count > Self.maximumRotationLength {
                reader.error(
                    "\"pagerduty_rotation\" must be the id or name of a rotation of the PagerDuty schedule, at most \(Self.maximumRotationLength) characters",
                    at: node
                )
            } else {
                pagerDutyRotation = rotation
            }
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
            pagerDutyRotation: pagerDutyRotation,
            manualChanges: manualChanges,
            location: key.location,
            scheduleLocation: scheduleNode.location,
            connectionLocation: connectionNode.location
        )
    }
}
