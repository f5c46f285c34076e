import VMBusHost

/// Checks a finished run against the generic properties, refolding its events and checking
/// the state after every one of them.
public enum PropertyChecker {
  /// The first property the run breaks, or nil.
  public static func check(_ run: SimulationRun) -> FuzzFailure? {
    var state = HostState()
    var lastMainEvent = "start"
    for (index, event) in run.events.enumerated() {
      let before = state
      let violations = state.apply(event)
      let seq = index + 1
      if case .trace(let trace) = event, trace.isControlPlaneMainLoop {
        lastMainEvent = trace.point.name
      }
      if let violation = violations.first {
        return FuzzFailure(
          property: .foldMismatch,
          signature:
            "fold_mismatch \(violation.rule.rawValue) @ \(violation.event) in \(before.bus)",
          detail: violation.message, atSeq: seq)
      }
      if case .simulator(.hostFault(let fault)) = event {
        return FuzzFailure(
          property: .hostFault,
          signature: "host_fault \(fault.cause) @ \(lastMainEvent) in \(before.bus)",
          detail: fault.description, atSeq: seq)
      }
      if let broken = state.invariantViolations().first {
        return FuzzFailure(
          property: .invariant,
          signature: "invariant \(broken.invariant.rawValue) @ \(event.name) in \(state.bus)",
          detail: broken.message, atSeq: seq)
      }
      if let broken = HostState.transitionViolations(from: before, to: state).first {
        return FuzzFailure(
          property: .illegalTransition,
          signature: "illegal_transition @ \(event.name) in \(before.bus)", detail: broken.message,
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
}
