import ArgumentParser

/// Re-runnable performance measurements, reported as ratios measured in one run. Build and run
/// in release mode: `swift run -c release --package-path Benchmarks handoff-benchmarks <benchmark>`.
@main
struct HandoffBenchmarks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handoff-benchmarks",
        abstract: "Performance benchmarks of Handoff (run in release mode).",
        subcommands: [ClientBenchmark.self, RotaBenchmark.self, PlannerBenchmark.self, PlanBenchmark.self, ApplyBenchmark.self, StateBenchmark.self, V3RequestsBenchmark.self]
    )
}
