import YAMLNodes
import SafeText

/// `moved:` and `removed:`: destinations renamed with their state, or let go of on purpose.
extension FileDecoder {
    /// `moved: [{ from: old-name, to: new-name }]`; whether the names are configured is checked
    /// across files, by `ConfigurationValidator`.
    mutating func decodeMoves(_ node: YAMLNode) {
        guard let items = reader.list(node, "\"moved\"") else { return }
        for item in items {
            let context = "a moved entry"
            guard let fields = reader.fields(of: item, allowed: ["from", "to"], in: context) else { continue }
            let fromNode = fields.required("from", in: context, reader: &reader)
            let toNode = fields.required("to", in: context, reader: &reader)
            let from = fromNode.flatMap { destinationName($0, "\"from\"") }
            let to = toNode.flatMap { destinationName($0, "\"to\"") }
            guard let from, let to, let fromNode, let toNode else { continue }
            guard from != to else {
                reader.error("a moved entry must name two different destinations, but both are \"\(from)\"", at: toNode)
                continue
            }
            output.moves.append(MovedDestination(from: from, to: to, location: item.location, fromLocation: fromNode.location, toLocation: toNode.location))
        }
    }

    /// `removed: [{ destination: name, keep_overrides: true }]`; `keep_overrides` is required, as
    /// either answer is a deliberate choice about what stays in PagerDuty.
    mutating func decodeRemovals(_ node: YAMLNode) {
        guard let items = reader.list(node, "\"removed\"") else { return }
        for item in items {
            let context = "a removed entry"
            guard let fields = reader.fields(of: item, allowed: ["destination", "keep_overrides"], in: context) else { continue }
            let destinationNode = fields.required("destination", in: context, reader: &reader)
            let keepNode = fields.required("keep_overrides", in: context, reader: &reader)
            let destination = destinationNode.flatMap { destinationName($0, "\"destination\"") }
            let keep = keepNode.flatMap { reader.boolean($0, "\"keep_overrides\"") }
            guard let destination, let keep, let destinationNode else { continue }
            output.removals.append(
                RemovedDestination(destination: destination, keepOverrides: keep, location: item.location, destinationLocation: destinationNode.location)
            )
        }
    }

    mutating func destinationName(_ node: YAMLNode, _ what: String) -> String? {
        guard let name = reader.string(node, what) else { return nil }
        guard NodeReader.isValidName(name) else {
            reader.error(
                "\(what) must be a destination name (ASCII letters, digits, \"-\", \"_\" and \".\", starting with a letter or digit), not \"\(SafeText.excerpt(name))\"",
                at: node
            )
            return nil
        }
        return name
    }
}
