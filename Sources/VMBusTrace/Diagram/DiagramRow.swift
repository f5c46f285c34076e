import VMBusHost

/// One line of a session's sequence diagram: a message arrow, or a note about something
/// that is not a message (the machine, devices, the data plane, a fault, a gap).
package struct DiagramRow: Hashable, Sendable {
  /// What the row shows.
  package enum Content: Hashable, Sendable {
    /// A VMBus message between guest and host.
    case message(DiagramMessage)
    /// Anything else.
    case note(DiagramNote)
  }

  /// What the row shows.
  package var content: Content
  /// The seqs of the events that make up the row, ascending. Every event of a session
  /// belongs to exactly one row.
  package var seqs: [Int]
  /// The rules the row's events broke.
  package var violations: [DiagramViolation] = []

  package init(content: Content, seqs: [Int]) {
    self.content = content
    self.seqs = seqs
  }

  /// The seq of the row's first event.
  package var firstSeq: Int { seqs.first ?? 0 }

  /// The message, when the row is one.
  package var message: DiagramMessage? {
    if case .message(let message) = content { return message }
    return nil
  }

  /// The note, when the row is one.
  package var note: DiagramNote? {
    if case .note(let note) = content { return note }
    return nil
  }
}

/// What kind of thing a note row records.
package enum DiagramNoteKind: String, Hashable, Sendable, CaseIterable {
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
  /// A live migration (`sim_migrated`): the boundary between the source host and the
  /// destination host that loaded its saved state.
  case migration
}

/// A row that is not a message.
package struct DiagramNote: Hashable, Sendable {
  /// What kind of thing it records.
  package var kind: DiagramNoteKind
  /// One line describing it.
  package var text: String

  package init(kind: DiagramNoteKind, text: String) {
    self.kind = kind
    self.text = text
  }
}

/// A rule broken by one event of a row.
package struct DiagramViolation: Hashable, Sendable {
  /// The event that broke it.
  package var seq: Int
  /// The rule and what was wrong.
  package var violation: ProtocolViolation

  package init(seq: Int, violation: ProtocolViolation) {
    self.seq = seq
    self.violation = violation
  }
}
