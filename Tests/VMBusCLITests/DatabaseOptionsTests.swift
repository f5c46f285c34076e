import Foundation
import GRDB
import Testing

/// Where the session database lives (`--db`, `VMBUS_SIM_DB`, `vmbus-sim.sqlite`), and what
/// happens with a file that is not one.
@Suite("database location")
struct DatabaseOptionsTests {
  @Test func theDefaultIsInTheCurrentDirectory() async throws {
    try await TemporaryDirectory.with { dir in
      try dir.write("trace.log", TraceFixtures.mixedLog)
      let imported = try await dir.runAsGiven(["import", "trace.log", "--json"])
      #expect(imported.status == 0)
      #expect(dir.exists("vmbus-sim.sqlite"))
      let sessions = try await dir.runAsGiven(["sessions", "--json"])
      #expect(try JSON.parseLines(sessions.stdout).map { $0["name"] } == ["trace.log"])
      #expect(
        try StoreInspector.progress(dir.path("vmbus-sim.sqlite"), session: 1)?.status == "complete")
    }
  }

  @Test func theEnvironmentVariableMovesIt() async throws {
    try await TemporaryDirectory.with { dir in
      try dir.write("trace.log", TraceFixtures.mixedLog)
      let environment = ["VMBUS_SIM_DB": "from-env.sqlite"]
      let imported = try await dir.runAsGiven(["import", "trace.log"], environment: environment)
      #expect(imported.status == 0)
      #expect(dir.exists("from-env.sqlite"))
      #expect(!dir.exists("vmbus-sim.sqlite"))
      let sessions = try await dir.runAsGiven(["sessions", "--json"], environment: environment)
      #expect(try JSON.parseLines(sessions.stdout).count == 1)
      let replay = try await dir.runAsGiven(["replay", "1", "--at", "1"], environment: environment)
      #expect(replay.status == 0)
    }
  }

  @Test func theFlagBeatsTheEnvironment() async throws {
    try await TemporaryDirectory.with { dir in
      try dir.write("trace.log", TraceFixtures.mixedLog)
      let environment = ["VMBUS_SIM_DB": "from-env.sqlite"]
      let imported = try await dir.runAsGiven(
        ["import", "trace.log", "--db", "from-flag.sqlite"], environment: environment)
      #expect(imported.status == 0)
      #expect(dir.exists("from-flag.sqlite"))
      #expect(!dir.exists("from-env.sqlite"))
      #expect(!dir.exists("vmbus-sim.sqlite"))
    }
  }

  /// Every command, with the arguments it needs besides `--db`.
  static let commands: [[String]] = [
    ["import", "trace.log"], ["run", Repository.scenario("linux-open-close.yaml"), "--json"],
    ["sessions"], ["sessions", "--json"], ["replay", "1", "--json"], ["verify", "1"],
    ["export", "1", "--format", "jsonl"],
  ]

  /// Files that are not our database.
  enum Foreign: String, CaseIterable, Sendable {
    case textFile
    case otherSQLiteDatabase

    func create(at path: String) throws {
      switch self {
      case .textFile:
        try Data("just some notes\n".utf8).write(to: URL(fileURLWithPath: path))
      case .otherSQLiteDatabase:
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
          try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
          try db.execute(sql: "INSERT INTO notes (text) VALUES ('keep me')")
        }
      }
    }
  }

  @Test(arguments: Foreign.allCases, commands)
  func aFileThatIsNotOursIsAClearError(_ foreign: Foreign, _ command: [String]) async throws {
    try await TemporaryDirectory.with { dir in
      try dir.write("trace.log", TraceFixtures.mixedLog)
      let path = dir.path("notes.db")
      try foreign.create(at: path)
      let before = try dir.read("notes.db")
      let result = try await dir.runAsGiven(command + ["--db", path])
      #expect(result.exited, "\(result)")
      #expect(result.status != 0)
      #expect(result.stdout == "")
      #expect(result.stderr.hasPrefix("error: \(path): not "), "\(result)")
      #expect(try dir.read("notes.db") == before)
    }
  }

  /// The commands that only read.
  static let readingCommands: [[String]] = [
    ["sessions"], ["replay", "1", "--json"], ["verify", "1"], ["export", "1", "--format", "jsonl"],
  ]

  @Test(arguments: readingCommands)
  func readingAMissingOrEmptyDatabaseSaysSo(_ command: [String]) async throws {
    try await TemporaryDirectory.with { dir in
      let missing = try await dir.runAsGiven(command + ["--db", "absent.sqlite"])
      #expect(missing.status == 66)
      #expect(missing.stdout == "")
      #expect(
        missing.errorLines == [
          "error: absent.sqlite: no such database (run or import something first, or pass --db)"
        ])
      #expect(!dir.exists("absent.sqlite"))

      _ = try dir.write("empty.sqlite", "")
      let empty = try await dir.runAsGiven(command + ["--db", "empty.sqlite"])
      #expect(empty.status == 66)
      #expect(
        empty.errorLines == [
          "error: empty.sqlite: an empty file, not an event store yet "
            + "(run or import something into it)"
        ])
      #expect(try dir.read("empty.sqlite") == [])
      // Writing commands initialize it.
      try dir.write("trace.log", TraceFixtures.mixedLog)
      #expect(
        try await dir.runAsGiven(["import", "trace.log", "--db", "empty.sqlite"]).status == 0)
      #expect(try await dir.runAsGiven(command + ["--db", "empty.sqlite"]).status == 0)
    }
  }
}
