import HandoffTime
import SafeText

/// The Markdown plan, for pull-request comments: in full when it fits, else an overview.
extension PlanRenderer {
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
        block += "<code>\(SafeText.html(destination.destinationSchedule))</code>\(kindWords(destination)) (connection <code>\(SafeText.html(destination.connection))</code>): \(counts(destination))</p>\n"
        var lines = noteLines(destination, colours: plain)
        lines += movedLine(destination, colours: plain).map { [$0] } ?? []
        lines += stateNotice(destination, colours: plain).map { [$0] } ?? []
        lines += destination.handovers.map { handoverLine($0, destination, colours: plain) }
        if let records = interruptedDeletesLine(destination, colours: plain) { lines.append(records) }
        if let trailer = trailer(destination, colours: plain) { lines.append(trailer) }
        if !lines.isEmpty { block += "\n" + SafeText.codeBlock(lines) }
        let overrides = destination.actions.filter { [.create, .move, .delete, .adopt].contains($0.kind) }.map { line($0, destination, colours: plain) }
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
            let who = [handover.before, handover.after].map { words($0) { "<code>\(markdownText($0))</code>" } }.joined(separator: " → ")
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
        let move = destination.actions(.move).count
        if move > 0 { parts.append("\(move) to change in place") }
        let adopt = destination.actions(.adopt).count
        if adopt > 0 { parts.append("\(adopt) to adopt") }
        return parts.joined(separator: ", ")
    }
}
