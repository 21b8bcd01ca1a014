// swift-tools-version: 6.1
import PackageDescription

/// Handoff's benchmarks, a package of their own so that the tool's manifest carries no benchmark
/// product: `swift run -c release --package-path Benchmarks handoff-benchmarks <benchmark>`.
let package = Package(
    name: "HandoffBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Handoff", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .executableTarget(
            name: "handoff-benchmarks",
            dependencies: [
                .product(name: "HandoffConfig", package: "Handoff"),
                .product(name: "HandoffConnectionKinds", package: "Handoff"),
                .product(name: "HandoffDestination", package: "Handoff"),
                .product(name: "HandoffRota", package: "Handoff"),
                .product(name: "HandoffPlan", package: "Handoff"),
                .product(name: "HandoffSync", package: "Handoff"),
                .product(name: "HandoffState", package: "Handoff"),
                .product(name: "HandoffStatePostgres", package: "Handoff"),
                .product(name: "HandoffTime", package: "Handoff"),
                .product(name: "PagerDuty", package: "Handoff"),
                .product(name: "PagerDutySandbox", package: "Handoff"),
                .product(name: "YAMLNodes", package: "Handoff"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/HandoffBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6), .enableUpcomingFeature("ExistentialAny")]
        )
    ]
)
