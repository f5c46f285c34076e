import Foundation
import GRDBSQLite
import VMBusHost

/// SQLite's `SQLITE_TRANSIENT`: SQLite copies the bound bytes before the bind call returns.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Binds events to the `events` insert statement, straight through SQLite's C API: the hot
/// path of an append, where GRDB's argument boxing would cost more than the insert.
struct EventRowEncoder {
  private let json = SimulatorEventJSON()

  /// Bind indices, by column name from ``EventColumns/insertColumns``.
  static let session = EventColumns.bindIndex("session_id")
  static let seq = EventColumns.bindIndex("seq")
  static let name = EventColumns.bindIndex("name")
  static let firstArgument = EventColumns.bindIndex(EventColumns.arguments.first ?? "")
  static let sim = EventColumns.bindIndex("sim")
  static let tsText = EventColumns.bindIndex("ts_text")
  static let tsNanos = EventColumns.bindIndex("ts_ns")
  static let threadID = EventColumns.bindIndex("thread_id")
  static let line = EventColumns.bindIndex("source_line")
  static let offset = EventColumns.bindIndex("source_offset")

  /// The `INSERT` whose parameters ``bind(_:session:seq:event:source:)`` fills.
  static let insertSQL: String = {
    let columns = EventColumns.insertColumns
    let placeholders = (1...columns.count).map { "?\($0)" }
    return "INSERT INTO events (\(columns.joined(separator: ", "))) "
      + "VALUES (\(placeholders.joined(separator: ", ")))"
  }()

  /// Binds one row; unused argument columns are left NULL.
  func bind(
    _ statement: OpaquePointer, session: SessionID, seq: Int, event: HostEvent,
    source: EventSource?
  ) throws {
    sqlite3_reset(statement)
    sqlite3_clear_bindings(statement)
    sqlite3_bind_int64(statement, Self.session, session.rawValue)
    sqlite3_bind_int64(statement, Self.seq, Int64(seq))
    switch event {
    case .trace(let trace):
      let ordinal = trace.point.ordinal
      EventColumns.names[ordinal].withUnsafeBytes { bytes in
        bindText(statement, Self.name, bytes)
      }
      for (slot, word) in zip(EventColumns.slots[ordinal], trace.words) {
        sqlite3_bind_int64(statement, Self.firstArgument + slot, Int64(bitPattern: word))
      }
    case .simulator(let fact):
      bindText(statement, Self.name, fact.name)
      let text = json.encode(fact)
      text.withUnsafeBytes { bytes in bindText(statement, Self.sim, bytes) }
    }
    guard let source else { return }
    if let text = source.tsText { bindText(statement, Self.tsText, text) }
    if let value = source.tsNanos { sqlite3_bind_int64(statement, Self.tsNanos, value) }
    if let value = source.threadID { sqlite3_bind_int64(statement, Self.threadID, value) }
    if let value = source.line { sqlite3_bind_int64(statement, Self.line, Int64(value)) }
    if let value = source.offset { sqlite3_bind_int64(statement, Self.offset, value) }
  }

  private func bindText(_ statement: OpaquePointer, _ index: Int32, _ text: String) {
    var text = text
    text.withUTF8 { bytes in bindText(statement, index, UnsafeRawBufferPointer(bytes)) }
  }

  private func bindText(
    _ statement: OpaquePointer, _ index: Int32, _ bytes: UnsafeRawBufferPointer
  ) {
    // An empty buffer may have no base address; SQLite then binds NULL, so bind "" instead.
    let base = bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
    sqlite3_bind_text(
      statement, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count),
      sqliteTransient)
  }
}

/// Why a stored row is not an event; the caller adds the file, session and seq.
struct RowDecodingError: Error {
  var reason: String
}

/// Reads events from a `SELECT` of ``EventColumns/selectColumns`` through SQLite's C API.
struct EventRowDecoder {
  private let json = SimulatorEventJSON()
  private let legacy = LegacySimulatorEventJSON()

