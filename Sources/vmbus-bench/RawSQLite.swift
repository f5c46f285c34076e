import Foundation
import GRDBSQLite
import VMBusHost
import VMBusStore

/// One `events` row prepared ahead of time, so the raw baseline measures SQLite alone.
struct RawRow {
  /// The QEMU argument columns, in the table's order.
  static let argumentColumns = [
    "type", "size", "chan_id", "status", "message_type", "major", "minor", "vcpu",
    "monitor_page1", "monitor_page2", "interrupt_page", "dev", "gpadl_id", "num_gfns",
    "target_vp",
  ]
  private static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  var name: String
  /// (bind index, value) of each argument.
  var arguments: [(Int32, Int64)] = []
  var sim: String?
  /// Where an imported event came from (bound to ts_text, ts_ns, thread_id, source_line).
  var source: EventSource?

  init(_ event: HostEvent) throws {
    name = event.name
    switch event {
    case .trace(let trace):
      for (parameter, word) in zip(trace.point.parameters, trace.words) {
        let column = Self.argumentColumns.firstIndex(of: parameter.name) ?? 0
        arguments.append((Int32(4 + column), Int64(bitPattern: word)))
      }
    case .simulator(let fact):
      sim = String(decoding: try Self.encoder.encode(fact), as: UTF8.self)
    }
  }
}

/// SQLite's C API with nothing around it: the baseline the store is measured against.
enum RawSQLite {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  /// Inserts `rows` as session 1 of a new store file (schema made by `EventStore`, so the
  /// table is the same), with one prepared statement in one transaction.
  static func insert(_ rows: [RawRow], path: String) throws -> Duration {
    _ = try EventStore.open(path: path)
    let db = try open(path)
    defer { sqlite3_close_v2(db) }
    try execute(db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")
    let columns =
      ["session_id", "seq", "name"] + RawRow.argumentColumns
      + ["sim", "ts_text", "ts_ns", "thread_id", "source_line", "source_offset"]
    let sql =
      "INSERT INTO events (\(columns.joined(separator: ", "))) VALUES ("
      + (1...columns.count).map { "?\($0)" }.joined(separator: ", ") + ")"
    let clock = ContinuousClock()
    let start = clock.now
    try execute(
      db,
      """
      BEGIN IMMEDIATE;
      INSERT INTO sessions (id, name, kind, host_profile, created_at, status)
      VALUES (1, 'raw', 'simulated', 'qemu', '1970-01-01T00:00:00Z', 'in_progress')
      """)
    let statement = try prepare(db, sql)
    defer { sqlite3_finalize(statement) }
    for (index, row) in rows.enumerated() {
      sqlite3_reset(statement)
      sqlite3_clear_bindings(statement)
      sqlite3_bind_int64(statement, 1, 1)
      sqlite3_bind_int64(statement, 2, Int64(index + 1))
      bind(statement, 3, row.name)
      for (column, value) in row.arguments { sqlite3_bind_int64(statement, column, value) }
      if let sim = row.sim { bind(statement, 19, sim) }
      if let source = row.source {
        if let text = source.tsText { bind(statement, 20, text) }
        if let nanos = source.tsNanos { sqlite3_bind_int64(statement, 21, nanos) }
        if let thread = source.threadID { sqlite3_bind_int64(statement, 22, thread) }
        if let line = source.line { sqlite3_bind_int64(statement, 23, Int64(line)) }
      }
      guard sqlite3_step(statement) == SQLITE_DONE else { throw failure(db) }
    }
    try execute(db, "COMMIT")
    return clock.now - start
  }

  /// Steps through every event row of `session`, reading every column.
  static func scan(path: String, session: Int64) throws -> Duration {
    let db = try open(path)
    defer { sqlite3_close_v2(db) }
    let columns =
      ["seq", "name"] + RawRow.argumentColumns
      + ["sim", "ts_text", "ts_ns", "thread_id", "source_line", "source_offset"]
    let clock = ContinuousClock()
    let start = clock.now
    let statement = try prepare(
      db,
      "SELECT \(columns.joined(separator: ", ")) FROM events WHERE session_id = ?1 ORDER BY seq")
    defer { sqlite3_finalize(statement) }
    sqlite3_bind_int64(statement, 1, session)
    var checksum: Int64 = 0
    while true {
      let code = sqlite3_step(statement)
      if code == SQLITE_DONE { break }
      guard code == SQLITE_ROW else { throw failure(db) }
      for column in Int32(0)..<Int32(columns.count) {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: checksum &+= sqlite3_column_int64(statement, column)
        case SQLITE_TEXT:
          if sqlite3_column_text(statement, column) != nil {
            checksum &+= Int64(sqlite3_column_bytes(statement, column))
          }
        default: break
        }
      }
    }
    let elapsed = clock.now - start
    if checksum == 42 { print("raw scan checksum \(checksum)") }
    return elapsed
  }

  private static func open(_ path: String) throws -> OpaquePointer {
    var db: OpaquePointer?
    let code = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
    guard code == SQLITE_OK, let db else {
      sqlite3_close_v2(db)
      throw Failure(description: "\(path): cannot open (\(code))")
    }
    sqlite3_busy_timeout(db, 30_000)
    return db
  }

  private static func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
      throw failure(db)
    }
    return statement
  }

  private static func execute(_ db: OpaquePointer, _ sql: String) throws {
    guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw failure(db) }
  }

  private static func bind(_ statement: OpaquePointer, _ index: Int32, _ text: String) {
    var text = text
    text.withUTF8 { bytes in
      _ = bytes.withMemoryRebound(to: CChar.self) { chars in
        sqlite3_bind_text(statement, index, chars.baseAddress, Int32(chars.count), transient)
      }
    }
  }

  private static func failure(_ db: OpaquePointer) -> Failure {
    Failure(description: String(cString: sqlite3_errmsg(db)))
  }
}
