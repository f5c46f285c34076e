import VMBusWire

/// The host reducer: `decide` turns an input into events; ``HostState/evolve(_:_:)`` folds
/// them. Both are pure; the state after any inputs is the fold of the events decided.
public enum HostModel {
  /// The events QEMU (and the simulator's own bookkeeping) produce for `input` in `state`.
  /// A faulted host produces nothing.
  public static func decide(_ state: HostState, _ input: HostInput) -> [HostEvent] {
    var decision = Decision(state: state)
    decision.decide(input)
    return decision.events
  }

  /// Decides and folds in one step: `state` becomes the fold of the events returned.
  /// The same as `decide` then `apply`, without folding twice or copying the state.
  public static func step(_ state: inout HostState, _ input: HostInput) -> [HostEvent] {
    var events: [HostEvent] = []
    step(&state, input, appendingTo: &events)
    return events
  }

  /// `step`, appending the events to `log` instead of allocating; returns where they are.
  @discardableResult
  public static func step(
    _ state: inout HostState, _ input: HostInput, appendingTo log: inout [HostEvent]
  ) -> Range<Int> {
    let start = log.count
    // Moved in, and swapped back out, rather than copied: the decision owns the state's
    // lists uniquely and writes them in place.
    var decision = Decision(state: consume state, events: consume log)
    decision.decide(input)
    state = HostState()
    log = []
    swap(&state, &decision.state)
    swap(&log, &decision.events)
    return start..<log.count
  }
}

/// Events decided so far and the state they lead to, so later events see earlier effects.
///
/// A simulator keeps one for a whole run and decides each input in place: the state stays
/// the fold of the events, and neither is moved in and out per input as `HostModel.step`
/// must.
public struct Decision: Sendable {
  public internal(set) var state: HostState
  public internal(set) var events: [HostEvent] = []
  /// When set, every event is checked as it is folded (see ``FoldMonitor``); a fuzz run's
  /// verdict then needs no second fold of its events.
  public internal(set) var monitor: FoldMonitor

  public init(state: HostState, monitored: Bool = false) {
    self.state = state
    self.monitor = FoldMonitor(enabled: monitored)
  }

  init(state: HostState, events: [HostEvent]) {
    self.state = state
    self.events = events
    self.monitor = FoldMonitor(enabled: false)
  }

  /// Makes room for `count` events, so that a run's log does not grow by copying.
  public mutating func reserveCapacity(events count: Int) {
    events.reserveCapacity(count)
  }

  /// Drops the events decided so far, keeping their storage (an explorer needs only each
  /// input's own events).
  public mutating func forgetEvents() {
    events.removeAll(keepingCapacity: true)
  }

  /// Trades the event log for `buffer`. An explorer keeps one buffer for every step of every
  /// state it reaches: a log in each state would cost each copied state an allocation on its
  /// first event, and a release of the events when it is dropped.
  public mutating func exchangeEvents(with buffer: inout [HostEvent]) {
    swap(&events, &buffer)
  }

  /// Everything `input` makes QEMU (and the simulator's bookkeeping) record.
  public mutating func decide(_ input: HostInput) {
    guard state.isAlive else { return }
    switch input {
    case .startMachine(let profile, let machine):
      emit(.simulator(.machineStarted(profile: profile, machine: machine)))
    case .realizeDevice(let config): realize(config)
    case .hypercall(let call): hypercall(call)
    case .signalEvent(let connection): signal(connection)
    case .dispatchBusNotifier:
      // `vmbus_signal_event`: `event_notifier_test_and_clear` reports whether any signal
      // came since the last dispatch; many signals make one trace.
      if state.busNotifierSet { emit(.trace(.signalEvent)) }
    case .runBus: run()
    case .deliver(let status): deliver(status: status)
    case .resetDevice(let instanceID):
      if state.devices.contains(where: { $0.config?.instanceID == instanceID }) {
        emit(.simulator(.deviceReset(instanceID: instanceID)))
      }
    case .resetMachine: resetMachine()
    case .corruptRingIndices(let id):
      if state.gpadl(id) != nil { emit(.simulator(.ringIndicesCorrupted(id))) }
    case .migrate: migrate()
    }
  }

  /// The source saves and stops; the destination loads (see `HostState.loadMigration`).
  /// `vmbus_post_load` fails where `vmbus_init` cannot re-create the route: with a machine
  /// like the source's it always can, since the source's route to the same vCPU exists.
  private mutating func migrate() {
    emit(.simulator(.migrated(savedDigest: state.migrationDigest.finalized)))
    guard !state.isHardened, state.hasRoute else { return }
    switch state.machine?.route(to: state.targetVP) ?? .created {
    case .created: break
    // `hyperv_find_vcpu` returns NULL and `hyperv_sint_route_new` dereferences it.
    case .crash: fault(.unknownVCPU(state.targetVP))
    case .fails: fault(.migrationRouteFailed(state.targetVP))
    }
  }

  /// `qemu_system_reset`: the devices (the bus among them) reset, then each vCPU's SynIC,
  /// whose `synic_reset` asserts no SINT route is left where the release has that check.
  private mutating func resetMachine() {
    let release = state.machine?.qemuRelease ?? .current
    // Read before the reset drops them: the bus's own route, and the reference a staged
    // message holds from `hyperv_post_msg` until `sint_msg_bh` (as long as `msg_in_progress`).
    let busHadRoute = state.hasRoute
    let routeHeldByMessage = state.messageInFlight
    emit(.simulator(.machineReset))
    guard !state.isHardened else { return }
    switch release {
    case .qemu51:
      break
    case .qemu71:
      if busHadRoute || routeHeldByMessage {
        fault(.routeAliveAtSynICReset(heldByMessage: !busHadRoute))
      }
    case .current:
      if routeHeldByMessage { fault(.routeAliveAtSynICReset(heldByMessage: true)) }
    }
  }

  mutating func emit(_ event: HostEvent) {
    events.append(event)
    if monitor.isEnabled {
      monitor.apply(event, to: &state)
    } else {
      _ = state.apply(event)
    }
  }

  mutating func fault(_ fault: HostFault) {
    emit(.simulator(.hostFault(fault)))
  }
}
