/// One entry per event from `firstSeq`, as named columns: event `i` (seq `firstSeq + i`) is
/// `text[i]`, `changes[i]`, ...
package struct ReportEvents: Codable, Hashable, Sendable {
  /// The string index of the event as QEMU prints it.
  package var text: [Int] = []
  /// The list index of what it changed (the texts `replay` prints).
  package var changes: [Int] = []
  /// The list index of the rules it broke.
  package var violations: [Int] = []
  /// The index in `deltas` of what it changed in the state's pieces.
  package var delta: [Int] = []
  /// Nanoseconds since the previous event (see `ReportClock`).
  package var timeStep: [Int] = []

  enum CodingKeys: String, CodingKey {
    case text, changes, violations, delta
    case timeStep = "time_step"
  }

  /// The number of events.
  package var count: Int { text.count }
}

/// The distinct state deltas as named columns: delta `d` is the next `operationCount[d]`
/// entries of `operation`, `key` and `text`.
package struct ReportDeltas: Codable, Hashable, Sendable {
  package var operationCount: [Int] = []
  /// An index into `deltaOperations`.
  package var operation: [Int] = []
  /// The field's index in `stateFields`, or the relid or GPADL id.
  package var key: [Int] = []
  /// The string index of the piece's new text (0 for a removal).
  package var text: [Int] = []

  enum CodingKeys: String, CodingKey {
    case operation, key, text
    case operationCount = "operation_count"
  }
}

/// What one operation of a delta does to the state's pieces.
package enum ReportDeltaOperation: String, Codable, Hashable, Sendable, CaseIterable {
  /// A top-level field takes a new text.
  case setField = "set_field"
  /// A channel is added or takes a new text.
  case setChannel = "set_channel"
  /// A channel is gone.
  case removeChannel = "remove_channel"
  /// A GPADL is added or takes a new text.
  case setGpadl = "set_gpadl"
  /// A GPADL is gone.
  case removeGpadl = "remove_gpadl"
}
