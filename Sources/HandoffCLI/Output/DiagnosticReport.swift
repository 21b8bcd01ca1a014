import HandoffConfig
import OrderedJSON
import YAMLNodes
import SafeText

/// Renders diagnostics for people (`path:line:col: error: message`, the source line, a caret)
/// and for programs (the JSON documented by `schemas/validate-output.schema.json`).
enum DiagnosticReport {
    static func text(_ diagnostics: [Diagnostic], sources: [String: String], colour: Bool) -> String {
        var output = ""
        var indexed: [String: SourceLines] = [:]
        for diagnostic in diagnostics {
            let label: String
            switch diagnostic.severity {
            case .error: label = colour ? Style.error("error:") : "error:"
            case .warning: label = colour ? Style.warning("warning:") : "warning:"
            }
            // Diagnostics escape what they quote; escaping again here keeps a message built any
            // other way from reaching the terminal with a control character or an escape in it.
            let place = diagnostic.location.map { SafeText.line("\($0)") + ": " } ?? ""
            let message = SafeText.line(diagnostic.message)
            output += "\(place)\(label) \(colour ? Style.bold(message) : message)\n"
            if let location = diagnostic.location, let text = sources[location.path] {
                let lines = indexed[location.path] ?? SourceLines(text)
                indexed[location.path] = lines
                if let excerpt = SourceExcerpt.render(lines, at: location.start) {
                    output += excerpt.line + "\n"
                    output += (colour ? Style.green(excerpt.caret) : excerpt.caret) + "\n"
                }
            }
            if let detail = diagnostic.detail {
                output += "note: \(SafeText.line(detail))\n"
            }
        }
        return output
    }

    static func summary(_ diagnostics: [Diagnostic], configuration: Configuration?) -> String {
        if let configuration, !diagnostics.hasErrors {
            return "Configuration is valid: \(plural(configuration.schedules.count, "schedule")), "
                + "\(plural(configuration.destinations.count, "destination")), "
                + "\(plural(configuration.connections.count, "connection"))."
        }
        return "\(plural(diagnostics.errorCount, "error")), \(plural(diagnostics.warningCount, "warning"))"
    }

    /// The document `schemas/validate-output.schema.json` describes.
    static func json(_ diagnostics: [Diagnostic], valid: Bool) -> String {
        JSONValue.object([
            "valid": .bool(valid),
            "error_count": .int(diagnostics.errorCount),
            "warning_count": .int(diagnostics.warningCount),
            "diagnostics": .array(diagnostics.map(json)),
        ]).serialized()
    }

    private static func json(_ diagnostic: Diagnostic) -> JSONValue {
        .object([
            "severity": .string(diagnostic.severity.rawValue),
            "summary": .string(diagnostic.message),
            "detail": diagnostic.detail.map(JSONValue.string),
            "range": diagnostic.location.map { location in
                .object([
                    "file": .string(location.path),
                    "start": position(location.start),
                    "end": location.end.map(position),
                ])
            },
        ])
    }

    private static func position(_ mark: Mark) -> JSONValue {
        .object(["line": .int(mark.line), "column": .int(mark.column)])
    }
}

/// `1 schedule`, `2 schedules`.
func plural(_ count: Int, _ noun: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : (plural ?? noun + "s"))"
}

