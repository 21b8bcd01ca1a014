import ArgumentParser
import DurableFiles
import Foundation
import HandoffConfig
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTime
import OrderedJSON

/// How a plan is printed.
enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
    case text, markdown, json
}

/// The sizes `--max-size` accepts, in characters: room for the summary at the least, and no more
/// than the largest comment a host takes (GitLab's 1,000,000) by far.
let markdownSizeRange = 2_000...100_000_000

func render(_ plan: Plan, format: PlanFormat, maxSize: Int = PlanRenderer.defaultMarkdownSize) -> String {
    switch format {
    case .text: return PlanRenderer.text(plan, colours: PlanRenderer.Colours(enabled: Terminal.standardOutput.usesColour))
    case .markdown: return PlanRenderer.markdown(plan, maxSize: maxSize)
    case .json: return PlanRenderer.json(plan).serialized()
    }
}

/// `handoff plan`: what apply would change in PagerDuty, for review. Read-only: a read-only key
/// suffices, and neither PagerDuty nor the state is written.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the PagerDuty overrides apply would create and delete; changes nothing.",
        discussion: """
            Expands each destination's schedule up to its horizon, finds the people in PagerDuty \
            by e-mail, lists the live overrides, and prints the difference: first the handovers \
            (~ when, who is on call before → after, and why; "(on call now)" when the person on \
            call right now changes), then the overrides: + creates, - deletes, = adoptions of \
            equal overrides made by hand, ~ the watermark. Overrides people made by hand before \
            the watermark appear under "Changed outside Handoff".

            A markdown plan longer than --max-size characters (default 65536, GitHub's limit for \
            a comment; GitLab takes 1000000, Bitbucket 32768) keeps the summary and a table of \
            every destination with its counts and first handovers, and says where the full plan is.

            A change of who is on call inside a schedule's freeze (1w unless `freeze` says \
            otherwise) is an error, unless a swap, cover, time off or rotation change names that \
            time; the error prints the YAML that delays the change, and --allow-frozen-changes \
            accepts it as it is.

            Exit codes: 0 success (no changes, with --detailed-exitcode), 1 error, 2 changes \
            present (with --detailed-exitcode).

            Examples:
              handoff plan
              handoff plan teams/ --format markdown > plan.md
              handoff plan --out handoff.plan --detailed-exitcode
            """
    )

    @OptionGroup var configurationOptions: ConfigurationOptions

    @Option(help: "Also save the plan to this file, for `handoff apply FILE` or `handoff show FILE`.")
    var out: String?

    @Option(help: "Output format: text, markdown (for a pull-request comment) or json (schemas/plan.schema.json).")
    var format: PlanFormat = .text

    @Flag(help: "Exit 2 when there are changes, 0 when there are none.")
    var detailedExitcode = false

    @Option(help: "The longest markdown plan, in characters: past it, a table of every destination with its first handovers (GitHub 65536, GitLab 1000000, Bitbucket 32768).")
    var maxSize: Int = PlanRenderer.defaultMarkdownSize

    @Option(name: .customLong("destination"), help: "Plan only this destination (repeatable).")
    var destinations: [String] = []

    @Option(help: "PagerDuty requests in flight at once, per connection.")
    var parallelism: Int = 8

    @Option(help: "Wait this long (30s, 5m) for a running apply to finish before reading the state.")
    var lockTimeout: String = "0"

    @Option(help: "Plan as if it were this RFC 3339 time (for tests and what-if reviews).")
    var now: String?

    @Flag(help: "Where the state looks lost (none recorded, yet PagerDuty holds overrides equal to the configuration's), delete overrides made by hand in the way, as on a first export; saved plans carry the choice.")
    var allowFirstExportDeletes = false

    @Flag(help: "Accept changes of who is on call inside a schedule's freeze (announced shifts); the plan says so on its first line, and saved plans carry the choice.")
    var allowFrozenChanges = false

    func validate() throws {
        try checkRange("--parallelism", parallelism, parallelismRange)
        try checkRange("--max-size", maxSize, markdownSizeRange)
        _ = try parseLockTimeout(lockTimeout)
        _ = try parseNow(now)
    }

    func run() async throws {
        let instant = try parseNow(now)
        let (configuration, store) = try configurationOptions.load()
        // Read once, after any running apply has let go of it.
        let state: HandoffState
        do {
            state = try await PlanRun.readState(
                store, lockTimeout: try parseLockTimeout(lockTimeout), check: { try checkStateUsage($0, configuration: configuration, store: store) },
                warn: { Terminal.standardError.warning($0) }
            )
        } catch {
            throw commandFailure(error)
        }
        let plan = try await makePlan(
            configuration: configuration,
            state: state,
            now: instant,
            only: destinations.isEmpty ? nil : Set(destinations),
            parallelism: parallelism,
            allowFirstExportDeletes: allowFirstExportDeletes,
            allowFrozenChanges: allowFrozenChanges
        )
        Terminal.standardOutput.write(render(plan, format: format, maxSize: maxSize))
        if let out {
            do {
                try DurableFile.write(Array(PlanFile.encode(plan, configurationDirectory: configurationOptions.directory).utf8), to: out)
            } catch {
                throw CommandFailure("the plan cannot be saved: \(error)")
            }
        }
        if detailedExitcode, plan.hasChanges { throw ExitCode(2) }
    }
}

/// Plans with the connections of the plan (`PlanRun` closes them whatever happens).
func makePlan(
    configuration: Configuration, state: HandoffState, now: Instant, only: Set<String>?, parallelism: Int, allowFirstExportDeletes: Bool = false,
    allowFrozenChanges: Bool = false
) async throws -> Plan {
    let request = PlanBuilder.Request(
        configuration: configuration, state: state, now: now, only: only, allowFirstExportDeletes: allowFirstExportDeletes, allowFrozenChanges: allowFrozenChanges
    )
    var options = try connectionOptions()
    options.parallelism = parallelism
    options.sandboxNow = now
    do {
        return try await PlanRun(request, options: options).run()
    } catch {
        throw commandFailure(error)
    }
}

/// `handoff show`: a saved plan, rendered again.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a plan saved with `handoff plan --out FILE`.",
        discussion: """
            Examples:
              handoff show handoff.plan
              handoff show handoff.plan --format markdown
            """
    )

    @Argument(help: "The saved plan.", completion: .file())
    var file: String

    @Option(help: "Output format: text, markdown or json.")
    var format: PlanFormat = .text

    @Option(help: "The longest markdown plan, in characters, as for `handoff plan`.")
    var maxSize: Int = PlanRenderer.defaultMarkdownSize

    func validate() throws {
        try checkRange("--max-size", maxSize, markdownSizeRange)
    }

    func run() async throws {
        let plan = try loadPlanFile(file).plan
        Terminal.standardOutput.write(render(plan, format: format, maxSize: maxSize))
    }
}

func loadPlanFile(_ path: String) throws -> (plan: Plan, configurationDirectory: String) {
    guard let bytes = try? DurableFile.read(path) else { throw CommandFailure("the plan file \(path) cannot be read") }
    do {
        return try PlanFile.decode(bytes)
    } catch {
        throw CommandFailure("\(path) is not a usable plan: \(error)")
    }
}
