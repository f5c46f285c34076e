import Testing
import VMBusWire

@testable import VMBusHost

/// Host faults in traces as QEMU writes them: the fold faults at the line after which QEMU
/// crashed, where the log itself proves the precondition, and never where it does not.
@Suite("Bare QEMU traces: host faults")
struct BareTraceFaultTests {
  typealias T = TraceEvent

  static func fold(_ events: [T]) -> (
    state: HostState, violations: [(seq: Int, violation: ProtocolViolation)]
  ) {
    HostState.fold(events.map(HostEvent.trace))
  }

  static func contact(vcpu: UInt32) -> [T] {
    [
      .recvMessage(type: .initiateContact, size: 40),
      .processIncomingMessage(messageType: .initiateContact),
      .initiateContact(
        major: 4, minor: 0, vcpu: vcpu, monitorPage1: 0x7e000, monitorPage2: 0x7f000,
        interruptPage: 0x7d000),
    ]
  }

  static let connect: [T] =
    contact(vcpu: 0) + [.postMsg(type: .versionResponse, size: 12), .msgCb(status: 0)]

  static let unload: [T] = [
    .recvMessage(type: .unload, size: 8), .processIncomingMessage(messageType: .unload),
    .postMsg(type: .unloadResponse, size: 8),
  ]

  /// REQUESTOFFERS whose ALLOFFERS_DELIVERED fails with -ENXIO: `vmbus_msg_cb` resets the bus.
  static let fatalDelivery: [T] = [
    .recvMessage(type: .requestOffers, size: 8),
    .processIncomingMessage(messageType: .requestOffers), .terminateOffers,
    .postMsg(type: .allOffersDelivered, size: 8), .msgCb(status: DeliveryStatus.noMessagePage),
  ]

  /// The rules broken, with their seq.
  static func rules(_ violations: [(seq: Int, violation: ProtocolViolation)]) -> [String] {
    violations.map { "\($0.seq) \($0.violation.rule.rawValue)" }
  }

