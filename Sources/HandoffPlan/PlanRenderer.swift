import Foundation
import HandoffTime
public import OrderedJSON
import SafeText

/// Turns a plan into what reviewers read: Terraform-style text for terminals and CI logs,
/// Markdown for pull-request comments, JSON for programs (`schemas/plan.schema.json`).
///
/// Names, e-mails, identifiers and reasons come from the configuration of a pull request or from
/// PagerDuty, so every one of them is rendered through `SafeText`: on one line with control
/// characters visible in text, as character references inside `<code>` in Markdown's HTML (where
/// GitHub finds no mentions or links), inside a fence nothing can close in Markdown's code blocks. JSON escapes by its own rules.
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
            if let moved = movedLine(destination, colours: colours) { output += "  " + moved + "\n" }
            if let notice = stateNotice(destination, colours: colours) { output += "  " + notice + "\n" }
            for handover in destination.handovers {
                output += "  " + handoverLine(handover, destination, colours: colours) + "\n"
            }
            for action in destination.actions where [.create, .delete, .adopt].contains(action.kind) {
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
            + "\(SafeText.line(destination.destinationSchedule)) (connection \(SafeText.line(destination.connection)))"
    }

    static func line(_ action: PlanAction, _ destination: DestinationPlan, colours: Colours) -> String {
        let zone = Zone(identifier: destination.timeZone) ?? Zone.utc
        let span = DisplayTime.span(action.range, in: zone)
        let who = "\(SafeText.line(action.person)) <\(SafeText.line(action.email))>"
        let why = action.reason.map { "  (\(SafeText.line($0)))" } ?? ""
        switch action.kind {
        case .create: return colours.green("+ override ") + " \(span)  \(who)\(why)"
        case .delete: return colours.red("- override ") + " \(span)  \(who)\(why)"
        case .adopt: return colours.yellow("= adopt    ") + " \(span)  \(who)\(why)"
        case .keep: return colours.yellow("! kept     ") + " \(span)  \(who)\(why)"
        case .drift: return colours.yellow("! drift    ") + " \(span)  \(who)\(why)"
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

    /// A holder's name on one line, or `nobody` (the schedule's own layers).
    static func holderName(_ holder: Handover.Holder?) -> String {
        holder.map { SafeText.line($0.name) } ?? "nobody"
    }

    /// A handover's reason in English: the only place it is put into words.
    static func words(_ reason: Handover.Reason, in zone: Zone) -> String {
        switch reason {
        case .swap: "swap"
        case .explicitCover: "explicit cover"
        case .timeOffCover: "time off cover"
        case .rotationChange(let from): "rotation change from \(DisplayTime.withOffset(from, in: zone))"
        case .rotationChanged: "rotation changed"
        case .coverageChanged: "coverage changed"
        case .timeZoneChanged: "time zone or handoff time changed"
        case .memberLeft: "member left"
        case .destinationRemoved: "destination removed"
        case .manualOverrideReverted: "manual override reverted"
        case .firstExportOverForeign: "first export over an override made by hand"
        case .exported: "newly exported"
        case .recreated: "recreated after a delete by hand"
        }
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

    // MARK: - Markdown

    /// The longest Markdown plan by default, in characters: GitHub's limit for a comment. GitLab
    /// takes 1,000,000 and Bitbucket 32,768 (`handoff plan --max-size`).
    public static let defaultMarkdownSize = 65_536

    /// Where the whole plan is when the Markdown is too long for a comment: the text plan the CI
    /// examples (`examples/ci/handoff-plan.sh`) upload with every run.
    public static let fullPlanLocation = "the file `plan.txt` in the artifact `handoff-plan` of this run, as the CI examples upload it "
        + "(`handoff show` prints it from a saved plan)"

    /// The plan for a pull-request comment, at most `maxSize` characters (counted as UTF-8 bytes,
    /// never fewer): in full when it fits, else the summary, a table of every destination with
    /// its counts and first handovers, and where the full plan is.
    public static func markdown(_ plan: Plan, maxSize: Int = defaultMarkdownSize) -> String {
        // Every override or handover line takes more than 50 characters: a plan with more lines
        // than the limit allows is not rendered whole only to be measured.
        let lines = plan.destinations.filter(\.hasChanges).reduce(0) { $0 + $1.actions.count + $1.handovers.count }
        if lines.multipliedReportingOverflow(by: 50).partialValue > maxSize {
            return overviewMarkdown(plan, maxSize: maxSize, fullSize: nil)
        }
        let full = fullMarkdown(plan)
        guard full.utf8.count > maxSize else { return full }
        return overviewMarkdown(plan, maxSize: maxSize, fullSize: full.utf8.count)
    }

    /// The title of the Markdown plan: the summary, and a warning when overrides are deleted.
    private static func markdownHead(_ plan: Plan) -> String {
        let summary = plan.summary
        // A plan that changes announced shifts says so before anything else.
        let caution = frozenNotice(plan).map { "> [!CAUTION]\n> \(SafeText.html(String($0[0].dropFirst(2))))\n\n" + SafeText.codeBlock(Array($0.dropFirst())) + "\n" } ?? ""
        guard plan.hasChanges else { return caution + "### Handoff plan: no changes\n\nPagerDuty matches the configuration.\n" }
        var head = caution + "### Handoff plan: \(summaryLine(plan).dropFirst("Plan: ".count))\n"
        if summary.delete > 0 {
            head += "\n> [!WARNING]\n> This plan deletes \(summary.delete == 1 ? "1 override" : "\(summary.delete) overrides") in PagerDuty.\n"
        }
        return head
    }

    private static func fullMarkdown(_ plan: Plan) -> String {
        var output = markdownHead(plan)
        for destination in plan.destinations where destination.hasChanges {
            output += markdownSection(destination)
        }
        let outside = plan.destinations.filter { !$0.actions(.keep).isEmpty || !$0.actions(.drift).isEmpty }
        if !outside.isEmpty {
            let summary = plan.summary
            output += "\n**Changed outside Handoff** (\(summary.kept) kept, \(summary.drift) drift)\n"
            for destination in outside {
                output += "\n<details><summary><code>\(SafeText.html(destination.name))</code></summary>\n\n"
                let lines = destination.actions.filter { $0.kind == .keep || $0.kind == .drift }.map { line($0, destination, colours: Colours(enabled: false)) }
                output += SafeText.codeBlock(lines) + "\n</details>\n"
            }
        }
        return output
    }

    /// One destination: its title, the handovers and notices in view, the overrides collapsed.
    private static func markdownSection(_ destination: DestinationPlan) -> String {
        let plain = Colours(enabled: false)
        // An HTML block: nothing in it is read as Markdown.
        var block = "\n<p><b><code>\(SafeText.html(destination.name))</code></b>\(markdownStatus(destination)) → PagerDuty schedule "
        block += "<code>\(SafeText.html(destination.destinationSchedule))</code> (connection <code>\(SafeText.html(destination.connection))</code>): \(counts(destination))</p>\n"
        var lines = movedLine(destination, colours: plain).map { [$0] } ?? []
        lines += stateNotice(destination, colours: plain).map { [$0] } ?? []
        lines += destination.handovers.map { handoverLine($0, destination, colours: plain) }
        if let records = interruptedDeletesLine(destination, colours: plain) { lines.append(records) }
        if let trailer = trailer(destination, colours: plain) { lines.append(trailer) }
        if !lines.isEmpty { block += "\n" + SafeText.codeBlock(lines) }
        let overrides = destination.actions.filter { [.create, .delete, .adopt].contains($0.kind) }.map { line($0, destination, colours: plain) }
        if !overrides.isEmpty {
            block += "\n<details><summary>Overrides: \(counts(destination))</summary>\n\n" + SafeText.codeBlock(overrides, info: "diff") + "\n</details>\n"
        }
        return block
    }

    /// A plan too long for a comment: the summary, every destination with its counts and first
    /// handovers (as many as fit, the same number for each), and where the full plan is.
    private static func overviewMarkdown(_ plan: Plan, maxSize: Int, fullSize: Int?) -> String {
        let changed = plan.destinations.filter(\.hasChanges)
        var head = markdownHead(plan)
        let size = fullSize.map { " (it has \($0))" } ?? ""
        head += "\nThis plan is too long for a comment of at most \(maxSize) characters\(size): below, every destination with its counts "
            + "and first handovers. The full plan is \(fullPlanLocation).\n"
        let summary = plan.summary
        if summary.kept + summary.drift > 0 {
            head += "\nChanged outside Handoff: \(summary.kept) kept, \(summary.drift) drift (listed in the full plan).\n"
        }
        head += "\n| Destination | Add | Delete | Adopt | First handovers |\n|---|--:|--:|--:|---|\n"
        for shown in [3, 2, 1, 0] {
            let rows = changed.map { overviewRow($0, handovers: shown) }
            let size = head.utf8.count + rows.reduce(0) { $0 + $1.utf8.count }
            if size <= maxSize || shown == 0 {
                var output = head
                for (index, row) in rows.enumerated() {
                    let rest = changed.count - index
                    let notice = "\n_\(rest) more destination\(rest == 1 ? "" : "s") not shown: the comment holds at most \(maxSize) characters._\n"
                    if output.utf8.count + row.utf8.count + (index + 1 < rows.count ? notice.utf8.count : 0) > maxSize {
                        return output + notice
                    }
                    output += row
                }
                return output
            }
        }
        return head
    }

    private static func overviewRow(_ destination: DestinationPlan, handovers shown: Int) -> String {
        let zone = Zone(identifier: destination.timeZone) ?? Zone.utc
        var first = destination.handovers.prefix(shown).map { handover in
            let who = "\(handover.before.map { "<code>\(markdownText($0.name))</code>" } ?? "nobody") → \(handover.after.map { "<code>\(markdownText($0.name))</code>" } ?? "nobody")"
            return "\(DisplayTime.span(handover.range, in: zone)) \(who) (\(words(handover.why, in: zone)))\(handover.containsNow ? " **(on call now)**" : "")"
        }
        let more = destination.handovers.count - first.count
        if more > 0 { first.append(shown == 0 ? "\(more) handover\(more == 1 ? "" : "s")" : "and \(more) more") }
        var name = "<code>\(markdownText(destination.name))</code>"
        if destination.removed { name += destination.keepsOverrides ? " (removed, overrides kept in PagerDuty)" : " (removed)" }
        if let oldName = destination.movedFrom { name += " (moved from <code>\(markdownText(oldName))</code>)" }
        return "| \(name) | \(destination.actions(.create).count) | \(destination.actions(.delete).count) | \(destination.actions(.adopt).count) | "
            + first.joined(separator: "<br>") + " |\n"
    }

    /// Untrusted text inside Markdown's own text (a table cell): on one line, with every ASCII
    /// punctuation character a character reference, so it is neither markup, nor HTML, nor a cell
    /// boundary; shown inside `<code>` where a host would look for mentions.
    static func markdownText(_ text: String) -> String {
        var result = ""
        for scalar in SafeText.line(text).unicodeScalars {
            if scalar.isASCII, !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar), !" -.".unicodeScalars.contains(scalar) {
                result += "&#\(scalar.value);"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func counts(_ destination: DestinationPlan) -> String {
        var parts = ["\(destination.actions(.create).count) to add", "\(destination.actions(.delete).count) to delete"]
        let adopt = destination.actions(.adopt).count
        if adopt > 0 { parts.append("\(adopt) to adopt") }
        return parts.joined(separator: ", ")
    }

    // MARK: - JSON

    /// The document `schemas/plan.schema.json` describes.
    public static func json(_ plan: Plan) -> JSONValue {
        let summary = plan.summary
        return .object([
            "format_version": .string(Plan.formatVersion),
            "changes": .bool(plan.hasChanges),
            "now": .string(plan.now.description),
            "allow_first_export_deletes": plan.allowFirstExportDeletes ? .bool(true) : nil,
            "frozen_changes_allowed": plan.frozenChangesAllowed ? .bool(true) : nil,
            "frozen_changes": plan.frozenChangesAllowed ? .array(plan.frozenChanges.map(json)) : nil,
            "summary": .object([
                "create": .int(summary.create),
                "delete": .int(summary.delete),
                "adopt": .int(summary.adopt),
                "kept": .int(summary.kept),
                "drift": .int(summary.drift),
                "moved": summary.moved > 0 ? .int(summary.moved) : nil,
                "forgotten": summary.forgotten > 0 ? .int(summary.forgotten) : nil,
            ]),
            "destinations": .array(plan.destinations.map(json)),
        ])
    }

    static func json(_ change: FrozenChange) -> JSONValue {
        let zone = Zone(identifier: change.timeZone) ?? Zone.utc
        func holder(_ entry: PeopleDirectory.Entry?) -> JSONValue {
            entry.map { .object(["person": $0.person.map(JSONValue.string) ?? .null, "name": .string($0.name), "email": .string($0.email)]) } ?? .null
        }
        return .object([
            "destination": .string(change.destination),
            "schedule": .string(change.schedule),
            "time_zone": .string(change.timeZone),
            "start": .string(DisplayTime.rfc3339(change.start, in: zone)),
            "end": .string(DisplayTime.rfc3339(change.end, in: zone)),
            "before": holder(change.before),
            "after": holder(change.after),
        ])
    }

    /// `{"start", "end", "before", "after", "why", "now"}`; `why` is a stable code, with `from`
    /// for a `rotation_change`.
    static func json(_ handover: Handover, zone: Zone) -> JSONValue {
        func holder(_ holder: Handover.Holder?) -> JSONValue {
            guard let holder else { return .null }
            return .object([
                "person": holder.person.map(JSONValue.string) ?? .null,
                "name": .string(holder.name),
                "email": .string(holder.email),
                "pagerduty_user": .string(holder.userID),
            ])
        }
        var from: JSONValue?
        if case .rotationChange(let instant) = handover.why { from = .string(DisplayTime.rfc3339(instant, in: zone)) }
        return .object([
            "start": .string(DisplayTime.rfc3339(handover.range.start, in: zone)),
            "end": .string(DisplayTime.rfc3339(handover.range.end, in: zone)),
            "before": holder(handover.before),
            "after": holder(handover.after),
            "why": .string(handover.why.code),
            "from": from,
            "now": .bool(handover.containsNow),
        ])
    }

    static func json(_ destination: DestinationPlan) -> JSONValue {
        let zone = Zone(identifier: destination.timeZone) ?? Zone.utc
        return .object([
            "name": .string(destination.name),
            "connection": .string(destination.connection),
            "pagerduty_schedule": .string(destination.destinationSchedule),
            "time_zone": .string(destination.timeZone),
            "removed": destination.removed ? .bool(true) : nil,
            "keep_overrides": destination.removed && destination.keepsOverrides ? .bool(true) : nil,
            "moved_from": destination.movedFrom.map(JSONValue.string),
            "state_looks_lost": destination.stateLooksLost ? .bool(true) : nil,
            "interrupted_deletes": destination.interruptedDeletes.isEmpty ? nil : .object([
                "done": .array(destination.interruptedDeletes.done.map(JSONValue.string)),
                "withdrawn": .array(destination.interruptedDeletes.withdrawn.map(JSONValue.string)),
            ]),
            "watermark": .object([
                "before": destination.watermarkBefore.map { .string(DisplayTime.rfc3339($0, in: zone)) } ?? .null,
                "after": destination.watermarkAfter.map { .string(DisplayTime.rfc3339($0, in: zone)) } ?? .null,
            ]),
            "handovers": .array(destination.handovers.map { json($0, zone: zone) }),
            "actions": .array(destination.actions.map { action in
                .object([
                    "action": .string(action.kind.rawValue),
                    "start": .string(DisplayTime.rfc3339(action.start, in: zone)),
                    "end": .string(DisplayTime.rfc3339(action.end, in: zone)),
                    "person": .string(action.person),
                    "email": .string(action.email),
                    "pagerduty_user": .string(action.userID),
                    "override_id": action.overrideID.map(JSONValue.string),
                    "reason": action.reason.map(JSONValue.string),
                ])
            }),
        ])
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
