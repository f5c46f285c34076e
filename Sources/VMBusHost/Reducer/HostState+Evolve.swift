import VMBusWire

extension HostState {
  /// The reducer's fold step: the state after `event`, with any rule the event breaks.
  ///
  /// Total: every event in every state gives a state; a trace QEMU could not have produced
  /// gives violations and the fold goes on.
  public static func evolve(_ state: HostState, _ event: HostEvent) -> (
    state: HostState, violations: [ProtocolViolation]
  ) {
    var next = state
    let violations = next.apply(event)
    return (next, violations)
  }

  /// Folds `events` from `initial`, collecting violations with their 1-based position.
  public static func fold(
    _ events: some Sequence<HostEvent>, from initial: HostState = HostState()
  ) -> (state: HostState, violations: [(seq: Int, violation: ProtocolViolation)]) {
    var state = initial
    var found: [(seq: Int, violation: ProtocolViolation)] = []
    for (offset, event) in events.enumerated() {
      for violation in state.apply(event) { found.append((offset + 1, violation)) }
    }
    return (state, found)
  }

  /// Applies one event in place (the same step as ``evolve(_:_:)``, without a copy).
  public mutating func apply(_ event: HostEvent) -> [ProtocolViolation] {
    if let fault {
      // The simulator records the fault right after the trace event where QEMU crashed.
      let recordsTracedFault = faultJustTraced && event == .simulator(.hostFault(fault))
      faultJustTraced = false
      if recordsTracedFault { return [] }
      if case .simulator(.tracedEventsDropped) = event { return [] }
      return [
        ProtocolViolation(
          .eventAfterHostFault, event: event.name, "the host stopped at \"\(fault)\"")
      ]
    }
    switch event {
    case .trace(let trace):
      var log = ViolationLog(event: trace.point.name)
      if trace.isControlPlaneMainLoop { resolveInference(before: trace, &log) }
      applyTrace(trace, &log)
      return log.violations
    case .simulator(let fact):
      var log = ViolationLog(event: fact.name)
      applySimulator(fact, &log)
      return log.violations
    }
  }

  private mutating func applyTrace(_ event: TraceEvent, _ log: inout ViolationLog) {
    switch event {
    case .recvMessage(let type, let size): receive(type: type, size: size)
    case .signalEvent: busNotifierSet = false
    case .channelNotifyGuest: break
    case .postMsg(let type, let size): post(type: type, size: size, &log)
    case .msgCb(let status): deliveryCallback(status: status, &log)
    case .processIncomingMessage(let type): process(type: type, &log)
    case .initiateContact(let major, let minor, let vcpu, _, _, let interruptPage):
      initiateContact(
        version: ProtocolVersion(major: major, minor: minor), vcpu: vcpu,
        interruptPage: interruptPage, &log)
    case .sendOffer(let chan, let dev): sendOffer(chan, device: dev, &log)
    case .terminateOffers: terminateOffers(&log)
    case .gpadlHeader(let id, let numGfns): gpadlHeader(id, tracedPages: numGfns, &log)
    case .gpadlBody(let id): gpadlBody(id, &log)
    case .gpadlCreated(let id): gpadlCreated(id, &log)
    case .gpadlTeardown(let id): gpadlTeardown(id, &log)
    case .gpadlTorndown(let id): gpadlTorndown(id, &log)
    case .openChannel(let chan, let gpadl, let vp): openChannel(chan, gpadl: gpadl, vp: vp, &log)
    case .channelOpen(let chan, let status): channelOpen(chan, status: status, &log)
    case .closeChannel(let chan): closeChannel(chan, &log)
    }
  }

  private mutating func applySimulator(_ fact: SimulatorEvent, _ log: inout ViolationLog) {
    switch fact {
    case .machineStarted(let profile, let machine):
      self.profile = profile
      self.machine = machine
      // A powered-on machine has no SINT route until a contact creates one.
      routeKnown = true
    case .deviceRealized(let config): realize(config)
    case .deviceRejected: break
    case .signal(let connection, let status):
      if connection == 2 && status == .success { busNotifierSet = true }
    case .hypercall(let call, let status):
      if status == .success { rxQueue.attachPayloadToLast(call.effectivePayload) }
    case .hostFault(let fault): self.fault = fault
    case .machineReset:
      busReset(&log)
      // A reply in flight is forgotten and QEMU schedules no run of its own, so a queue
      // behind it waits for a run scheduled before (§9 entries 46 and 47); the hardened host
      // runs the bus again.
      if isHardened { pendingRuns += 1 }
    case .deviceReset(let instanceID):
      if let device = devices.first(where: { $0.config?.instanceID == instanceID }) {
        resetDevice(device.pointer, &log)
      }
    case .rescheduleLost: pendingRuns = 0
    case .busRunIdle: pendingRuns = max(pendingRuns - 1, 0)
    case .ringIndicesCorrupted(let id):
      if let index = gpadlIndex(id) { gpadls[index].ringIndicesCorrupted = true }
    case .migrated(let savedDigest):
      let saved = migrationDigest.finalized
      if saved != savedDigest {
        log.add(
          .savedStateMismatch,
          "the event carries saved state \(StableDigest.hex(savedDigest)), the state before it saves \(StableDigest.hex(saved))"
        )
      }
      loadMigration()
    case .tracedEventsDropped:
      // Anything may have happened in the gap, a contact that created a route included; drop
      // guesses that depend on adjacency.
      awaiting = nil
      announcedPost = nil
      routeKnown = false
    }
  }

  /// `vmbus_recv_message`: QEMU queues valid types while there is room, and schedules a run
  /// whenever the queue was empty, a message in flight or not (`enqueue_incoming_message`;
  /// that run then does nothing if the message is still in flight).
  private mutating func receive(type: MessageType, size: UInt32) {
    guard type.isKnownToQEMU, !rxQueue.isFull else { return }
    let wasEmpty = rxQueue.isEmpty
    rxQueue.enqueue(QueuedMessage(type: type, size: size))
    if wasEmpty { pendingRuns += 1 }
  }

  /// Device realize: channels take the lowest free relids and join the list in order.
  private mutating func realize(_ config: DeviceConfig) {
    let pointer = Device.simulatedPointer(index: devices.count)
    let relids = Self.lowestFreeRelids(count: Int(config.channelCount), taken: channels)
    for (index, relid) in relids.enumerated() {
      channels.append(
        Channel(id: relid, device: pointer, subchannelIndex: UInt16(truncatingIfNeeded: index)))
    }
    devices.append(Device(pointer: pointer, config: config, channelIDs: relids))
  }

  /// The `count` lowest relids in 1...2047 not in use, or fewer if the bitmap runs out.
  static func lowestFreeRelids(count: Int, taken: [Channel]) -> [ChannelID] {
    let used = Set(taken.map(\.id.rawValue))
    var free: [ChannelID] = []
    var candidate: UInt32 = 1
    while free.count < count && candidate <= maxRelid {
      if !used.contains(candidate) { free.append(ChannelID(candidate)) }
      candidate += 1
    }
    return free
  }

  /// The highest relid: 2048 event flags per SINT, minus relid 0.
  public static let maxRelid: UInt32 = 2047
}

/// Violations found while applying one event, named after it.
struct ViolationLog {
  let event: String
  var violations: [ProtocolViolation] = []

  mutating func add(_ rule: ViolationRule, _ message: String) {
    violations.append(ProtocolViolation(rule, event: event, message))
  }
}
