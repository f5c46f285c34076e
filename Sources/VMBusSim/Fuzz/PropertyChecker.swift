import VMBusHost

/// Checks a finished run against the generic properties: every event as it was folded (a
/// ``FoldMonitor`` on the run's live fold, or on a refold of its events), then the run's end.
package enum PropertyChecker {
  /// The first property the run breaks, or nil. Under the `qemu` profile a run that took an
  /// input QEMU can never receive (``BeyondQEMUInput``) is never a QEMU failure: nil.
  ///
  /// With `refold`, the events are folded again from the initial state and the refold must
  /// find what the live fold found and end in the live state (`fold_mismatch` otherwise);
  /// without it, the live fold's checks are the verdict (a campaign refolds a sample of its
  /// runs and every failure it reports).
  package static func check(_ run: SimulationRun, refold: Bool = true) -> FuzzFailure? {
    if run.scenario.host.profile == .qemu && !run.inputsBeyondQEMU.isEmpty { return nil }
    return firstBrokenProperty(run, refold: refold)
  }

  /// The first property the run breaks, whatever inputs it took (what `run` and `check`
  /// report, next to the inputs beyond QEMU it rests on).
  package static func firstBrokenProperty(_ run: SimulationRun, refold: Bool = true)
    -> FuzzFailure?
  {
    let monitor: FoldMonitor
    if !refold, let live = run.monitor {
      monitor = live
    } else {
      let (state, refolded) = HostState.monitoredFold(run.events)
      if let live = run.monitor, live.first != refolded.first {
        return FuzzFailure(
          signature: FailureSignature(
            property: .foldMismatch, rootCause: RootCause("fold.live_check"),
            tracePoint: .start, busState: run.finalState.bus),
          detail:
            "the live fold found \(describe(live.first)), the refold \(describe(refolded.first))",
          atSeq: nil)
      }
      if refolded.first == nil && state != run.finalState {
        return FuzzFailure(
          signature: FailureSignature(
            property: .foldMismatch, rootCause: RootCause("fold.final_state"),
            tracePoint: run.events.last.map { FailurePoint(name: $0.name) } ?? .start,
            busState: run.finalState.bus),
          detail:
            "the refolded state (bus \(state.bus)) differs from the live state (bus \(run.finalState.bus))",
          atSeq: run.events.count)
      }
      monitor = refolded
    }
    if let finding = monitor.first { return failure(finding) }
    return failure(
      outcome: run.outcome, bus: run.finalState.bus, lastMainPoint: monitor.lastMainPoint)
  }

  /// The failure a run's end is, if any: a reply posted twice, or a hang on a reply owed.
  /// What it reads besides the outcome: the bus at the end, and the last main-loop trace
  /// point (where an unattributed hang is placed).
  package static func failure(outcome: Outcome, bus: BusState, lastMainPoint: TracePoint?)
    -> FuzzFailure?
  {
    if outcome.kind == .duplicateReply {
      return FuzzFailure(
        signature: FailureSignature(
          property: .duplicateReply,
          rootCause: outcome.rootCause ?? .postRepeatsDeliveredReply,
          tracePoint: .trace(.postMsg), busState: bus),
        detail: outcome.message, atSeq: outcome.atSeq)
    }
    if outcome.kind == .guestHang, let awaited = outcome.owedReply {
      let cause = outcome.rootCause
      return FuzzFailure(
        signature: FailureSignature(
          property: .guestHang, rootCause: cause ?? FailureSignature.unattributedHang,
          tracePoint: cause?.dropPoint ?? lastMainPoint.map(FailurePoint.trace) ?? .start,
          busState: bus, awaiting: cause == nil ? awaited : nil),
        detail: outcome.message, atSeq: outcome.atSeq)
    }
    return nil
  }

  /// The failure, signature and all, of what broke at one event: the finding holds all it
  /// reads.
  package static func failure(_ finding: FoldMonitor.Finding) -> FuzzFailure {
    let seq = finding.seq
    switch finding.breach {
    case .violation(let violation):
      return FuzzFailure(
        signature: FailureSignature(
          property: .foldMismatch, rootCause: RootCause("fold.\(violation.rule.rawValue)"),
          tracePoint: FailurePoint(name: violation.event), busState: finding.busBefore),
        detail: violation.message, atSeq: seq)
    case .hostFault(let fault):
      // Where the fault is, not wherever the bus was last: `synic_reset` aborts inside the
      // machine reset; a late callback aborts in `vmbus_msg_cb` before its trace, in
      // whatever state the guest had reached since the reset that forgot the message (the
      // bug is that reset, which left LISTEN), so one bug keeps one signature.
      var point = finding.lastMainPoint.map(FailurePoint.trace) ?? .start
      var faultBus = finding.busBefore
      var cause = fault.rootCause(at: finding.lastMainPoint)
      switch fault {
      case .routeAliveAtSynICReset: point = .simulator(SimulatorEvent.machineReset.name)
      case .callbackWithoutMessage:
        point = .trace(.msgCb)
        faultBus = .listen
      case .noObjectForBusState where finding.migratedSincePoint:
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
    case .invariant(let broken):
      // QEMU's load breaks the refcounts in one way only, so the breach at the load is that
      // bug, named as QEMU's; anywhere else it is named by the invariant.
      let cause: RootCause =
        broken.invariant == .refcountsBalanced && finding.eventName == SimulatorEvent.migratedName
        ? .postLoadGpadlRefcountReset : RootCause("invariant.\(broken.invariant.rawValue)")
      return FuzzFailure(
        signature: FailureSignature(
          property: .invariant, rootCause: cause,
          tracePoint: FailurePoint(name: finding.eventName), busState: finding.busAfter),
        detail: broken.message, atSeq: seq)
    case .transition(let broken):
      return FuzzFailure(
        signature: FailureSignature(
          property: .illegalTransition, rootCause: transitionCause(broken),
          tracePoint: FailurePoint(name: finding.eventName), busState: finding.busBefore),
        detail: broken.message, atSeq: seq)
    }
  }

  private static func describe(_ finding: FoldMonitor.Finding?) -> String {
    guard let finding else { return "nothing" }
    return "\(finding.breach) at seq \(finding.seq)"
  }

  /// `transition.channel`, `transition.offer` or `transition.gpadl`: the kind of object
  /// whose state moved along a transition QEMU never makes.
  static func transitionCause(_ violation: InvariantViolation) -> RootCause {
    RootCause("transition.\(violation.object?.rawValue ?? violation.invariant.rawValue)")
  }
}
