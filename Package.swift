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
  targets: [
    .target(name: "VMBusWire", swiftSettings: strict),
    .target(name: "VMBusHost", dependencies: ["VMBusWire"], swiftSettings: strict),
    .target(name: "VMBusTrace", dependencies: ["VMBusHost", "VMBusWire"], swiftSettings: strict),
    .executableTarget(
      name: "vmbus-bench", dependencies: ["VMBusHost", "VMBusWire", "VMBusTrace"],
      swiftSettings: strict),
    .testTarget(name: "VMBusWireTests", dependencies: ["VMBusWire"], swiftSettings: strict),
    .testTarget(
      name: "VMBusHostTests", dependencies: ["VMBusHost", "VMBusWire"], swiftSettings: strict),
    .testTarget(
      name: "VMBusTraceTests", dependencies: ["VMBusTrace", "VMBusHost", "VMBusWire"],
      swiftSettings: strict),
  ],
  swiftLanguageModes: [.v6]
)
