import Foundation
import HandoffDestination
import HandoffTime
import SafeText

/// Turns a plan into what reviewers read: Terraform-style text for terminals and CI logs,
/// Markdown for pull-request comments, JSON for programs (`schemas/plan.schema.json`).
///
/// Names, e-mails, identifiers and reasons come from the configuration of a pull request or from
/// PagerDuty, so every one of them is rendered through `SafeText`: on one line with control
/// characters visible in text, as character references inside `<code>` in Markdown's HTML (where
/// GitHub finds no mentions or links), inside a fence nothing can close in Markdown's code blocks. JSON escapes by its own rules.
///
/// Text is here; Markdown, JSON and the English of typed reasons are in `PlanRenderer+Markdown`,
/// `PlanRenderer+JSON` and `PlanRenderer+Words`.
public enum PlanRenderer {
    /// ANSI colour codes, applied only when the caller says colour is welcome.
    public struct Colours: Sendable {
        public var enabled: Bool

        public init(enabled: Bool) {
            self.enabled = enabled
        }

        func paint(_ text: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        func green(_ text: String) -> String { paint(text, "32") }
        func red(_ text: String) -> String { paint(text, "31") }
        func yellow(_ text: String) -> String { paint(text, "33") }
        func bold(_ text: String) -> String { paint(text, "1") }
    }

    // MARK: - Text

    public static func text(_ plan: Plan, colours: Colours = Colours(enabled: false)) -> String {
        var output = frozenNotice(plan).map { colours.yellow($0[0]) + "\n" + $0.dropFirst().map { "  \($0)\n" }.joined() + "\n" } ?? ""
        let outside = plan.destinations.filter { !$0.actions(.keep).isEmpty || !$0.actions(.drift).isEmpty }
        if !outside.isEmpty {
            output += colours.bold("Changed outside Handoff:") + "\n"
            for destination in outside {
                output += "\n  " + colours.bold(header(destination)) + "\n"
                for action in destination.actions where action.kind == .keep || action.kind == .drift {
                    output += "  " + line(action, destination, colours: colours) + "\n"
                }
            }
            output += "\n"
        }
        let changed = plan.destinations.filter(\.hasChanges)
        guard !changed.isEmpty else {
            return output + "No changes. PagerDuty matches the configuration.\n"
        }
        output += "Handoff will perform the following actions:\n"
        for destination in changed {
            output += "\n  " + colours.bold(header(destination)) + "\n"
            for note in noteLines(destination, colours: colours) { output += "  " + note + "\n" }
            if let moved = movedLine(destination, colours: colours) { output += "  " + moved + "\n" }
            if let notice = stateNotice(destination, colours: colours) { output += "  " + notice + "\n" }
            for handover in destination.handovers {
                output += "  " + handoverLine(handover, destination, colours: colours) + "\n"
            }
            for action in destination.actions where [.create, .move, .delete, .adopt].contains(action.kind) {
                output += "  " + line(action, destination, colours: colours) + "\n"
            }
            if let records = interruptedDeletesLine(destination, colours: colours) { output += "  " + records + "\n" }
            if let trailer = trailer(destination, colours: colours) { output += "  " + trailer + "\n" }
        }
        return output + "\n" + summaryLine(plan) + "\n"
    }

    static func header(_ destination: DestinationPlan) -> String {
        let removed = destination.removed ? " (removed from the configuration)" : ""
        return "# destination \(SafeText.line(destination.name))\(removed) → PagerDuty schedule "
            + "\(SafeText.line(destination.destinationSchedule))\(kindWords(destination)) (connection \(SafeText.line(destination.connection)))"
    }

