import ArgumentParser
import HandoffDestination
import HandoffPlan
import HandoffState
import HandoffTime

/// Issue 5 (a): the pure planner on 2,000 destinations, about a million desired and a million live overrides.
struct PlannerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "planner",
        abstract: "Reconcile 2,000 destinations with 500 desired and 500 live overrides each (pure, no I/O)."
    )

    @Option(help: "Destinations.") var destinations = 2_000
    @Option(help: "Overrides per destination.") var overrides = 500
    @Option(help: "Runs; the median is reported.") var runs = 5

    func run() async throws {
        let now = Instant(secondsSinceEpoch: 1_795_348_800)
        var inputs: [DestinationInput] = []
        var live: [ScheduleKey: ObservedSchedule] = [:]
        var state = HandoffState(lineage: "benchmark", serial: 1)
        var directory = PeopleDirectory()
        for person in 0..<50 { directory.users["U\(person)"] = .init(name: "Person \(person)", email: "p\(person)@example.com", person: "p\(person)") }
        for index in 0..<destinations {
            let schedule = "P\(index)"
            var desired: [DesiredOverride] = []
            var observed: [OverrideRecord] = []
            var owned: [OverrideRecord] = []
            for slot in 0..<overrides {
                let start = now.adding(seconds: Int64(slot) * 4 * 3600)
                let end = start.adding(seconds: 4 * 3600)
                let user = "U\((index + slot) % 50)"
                desired.append(DesiredOverride(start: start, end: end, userID: user, person: "p\((index + slot) % 50)", reason: .rotation))
                // One live override in ten differs from what is wanted.
                let liveUser = slot % 10 == 0 ? "U\((index + slot + 1) % 50)" : user
                let id = "Q\(index)-\(slot)"
                observed.append(OverrideRecord(id: id, start: start, end: end, userID: liveUser))
                owned.append(OverrideRecord(id: id, start: start, end: end, userID: liveUser))
            }
            inputs.append(DestinationInput(
                name: "destination-\(index)", connection: "acme", destinationSchedule: schedule, timeZone: "UTC", manualChanges: .keep,
                desired: desired, members: Set((0..<50).map { "p\($0)" }), horizonEnd: now.adding(seconds: Int64(overrides) * 4 * 3600)
            ))
            let key = ScheduleKey(connection: "acme", destinationSchedule: schedule)
            live[key] = ObservedSchedule(window: InstantRange(start: now, end: now.adding(seconds: Int64(overrides + 1) * 4 * 3600)), overrides: observed)
            state.destinations["destination-\(index)"] = DestinationState(connection: "acme", destinationSchedule: schedule, watermark: now, overrides: owned)
        }
        let input = Reconciler.Input(now: now, destinations: inputs, live: live, state: state, directory: directory)
        var times: [Double] = []
        var summary = PlanSummary()
        for _ in 0..<runs {
            let (plan, seconds) = await measure { Reconciler.plan(input) }
            summary = plan.summary
            times.append(seconds)
        }
        times.sort()
        print("Planner benchmark: \(destinations) destinations, \(destinations * overrides) desired and \(destinations * overrides) live overrides")
        print("  plan: \(summary.create) to add, \(summary.delete) to delete; fastest \(format(times[0])), median \(format(times[times.count / 2])); peak memory \(String(format: "%.0f", peakMemoryMegabytes())) MB (inputs included)")
        print("  goal: under 1000 ms and 1 GB; ratio to the goal \(ratio(times[times.count / 2] / 1.0))")
    }
}
