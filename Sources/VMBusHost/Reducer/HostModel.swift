import VMBusWire

/// The host reducer: `decide` turns an input into events; ``HostState/evolve(_:_:)`` folds
/// them. Both are pure; the state after any inputs is the fold of the events decided.
public enum HostModel {
  /// The events QEMU (and the simulator's own bookkeeping) produce for `input` in `state`.
  /// A faulted host produces nothing.
  public static func decide(_ state: HostState, _ input: HostInput) -> [HostEvent] {
    guard state.isAlive else { return [] }
    var decision = Decision(state: state)
    switch input {
    case .startMachine(let profile, let machine):
      decision.emit(.simulator(.machineStarted(profile: profile, machine: machine)))
    case .realizeDevice(let config): decision.realize(config)
    case .hypercall(let call): decision.hypercall(call)
    case .signalEvent(let connection): decision.signal(connection)
    case .runBus: decision.run()
    case .deliver(let status): decision.deliver(status: status)
    case .resetDevice(let instanceID):
      if state.devices.contains(where: { $0.config?.instanceID == instanceID }) {
        decision.emit(.simulator(.deviceReset(instanceID: instanceID)))
      }
    case .resetMachine: decision.emit(.simulator(.machineReset))
    case .loseReschedule:
      // Only a run that would do something can be lost; an idle one has nothing to lose.
      if state.runScheduled && !state.messageInFlight
        && (state.bus != .listen || !state.rxQueue.isEmpty)
      {
        decision.emit(.simulator(.rescheduleLost))
      }
    case .corruptRingIndices(let id):
      if state.gpadl(id) != nil { decision.emit(.simulator(.ringIndicesCorrupted(id))) }
    }
    return decision.events
  }

  /// Decides and folds in one step: the new state and the events that produced it.
  public static func step(_ state: inout HostState, _ input: HostInput) -> [HostEvent] {
    let events = decide(state, input)
    for event in events { _ = state.apply(event) }
    return events
  }
}

/// Events decided so far and the state they lead to, so later events see earlier effects.
struct Decision {
  var state: HostState
  var events: [HostEvent] = []

  mutating func emit(_ event: HostEvent) {
    events.append(event)
    _ = state.apply(event)
  }

  mutating func fault(_ fault: HostFault) {
    emit(.simulator(.hostFault(fault)))
  }
}
