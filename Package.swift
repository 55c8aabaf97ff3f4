// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target: Swift 6 mode with strict concurrency is the
/// package default; these add the checks we want everywhere.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "hookpipe",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hookpipe", targets: ["hookpipe"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // C interop: jansson, with its function-like macros exposed as inline functions.
        .systemLibrary(
            name: "CJansson",
            pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]
        ),
        // JSON on the event path: validation, pointers, envelopes (jansson).
        .target(name: "HookpipeJSON", dependencies: ["CJansson"], swiftSettings: strictSettings),
        // Signature schemes per provider, IP allow-lists. No I/O.
        .target(
            name: "HookpipeVerification",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // pipeline.conf: TOML to a Sendable PipelineConfig, secrets resolution.
        .target(
            name: "HookpipeConfig",
            dependencies: ["HookpipeVerification", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strictSettings
        ),
        // Child processes: spawn in their own process group with a clean
        // environment, pipes, signals, exit statuses; EINTR-safe syscalls.
        .target(name: "HookpipeProcess", dependencies: ["HookpipeSync"], swiftSettings: strictSettings),
        // A lock ThreadSanitizer can see (pthread), shaped like the standard library's Mutex.
        .target(name: "HookpipeSync", swiftSettings: strictSettings),
        // The event store protocol and its embedded SQLite implementation.
        .target(
            name: "HookpipeStore",
            dependencies: [
                "HookpipeJSON", "HookpipeTelemetry", "HookpipeSync",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The PostgreSQL backend of the event store (postgres-nio): schema
        // migrations, the write path, the sequencer and the chain lease.
        .target(
            name: "HookpipePostgres",
            dependencies: [
                "HookpipeStore", "HookpipeSync", "HookpipeTelemetry",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Log handler, the telemetry events shared by the services, metric names.
        .target(
            name: "HookpipeTelemetry",
            dependencies: [
                "HookpipeSync",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // The HTTP listener: verify, validate, dedupe, store, acknowledge.
        .target(
            name: "HookpipeReceiver",
            dependencies: [
                "HookpipeJSON", "HookpipeVerification", "HookpipeConfig", "HookpipeStore", "HookpipeTelemetry", "HookpipeSync",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // The chain: NDJSON through supervised handler processes, settlement, checkpoints.
        .target(
            name: "HookpipeChain",
            dependencies: [
                "HookpipeJSON", "HookpipeStore", "HookpipeProcess", "HookpipeConfig", "HookpipeSync",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "HookpipeSystemd", swiftSettings: strictSettings),
        // Replay, dead-letter retry and drop: store operations shared by the
        // operator's commands and the web console.
        .target(
            name: "HookpipeRecovery",
            dependencies: ["HookpipeStore", "HookpipeJSON", "HookpipeConfig"],
            swiftSettings: strictSettings
        ),
        // The web console on the admin listener: routes, authentication and
        // CSRF, pages rendered from Mustache templates compiled into the binary.
        .target(
            name: "HookpipeConsole",
            dependencies: [
                "HookpipeStore", "HookpipeChain", "HookpipeJSON", "HookpipeTelemetry", "HookpipeRecovery", "HookpipeSync",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                .embedInCode("Templates/head.mustache"),
                .embedInCode("Templates/foot.mustache"),
                .embedInCode("Templates/overview.mustache"),
                .embedInCode("Templates/events.mustache"),
                .embedInCode("Templates/event.mustache"),
                .embedInCode("Templates/dead-letters.mustache"),
                .embedInCode("Templates/tail.mustache"),
                .embedInCode("Templates/error.mustache"),
                .embedInCode("Static/console.js"),
                .embedInCode("Static/console.css"),
            ],
            swiftSettings: strictSettings
        ),
        // The admin listener: /healthz, /readyz, /metrics (Prometheus), /console/.
        .target(
            name: "HookpipeAdmin",
            dependencies: [
                "HookpipeTelemetry", "HookpipeStore", "HookpipeChain", "HookpipeReceiver", "HookpipeJSON", "HookpipeSync", "HookpipeConsole",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        // Wires the services of `hookpipe run` together.
        .target(
            name: "HookpipeDaemon",
            dependencies: [
                "HookpipeConfig", "HookpipeStore", "HookpipeReceiver", "HookpipeTelemetry", "HookpipeJSON", "HookpipeChain",
                "HookpipeSystemd", "HookpipeAdmin", "HookpipeSync", "HookpipeProcess", "HookpipePostgres",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // The operator's commands (status, tail, replay, inject, dlq) as library
        // code: store access next to a running daemon, selection, rendering.
        .target(
            name: "HookpipeOperations",
            dependencies: [
                "HookpipeConfig", "HookpipeStore", "HookpipeJSON", "HookpipeVerification", "HookpipeProcess", "HookpipeDaemon",
                "HookpipeChain", "HookpipeRecovery",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The thin command-line front end.
        .executableTarget(
            name: "hookpipe",
            dependencies: [
                "HookpipeDaemon", "HookpipeConfig", "HookpipeVerification", "HookpipeStore", "HookpipeJSON", "HookpipeOperations",
                "HookpipeProcess", "HookpipeRecovery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Fuzz harnesses (Fuzz/; scripts/fuzz.sh runs them). A normal build
        // makes each a small program that replays input files through the
        // harness; built with `--sanitize=fuzzer -Xswiftc -DHOOKPIPE_FUZZING`
        // it is a libFuzzer binary (libFuzzer's main).
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport", swiftSettings: strictSettings),
        .executableTarget(
            name: "FuzzSignatureHeaders", dependencies: ["FuzzSupport", "HookpipeVerification"],
            path: "Fuzz/FuzzSignatureHeaders", swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FuzzNDJSONLines", dependencies: ["FuzzSupport", "HookpipeProcess", "HookpipeJSON"],
            path: "Fuzz/FuzzNDJSONLines", swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FuzzConfigLoader", dependencies: ["FuzzSupport", "HookpipeConfig", "HookpipeVerification"],
            path: "Fuzz/FuzzConfigLoader", swiftSettings: strictSettings
        ),
        // bench/run.sh's yardstick: SwiftNIO's HTTP/1.1 server answering 200
        // after reading the body, nothing else (bench/nio-floor/main.swift).
        .executableTarget(
            name: "nio-floor",
            dependencies: [
                "CJansson",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "bench/nio-floor", swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HookpipeTelemetryTests",
            dependencies: ["HookpipeTelemetry", "HookpipeSync", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "HookpipeJSONTests", dependencies: ["HookpipeJSON"], swiftSettings: strictSettings),
        .testTarget(
            name: "HookpipeConsoleTests",
            dependencies: ["HookpipeConsole", "HookpipeStore", "HookpipeTelemetry"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HookpipeVerificationTests",
            dependencies: ["HookpipeVerification", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings),
        .testTarget(name: "HookpipeConfigTests", dependencies: ["HookpipeConfig"], swiftSettings: strictSettings),
        .testTarget(name: "HookpipeProcessTests", dependencies: ["HookpipeProcess"], swiftSettings: strictSettings),
        .testTarget(name: "HookpipeSyncTests", dependencies: ["HookpipeSync"], swiftSettings: strictSettings),
        .testTarget(
            name: "HookpipeChainTests",
            dependencies: ["HookpipeChain", "HookpipeStore", "HookpipeConfig", "HookpipeJSON", "HookpipeSync", .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "HookpipeStoreTests", dependencies: ["HookpipeStore", "HookpipeJSON"], swiftSettings: strictSettings),
        .testTarget(
            name: "HookpipeOperationsTests",
            dependencies: [
                "HookpipeOperations", "HookpipeRecovery", "HookpipeStore", "HookpipeJSON", "HookpipeConfig", "HookpipeDaemon",
                "HookpipeProcess", "HookpipeVerification", "HookpipeSync",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Runs the built `hookpipe` binary as a user would.
        .testTarget(name: "HookpipeCLITests", dependencies: ["PostgresScratch", "HookpipeSync"], exclude: ["Fixtures"], swiftSettings: strictSettings),
        .testTarget(name: "HookpipePluginTests", exclude: ["Fixtures"], swiftSettings: strictSettings),
        .testTarget(
            name: "HookpipeReceiverTests",
            dependencies: [
                "HookpipeReceiver", "HookpipeStore", "HookpipeConfig", "HookpipeVerification", "HookpipeDaemon", "HookpipeSync", "HookpipeJSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // A throwaway PostgreSQL for tests (scripts/pg-scratch.sh); not part of the product.
        .target(name: "PostgresScratch", dependencies: ["HookpipeSync"], path: "Tests/PostgresScratch", swiftSettings: strictSettings),
        .testTarget(
            name: "HookpipePostgresTests",
            dependencies: [
                "HookpipePostgres", "HookpipeStore", "PostgresScratch",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "HookpipeSystemdTests", dependencies: ["HookpipeSystemd"], swiftSettings: strictSettings),
        .testTarget(name: "HookpipeDaemonTests", dependencies: ["HookpipeDaemon", "HookpipeConfig", "HookpipeStore"], swiftSettings: strictSettings),
        .testTarget(
            name: "HookpipeAdminTests",
            dependencies: [
                "HookpipeAdmin", "HookpipeTelemetry",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
