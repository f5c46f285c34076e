import VMBusHost

/// The generic properties a fuzz run must keep. None names a particular corner case.
package enum FuzzProperty: String, CaseIterable, Hashable, Sendable, Codable {
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
  /// The host posted a reply to a request the guest had already had answered.
  case duplicateReply = "duplicate_reply"
}

/// A broken property, with the signature it is grouped by and where it happened.
package struct FuzzFailure: Hashable, Sendable, Codable, CustomStringConvertible {
  /// What the failure is grouped by. Two runs with the same signature are the same problem.
  package var signature: FailureSignature
  /// The run's own details (ids, values).
  package var detail: String
  /// The 1-based seq of the event where it broke.
  package var atSeq: Int?

  package init(signature: FailureSignature, detail: String, atSeq: Int?) {
    self.signature = signature
    self.detail = detail
    self.atSeq = atSeq
  }

  package var property: FuzzProperty { signature.property }

  package var description: String {
    "\(signature)\(atSeq.map { " at seq \($0)" } ?? ""): \(detail)"
  }
}
