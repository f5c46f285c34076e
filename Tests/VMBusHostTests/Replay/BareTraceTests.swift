import Testing
import VMBusWire

@testable import VMBusHost

/// Folding traces as QEMU writes them: only the 17 trace points, no payloads, no config.
@Suite("Bare QEMU traces: inference and violations")
struct BareTraceTests {
  typealias T = TraceEvent

  static let connect: [T] = [
    .recvMessage(type: .initiateContact, size: 40),
    .processIncomingMessage(messageType: .initiateContact),
    .initiateContact(
      major: 4, minor: 0, vcpu: 0, monitorPage1: 0x1000, monitorPage2: 0x2000, interruptPage: 0),
    .postMsg(type: .versionResponse, size: 12), .msgCb(status: 0),
  ]

  static let offers: [T] = [
    .recvMessage(type: .requestOffers, size: 8),
    .processIncomingMessage(messageType: .requestOffers),
    .sendOffer(chanID: ChannelID(1), dev: DevicePointer(rawValue: 0x55d6_c0a1_b2c0)),
    .postMsg(type: .offerChannel, size: 200), .msgCb(status: 0),
    .terminateOffers, .postMsg(type: .allOffersDelivered, size: 8), .msgCb(status: 0),
  ]

  static func fold(_ events: [T]) -> (
    state: HostState, violations: [(seq: Int, violation: ProtocolViolation)]
  ) {
    HostState.fold(events.map(HostEvent.trace))
  }

  static func header(_ id: UInt32, pages: UInt16) -> [T] {
    [
      .recvMessage(type: .gpadlHeader, size: 236),
      .processIncomingMessage(messageType: .gpadlHeader),
      .gpadlHeader(gpadlID: GpadlID(id), numGfns: pages),
    ]
  }

  @Test("channels are learned from offers, GPADLs confirmed by GPADL_CREATED")
  func learnsFromOutputs() throws {
    let created: [T] =
      Self.header(0xE1E10, pages: 4) + [
        .gpadlCreated(gpadlID: GpadlID(0xE1E10)), .postMsg(type: .gpadlCreated, size: 20),
        .msgCb(status: 0),
      ]
    let folded = Self.fold(Self.connect + Self.offers + created)
    #expect(folded.violations.isEmpty)
    #expect(folded.state.channels.map(\.id) == [ChannelID(1)])
    #expect(folded.state.channels.first?.offer == .sent)
    let gpadl = try #require(folded.state.gpadls.first)
    #expect(gpadl.state == .alive && gpadl.isFull && !gpadl.isAssumed && gpadl.numGfns == 4)
  }

  @Test("no VERSION_RESPONSE after contact: the route set-up failed and QEMU went to LISTEN")
  func routeFailureInferred() {
    let events = Array(Self.connect.prefix(3)) + Self.offers.prefix(2)
    let folded = Self.fold(Array(events))
    #expect(folded.violations.isEmpty)
    #expect(folded.state.bus == .listen && !folded.state.isInitialized)
  }

  @Test("a header never confirmed, then a teardown with no reply: the header was ignored")
  func ignoredHeaderInferred() {
    let events =
      Self.connect + Self.header(7, pages: 2) + [
        .recvMessage(type: .gpadlTeardown, size: 16),
        .processIncomingMessage(messageType: .gpadlTeardown),
        .gpadlTeardown(gpadlID: GpadlID(7)),
        .recvMessage(type: .requestOffers, size: 8),
        .processIncomingMessage(messageType: .requestOffers),
      ]
    let folded = Self.fold(events)
    #expect(folded.violations.isEmpty)
    #expect(folded.state.gpadls.isEmpty && folded.state.bus == .offer)
  }

  @Test("an open with no result: the channel does not exist")
  func openOfUnknownChannel() {
    let events =
      Self.connect + [
        .recvMessage(type: .openChannel, size: 148),
        .processIncomingMessage(messageType: .openChannel),
        .openChannel(chanID: ChannelID(9), gpadlID: GpadlID(1), targetVP: 0),
        .recvMessage(type: .requestOffers, size: 8),
        .processIncomingMessage(messageType: .requestOffers),
      ]
    let folded = Self.fold(events)
    #expect(folded.violations.isEmpty)
    #expect(folded.state.channels.isEmpty && folded.state.bus == .offer)
  }

  @Test(
    "traces QEMU could not write give a violation naming event and rule; replay goes on",
    arguments: [
      ([T.gpadlCreated(gpadlID: GpadlID(5))], "vmbus_gpadl_created", ViolationRule.unknownGpadl),
      (
        [.postMsg(type: .versionResponse, size: 12), .postMsg(type: .versionResponse, size: 12)],
        "vmbus_post_msg", .postWhileInFlight
      ),
      (
        [.channelOpen(chanID: ChannelID(1), status: 0)], "vmbus_channel_open",
        .channelOpenWithoutRequest
      ),
      ([.gpadlTorndown(gpadlID: GpadlID(3))], "vmbus_gpadl_torndown", .unknownGpadl),
      ([.msgCb(status: 0)], "vmbus_msg_cb", .callbackWithoutMessage),
      (
        [.processIncomingMessage(messageType: .requestOffers)], "vmbus_process_incoming_message",
        .processWithEmptyQueue
      ),
    ])
  func impossibleTraces(events: [T], name: String, rule: ViolationRule) throws {
    let folded = Self.fold(Self.connect + events + [.recvMessage(type: .unload, size: 8)])
    let first = try #require(folded.violations.first)
    #expect(first.violation.event == name)
    #expect(
      folded.violations.contains { $0.violation.rule == rule },
      "\(folded.violations.map(\.violation))")
    #expect(folded.state.rxQueue.count == 1, "replay continued past the violation")
  }

  @Test("the simulated session's QEMU trace folds to the same protocol state, step by step")
  func simulatedTraceAgrees() throws {
    var host = HostHarness.withOpenChannel()
    try Self.expectSameProtocolState(host)
    let open = try #require(host.state.gpadls.first)
    #expect(open.refcount == 2 && open.state == .alive, "the check above compared a live GPADL")
    host.close()
    try Self.expectSameProtocolState(host)
    host.teardownGpadl()
    try Self.expectSameProtocolState(host)
  }

  /// Folds only the trace points of `host`'s events and compares what a trace can show: the
  /// bus, the channels' offer and open states, and each GPADL's state, size and references.
  static func expectSameProtocolState(
    _ host: HostHarness, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let bare = HostState.fold(host.events.filter { if case .trace = $0 { true } else { false } })
    #expect(bare.violations.isEmpty, sourceLocation: sourceLocation)
    #expect(bare.state.bus == host.state.bus, sourceLocation: sourceLocation)
    #expect(bare.state.version == host.state.version, sourceLocation: sourceLocation)
    #expect(
      bare.state.channels.map { "\($0.id) \($0.offer) \($0.state) \($0.state.isOpen)" }
        == host.state.channels.map { "\($0.id) \($0.offer) \($0.state) \($0.state.isOpen)" },
      sourceLocation: sourceLocation)
    #expect(
      bare.state.gpadls.map { "\($0.id) \($0.state) \($0.numGfns) \($0.isFull) \($0.refcount)" }
        == host.state.gpadls.map {
          "\($0.id) \($0.state) \($0.numGfns) \($0.isFull) \($0.refcount)"
        },
      sourceLocation: sourceLocation)
  }
}
