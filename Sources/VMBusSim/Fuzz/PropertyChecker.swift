import VMBusHost

/// Checks a finished run against the generic properties, refolding its events and checking
/// the state after every one of them.
package enum PropertyChecker {
  /// The first property the run breaks, or nil. Under the `qemu` profile a run that took an
  /// input QEMU can never receive (``BeyondQEMUInput``) is never a QEMU failure: nil.
  package static func check(_ run: SimulationRun) -> FuzzFailure? {
    if run.scenario.host.profile == .qemu && !run.inputsBeyondQEMU.isEmpty { return nil }
    return firstBrokenProperty(run)
  }

  /// The first property the run breaks, whatever inputs it took (what `run` and `check`
  /// report, next to the inputs beyond QEMU it rests on).
  package static func firstBrokenProperty(_ run: SimulationRun) -> FuzzFailure? {
    var state = HostState()
    // Where, not what: the point's name is needed only for a failure's signature.
    var lastMainPoint: TracePoint?
    // A live migration came after the last main-loop trace point: what the destination's
    // first run does next rests on what the load left.
    var migratedSincePoint = false
    for index in run.events.indices {
      let event = run.events[index]
      let bus = state.bus
      // Keep the old channels and GPADLs (copied once `apply` writes them) only for events
      // that can move a channel, offer or GPADL.
      let before = movesObjects(event) ? state.objects : nil
      let violations = state.apply(event)
      let seq = index + 1
      if case .trace(let trace) = event, trace.isControlPlaneMainLoop {
        lastMainPoint = trace.point
        migratedSincePoint = false
      }
      if case .simulator(.migrated) = event { migratedSincePoint = true }
      if let violation = violations.first {
        return FuzzFailure(
          signature: FailureSignature(
            property: .foldMismatch, rootCause: RootCause("fold.\(violation.rule.rawValue)"),
            tracePoint: FailurePoint(name: violation.event), busState: bus),
          detail: violation.message, atSeq: seq)
      }
      if case .simulator(.hostFault(let fault)) = event {
        // Where the fault is, not wherever the bus was last: `synic_reset` aborts inside the
        // machine reset; a late callback aborts in `vmbus_msg_cb` before its trace, in
        // whatever state the guest had reached since the reset that forgot the message (the
        // bug is that reset, which left LISTEN), so one bug keeps one signature.
        var point = lastMainPoint.map(FailurePoint.trace) ?? .start
        var faultBus = bus
        var cause = fault.rootCause(at: lastMainPoint)
        switch fault {
        case .routeAliveAtSynICReset: point = .simulator(SimulatorEvent.machineReset.name)
        case .callbackWithoutMessage:
          point = .trace(.msgCb)
          faultBus = .listen
        case .noObjectForBusState where migratedSincePoint:
          // The destination's first run aborts on what the load left (upstream loads no
          // channel state), wherever the source had got to.
          point = .simulator(SimulatorEvent.migratedName)
          cause = .postLoadChannelStateNotLoaded
        case .migrationRouteFailed:
          point = .simulator(SimulatorEvent.migratedName)
        default: break
        }
        return FuzzFailure(
          signature: FailureSignature(
            property: .hostFault, rootCause: cause, tracePoint: point, busState: faultBus),
          detail: fault.description, atSeq: seq)
      }
      if canBreakInvariant(event, hardened: state.isHardened),
        let broken = state.firstInvariantViolation
      {
        return FuzzFailure(
          signature: FailureSignature(
            property: .invariant, rootCause: RootCause("invariant.\(broken.invariant.rawValue)"),
            tracePoint: FailurePoint(name: event.name), busState: state.bus),
          detail: broken.message, atSeq: seq)
      }
      if let before, let broken = HostState.transitionViolations(from: before, to: state).first {
        return FuzzFailure(
          signature: FailureSignature(
            property: .illegalTransition, rootCause: transitionCause(broken),
            tracePoint: FailurePoint(name: event.name), busState: bus),
          detail: broken.message, atSeq: seq)
      }
    }
    if state != run.finalState {
      return FuzzFailure(
        signature: FailureSignature(
          property: .foldMismatch, rootCause: RootCause("fold.final_state"),
          tracePoint: run.events.last.map { FailurePoint(name: $0.name) } ?? .start,
          busState: run.finalState.bus),
        detail:
          "the refolded state (bus \(state.bus)) differs from the live state (bus \(run.finalState.bus))",
        atSeq: run.events.count)
    }
    if run.outcome.kind == .duplicateReply {
      return FuzzFailure(
        signature: FailureSignature(
          property: .duplicateReply,
          rootCause: run.outcome.rootCause ?? .postRepeatsDeliveredReply,
          tracePoint: .trace(.postMsg), busState: state.bus),
        detail: run.outcome.message, atSeq: run.outcome.atSeq)
    }
    if run.outcome.kind == .guestHang, let awaited = run.outcome.owedReply {
      let cause = run.outcome.rootCause
      return FuzzFailure(
        signature: FailureSignature(
          property: .guestHang, rootCause: cause ?? FailureSignature.unattributedHang,
          tracePoint: cause?.dropPoint
            ?? lastMainPoint.map(FailurePoint.trace) ?? .start,
          busState: state.bus, awaiting: cause == nil ? awaited : nil),
        detail: run.outcome.message, atSeq: run.outcome.atSeq)
    }
    return nil
  }

  /// `transition.channel`, `transition.offer` or `transition.gpadl`: the kind of object
  /// whose state moved along a transition QEMU never makes.
  static func transitionCause(_ violation: InvariantViolation) -> RootCause {
    RootCause("transition.\(violation.object?.rawValue ?? violation.invariant.rawValue)")
  }

  /// Whether an event can change anything an invariant reads. A hypercall's status (its
  /// payload joins the message `vmbus_recv_message` queued), a signal and a notifier's
  /// dispatch change none of it, nor does an idle run, which spends one scheduled run: only
  /// the hardened host's "the bus keeps running" reads that count.
  static func canBreakInvariant(_ event: HostEvent, hardened: Bool) -> Bool {
    switch event {
    case .simulator(.hypercall), .simulator(.signal), .trace(.signalEvent),
      .trace(.channelNotifyGuest):
      false
    case .simulator(.busRunIdle): hardened
    default: true
    }
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
