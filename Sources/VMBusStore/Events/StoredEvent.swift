import VMBusHost

/// One event of a session at its position, with where it was found in a trace file.
package struct StoredEvent: Hashable, Sendable {
  /// The 1-based position in the session: the state at `seq` is the fold of events 1...seq.
  package var seq: Int
  /// The event.
  package var event: HostEvent
  /// Where an imported event came from; nil for simulated events.
  package var source: EventSource?

  package init(seq: Int, event: HostEvent, source: EventSource? = nil) {
    self.seq = seq
    self.event = event
    self.source = source
  }
}

/// Where in a trace file an event was read, and what the file said about when and where it
/// fired. Every field is optional because the formats differ in what they record.
package struct EventSource: Hashable, Sendable, Codable {
  /// The timestamp or line prefix exactly as the source wrote it (e.g. `1234@1700000.123456:`).
  package var tsText: String?
  /// The timestamp in nanoseconds, when the format gives one.
  package var tsNanos: Int64?
  /// The thread or process id the format records.
  package var threadID: Int64?
  /// The 1-based line in a text trace.
  package var line: Int?
  /// The byte offset of the record in the file.
  package var offset: Int64?

  package init(
    tsText: String? = nil, tsNanos: Int64? = nil, threadID: Int64? = nil, line: Int? = nil,
    offset: Int64? = nil
  ) {
    self.tsText = tsText
    self.tsNanos = tsNanos
    self.threadID = threadID
    self.line = line
    self.offset = offset
  }

  /// Whether no field is set (stored as no source).
  var isEmpty: Bool {
    tsText == nil && tsNanos == nil && threadID == nil && line == nil && offset == nil
  }
}
