import VMBusWire

/// Checks every event as it is folded: the reducer's protocol violations, a host fault, a
/// broken invariant, an illegal transition. Keeps the first finding and where it was.
///
/// One check, two callers: a simulator's live decision folds each event it emits through a
/// monitor (so a fuzz run is checked without folding its events a second time), and a refold
/// of a stored or finished run goes through the same code, so both find the same thing.
public struct FoldMonitor: Sendable, Equatable {
  /// What broke at one event.
  public enum Breach: Sendable, Equatable {
    case violation(ProtocolViolation)
    case hostFault(HostFault)
    case invariant(InvariantViolation)
    case transition(InvariantViolation)
  }

  /// The first breach and the context a failure's signature needs.
  public struct Finding: Sendable, Equatable {
    public var breach: Breach
    /// The breaking event's seq (1-based) and name.
    public var seq: Int
    public var eventName: String
    /// The bus state before the event and after it.
    public var busBefore: BusState
    public var busAfter: BusState
    /// The last control-plane main-loop trace point before the event.
    public var lastMainPoint: TracePoint?
    /// Whether a live migration came after ``lastMainPoint``.
    public var migratedSincePoint: Bool
  }

  /// Whether events are checked; a disabled monitor is never asked to fold.
  public let isEnabled: Bool
  /// The first finding, if any. (A list of at most one: a disabled monitor, which every
  /// explored state copies, then holds one pointer rather than a finding's worth of fields.)
  private var findings: [Finding] = []
  public var first: Finding? { findings.first }
  /// Whether something broke: cheaper than ``first``, which copies a finding out.
  public var hasFinding: Bool { !findings.isEmpty }
  /// Events folded so far.
  public private(set) var eventCount = 0
  /// Where, not what: the point's name is needed only for a failure's signature.
  public private(set) var lastMainPoint: TracePoint?
  /// A live migration came after the last main-loop trace point: what the destination's
  /// first run does next rests on what the load left.
  public private(set) var migratedSincePoint = false
  /// A full invariant check found nothing: later checks may skip the invariants over
  /// channels and GPADLs while nothing they read changes.
  private var objectInvariantsHeld = false
  /// The old side of the transition check.
  private var baseline = TransitionBaseline()

  public init(enabled: Bool = true) {
    isEnabled = enabled
  }

  /// Folds `event` into `state`, checking it unless something already broke.
  public mutating func apply(_ event: HostEvent, to state: inout HostState) {
    eventCount += 1
    guard findings.isEmpty else {
      _ = state.apply(event)
      return
    }
    let bus = state.bus
    // Reads the state's fields one by one: passing the whole `inout` state to a helper
    // copied all of it, at every event.
    if baseline.writes != state.objectWrites.value {
      baseline.take(state.channels, state.gpadls, writes: state.objectWrites.value)
    }
    let objectInputs = ObjectInputs(
      bus: state.bus, version: state.version, profile: state.profile,
      owesFailureReply: state.failureReply != nil)
    let violations = state.apply(event)
    let objectsMoved = state.objectWrites.value != baseline.writes
    let checksInvariants = Self.canBreakInvariant(event, hardened: state.isHardened)
    // The invariants over channels and GPADLs held after the last check, and nothing they
    // read changed since: they still hold.
    if objectsMoved || objectInputs.bus != state.bus || objectInputs.version != state.version
      || objectInputs.profile != state.profile
      || objectInputs.owesFailureReply != (state.failureReply != nil)
    {
      objectInvariantsHeld = false
    }
    if case .trace(let trace) = event, trace.isControlPlaneMainLoop {
      lastMainPoint = trace.point
      migratedSincePoint = false
    }
    if case .simulator(.migrated) = event { migratedSincePoint = true }
    let breach: Breach
    if let violation = violations.first {
      breach = .violation(violation)
    } else if case .simulator(.hostFault(let fault)) = event {
      breach = .hostFault(fault)
    } else if checksInvariants,
      let broken = state.firstInvariantViolation(skippingObjects: objectInvariantsHeld)
    {
      breach = .invariant(broken)
    } else if objectsMoved,
      let broken = baseline.snapshot.violations(to: state).first
    {
      breach = .transition(broken)
    } else {
      if checksInvariants { objectInvariantsHeld = true }
      return
    }
    findings = [
      Finding(
        breach: breach, seq: eventCount, eventName: event.name, busBefore: bus,
        busAfter: state.bus, lastMainPoint: lastMainPoint, migratedSincePoint: migratedSincePoint)
    ]
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

  /// Besides the channels and GPADLs, what the invariants over them read.
  private struct ObjectInputs {
    var bus: BusState
    var version: ProtocolVersion
    var profile: HostProfile
    var owesFailureReply: Bool
  }
}

/// The channels' and GPADLs' states after a given number of writes to them, in a monitor's
/// own storage: holding the old lists instead would make the reducer copy each list it then
/// writes, at every event. A monitor follows one state from its creation (the write count is
/// that state's), so equal counts mean the same objects. A cache of the state: monitors that
/// agree on everything else are equal whatever their baselines hold.
private struct TransitionBaseline: Sendable, Equatable {
  var snapshot = HostState.TransitionSnapshot()
  /// The state's ``HostState/objectWrites`` when the snapshot was taken; nil before the first.
  var writes: UInt64?

  /// Takes a state's objects as they are after `writes` writes.
  mutating func take(_ channels: [Channel], _ gpadls: [Gpadl], writes: UInt64) {
    snapshot.refresh(channels: channels, gpadls: gpadls)
    self.writes = writes
  }

  static func == (lhs: Self, rhs: Self) -> Bool { true }
}

extension HostState {
  /// Folds `events` from the initial state through a monitor: the state they lead to and
  /// the first thing that broke on the way.
  public static func monitoredFold(_ events: some Sequence<HostEvent>) -> (
    state: HostState, monitor: FoldMonitor
  ) {
    var state = HostState()
    var monitor = FoldMonitor()
    for event in events { monitor.apply(event, to: &state) }
    return (state, monitor)
  }
}
