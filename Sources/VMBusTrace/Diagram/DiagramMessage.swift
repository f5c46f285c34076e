import VMBusHost
import VMBusWire

/// Which way a VMBus message went.
package enum MessageDirection: String, Hashable, Sendable, CaseIterable {
  /// The guest posted it with HvPostMessage (connection id 1).
  case guestToHost = "guest_to_host"
  /// The host posted it into the guest's SynIC message slot.
  case hostToGuest = "host_to_guest"
}

/// What became of a message, as far as the session shows.
package enum MessageFate: String, Hashable, Sendable, CaseIterable {
  /// Guest to host: the host took it from the rx queue and acted on it.
  case handled
  /// Guest to host: the host took it from the rx queue and it changed nothing (a handler
  /// check dropped it, or QEMU has no handler for its type).
  case ignored
  /// Guest to host: queued, then thrown away by the UNLOAD flush before the host took it.
  case flushed
  /// Guest to host: the hypercall refused it (bad connection id, type or size); never queued.
  case rejected
  /// Guest to host: the 16-slot rx queue was full (the guest retries). Host to guest: the
  /// guest's message slot was busy, callback status -11 (the host retries).
  case busy
  /// Host to guest: the delivery callback reported 0.
  case delivered
  /// Host to guest: the delivery callback reported a fatal status; the bus stops running.
  case failed
  /// No outcome by the end of the session (still queued, or still in flight).
  case pending

  /// The message never reached its destination's protocol handling: ignored, flushed or
  /// rejected.
  package var isDropped: Bool {
    switch self {
    case .ignored, .flushed, .rejected: true
    default: false
    }
  }
}

/// One VMBus message of a session, with what the traces (and, in a simulation, its
/// payload) say about it.
package struct DiagramMessage: Hashable, Sendable {
  /// Who sent it.
  package var direction: MessageDirection
  /// The VMBus message type.
  package var type: MessageType
  /// The channel it names (child_relid or the trace's `chan_id`).
  package var relid: ChannelID?
  /// The GPADL it names.
  package var gpadlID: GpadlID?
  /// Its own status field: VERSION_RESPONSE's version_supported, OPENCHANNEL_RESULT's or
  /// GPADL_CREATED's status.
  package var status: UInt32?
  /// Further fields worth showing, e.g. `version 4.0`, `vcpu 0`, `pages 256`.
  package var details: [String] = []
  /// The HvPostMessage status the guest got; simulated sessions only.
  package var hypercallStatus: HypercallStatus?
  /// The delivery callback's status, for a host message whose callback ran.
  package var deliveryStatus: Int32?
  /// What became of it.
  package var fate: MessageFate = .pending
  /// For a flushed message: the seq of the event whose state change emptied the queue.
  package var flushedAt: Int?
  /// For a host message: the row of the guest message it answers.
  package var replyTo: Int?
  /// Whether its payload is known (a simulation recorded it), so its fields are exact.
  package var hasPayload = false
  /// Whether it was already queued before the first event the diagram covers (an excerpt).
  package var queuedBeforeStart = false

  package init(direction: MessageDirection, type: MessageType) {
    self.direction = direction
    self.type = type
  }

  /// `TYPE relid R gpadl G details… status S`: the arrow's label.
  package var label: String {
    var parts = [type.name]
    if let relid { parts.append("relid \(relid.rawValue)") }
    if let gpadlID { parts.append("gpadl \(gpadlID.rawValue)") }
    parts += details
    if let status {
      parts.append(type == .versionResponse ? "version_supported \(status)" : "status \(status)")
    }
    return parts.joined(separator: " ")
  }

  /// What happened to it, e.g. `delivered`, `slot busy (-11), host retries`.
  package var outcome: String {
    queuedBeforeStart ? fateText + " (queued before the first event shown)" : fateText
  }

  private var fateText: String {
    switch fate {
    case .handled: return "handled"
    case .ignored: return "dropped: the host took it and changed nothing"
    case .flushed: return "dropped: flushed from the queue by UNLOAD" + at(flushedAt)
    case .rejected:
      if let hypercallStatus { return "rejected: \(hypercallStatus)" }
      return type.isKnownToQEMU ? "rejected" : "rejected: unknown message type"
    case .busy:
      if direction == .hostToGuest { return "slot busy (-11), host retries" }
      return "rx queue full (insufficient buffers), guest retries"
    case .delivered: return "delivered"
    case .failed: return "delivery failed (\(deliveryStatus.map { "\($0)" } ?? "?"))"
    case .pending:
      return direction == .guestToHost ? "queued, not yet handled" : "in flight, no callback yet"
    }
  }

  private func at(_ seq: Int?) -> String {
    seq.map { " at seq \($0)" } ?? ""
  }
}
