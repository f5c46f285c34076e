// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
  name: "vmbus-sim",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "VMBusWire", targets: ["VMBusWire"]),
    .library(name: "VMBusHost", targets: ["VMBusHost"]),
  ],
  dependencies: [
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    .target(name: "VMBusWire", swiftSettings: strict),
    .target(name: "VMBusHost", dependencies: ["VMBusWire"], swiftSettings: strict),
    .target(name: "VMBusTrace", dependencies: ["VMBusHost", "VMBusWire"], swiftSettings: strict),
    .target(
      name: "VMBusStore",
      dependencies: [
        "VMBusHost", "VMBusWire", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
      ],
      swiftSettings: strict),
    .target(
      name: "VMBusSim", dependencies: ["VMBusHost", "VMBusWire", .product(name: "Yams", package: "Yams")],
      swiftSettings: strict),
    // What the tests and benchmarks share: workloads, samples, temporary stores. Not shipped.
    .target(
      name: "VMBusTesting", dependencies: ["VMBusWire", "VMBusHost", "VMBusStore", "VMBusSim"],
      swiftSettings: strict),
    .target(
      name: "VMBusSessions",
      dependencies: ["VMBusHost", "VMBusWire", "VMBusTrace", "VMBusStore", "VMBusSim"],
      swiftSettings: strict),
    .target(
      name: "VMBusReport",
      dependencies: ["VMBusSessions", "VMBusStore", "VMBusTrace", "VMBusHost", "VMBusWire"],
      // The page's scripts, compiled into the binary (no resource bundle to ship beside it).
      resources: [
        .embedInCode("Page/Script/error-capture.js"), .embedInCode("Page/Script/report.js"),
      ],
      swiftSettings: strict),
    .executableTarget(
      name: "vmbus-sim",
      dependencies: [
        "VMBusReport", "VMBusSessions", "VMBusSim", "VMBusStore", "VMBusTrace", "VMBusHost",
        "VMBusWire",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict),
    .executableTarget(
      name: "vmbus-bench",
      dependencies: [
        "VMBusTesting", "VMBusHost", "VMBusWire", "VMBusTrace", "VMBusStore", "VMBusSim", "VMBusSessions",
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "VMBusWireTests", dependencies: ["VMBusWire", "VMBusSim", "VMBusTesting"], swiftSettings: strict),
    .testTarget(
      name: "VMBusHostTests", dependencies: ["VMBusHost", "VMBusWire", "VMBusSim", "VMBusTesting"], swiftSettings: strict),
    .testTarget(
      name: "VMBusTraceTests",
      dependencies: ["VMBusTrace", "VMBusHost", "VMBusWire", "VMBusSim", "VMBusTesting"],
      swiftSettings: strict),
    .testTarget(
      name: "VMBusCLITests",
      dependencies: [
        "VMBusStore", "VMBusHost", "VMBusTesting", .product(name: "GRDB", package: "GRDB.swift"),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "VMBusSimTests", dependencies: ["VMBusSim", "VMBusHost", "VMBusWire", "VMBusTesting"],
      swiftSettings: strict),
    .testTarget(
      name: "VMBusReportTests",
      dependencies: [
        "VMBusReport", "VMBusSessions", "VMBusStore", "VMBusSim", "VMBusTrace", "VMBusHost",
        "VMBusWire",
      ],
      swiftSettings: strict),
    .testTarget(
      name: "VMBusStoreTests",
      dependencies: [
        "VMBusStore", "VMBusHost", "VMBusWire", "VMBusSim", "VMBusTesting",
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "VMBusSessionsTests",
      dependencies: [
        "VMBusSessions", "VMBusStore", "VMBusSim", "VMBusTrace", "VMBusHost", "VMBusWire",
        "VMBusTesting", .product(name: "GRDB", package: "GRDB.swift"),
      ],
      swiftSettings: strict),
  ],
  swiftLanguageModes: [.v6]
)
