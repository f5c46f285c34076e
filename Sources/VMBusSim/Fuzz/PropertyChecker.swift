import VMBusHost

/// Checks a finished run against the generic properties, refolding its events and checking
/// the state after every one of them.
public enum PropertyChecker {
  /// The first property the run breaks, or nil.
  public static func check(_ run: SimulationRun) -> FuzzFailure? {
    var state = HostState()
    // Where, not what: the point's name is needed only for a failure's signature.
    var lastMainIndex: Int?
    for index in run.events.indices {
      let event = run.events[index]
      let bus = state.bus
      // Keep the old channels and GPADLs (copied once `apply` writes them) only for events
      // that can move a channel, offer or GPADL.
      let before = movesObjects(event) ? state.objects : nil
      let violations = state.apply(event)
      let seq = index + 1
      if case .trace(let trace) = event, trace.isControlPlaneMainLoop {
        lastMainIndex = index
      }
      if let violation = violations.first {
        return FuzzFailure(
          property: .foldMismatch,
          signature:
            "fold_mismatch \(violation.rule.rawValue) @ \(violation.event) in \(bus)",
          detail: violation.message, atSeq: seq)
      }
      if case .simulator(.hostFault(let fault)) = event {
        return FuzzFailure(
          property: .hostFault,
          signature:
            "host_fault \(fault.cause) @ \(lastMainIndex.map { run.events[$0].name } ?? "start") in \(bus)",
          detail: fault.description, atSeq: seq)
      }
      if let broken = state.firstInvariantViolation {
        return FuzzFailure(
          property: .invariant,
          signature: "invariant \(broken.invariant.rawValue) @ \(event.name) in \(state.bus)",
          detail: broken.message, atSeq: seq)
      }
      if let before, let broken = HostState.transitionViolations(from: before, to: state).first {
        return FuzzFailure(
          property: .illegalTransition,
          signature: "illegal_transition @ \(event.name) in \(bus)", detail: broken.message,
          atSeq: seq)
      }
    }
    if state != run.finalState {
      return FuzzFailure(
        property: .foldMismatch, signature: "fold_mismatch final_state",
        detail: "the refolded state differs from the live state", atSeq: run.events.count)
    }
    if run.outcome.kind == .guestHang, let awaited = run.outcome.owedReply?.name {
      return FuzzFailure(
        property: .guestHang, signature: "guest_hang \(awaited) in \(state.bus)",
        detail: run.outcome.message, atSeq: run.outcome.atSeq)
    }
    return nil
  }

  /// Whether an event can change a channel's offer or open state or a GPADL's state.
  /// Receiving, posting and signalling cannot (the reducer changes only the queue and flags).
  static func movesObjects(_ event: HostEvent) -> Bool {
    switch event {
    case .trace(.recvMessage), .trace(.postMsg), .trace(.signalEvent),
      .trace(.channelNotifyGuest), .simulator(.hypercall), .simulator(.signal):
      false
    default:
      true
    }
  }
}
