// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "NeedleChart",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "needlechart", targets: ["needlechart"]),
        .executable(name: "needlechart-bench", targets: ["needlechart-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        // The shared clinic's PostgreSQL backend (SPEC §6).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        // What postgres-nio is built on, named for the event loop, TLS and logging it asks for.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // Catalogue data (regions, muscles, flags, screening policy, body-map art), compiled in.
        .target(
            name: "ChartAssets",
            path: "Assets",
            exclude: ["README.md"],
            resources: [.embedInCode("catalogue.yaml")]
        ),
        // The domain: values, rules, validation, export. No ncurses, no GRDB.
        .target(
            name: "ChartCore",
            dependencies: ["ChartAssets", .product(name: "Yams", package: "Yams")]
        ),
        // Persistence behind one protocol (`ClinicStore`): SQLite on GRDB, and the shared clinic's
        // PostgreSQL on postgres-nio. All SQL lives here; both backends share the audit chain's
        // and signed documents' canonical hashing, so `check` means the same on both.
        .target(
            name: "ChartStore",
            dependencies: [
                "ChartCore", .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API under GRDB's statements, for the search's seeks (SearchKeys.KeyList).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
                // SHA-256 for the audit log's hash chain.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Screens as state + actions + reduce + render into an in-memory grid.
        .target(name: "ChartUI", dependencies: ["ChartCore"]),
        // ncursesw, as a system library with a shim for what Swift cannot import.
        .systemLibrary(name: "CNcursesW", path: "Sources/CNcursesW"),
        // The only code that calls ncurses.
        .target(name: "CursesTerminal", dependencies: ["CNcursesW", "ChartUI"]),
        // The app's shell: runs screens' effects against the store, and the terminal run loop.
        .target(name: "ChartApp", dependencies: ["ChartCore", "ChartStore", "ChartUI", "CursesTerminal"]),
        .executableTarget(
            name: "needlechart",
            dependencies: [
                "ChartCore", "ChartStore", "ChartUI", "CursesTerminal", "ChartApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The clinic-scale benchmark (SPEC §7): synthetic clinic, measurements, the raw floors
        // (SQLite's C API; postgres-nio for a server clinic).
        .target(
            name: "ChartBench",
            dependencies: ["ChartCore", "ChartStore", "ChartUI", "ChartApp", .product(name: "GRDBSQLite", package: "GRDB.swift"),
                           .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "needlechart-bench",
            dependencies: ["ChartBench", "ChartCore", "ChartStore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Golden-file comparison shared by the test targets.
        .target(name: "GoldenFiles", path: "Tests/GoldenFiles"),
        .testTarget(name: "ChartCoreTests", dependencies: ["ChartCore", "GoldenFiles"], exclude: ["Golden"]),
        // A PostgreSQL server for the tests: CI's throwaway one, or one started on the spot.
        .target(name: "TestPostgresServer", dependencies: ["ChartStore", "ChartCore"], path: "Tests/TestPostgresServer"),
        .testTarget(name: "ChartStoreTests", dependencies: ["ChartStore", "ChartCore", "TestPostgresServer"]),
        .testTarget(name: "ChartUITests", dependencies: ["ChartUI", "ChartCore", "GoldenFiles"], exclude: ["Golden"]),
        .testTarget(name: "CursesTerminalTests", dependencies: ["CursesTerminal", "ChartUI"]),
        .testTarget(
            name: "ChartAppTests",
            dependencies: ["ChartApp", "ChartUI", "ChartStore", "ChartCore", "TestPostgresServer", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ChartCore", "ChartStore", "ChartUI", "ChartApp", "needlechart", "TestPostgresServer",
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "ChartBenchTests", dependencies: ["ChartBench", "ChartStore", "ChartCore", "TestPostgresServer"]),
    ]
)
