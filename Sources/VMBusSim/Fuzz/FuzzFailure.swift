import VMBusHost

/// The generic properties a fuzz run must keep. None names a particular corner case.
public enum FuzzProperty: String, CaseIterable, Hashable, Sendable, Codable {
  /// The host crashed or aborted.
  case hostFault = "host_fault"
  /// An actor waits forever for the reply to a request the host accepted.
  case guestHang = "guest_hang"
  /// A state broke one of QEMU's invariants (one message in flight, queue bound, unique live
  /// GPADL ids, balanced references, one pending reply per kind).
  case invariant
  /// A channel, offer or GPADL state changed along a transition QEMU never makes.
  case illegalTransition = "illegal_transition"
  /// Folding the run's events does not give the live state, or breaks a replay rule.
  case foldMismatch = "fold_mismatch"
  /// The same seed, run again, did something else.
  case nondeterminism
}

/// A broken property, with the cause it is grouped by and where it happened.
public struct FuzzFailure: Hashable, Sendable, Codable, CustomStringConvertible {
  public var property: FuzzProperty
  /// The cause without run-specific numbers: the property, what broke, the event that broke
  /// it and the bus state. Two runs with the same signature are the same problem.
  public var signature: String
  /// The run's own details (ids, values).
  public var detail: String
  /// The 1-based seq of the event where it broke.
  public var atSeq: Int?

  public var description: String {
    "\(signature)\(atSeq.map { " at seq \($0)" } ?? ""): \(detail)"
  }
}

extension HostFault {
  /// The fault's cause without ids, for signatures.
  var cause: String {
    switch self {
    case .postWithoutRoute(let type): "post_without_route(\(type.name))"
    case .unknownVCPU: "unknown_vcpu"
    case .bodyForFullGpadl: "body_for_full_gpadl"
    case .callbackWithoutMessage: "callback_without_message"
    case .ringOffsetOutOfBounds: "ring_offset_out_of_bounds"
    case .noObjectForBusState(let state): "no_object_for_bus_state(\(state))"
    case .routeAliveAtSynICReset: "route_alive_at_synic_reset"
    }
  }
}
