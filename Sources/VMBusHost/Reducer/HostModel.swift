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
    var decision = Decision(state: HostState())
    swap(&decision.state, &state)
    swap(&decision.events, &log)
    decision.decide(input)
    swap(&decision.state, &state)
    swap(&decision.events, &log)
    return start..<log.count
  }
}

/// Events decided so far and the state they lead to, so later events see earlier effects.
struct Decision {
  var state: HostState
  var events: [HostEvent] = []

  /// Everything `input` makes QEMU (and the simulator's bookkeeping) record.
  mutating func decide(_ input: HostInput) {
    guard state.isAlive else { return }
    switch input {
    case .startMachine(let profile, let machine):
      emit(.simulator(.machineStarted(profile: profile, machine: machine)))
    case .realizeDevice(let config): realize(config)
    case .hypercall(let call): hypercall(call)
    case .signalEvent(let connection): signal(connection)
    case .runBus: run()
    case .deliver(let status): deliver(status: status)
    case .resetDevice(let instanceID):
      if state.devices.contains(where: { $0.config?.instanceID == instanceID }) {
        emit(.simulator(.deviceReset(instanceID: instanceID)))
      }
    case .resetMachine: emit(.simulator(.machineReset))
    case .loseReschedule:
      // Only a run that would do something can be lost; an idle one has nothing to lose.
      // The hardened host re-runs a run its re-entrancy guard skipped (§9 entry 48).
      if !state.isHardened && state.runScheduled && !state.messageInFlight
        && (state.bus != .listen || !state.rxQueue.isEmpty)
      {
        emit(.simulator(.rescheduleLost))
      }
    case .corruptRingIndices(let id):
      if state.gpadl(id) != nil { emit(.simulator(.ringIndicesCorrupted(id))) }
    }
  }

  mutating func emit(_ event: HostEvent) {
    events.append(event)
    _ = state.apply(event)
  }

  mutating func fault(_ fault: HostFault) {
    emit(.simulator(.hostFault(fault)))
  }
}
