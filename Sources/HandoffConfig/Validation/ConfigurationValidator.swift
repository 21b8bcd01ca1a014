import HandoffTime
import YAMLNodes

/// Merges the files of a configuration into one graph and checks the rules that span entries and
/// files (DESIGN section 3): names defined twice, dangling references, people who are not members
/// where that matters, overlapping covers, destinations that would overwrite each other.
///
/// Each rule lives in a file of its own in this folder, with its messages beside it; this type
/// only puts the files together and runs the rules in order. A new cross-file check is a new
/// `ValidationRule` added to `rules`.
public enum ConfigurationValidator {
    /// The checks run on the merged configuration, in this order.
    static let rules: [any ValidationRule.Type] = [
        DestinationReferencesRule.self,
        TimeOffMembershipRule.self,
        CoverOverlapRule.self,
        SharedPagerDutyScheduleRule.self,
        MovesAndRemovalsRule.self,
        IdlePeopleRule.self,
    ]

    static func merge(_ files: [FileDeclarations], directory: String) -> (configuration: Configuration, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []

        let state = SetOnceRule.state(in: files, into: &diagnostics)
        // One top-level freeze at most: the default of every schedule that sets none.
        let defaultFreeze = SetOnceRule.defaultFreeze(in: files, into: &diagnostics)

        let connections = DuplicateNamesRule.unique(files.flatMap(\.connections), kind: "connection", name: \.name, location: \.location, into: &diagnostics)
        var people = DuplicateNamesRule.unique(files.flatMap(\.people), kind: "person", name: \.key, location: \.location, into: &diagnostics)
        var schedules = DuplicateNamesRule.unique(files.flatMap(\.schedules), kind: "schedule", name: \.name, location: \.location, into: &diagnostics)
        if let defaultFreeze {
            let explicit = files.reduce(into: Set<String>()) { $0.formUnion($1.explicitFreezes) }
            for index in schedules.indices where !explicit.contains(schedules[index].name) { schedules[index].freeze = defaultFreeze.value }
        }
        let destinations = DuplicateNamesRule.unique(
            files.flatMap(\.destinations), kind: "destination", name: \.name, location: \.location, into: &diagnostics
        )

        let emails = UniqueEmailRule.emails(of: people, into: &diagnostics)

        let declared = files.reduce(into: [String: Set<String>]()) { names, file in
            names.merge(file.declaredNames) { $0.union($1) }
        }
        var resolver = PersonReferencesRule(emails: emails, declaredKeys: declared["person"] ?? [])
        for index in schedules.indices {
            resolver.resolve(&schedules[index], into: &diagnostics)
        }
        people += resolver.implicitPeople

        let merged = MergedDeclarations(
            people: people,
            schedules: schedules,
            destinations: destinations,
            moves: files.flatMap(\.moves),
            removals: files.flatMap(\.removals),
            declared: declared,
            partialSchedules: files.reduce(into: Set<String>()) { $0.formUnion($1.partialSchedules) }
        )
        for rule in rules { rule.check(merged, into: &diagnostics) }

        let configuration = Configuration(
            directory: directory,
            state: state ?? .default,
            connections: connections,
            people: people,
            schedules: schedules,
            destinations: destinations,
            moves: merged.moves,
            removals: merged.removals
        )
        return (configuration, diagnostics)
    }

    /// Checks that no connection the state still needs has been removed.
    public static func checkStateUsage(_ configuration: Configuration, usage: [StateUsage], statePath: String) -> [Diagnostic] {
        StateUsageRule.check(configuration, usage: usage, statePath: statePath)
    }
}
