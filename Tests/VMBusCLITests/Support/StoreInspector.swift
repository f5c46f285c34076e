import Foundation
import GRDB

/// Looks inside a database file the CLI wrote, through read-only connections of its own.
enum StoreInspector {
  /// One session row's progress.
  struct Progress: Hashable, Sendable {
    var status: String
    var eventCount: Int
    /// Rows in `events` for the session.
    var storedEvents: Int
  }

  /// A read-only connection to `path`.
  static func open(_ path: String) throws -> DatabaseQueue {
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(10)
    return try DatabaseQueue(path: path, configuration: configuration)
  }

  /// Damages a database on purpose (tests of what the CLI does with a broken file).
  static func damage(_ path: String, sql: String) throws {
    try DatabaseQueue(path: path).write { try $0.execute(sql: sql) }
  }

  /// Every row of every table, as text, sorted within each table: equal dumps mean the same
  /// sessions with the same rows.
  static func dump(_ path: String) throws -> [String] {
    try open(path).read { db in
      var lines = [
        "application_id \(try Int.fetchOne(db, sql: "PRAGMA application_id") ?? 0)"
      ]
      let tables = try String.fetchAll(
        db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      for table in tables {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").map(\.description)
        lines.append("table \(table): \(rows.count) rows")
        lines += rows.sorted().map { "\(table) \($0)" }
      }
      return lines
    }
  }

  /// `PRAGMA integrity_check`'s lines (`["ok"]` for a sound file).
  static func integrityCheck(_ path: String) throws -> [String] {
    try open(path).read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
  }

  /// A session's status and event counts, or nil when there is no such row.
  static func progress(_ path: String, session: Int) throws -> Progress? {
    try open(path).read { db in try progress(db, session: session) }
  }

  static func progress(_ db: Database, session: Int) throws -> Progress? {
    guard
      let row = try Row.fetchOne(
        db, sql: "SELECT status, event_count FROM sessions WHERE id = ?", arguments: [session])
    else { return nil }
    let stored =
      try Int.fetchOne(
        db, sql: "SELECT count(*) FROM events WHERE session_id = ?", arguments: [session]) ?? 0
    return Progress(
      status: try row.decode(atIndex: 0), eventCount: try row.decode(atIndex: 1),
      storedEvents: stored)
  }
}
