// swift-tools-version: 6.1
import PackageDescription

/// Settings every Handoff target shares: Swift 6 language mode with the upcoming features that keep
/// module boundaries honest (no implicit existentials, imports visible only where declared).
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Handoff",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "handoff", targets: ["handoff"]),
        // The libraries, for the benchmarks' package (Benchmarks/) and for embedding; their API is
        // not yet promised to stay.
        .library(name: "HandoffConfig", targets: ["HandoffConfig"]),
        .library(name: "HandoffConnectionKinds", targets: ["HandoffConnectionKinds"]),
        .library(name: "HandoffDestination", targets: ["HandoffDestination"]),
        .library(name: "HandoffPagerDuty", targets: ["HandoffPagerDuty"]),
        .library(name: "HandoffRota", targets: ["HandoffRota"]),
        .library(name: "HandoffPlan", targets: ["HandoffPlan"]),
        .library(name: "HandoffSync", targets: ["HandoffSync"]),
        .library(name: "HandoffState", targets: ["HandoffState"]),
        .library(name: "HandoffStatePostgres", targets: ["HandoffStatePostgres"]),
        .library(name: "HandoffTime", targets: ["HandoffTime"]),
        .library(name: "PagerDuty", targets: ["PagerDuty"]),
        .library(name: "PagerDutySandbox", targets: ["PagerDutySandbox"]),
        .library(name: "YAMLNodes", targets: ["YAMLNodes"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // MARK: - Configuration: YAML → nodes with places → validated desired-state graph
        .systemLibrary(
            name: "CYAML",
            path: "Sources/CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "YAMLNodes", dependencies: ["CYAML", "SafeText"], swiftSettings: strictSettings),
        .target(name: "HandoffTime", swiftSettings: strictSettings),
        .target(name: "OrderedJSON", dependencies: ["SafeText"], swiftSettings: strictSettings),
        .target(name: "DurableFiles", swiftSettings: strictSettings),
        .target(name: "SafeText", swiftSettings: strictSettings),
        .target(name: "HostRules", swiftSettings: strictSettings),
        .target(
            name: "NetworkFailures",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // What the planner and applier need of an on-call product, and the override record it and
        // the state share.
        .target(name: "HandoffDestination", dependencies: ["HandoffTime"], swiftSettings: strictSettings),
        .target(name: "HandoffState", dependencies: ["HandoffDestination", "HandoffTime", "OrderedJSON", "DurableFiles"], swiftSettings: strictSettings),
        .target(
            name: "HandoffStatePostgres",
            dependencies: [
                "HandoffDestination", "HandoffState", "HandoffTime", "OrderedJSON", "NetworkFailures",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "HandoffConfig", dependencies: ["YAMLNodes", "HandoffTime", "SafeText", "HostRules"], swiftSettings: strictSettings),
        .target(name: "HandoffRota", dependencies: ["HandoffConfig", "HandoffTime"], swiftSettings: strictSettings),
        .target(
            name: "HandoffPlan",
            dependencies: ["HandoffConfig", "HandoffDestination", "HandoffRota", "HandoffState", "HandoffTime", "OrderedJSON", "SafeText"],
            swiftSettings: strictSettings
        ),

        // MARK: - PagerDuty: the client, and the simulated PagerDuty it is tested against
        .target(
            name: "PagerDuty",
            dependencies: [
                "HandoffDestination", "HandoffTime", "SafeText", "NetworkFailures", "HostRules", "OrderedJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "PagerDutySandbox",
            dependencies: [
                "HandoffTime", "OrderedJSON", "YAMLNodes", "DurableFiles",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: - The PagerDuty adapter: v2 overrides as an `OverrideDestination`, and the import
        .target(
            name: "HandoffPagerDuty",
            dependencies: ["HandoffConfig", "HandoffDestination", "HandoffTime", "PagerDuty", "SafeText"],
            exclude: ["Import"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HandoffImport",
            dependencies: ["HandoffTime", "PagerDuty", "SafeText"],
            path: "Sources/HandoffPagerDuty/Import",
            swiftSettings: strictSettings
        ),

        // MARK: - Planning and applying against any destination
        .target(
            name: "HandoffSync",
            dependencies: ["HandoffConfig", "HandoffDestination", "HandoffRota", "HandoffPlan", "HandoffState", "HandoffTime"],
            swiftSettings: strictSettings
        ),
        // The connection kinds the program registers (`pagerduty`, `sandbox`), for the command line,
        // the test support and the benchmarks alike: the library links neither.
        .target(
            name: "HandoffConnectionKinds",
            dependencies: ["HandoffConfig", "HandoffDestination", "HandoffPagerDuty", "HandoffSync", "PagerDuty", "PagerDutySandbox"],
            swiftSettings: strictSettings
        ),

        // MARK: - Commands
        .target(
            name: "HandoffCLI",
            dependencies: [
                "HandoffConfig", "HandoffRota", "HandoffTime", "YAMLNodes", "OrderedJSON", "PagerDuty", "PagerDutySandbox",
                "HandoffPlan", "HandoffState", "HandoffStatePostgres", "HandoffSync", "HandoffImport", "DurableFiles", "SafeText",
                "HandoffDestination", "HandoffPagerDuty", "HandoffConnectionKinds",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "handoff", dependencies: ["HandoffCLI"], swiftSettings: strictSettings),

        // MARK: - Tests
        .target(
            name: "HandoffTestSupport",
            dependencies: [
                "HandoffConfig", "YAMLNodes", "HandoffTime", "PagerDuty", "PagerDutySandbox", "HandoffPlan", "HandoffState", "HandoffSync",
                "HandoffDestination", "HandoffConnectionKinds",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/HandoffTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(name: "HandoffTestSupportTests", dependencies: ["HandoffTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "SafeTextTests", dependencies: ["SafeText"], swiftSettings: strictSettings),
        .testTarget(name: "HandoffTimeTests", dependencies: ["HandoffTime"], swiftSettings: strictSettings),
        .testTarget(name: "HostRulesTests", dependencies: ["HostRules"], swiftSettings: strictSettings),
        .testTarget(name: "OrderedJSONTests", dependencies: ["OrderedJSON"], swiftSettings: strictSettings),
        .testTarget(name: "YAMLNodesTests", dependencies: ["YAMLNodes", "HandoffTestSupport", "SafeText"], swiftSettings: strictSettings),
        .testTarget(
            name: "HandoffConfigTests",
            dependencies: ["HandoffConfig", "HandoffTestSupport", "SafeText"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HandoffPlanTests",
            dependencies: ["HandoffPlan", "HandoffConfig", "HandoffRota", "HandoffState", "HandoffTime", "OrderedJSON", "SafeText", "HandoffDestination", "HandoffTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "HandoffStateTests", dependencies: ["HandoffState", "HandoffDestination", "HandoffTime", "DurableFiles"], swiftSettings: strictSettings),
        .testTarget(
            name: "HandoffRotaTests",
            dependencies: ["HandoffRota", "HandoffConfig", "HandoffTime", "HandoffTestSupport", "YAMLNodes"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PagerDutyTests",
            dependencies: [
                "PagerDuty", "PagerDutySandbox", "HandoffTestSupport", "HandoffTime", "NetworkFailures", "HandoffDestination", "HandoffPagerDuty",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PagerDutySandboxTests",
            dependencies: [
                "PagerDutySandbox", "HandoffTime", "HandoffTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HandoffSyncTests",
            dependencies: [
                "HandoffSync", "HandoffPlan", "HandoffState", "HandoffConfig", "HandoffRota", "HandoffTime", "OrderedJSON",
                "PagerDuty", "PagerDutySandbox", "HandoffTestSupport", "DurableFiles", "SafeText",
                "HandoffDestination", "HandoffConnectionKinds",
            ],
            exclude: ["Golden"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HandoffImportTests",
            dependencies: ["HandoffImport", "HandoffConfig", "HandoffRota", "HandoffTime", "PagerDuty", "PagerDutySandbox", "HandoffTestSupport", "YAMLNodes", "handoff"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HandoffStatePostgresTests",
            dependencies: [
                "HandoffStatePostgres", "HandoffState", "HandoffDestination", "HandoffTime", "HandoffTestSupport", "PagerDutySandbox", "handoff",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HandoffCLITests",
            dependencies: [
                "HandoffCLI", "HandoffConfig", "HandoffRota", "HandoffTestSupport", "HandoffTime", "HandoffState", "PagerDutySandbox", "YAMLNodes", "handoff",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Golden"],
            swiftSettings: strictSettings
        ),
    ]
)
