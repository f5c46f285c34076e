import VMBusHost

/// One event of a session at its position, with where it was found in a trace file.
public struct StoredEvent: Hashable, Sendable {
  /// The 1-based position in the session: the state at `seq` is the fold of events 1...seq.
  public var seq: Int
  /// The event.
  public var event: HostEvent
  /// Where an imported event came from; nil for simulated events.
  public var source: EventSource?

  public init(seq: Int, event: HostEvent, source: EventSource? = nil) {
    self.seq = seq
    self.event = event
    self.source = source
  }
}

/// Where in a trace file an event was read, and what the file said about when and where it
/// fired. Every field is optional because the formats differ in what they record.
public struct EventSource: Hashable, Sendable, Codable {
  /// The timestamp or line prefix exactly as the source wrote it (e.g. `1234@1700000.123456:`).
  public var tsText: String?
  /// The timestamp in nanoseconds, when the format gives one.
  public var tsNanos: Int64?
  /// The thread or process id the format records.
  public var threadID: Int64?
  /// The 1-based line in a text trace.
  public var line: Int?
  /// The byte offset of the record in the file.
  public var offset: Int64?

  public init(
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
