import VMBusWire

/// A property QEMU's bus keeps in every reachable state.
public enum Invariant: String, CaseIterable, Hashable, Sendable, Codable {
  /// The rx queue holds at most 16 messages.
  case queueBounded = "queue_bounded"
  /// A message in flight means the bus is in a sending state (runs may be scheduled: they
  /// find the message in flight and do nothing).
  case singleMessageInFlight = "single_message_in_flight"
  /// No two GPADLs on the list share an id.
  case gpadlIDsUnique = "gpadl_ids_unique"
  /// A GPADL's references are its guest handle (until TORNDOWN) plus one per open channel.
  case refcountsBalanced = "refcounts_balanced"
  /// Relids are unique and within 1...2047.
  case relidsValid = "relids_valid"
  /// At most one offer is SENDING, one channel OPENING, one GPADL TEARINGDOWN, each only in
  /// the bus state that sends its reply.
  case oneReplyAtATime = "one_reply_at_a_time"
  /// Without a negotiated version no channel is open and no GPADL exists.
  case nothingBeforeNegotiation = "nothing_before_negotiation"
  /// Channel, offer and GPADL states change only along QEMU's transitions.
  case legalTransitions = "legal_transitions"
  /// Hardened only: with nothing in flight, a bus that has work (a reply to send or a queued
  /// message) has a run scheduled, so no fatal delivery failure or reset stalls it (§9
  /// entries 45 and 47).
  case busKeepsRunning = "bus_keeps_running"
  /// Hardened only: a bus state that sends a reply finds what it answers (a failure reply,
  /// or its GPADL or channel), so no send or complete function aborts (§7.4); a failure
  /// reply is owed only under `.hardened`, in the bus state that sends it.
  case replyHasObject = "reply_has_object"
}

/// A broken invariant, with the objects involved.
public struct InvariantViolation: Error, Hashable, Sendable, Codable, CustomStringConvertible {
  /// The kind of object whose state moved along a transition QEMU never makes.
  public enum TransitionObject: String, Hashable, Sendable, Codable {
    case channel, offer, gpadl
  }

  public var invariant: Invariant
  public var message: String
  /// For `legalTransitions`: the object that moved.
  public var object: TransitionObject?

  public init(_ invariant: Invariant, _ message: String, object: TransitionObject? = nil) {
    self.invariant = invariant
    self.message = message
    self.object = object
  }

  public var description: String { "\(invariant.rawValue): \(message)" }
}
