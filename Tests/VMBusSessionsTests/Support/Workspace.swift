import Foundation
import VMBusHost
import VMBusSessions
import VMBusStore

/// A directory of its own for one test: its database, traces and exports, removed after.
struct Workspace {
  let url: URL

  static func with<T>(_ body: (Workspace) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("vmbus-sessions-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(Workspace(url: url))
  }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  var databasePath: String { path("sessions.sqlite") }

  func store(_ name: String = "sessions.sqlite") throws -> EventStore {
    try EventStore.open(path: path(name))
  }

  @discardableResult
  func write(_ name: String, _ bytes: [UInt8]) throws -> String {
    try Data(bytes).write(to: url.appendingPathComponent(name))
    return path(name)
  }

  @discardableResult
  func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

  func read(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: url.appendingPathComponent(name)))
  }

  func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

  /// Runs a bundled scenario into `store` and writes its QEMU log (`run.log`): a real trace
  /// to import, with the events the run recorded.
  func simulatedLog(
    _ scenario: String = "linux-boot.yaml", into store: EventStore
  ) throws -> (run: [HostEvent], log: String) {
    let (run, session) = try ScenarioRunner(path: Bundled.scenario(scenario), seed: 1)
      .run(into: store)
    let log = path("run.log")
    try SessionExporter(store: store, session: session).export(.qemuLog, output: log)
    return (run.events, log)
  }
}

/// The repository's own files.
enum Bundled {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Support
    .deletingLastPathComponent()  // VMBusSessionsTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

  static func scenario(_ name: String) -> String {
    root.appendingPathComponent("scenarios").appendingPathComponent(name).path
  }
}

extension HostEvent {
  /// Whether QEMU traces this event (a simulator fact is not in a QEMU log).
  var isTracePoint: Bool {
    if case .trace = self { return true }
    return false
  }
}

/// The error a workflow threw, or nil if it did not throw.
func sessionsError<T>(_ body: () throws(SessionsError) -> T) -> SessionsError? {
  do {
    _ = try body()
    return nil
  } catch {
    return error
  }
}
