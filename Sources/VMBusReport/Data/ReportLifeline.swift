/// One lifeline column: the bus, a channel, or GPADLs that share a column because their
/// lifetimes never overlap. Its spans are named columns: from seq `start[i]` on it is in
/// state `state[i]`.
package struct ReportLifeline: Codable, Hashable, Sendable {
  /// The column's heading (`bus`, `channel 1`, `gpadls #1`).
  package var name: String
  /// `bus`, `channel` or `gpadl`.
  package var kind: String
  package var spans: Spans

  package struct Spans: Codable, Hashable, Sendable {
    /// The seq each span starts at, ascending.
    package var start: [Int] = []
    /// The string index of the state's name.
    package var state: [Int] = []
    /// The string index of the object the span is about (0 when it is the column itself).
    package var object: [Int] = []
  }
}
