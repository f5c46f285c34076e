/// A rule that QEMU's own code guarantees for every trace it can produce.
public enum ViolationRule: String, CaseIterable, Hashable, Sendable, Codable {
  /// Nothing follows a host fault: QEMU is gone.
  case eventAfterHostFault = "event_after_host_fault"
  /// `post_msg` asserts that no message is in flight.
  case postWhileInFlight = "post_while_in_flight"
  /// The posted type or size is not what the bus state sends.
  case unexpectedPost = "unexpected_post"
  /// `msg_cb` asserts that a message is in flight.
  case callbackWithoutMessage = "callback_without_message"
  /// Messages are taken from the queue only in LISTEN with nothing in flight.
  case processWhileBusy = "process_while_busy"
  /// `process_message` returns early on an empty queue, without a trace.
  case processWithEmptyQueue = "process_with_empty_queue"
  /// The traced type differs from the head of the rx queue.
  case processTypeMismatch = "process_type_mismatch"
  /// A type-specific trace needs `process_incoming_message` of that type right before it.
  case commandWithoutProcess = "command_without_process"
  /// GPADL, open and close handlers trace only after a supported version was negotiated.
  case commandBeforeNegotiation = "command_before_negotiation"
  /// A host output trace fired in a bus state whose run function does not emit it.
  case outputInWrongState = "output_in_wrong_state"
  /// The host output names another object than the one QEMU's list order picks.
  case outputForWrongObject = "output_for_wrong_object"
  /// `vmbus_gpadl_created` or `vmbus_gpadl_torndown` for a GPADL never headed.
  case unknownGpadl = "unknown_gpadl"
  /// `vmbus_channel_open` with no `vmbus_open_channel` before it.
  case channelOpenWithoutRequest = "channel_open_without_request"
  /// A status or size argument that QEMU cannot produce there.
  case impossibleArgument = "impossible_argument"
  /// A GPADL reference dropped below zero.
  case refcountUnderflow = "refcount_underflow"
  /// QEMU had to answer the last command, and the next main-loop event is not the answer.
  case missingReply = "missing_reply"
  /// `sim_migrated` carries another digest than the state before it saves.
  case savedStateMismatch = "saved_state_mismatch"
}

/// A place where a session departs from what QEMU could have produced. Replay goes on.
public struct ProtocolViolation: Error, Hashable, Sendable, Codable, CustomStringConvertible {
  /// The rule broken.
  public var rule: ViolationRule
  /// The event that broke it (QEMU's or the simulator's name).
  public var event: String
  /// What was wrong, with the ids and values involved.
  public var message: String

  public init(_ rule: ViolationRule, event: String, _ message: String) {
    self.rule = rule
    self.event = event
    self.message = message
  }

  public var description: String { "\(event): \(rule.rawValue): \(message)" }
}
