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
        .target(
            name: "NetworkFailures",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .target(name: "HandoffState", dependencies: ["HandoffTime", "OrderedJSON", "DurableFiles"], swiftSettings: strictSettings),
        .target(
            name: "HandoffStatePostgres",
            dependencies: [
                "HandoffState", "HandoffTime", "OrderedJSON", "NetworkFailures",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "HandoffConfig", dependencies: ["YAMLNodes", "HandoffTime", "SafeText"], swiftSettings: strictSettings),
        .target(name: "HandoffRota", dependencies: ["HandoffConfig", "HandoffTime"], swiftSettings: strictSettings),
        .target(
            name: "HandoffPlan",
            dependencies: ["HandoffConfig", "HandoffRota", "HandoffState", "HandoffTime", "OrderedJSON", "SafeText"],
            swiftSettings: strictSettings
        ),

        // MARK: - PagerDuty: the client, and the simulated PagerDuty it is tested against
        .target(
            name: "PagerDuty",
            dependencies: [
                "HandoffTime", "SafeText", "NetworkFailures",
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

        // MARK: - Planning and applying against PagerDuty
        .target(
            name: "HandoffSync",
            dependencies: ["HandoffConfig", "HandoffRota", "HandoffPlan", "HandoffState", "HandoffTime", "PagerDuty", "PagerDutySandbox"],
            swiftSettings: strictSettings
        ),

        .target(
            name: "HandoffImport",
            dependencies: ["HandoffTime", "PagerDuty", "SafeText"],
            swiftSettings: strictSettings
        ),

        // MARK: - Commands
        .target(
            name: "HandoffCLI",
            dependencies: [
                "HandoffConfig", "HandoffRota", "HandoffTime", "YAMLNodes", "OrderedJSON", "PagerDuty", "PagerDutySandbox",
                "HandoffPlan", "HandoffState", "HandoffStatePostgres", "HandoffSync", "HandoffImport", "DurableFiles", "SafeText",
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
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/HandoffTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(name: "HandoffTestSupportTests", dependencies: ["HandoffTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "SafeTextTests", dependencies: ["SafeText"], swiftSettings: strictSettings),
        .testTarget(name: "YAMLNodesTests", dependencies: ["YAMLNodes", "HandoffTestSupport", "SafeText"], swiftSettings: strictSettings),
        .testTarget(
            name: "HandoffConfigTests",
            dependencies: ["HandoffConfig", "HandoffTestSupport", "SafeText"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HandoffPlanTests",
            dependencies: ["HandoffPlan", "HandoffConfig", "HandoffRota", "HandoffState", "HandoffTime", "OrderedJSON", "SafeText", "HandoffTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "HandoffStateTests", dependencies: ["HandoffState", "HandoffTime", "DurableFiles"], swiftSettings: strictSettings),
        .testTarget(
            name: "HandoffRotaTests",
            dependencies: ["HandoffRota", "HandoffConfig", "HandoffTime", "HandoffTestSupport", "YAMLNodes"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PagerDutyTests",
            dependencies: [
                "PagerDuty", "PagerDutySandbox", "HandoffTestSupport", "HandoffTime", "NetworkFailures",
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
                "HandoffSync", "HandoffPlan", "HandoffState", "HandoffConfig", "HandoffTime", "OrderedJSON",
                "PagerDuty", "PagerDutySandbox", "HandoffTestSupport",
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
                "HandoffStatePostgres", "HandoffState", "HandoffTime", "HandoffTestSupport", "PagerDutySandbox", "handoff",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HandoffCLITests",
            dependencies: [
                "HandoffCLI", "HandoffTestSupport", "HandoffTime", "HandoffState", "PagerDutySandbox", "YAMLNodes", "handoff",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
