// swift-tools-version: 6.1
import PackageDescription

/// One settings array for every target (as Hummingbird and swift-log do).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "orders",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "orders", targets: ["orders"]),
        // The Elasticsearch client knows nothing about orders and is usable on its own: its
        // `public` declarations are its API. Everything else is `package`.
        .library(name: "Elasticsearch", targets: ["Elasticsearch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // No traits: we use neither swift-configuration (ConfigurationSupport) nor the
        // URL-encoded form coders' full-Foundation dates. With its two default traits, SwiftPM
        // passed their `-D` flags in a different order each time it re-planned the build (a
        // `swift test` after a `swift build`, say), which recompiled Hummingbird every time.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
    ],
    targets: [
        .target(
            name: "JSONScanning",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Timing",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RowScanning",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdersDomain",
            dependencies: ["JSONScanning"],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev", "zlib1g-dev"])]
        ),
        .target(
            name: "Elasticsearch",
            dependencies: [
                "CCurl", "JSONScanning", "Timing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdersSearch",
            dependencies: [
                "OrdersDomain", "Elasticsearch", "RowScanning", "Timing",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdersProjection",
            dependencies: [
                "OrdersDomain", "OrdersStore", "OrdersSearch", "Timing",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdersAPI",
            dependencies: [
                "OrdersDomain", "OrdersStore", "OrdersSearch", "OrdersProjection", "JSONScanning", "Timing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Served as it is by `GET /openapi.json`; the bundle goes beside the binary (Dockerfile).
            resources: [.copy("openapi.json")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdersStore",
            dependencies: [
                "OrdersDomain", "RowScanning", "Timing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "orders",
            dependencies: [
                "OrdersDomain",
                "Timing",
                "OrdersStore",
                "OrdersSearch",
                "OrdersProjection",
                "OrdersAPI",
                "Elasticsearch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdersTestSupport",
            dependencies: [
                "OrdersDomain", "OrdersStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/OrdersTestSupport",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LoopbackHTTP",
            dependencies: [.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Tests/LoopbackHTTP",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ProjectionTestSupport",
            dependencies: [
                "OrdersDomain", "OrdersStore", "OrdersSearch", "OrdersProjection", "OrdersTestSupport", "Timing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/ProjectionTestSupport",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LiveHTTP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/LiveHTTP",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestClocks",
            path: "Tests/TestClocks",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArchitectureTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TimingTests",
            dependencies: ["Timing", "TestClocks"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ElasticsearchTests",
            dependencies: [
                "Elasticsearch", "LoopbackHTTP", "TestClocks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdersSearchTests",
            dependencies: [
                "OrdersSearch", "OrdersDomain", "Elasticsearch", "LoopbackHTTP", "TestClocks",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdersProjectionTests",
            dependencies: [
                "OrdersProjection", "OrdersSearch", "OrdersStore", "OrdersDomain", "OrdersTestSupport", "ProjectionTestSupport", "Elasticsearch",
                "LoopbackHTTP", "TestClocks", "Timing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdersAPITests",
            dependencies: [
                "OrdersAPI", "OrdersDomain", "OrdersStore", "OrdersSearch", "OrdersProjection", "OrdersTestSupport", "ProjectionTestSupport",
                "TestClocks", "Timing", "Elasticsearch", "LoopbackHTTP", "LiveHTTP",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdersDomainTests",
            dependencies: ["OrdersDomain", "OrdersStore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdersStoreTests",
            dependencies: [
                "OrdersDomain", "OrdersStore", "OrdersTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdersCLITests",
            dependencies: [
                "orders", "OrdersStore", "OrdersDomain", "OrdersProjection", "OrdersSearch", "OrdersTestSupport", "ProjectionTestSupport",
                "LiveHTTP", "LoopbackHTTP",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

/// The benchmark executables (`Benchmarks/`), built only when asked for:
/// `ORDERS_BENCHMARKS=1 swift run -c release SearchBenchmark`. The tests do not need them, so a
/// newcomer's first `swift build` and `swift test` do not compile them; CI builds them after the
/// tests so that they keep compiling.
if Context.environment["ORDERS_BENCHMARKS"] == "1" {
    package.targets += [
        .executableTarget(
            name: "WriteBenchmark",
            dependencies: [
                "OrdersDomain",
                "OrdersStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/WriteBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ElasticsearchBenchmark",
            dependencies: [
                "Elasticsearch", "LoopbackHTTP",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ElasticsearchBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ReindexBenchmark",
            dependencies: [
                "Elasticsearch", "LoopbackHTTP", "OrdersDomain", "OrdersProjection", "OrdersSearch", "OrdersStore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ReindexBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AnalyticsBenchmark",
            dependencies: [
                "Elasticsearch", "LoopbackHTTP", "OrdersSearch",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/AnalyticsBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SearchBenchmark",
            dependencies: [
                "OrdersAPI", "OrdersSearch", "OrdersProjection", "OrdersStore", "OrdersDomain", "Elasticsearch",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/SearchBenchmark",
            swiftSettings: swiftSettings
        ),
    ]
}
