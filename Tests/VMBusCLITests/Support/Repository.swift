import Foundation

/// Files of this repository the tests use, found from this file's path.
enum Repository {
  /// The package root.
  static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Support
    .deletingLastPathComponent()  // VMBusCLITests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

  /// `scenarios/`.
  static let scenarios = root.appendingPathComponent("scenarios")

  /// The path of `scenarios/NAME`.
  static func scenario(_ name: String) -> String {
    scenarios.appendingPathComponent(name).path
  }

  /// The names of the bundled scenario files, sorted.
  static let scenarioFiles: [String] =
    ((try? FileManager.default.contentsOfDirectory(atPath: scenarios.path)) ?? [])
    .filter { $0.hasSuffix(".yaml") }.sorted()
}

extension TemporaryDirectory {
  /// Writes `text` as `name`, imports it into the test's database, and returns the session.
  func importLog(_ text: String, as name: String = "trace.log") async throws -> Int {
    let path = try write(name, text)
    return try session(from: try await run("import", path, "--json"))
  }

  /// Runs `scenarios/NAME` into the test's database and returns the session.
  func runScenario(_ name: String, seed: Int = 0) async throws -> Int {
    let result = try await run("run", Repository.scenario(name), "--seed", "\(seed)", "--json")
    return try session(from: result)
  }

  private func session(from result: CLIResult) throws -> Int {
    guard result.exited, let session = try? JSON.parse(result.stdout)["session"]?.int else {
      throw CLIError(description: "expected {\"session\": N, ...}, got \(result)")
    }
    return session
  }
}
