import VMBusHost

/// One line of a session's sequence diagram: a message arrow, or a note about something
/// that is not a message (the machine, devices, the data plane, a fault, a gap).
public struct DiagramRow: Hashable, Sendable {
  /// What the row shows.
  public enum Content: Hashable, Sendable {
    /// A VMBus message between guest and host.
    case message(DiagramMessage)
    /// Anything else.
    case note(DiagramNote)
  }

  /// What the row shows.
  public var content: Content
  /// The seqs of the events that make up the row, ascending. Every event of a session
  /// belongs to exactly one row.
  public var seqs: [Int]
  /// The rules the row's events broke.
  public var violations: [DiagramViolation] = []

  public init(content: Content, seqs: [Int]) {
    self.content = content
    self.seqs = seqs
  }

  /// The seq of the row's first event.
  public var firstSeq: Int { seqs.first ?? 0 }

  /// The message, when the row is one.
  public var message: DiagramMessage? {
    if case .message(let message) = content { return message }
    return nil
  }

  /// The note, when the row is one.
  public var note: DiagramNote? {
    if case .note(let note) = content { return note }
    return nil
  }
}

/// What kind of thing a note row records.
public enum DiagramNoteKind: String, Hashable, Sendable, CaseIterable {
  /// The machine or a device: started, realized, rejected, reset; ring corruption.
  case environment
  /// The host crashed or aborted (`sim_host_fault`).
  case hostFault = "host_fault"
  /// Data-plane signals: `vmbus_signal_event`, `vmbus_channel_notify_guest`, `sim_signal`.
  case dataPlane = "data_plane"
  /// A stretch the trace lost (`sim_traced_events_dropped`).
  case gap
  /// A trace event that belongs to no message (e.g. a callback with nothing in flight).
  case stray
}

/// A row that is not a message.
public struct DiagramNote: Hashable, Sendable {
  /// What kind of thing it records.
  public var kind: DiagramNoteKind
  /// One line describing it.
  public var text: String

  public init(kind: DiagramNoteKind, text: String) {
    self.kind = kind
    self.text = text
  }
}

/// A rule broken by one event of a row.
public struct DiagramViolation: Hashable, Sendable {
  /// The event that broke it.
  public var seq: Int
  /// The rule and what was wrong.
  public var violation: ProtocolViolation

  public init(seq: Int, violation: ProtocolViolation) {
    self.seq = seq
    self.violation = violation
  }
}
