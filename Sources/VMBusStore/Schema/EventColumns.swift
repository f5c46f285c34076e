import VMBusHost

/// The `events` table's columns and where each trace point's arguments go.
///
/// Each distinct QEMU argument name has one nullable INTEGER column; a trace event fills the
/// columns of its parameters with their 64-bit words reinterpreted as signed
/// (`Int64(bitPattern:)`), so `int` arguments read back negative (`status = -11`) and `uint64_t`
/// or pointer values above `Int64.max` read back as their two's-complement bit pattern.
enum EventColumns {
  /// The trace points by ordinal (`TracePoint.allCases`, computed once).
  static let points = TracePoint.allCases

  /// One column per distinct QEMU argument name, in the order the trace points first name
  /// them (the `events` table's order), and for each trace point (by `TracePoint.ordinal`)
  /// the index in it of each parameter: both from the trace points' schema, so every
  /// parameter has its column.
  static let (arguments, slots): ([String], [[Int32]]) = {
    var names: [String] = []
    var positions: [String: Int32] = [:]
    let slots = points.map { point in
      point.parameters.map { parameter in
        if let position = positions[parameter.name] { return position }
        let position = Int32(names.count)
        positions[parameter.name] = position
        names.append(parameter.name)
        return position
      }
    }
    return (names, slots)
  }()

  /// The columns after the arguments, in table order.
  static let trailing = ["sim", "ts_text", "ts_ns", "thread_id", "source_line", "source_offset"]

  /// Every column of the table, which an insert writes in this bind order (`?1` is
  /// `session_id`): the one ordered table the insert, the select and the codec's indices
  /// come from. (The `CREATE TABLE` of migration v1 has shipped; a test holds it equal.)
  static let insertColumns = ["session_id", "seq", "name"] + arguments + trailing

  /// The columns a read selects, in result order: the insert's without `session_id`.
  static let selectColumns = Array(insertColumns.dropFirst())

  /// The 1-based bind index of `column` in the insert (SQLite's parameter numbering); 0,
  /// which SQLite refuses, for a name not in the table, never another column's index.
  static func bindIndex(_ column: String) -> Int32 {
    insertColumns.firstIndex(of: column).map { Int32($0) + 1 } ?? 0
  }

  /// The 0-based result index of `column` in the select; -1, which reads as NULL, for a
  /// name not in the table.
  static func readIndex(_ column: String) -> Int32 {
    selectColumns.firstIndex(of: column).map { Int32($0) } ?? -1
  }

  /// Each trace point's name as UTF-8 bytes, by ordinal, to match stored names without
  /// building a `String` per row.
  static let names: [[UInt8]] = points.map { Array($0.name.utf8) }
}