  /// Result indices, by column name from ``EventColumns/selectColumns``.
  static let seq = EventColumns.readIndex("seq")
  static let name = EventColumns.readIndex("name")
  static let firstArgument = EventColumns.readIndex(EventColumns.arguments.first ?? "")
  static let sim = EventColumns.readIndex("sim")
  static let tsText = EventColumns.readIndex("ts_text")
  static let tsNanos = EventColumns.readIndex("ts_ns")
  static let threadID = EventColumns.readIndex("thread_id")
  static let line = EventColumns.readIndex("source_line")
  static let offset = EventColumns.readIndex("source_offset")

  /// The `SELECT` of one session's events in `?2...?3`, in order.
  static let selectSQL =
    "SELECT \(EventColumns.selectColumns.joined(separator: ", ")) FROM events "
    + "WHERE session_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq"

  /// The `seq` of the current row.
  func seq(_ statement: OpaquePointer) -> Int {
    Int(sqlite3_column_int64(statement, Self.seq))
  }

  /// The event of the current row.
  func event(_ statement: OpaquePointer) throws(RowDecodingError) -> HostEvent {
    let count = Int(sqlite3_column_bytes(statement, Self.name))
    guard let bytes = sqlite3_column_text(statement, Self.name) else {
      throw RowDecodingError(reason: "name is null")
    }
    if let ordinal = Self.traceOrdinal(bytes, count) {
      return .trace(try trace(statement, ordinal))
    }
    let name = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    guard name.hasPrefix("sim_") else {
      throw RowDecodingError(reason: "unknown event name '\(name)'")
    }
    guard let text = sqlite3_column_blob(statement, Self.sim) else {
      throw RowDecodingError(reason: "\(name): sim is null")
    }
    let length = Int(sqlite3_column_bytes(statement, Self.sim))
    let fact: SimulatorEvent
    do {
      fact = try json.decode(name: name, UnsafeRawBufferPointer(start: text, count: length))
    } catch {
      // A file opened read-only before `v6-sim-arguments` ran still holds the old form.
      let bytes = UnsafeRawBufferPointer(start: text, count: length)
      guard let old = try? legacy.decode(bytes), old.name == name else {
        throw RowDecodingError(reason: "sim does not decode: \(error)")
      }
      fact = old
    }
    return .simulator(fact)
  }

  /// The source columns of the current row; nil when all are NULL.
  func source(_ statement: OpaquePointer) -> EventSource? {
    func integer(_ column: Int32) -> Int64? {
      sqlite3_column_type(statement, column) == SQLITE_NULL
        ? nil : sqlite3_column_int64(statement, column)
    }
    var source = EventSource()
    if let text = sqlite3_column_text(statement, Self.tsText) {
      let count = Int(sqlite3_column_bytes(statement, Self.tsText))
      source.tsText = String(
        decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }
    source.tsNanos = integer(Self.tsNanos)
    source.threadID = integer(Self.threadID)
    source.line = integer(Self.line).map { Int($0) }
    source.offset = integer(Self.offset)
    return source.isEmpty ? nil : source
  }

  private func trace(_ statement: OpaquePointer, _ ordinal: Int) throws(RowDecodingError)
    -> TraceEvent
  {
    let point = EventColumns.points[ordinal]
    let slots = EventColumns.slots[ordinal]
    var words: [UInt64] = []
    words.reserveCapacity(slots.count)
    for slot in slots {
      let column = Self.firstArgument + slot
      guard sqlite3_column_type(statement, column) == SQLITE_INTEGER else {
        let argument = EventColumns.arguments[Int(slot)]
        throw RowDecodingError(reason: "\(point.name): \(argument) is not an integer")
      }
      words.append(UInt64(bitPattern: sqlite3_column_int64(statement, column)))
    }
    do {
      return try TraceEvent(point: point, words: words)
    } catch {
      throw RowDecodingError(reason: error.description)
    }
  }

  /// The ordinal of the trace point with this UTF-8 name, if it is one.
  private static func traceOrdinal(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int? {
    let stored = UnsafeBufferPointer(start: bytes, count: count)
    for (ordinal, name) in EventColumns.names.enumerated() where name.count == count {
      if name.withUnsafeBufferPointer({ $0.elementsEqual(stored) }) { return ordinal }
    }
    return nil
  }
}
