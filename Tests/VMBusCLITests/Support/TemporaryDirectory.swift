import Foundation

/// A directory of its own for one test (its database, traces and exports), removed afterwards.
struct TemporaryDirectory: Sendable {
  /// The directory.
  let url: URL

  /// The test's database file, `sessions.sqlite` in the directory.
  var database: String { path("sessions.sqlite") }

  /// Creates a directory, runs `body` with it, and removes it.
  static func with<T>(_ body: (TemporaryDirectory) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("vmbus-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(TemporaryDirectory(url: url))
  }

  /// The absolute path of `name` in the directory.
  func path(_ name: String) -> String {
    url.appendingPathComponent(name).path
  }

  /// Writes `text` to `name` and returns its path.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    try write(name, bytes: Array(text.utf8))
  }

  /// Writes `bytes` to `name` and returns its path.
  @discardableResult
  func write(_ name: String, bytes: [UInt8]) throws -> String {
    let path = path(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// The bytes of `name`.
  func read(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
  }

  /// The text of `name`.
  func readText(_ name: String) throws -> String {
    String(decoding: try read(name), as: UTF8.self)
  }

  /// Whether `name` exists in the directory.
  func exists(_ name: String) -> Bool {
    FileManager.default.fileExists(atPath: path(name))
  }

  /// Runs `vmbus-sim arguments --db DATABASE` with this directory as its working directory.
  func run(_ arguments: String...) async throws -> CLIResult {
    try await CLI.run(arguments + ["--db", database], in: url)
  }

  /// ``run(_:)-(String...)`` with the arguments as an array.
  func run(_ arguments: [String]) async throws -> CLIResult {
    try await CLI.run(arguments + ["--db", database], in: url)
  }

  /// Runs `vmbus-sim arguments` as given (no `--db`) with this directory as its working
  /// directory.
  func runAsGiven(_ arguments: [String], environment: [String: String] = [:]) async throws
    -> CLIResult
  {
    try await CLI.run(arguments, environment: environment, in: url)
  }
}