  /// Folds `events`, expects the fault at the last one with no violation, then expects a
  /// `vmbus_msg_cb` after it to be `event_after_host_fault` and to change nothing.
  static func expectFault(
    _ fault: HostFault, at events: [T], sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let upTo = fold(Array(events.dropLast()))
    #expect(upTo.state.fault == nil, sourceLocation: sourceLocation)
    let atFault = fold(events)
    #expect(
      atFault.violations.isEmpty, "\(rules(atFault.violations))", sourceLocation: sourceLocation)
    #expect(atFault.state.fault == fault, sourceLocation: sourceLocation)
    let after = fold(events + [.msgCb(status: 0)])
    #expect(
      rules(after.violations) == ["\(events.count + 1) event_after_host_fault"],
      sourceLocation: sourceLocation)
    var frozen = atFault.state
    frozen.faultJustTraced = false
    #expect(after.state == frozen, "nothing after the fault folds", sourceLocation: sourceLocation)
  }

  @Test("§9.12 the log's own contact names target vp -1: QEMU dereferences NULL at the post")
  func entry12_contactWithoutVPFaultsAtThePost() {
    let events = Self.contact(vcpu: HostState.noVP) + [.postMsg(type: .versionResponse, size: 12)]
    Self.expectFault(.postWithoutRoute(.versionResponse), at: events)
  }

  /// How the log shows that QEMU has no SINT route left.
  enum RouteDropped: String, CaseIterable, Sendable {
    /// `vmbus_msg_cb` status -6 runs `vmbus_reset_all`, hence `vmbus_deinit`.
    case fatalDelivery
    /// UNLOAD_RESPONSE delivered: `complete_unload` runs `vmbus_deinit`.
    case completedUnload
    /// A contact with no VERSION_RESPONSE next: `vmbus_init` failed and ran `vmbus_deinit`.
    case failedRouteSetUp

    var events: [T] {
      switch self {
      case .fatalDelivery: BareTraceFaultTests.connect + BareTraceFaultTests.fatalDelivery
      case .completedUnload:
        BareTraceFaultTests.connect + BareTraceFaultTests.unload + [.msgCb(status: 0)]
      case .failedRouteSetUp: BareTraceFaultTests.contact(vcpu: 1)
      }
    }
  }

  @Test(
    "§9.42 UNLOAD_RESPONSE after a reset the log shows, with no contact since, faults at the post",
    arguments: RouteDropped.allCases)
  func entry42_unloadAfterAShownResetFaults(_ dropped: RouteDropped) {
    // Taking UNLOAD settles a pending inference (no VERSION_RESPONSE came).
    let before = Self.fold(dropped.events + Self.unload.prefix(2))
    #expect(before.violations.isEmpty)
    #expect(before.state.routeKnown && !before.state.hasRoute)
    Self.expectFault(.postWithoutRoute(.unloadResponse), at: dropped.events + Self.unload)
  }

  @Test("§9.42 a successful contact after the reset makes a route: UNLOAD is answered")
  func entry42_contactAfterResetRestoresTheRoute() {
    let events =
      Self.connect + Self.fatalDelivery + Self.connect + Self.unload + [.msgCb(status: 0)]
    let folded = Self.fold(events)
    #expect(folded.violations.isEmpty)
    #expect(folded.state.fault == nil && folded.state.routeKnown && !folded.state.hasRoute)
  }

  @Test("a log that starts without showing the contact proves no route's absence")
  func logStartingMidSessionClaimsNoFault() {
    // The first UNLOAD may follow a contact before the log began: not claimed. Its
    // completion runs `vmbus_deinit`, so the second UNLOAD_RESPONSE faults.
    let first = Self.fold(Self.unload)
    #expect(first.violations.isEmpty)
    #expect(first.state.fault == nil && !first.state.routeKnown)
    Self.expectFault(
      .postWithoutRoute(.unloadResponse), at: Self.unload + [.msgCb(status: 0)] + Self.unload)
  }

  @Test("a gap in the trace may hide a contact: the route is unknown again")
  func droppedEventsForgetTheRoute() {
    let events =
      (Self.connect + Self.fatalDelivery).map(HostEvent.trace)
      + [.simulator(.tracedEventsDropped(count: 3))] + Self.unload.map(HostEvent.trace)
    let folded = HostState.fold(events)
    #expect(folded.violations.isEmpty)
    #expect(folded.state.fault == nil && !folded.state.routeKnown)
  }

  static func confirmedGpadl(_ id: UInt32) -> [T] {
    [
      .recvMessage(type: .gpadlHeader, size: 236),
      .processIncomingMessage(messageType: .gpadlHeader),
      .gpadlHeader(gpadlID: GpadlID(id), numGfns: 4),
      .gpadlCreated(gpadlID: GpadlID(id)), .postMsg(type: .gpadlCreated, size: 20),
      .msgCb(status: 0),
    ]
  }

  static func body(_ id: UInt32) -> [T] {
    [
      .recvMessage(type: .gpadlBody, size: 24), .processIncomingMessage(messageType: .gpadlBody),
      .gpadlBody(gpadlID: GpadlID(id)),
    ]
  }

  @Test("§9.24 a body for a GPADL that GPADL_CREATED showed full faults at its trace")
  func entry24_bodyForConfirmedFullGpadlFaults() {
    Self.expectFault(
      .bodyForFullGpadl(GpadlID(7)), at: Self.connect + Self.confirmedGpadl(7) + Self.body(7))
  }

  @Test("§9.24 a body for a GPADL only a header vouches for is not a fault")
  func entry24_bodyForUnconfirmedGpadlIsNoFault() {
    let header: [T] = [
      .recvMessage(type: .gpadlHeader, size: 236),
      .processIncomingMessage(messageType: .gpadlHeader),
      .gpadlHeader(gpadlID: GpadlID(7), numGfns: 40),
    ]
    let folded = Self.fold(Self.connect + header + Self.body(7))
    #expect(folded.violations.isEmpty)
    #expect(folded.state.fault == nil)
  }

  @Test(
    "§4.3 a traced callback proves a message was in flight: with none, a violation, not a fault")
  func callbackWithoutMessageIsNoFault() {
    // `vmbus_msg_cb` asserts `msg_in_progress` before its trace, so the fault leaves no line.
    let folded = Self.fold(Self.connect + [.msgCb(status: 0)])
    #expect(Self.rules(folded.violations) == ["6 callback_without_message"])
    #expect(folded.state.fault == nil)
  }

  @Test("a simulation's sim_host_fault right after the faulting trace confirms it, once")
  func simulatorRecordConfirmsOnce() {
    let faulting =
      (Self.contact(vcpu: HostState.noVP) + [.postMsg(type: .versionResponse, size: 12)])
      .map(HostEvent.trace)
    let fault = HostFault.postWithoutRoute(.versionResponse)
    let recorded = HostState.fold(faulting + [.simulator(.hostFault(fault))])
    #expect(recorded.violations.isEmpty)
    #expect(recorded.state.fault == fault && !recorded.state.faultJustTraced)
    let twice = HostState.fold(
      faulting + [.simulator(.hostFault(fault)), .simulator(.hostFault(fault))])
    #expect(Self.rules(twice.violations) == ["6 event_after_host_fault"])
    let other = HostState.fold(faulting + [.simulator(.hostFault(.callbackWithoutMessage))])
    #expect(Self.rules(other.violations) == ["5 event_after_host_fault"])
    let late = HostState.fold(
      faulting + [.trace(.msgCb(status: 0)), .simulator(.hostFault(fault))])
    #expect(
      Self.rules(late.violations) == ["5 event_after_host_fault", "6 event_after_host_fault"])
  }

  @Test(
    "§9.42 a simulation and its bare trace fault alike where the trace shows the reset",
    arguments: UnloadTests.NoRoute.allCases)
  func simulatedAndBareAgree(_ situation: UnloadTests.NoRoute) throws {
    var host = UnloadTests.harness(situation)
    host.send(.unload)
    host.deliverAll()
    let fault = HostFault.postWithoutRoute(.unloadResponse)
    try #require(host.state.fault == fault)
    #expect(HostState.fold(host.events).state == host.state, "the record confirmed the fault")
    let bare = HostState.fold(host.events.filter { if case .trace = $0 { true } else { false } })
    #expect(bare.violations.isEmpty)
    switch situation {
    case .afterCompletedUnload, .afterFatalDelivery, .afterFailedRouteSetUp:
      #expect(bare.state.fault == fault)
    case .beforeContact, .afterMachineReset:
      // The trace starts with no contact, or does not show the machine reset.
      #expect(bare.state.fault == nil)
    }
  }

  /// A simulated crash right after a trace line (docs/qemu-reference.md §9.12, §9.13, §9.24,
  /// §9.33, §9.37, §9.42).
  enum SimulatedCrash: String, CaseIterable, Sendable {
    case contactWithoutVP, contactToMissingVCPU, openToMissingVCPU, ringOffsetWraps
    case bodyForFullGpadl, unloadBeforeContact

    var harness: HostHarness {
      var h: HostHarness
      switch self {
      case .contactWithoutVP, .contactToMissingVCPU:
        h = HostHarness()
        h.connect()
        let vcpu: UInt32 = self == .contactWithoutVP ? HostState.noVP : 2
        h.send(.initiateContact(InitiateContact(versionRequested: .win10, targetVCPU: vcpu)))
      case .openToMissingVCPU:
        h = OpenChannelTests.readyToOpen()
        h.send(Fixtures.openChannel(targetVP: 7))
      case .ringOffsetWraps:
        h = OpenChannelTests.readyToOpen()
        h.createGpadl(id: GpadlID(0x101), pages: 1)
        h.send(Fixtures.openChannel(gpadl: GpadlID(0x101), ringBufferOffset: 0xFFFF_FFFF))
      case .bodyForFullGpadl:
        h = HostHarness()
        h.connect()
        h.createGpadl()
        h.send(.gpadlBody(GpadlBody(gpadlID: Fixtures.ringGpadl, pfns: Fixtures.pfns(1))))
      case .unloadBeforeContact:
        h = HostHarness()
        h.send(.unload)
      }
      h.deliverAll()
      return h
    }
  }

  @Test(
    "a simulation faults at the trace line QEMU crashes after; its sim_host_fault confirms it",
    arguments: SimulatedCrash.allCases)
  func simulatedCrashFaultsAtItsTraceLine(_ crash: SimulatedCrash) throws {
    let host = crash.harness
    let fault = try #require(host.state.fault)
    #expect(host.events.last == .simulator(.hostFault(fault)))
    let line = try #require(host.events.dropLast().last)
    guard case .trace = line else {
      Issue.record("\(line) is not a trace line")
      return
    }
    let atLine = HostState.fold(host.events.dropLast())
    #expect(atLine.violations.isEmpty)
    #expect(atLine.state.fault == fault && atLine.state.faultJustTraced)
    let recorded = HostState.fold(host.events)
    #expect(recorded.violations.isEmpty)
    #expect(recorded.state == host.state)
  }
}