    static func line(_ action: PlanAction, _ destination: DestinationPlan, colours: Colours) -> String {
        let zone = Zone(identifier: destination.timeZone) ?? Zone.utc
        let span = DisplayTime.span(action.range, in: zone)
        let who = "\(SafeText.line(action.person)) <\(SafeText.line(action.email))>"
        let why = (targetWords(action).map { "  (\($0))" } ?? "") + (action.reason.map { "  (\(SafeText.line(words($0, in: zone))))" } ?? "")
        let object = action.target == .customShift ? "custom shift" : "override "
        switch action.kind {
        case .create: return colours.green("+ \(object)") + " \(span)  \(who)\(why)"
        case .delete: return colours.red("- \(object)") + " \(span)  \(who)\(why)"
        case .adopt: return colours.yellow("= adopt    ") + " \(span)  \(who)\(why)"
        case .keep: return colours.yellow("! kept     ") + " \(span)  \(who)\(why)"
        case .drift: return colours.yellow("! drift    ") + " \(span)  \(who)\(why)"
        case .move:
            // From → to: the span once when it stays, the person once when they stay.
            guard let previous = action.previous else { return colours.yellow("~ move     ") + " \(span)  \(who)\(why)" }
            let previousName = SafeText.line(action.previousPerson ?? "PagerDuty user \(previous.userID)")
            let previousSpan = DisplayTime.span(InstantRange(start: previous.start, end: previous.end), in: zone)
            let change = previousSpan == span ? "\(span)  \(previousName) → \(who)" : previous.userID == action.userID ? "\(previousSpan) → \(span)  \(who)" : "\(previousSpan)  \(previousName) → \(span)  \(who)"
            return colours.yellow("~ move     ") + " \(change)\(why)"
        }
    }

    // MARK: - Handovers

    /// `~ Mon 2026-12-07 09:00 → Mon 2026-12-14 09:00 +01:00  Frank Foster → Dave Diaz  (swap)`,
    /// in the destination's zone, marked when the person on call right now changes.
    static func handoverLine(_ handover: Handover, _ destination: DestinationPlan, colours: Colours) -> String {
        let zone = Zone(identifier: destination.timeZone) ?? Zone.utc
        let span = DisplayTime.span(handover.range, in: zone)
        let who = "\(holderName(handover.before)) → \(holderName(handover.after))"
        let now = handover.containsNow ? "  " + colours.bold("(on call now)") : ""
        return colours.yellow("~") + " \(span)  \(who)  (\(words(handover.why, in: zone)))\(now)"
    }

    /// A holder's name on one line, as `words(_:name:)` puts it.
    static func holderName(_ holder: Handover.Holder?) -> String {
        words(holder) { SafeText.line($0) }
    }

    /// The one line that says the state looks lost (DESIGN 5.9), and what the plan does about it.
    /// With no state every override in the way was made outside Handoff: kept, or deleted when the
    /// run allowed it.
    static func stateNotice(_ destination: DestinationPlan, colours: Colours) -> String? {
        guard destination.stateLooksLost else { return nil }
        func overrides(_ count: Int) -> String { count == 1 ? "1 override" : "\(count) overrides" }
        let kept = destination.actions(.keep).count
        let deleted = destination.actions(.delete).count
        let others = kept > 0
            ? "; \(overrides(kept)) made outside Handoff in the way \(kept == 1 ? "stays" : "stay") (--allow-first-export-deletes overwrites \(kept == 1 ? "it" : "them"))"
            : deleted > 0 ? "; \(overrides(deleted)) made outside Handoff in the way \(deleted == 1 ? "goes" : "go"), as --allow-first-export-deletes allows" : ""
        return colours.yellow("! state    ")
            + " looks lost: none is recorded for this destination, yet PagerDuty holds \(overrides(destination.actions(.adopt).count)) equal to the configuration's, adopted\(others)"
    }

    /// What the listing showed of deletes an interrupted apply marked pending.
    static func interruptedDeletesLine(_ destination: DestinationPlan, colours: Colours) -> String? {
        let interrupted = destination.interruptedDeletes
        guard !interrupted.isEmpty else { return nil }
        var parts: [String] = []
        if !interrupted.done.isEmpty {
            parts.append("forget \(interrupted.done.count == 1 ? "1 override" : "\(interrupted.done.count) overrides") an interrupted apply deleted")
        }
        if !interrupted.withdrawn.isEmpty {
            let count = interrupted.withdrawn.count
            parts.append("keep \(count == 1 ? "1 override" : "\(count) overrides") an interrupted apply was to delete, wanted again")
        }
        return colours.yellow("~ state    ") + " " + parts.joined(separator: "; ")
    }

