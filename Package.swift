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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: - Configuration: YAML → nodes with places → validated desired-state graph
        .systemLibrary(
            name: "CYAML",
            path: "Sources/CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "YAMLNodes", dependencies: ["CYAML"], swiftSettings: strictSettings),
        .target(name: "HandoffTime", swiftSettings: strictSettings),
        .target(name: "OrderedJSON", swiftSettings: strictSettings),
        .target(name: "HandoffConfig", dependencies: ["YAMLNodes", "HandoffTime"], swiftSettings: strictSettings),

        // MARK: - Commands
        .target(
            name: "HandoffCLI",
            dependencies: [
                "HandoffConfig", "HandoffTime", "YAMLNodes", "OrderedJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "handoff", dependencies: ["HandoffCLI"], swiftSettings: strictSettings),

        // MARK: - Tests
        .target(
            name: "HandoffTestSupport",
            dependencies: ["HandoffConfig", "YAMLNodes"],
            path: "Tests/HandoffTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(name: "YAMLNodesTests", dependencies: ["YAMLNodes", "HandoffTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "HandoffConfigTests",
            dependencies: ["HandoffConfig", "HandoffTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HandoffCLITests",
            dependencies: ["HandoffCLI", "HandoffTestSupport", "handoff"],
            swiftSettings: strictSettings
        ),
    ]
)
