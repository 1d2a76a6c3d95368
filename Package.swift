// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cithub",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cithub", targets: ["cithub"])
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0"),
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing.git", from: "1.19.7"),
    ],
    targets: [
        .target(
            name: "CITDomain",
            dependencies: [],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "CITHub",
            dependencies: [
                "CITDomain",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
            ],
            exclude: ["Migrations/README.md", "Migrations/frozen.txt"],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "cithub",
            dependencies: ["CITHub"]
        ),
        // Code that only tests use (a JSON Schema checker for API responses), kept out of
        // the shipped targets.
        .target(
            name: "CITTestSupport",
            dependencies: [],
            path: "Tests/CITTestSupport"
        ),
        .testTarget(
            name: "CITDomainTests",
            dependencies: ["CITDomain"]
        ),
        .testTarget(
            name: "CITHubTests",
            dependencies: [
                "CITHub",
                "CITTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
            ],
            exclude: ["Snapshots", "__Snapshots__"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