    /// The watermark line, or what becomes of a removed destination's state.
    static func trailer(_ destination: DestinationPlan, colours: Colours) -> String? {
        if destination.removed, destination.keepsOverrides {
            return colours.yellow("- state    ") + " of destination \(SafeText.line(destination.name)): removed (overrides kept in PagerDuty)"
        }
        if destination.removed { return colours.red("- state    ") + " of destination \(SafeText.line(destination.name))" }
        guard destination.watermarkMoves, let after = destination.watermarkAfter else { return nil }
        let zone = Zone(identifier: destination.timeZone) ?? Zone.utc
        let before = destination.watermarkBefore.map { DisplayTime.withOffset($0, in: zone) } ?? "(nothing exported yet)"
        return colours.yellow("~ watermark") + " \(before) → \(DisplayTime.withOffset(after, in: zone))"
    }

    /// `Plan: 1 to add, 1 to delete. Exported through Mon 2027-01-11 09:00 +01:00.`
    public static func summaryLine(_ plan: Plan) -> String {
        let summary = plan.summary
        var parts = ["\(summary.create) to add", "\(summary.delete) to delete"]
        if summary.move > 0 { parts.append("\(summary.move) to change in place") }
        if summary.adopt > 0 { parts.append("\(summary.adopt) to adopt") }
        if summary.moved > 0 { parts.append("\(summary.moved) to move") }
        if summary.forgotten > 0 { parts.append("\(summary.forgotten) to forget") }
        var text = "Plan: " + parts.joined(separator: ", ") + "."
        let watermarks = plan.destinations.filter { !$0.removed && $0.watermarkAfter != nil }
        if watermarks.count == 1, let destination = watermarks.first, let after = destination.watermarkAfter {
            let zone = Zone(identifier: destination.timeZone) ?? Zone.utc
            text += " Exported through \(DisplayTime.withOffset(after, in: zone))."
        }
        return text
    }

    // MARK: - Frozen shifts

    /// The first line of a plan that changes announced shifts (`--allow-frozen-changes`), and one
    /// line per change, as plain text (each caller escapes for its format).
    static func frozenNotice(_ plan: Plan) -> [String]? {
        guard plan.frozenChangesAllowed, !plan.frozenChanges.isEmpty else { return nil }
        let schedules = Array(Set(plan.frozenChanges.map(\.schedule))).sorted().map { "\"\(SafeText.line($0))\"" }
        let count = plan.frozenChanges.count
        var lines = [
            "! Announced shifts change hands, as --allow-frozen-changes allows: \(count == 1 ? "1 change" : "\(count) changes") "
                + "within the freeze of schedule\(schedules.count == 1 ? "" : "s") \(schedules.joined(separator: ", "))."
        ]
        for change in plan.frozenChanges {
            let zone = Zone(identifier: change.timeZone) ?? Zone.utc
            func who(_ entry: PeopleDirectory.Entry?) -> String { entry.map { "\(SafeText.line($0.name)) <\(SafeText.line($0.email))>" } ?? "nobody" }
            lines.append("\(DisplayTime.span(change.range, in: zone))  \(who(change.before)) → \(who(change.after))")
        }
        return lines
    }
}

// MARK: - Moved and removed destinations

extension PlanRenderer {
    /// `~ moved     old → new`: a `moved` entry carries the state's record over, with no PagerDuty call.
    static func movedLine(_ destination: DestinationPlan, colours: Colours) -> String? {
        guard let oldName = destination.movedFrom else { return nil }
        return colours.yellow("~ moved    ") + " \(SafeText.line(oldName)) → \(SafeText.line(destination.name))"
    }

    /// What the Markdown summary says after a destination's name.
    static func markdownStatus(_ destination: DestinationPlan) -> String {
        if destination.removed { return destination.keepsOverrides ? " (removed, overrides kept in PagerDuty)" : " (removed)" }
        if let oldName = destination.movedFrom { return " (moved from <code>\(SafeText.html(oldName))</code>)" }
        return ""
    }
}
