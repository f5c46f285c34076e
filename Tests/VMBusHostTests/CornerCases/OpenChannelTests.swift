import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 29–38: OPENCHANNEL.
@Suite("§9 OPENCHANNEL")
struct OpenChannelTests {
  static let chan = Fixtures.firstChannel
  static let ring = Fixtures.ringGpadl

  /// A connected guest that received the offers and built the 4-page ring GPADL.
  static func readyToOpen(devices: [DeviceConfig] = [Fixtures.balloon]) -> HostHarness {
    var h = HostHarness(devices: devices)
    h.connect()
    h.requestOffers()
    h.createGpadl()
    return h
  }

  /// Sends `open` and expects its trace, then OPENCHANNEL_RESULT with `status`, then the
  /// channel OPEN (status 0) or back in INIT (status 1).
  static func expectResult(
    _ h: inout HostHarness, of open: ChannelMessage, status: UInt32, index: Int = 0,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    guard case .openChannel(let message) = open else {
      Issue.record("not an OPENCHANNEL: \(open)", sourceLocation: sourceLocation)
      return
    }
    let request = OpenRequest(
      gpadlID: message.ringBufferGpadlID, targetVP: message.targetVP, openID: message.openID,
      ringBufferOffset: message.ringBufferOffset)
    let gpadl = h.state.gpadlIndex(message.ringBufferGpadlID)
    h.send(open, sourceLocation: sourceLocation)
    try h.expect(
      .runBus,
      [
        Expect.processed(.openChannel),
        .trace(
          .openChannel(
            chanID: message.childRelid, gpadlID: message.ringBufferGpadlID,
            targetVP: message.targetVP)),
      ], sourceLocation: sourceLocation
    ) {
      $0.takeHead()
      $0.channels[index].state = .opening(request, hostOpen: status == 0)
      if status == 0 { $0.gpadls[try #require(gpadl)].refcount += 1 }
      $0.bus = .openChannel
    }
    h.expect(
      .runBus,
      [
        .trace(.channelOpen(chanID: message.childRelid, status: status)),
        Expect.posted(.openChannelResult),
      ],
      sourceLocation: sourceLocation
    ) { $0.posted() }
    #expect(
      h.state.outgoingMessage
        == .openChannelResult(
          OpenChannelResult(childRelid: message.childRelid, openID: message.openID, status: status)),
      sourceLocation: sourceLocation)
    h.expect(.deliver(status: 0), [Expect.callback()], sourceLocation: sourceLocation) {
      $0.delivered()
      $0.channels[index].state = status == 0 ? .open(request) : .initial
      $0.bus = .listen
    }
  }

  @Test(
    "§9.29 OPENCHANNEL for an unknown relid is ignored and never answered",
    arguments: [UInt32(0), 2, 2047, 2048, 0xFFFF_FFFF])
  func entry29_openOfUnknownRelidIsIgnored(_ relid: UInt32) {
    var h = Self.readyToOpen()
    let unknown = ChannelID(relid)

    h.send(Fixtures.openChannel(unknown))
    h.expect(
      .runBus,
      [
        Expect.processed(.openChannel),
        .trace(.openChannel(chanID: unknown, gpadlID: Self.ring, targetVP: 0)),
      ]
    ) { $0.takeHead() }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }

  @Test("§9.30 OPENCHANNEL for an open channel is ignored and never answered")
  func entry30_openOfOpenChannelIsIgnored() {
    // OPENING is never seen by a handler: the bus handles messages only in LISTEN, and a
    // channel is OPENING only while the bus is in OPEN_CHANNEL.
    var h = HostHarness.withOpenChannel()

    h.send(Fixtures.openChannel(openID: 2))
    h.expect(
      .runBus,
      [
        Expect.processed(.openChannel),
        .trace(.openChannel(chanID: Self.chan, gpadlID: Self.ring, targetVP: 0)),
      ]
    ) { $0.takeHead() }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
    #expect(h.state.channel(Self.chan)?.state == .open(Fixtures.openRequest()))
  }

  @Test("§9.31 a channel that was never offered opens normally")
  func entry31_neverOfferedChannelOpens() throws {
    var h = HostHarness()
    h.connect()
    h.createGpadl()
    #expect(h.state.channel(Self.chan)?.offer == .initial)

    try Self.expectResult(&h, of: Fixtures.openChannel(), status: 0)
    #expect(h.state.channel(Self.chan)?.offer == .initial)
  }

  @Test("§9.32 an unknown or incomplete GPADL gets status 1")
  func entry32_unknownOrIncompleteGpadlFails() throws {
    var h = Self.readyToOpen()
    try Self.expectResult(&h, of: Fixtures.openChannel(gpadl: GpadlID(0x999)), status: 1)

    let incomplete = GpadlID(0x300)
    h.send(Fixtures.gpadlHeader(id: incomplete, pages: 30))
    h.deliverAll()
    #expect(h.state.gpadl(incomplete)?.isFull == false)
    try Self.expectResult(&h, of: Fixtures.openChannel(gpadl: incomplete), status: 1)
  }

  @Test(
    "§9.33 ring_buffer_offset at most 1 or leaving under 2 pages gets status 1; 0xFFFFFFFF wraps and crashes"
  )
  func entry33_badRingOffsetFailsAndWrappedOffsetCrashes() throws {
    var h = Self.readyToOpen()
    // Four pages: the guest-to-host ring needs pages 0...1, the host-to-guest ring 2...3.
    for offset: UInt32 in [0, 1, 3, 4, 0xFFFF_FFFE] {
      try Self.expectResult(&h, of: Fixtures.openChannel(ringBufferOffset: offset), status: 1)
    }

    // A zero-page GPADL still fails the check: num_gfns 0 <= 0xFFFFFFFF + 1.
    let zeroPage = GpadlID(0x102)
    h.createGpadl(id: zeroPage, pages: 0)
    try Self.expectResult(
      &h, of: Fixtures.openChannel(gpadl: zeroPage, ringBufferOffset: 0xFFFF_FFFF), status: 1)

    // Any full GPADL of at least one page reads gfns[0xFFFFFFFF] in the handler.
    let onePage = GpadlID(0x101)
    h.createGpadl(id: onePage, pages: 1)
    h.send(Fixtures.openChannel(gpadl: onePage, ringBufferOffset: 0xFFFF_FFFF))
    let request = Fixtures.openRequest(gpadl: onePage, ringBufferOffset: 0xFFFF_FFFF)
    h.expect(
      .runBus,
      [
        Expect.processed(.openChannel),
        .trace(.openChannel(chanID: Self.chan, gpadlID: onePage, targetVP: 0)),
        Expect.fault(.ringOffsetOutOfBounds(Self.chan)),
      ]
    ) {
      // The trace's effect is applied before the fault is recorded.
      $0.takeHead()
      $0.channels[0].state = .opening(request, hostOpen: false)
      $0.bus = .openChannel
      $0.fault = .ringOffsetOutOfBounds(Self.chan)
    }
    h.expectHalted(by: .ringOffsetOutOfBounds(Self.chan))
  }

  @Test("§9.34 ring indices out of range in guest memory get status 1")
  func entry34_corruptRingIndicesFail() throws {
    var h = Self.readyToOpen()
    h.expect(.corruptRingIndices(Self.ring), [.simulator(.ringIndicesCorrupted(Self.ring))]) {
      $0.gpadls[0].ringIndicesCorrupted = true
    }
    // Only an existing GPADL has ring headers to corrupt.
    h.expect(.corruptRingIndices(GpadlID(0x999)), [])

    try Self.expectResult(&h, of: Fixtures.openChannel(), status: 1)
  }

  @Test("§9.35 a GPADL torn down but still referenced can be opened on")
  func entry35_tornDownReferencedGpadlOpens() throws {
    var h = Self.readyToOpen(devices: [Fixtures.netvsc])
    h.open()
    h.teardownGpadl()
    #expect(h.state.gpadl(Self.ring)?.state == .tornDown)
    #expect(h.state.gpadl(Self.ring)?.refcount == 1)

    try Self.expectResult(&h, of: Fixtures.openChannel(ChannelID(2)), status: 0, index: 1)
    #expect(h.state.gpadl(Self.ring)?.refcount == 2)
  }

  @Test("§9.36 two channels may open on the same GPADL")
  func entry36_twoChannelsShareAGpadl() throws {
    var h = Self.readyToOpen(devices: [Fixtures.netvsc])
    try Self.expectResult(&h, of: Fixtures.openChannel(), status: 0)
    try Self.expectResult(&h, of: Fixtures.openChannel(ChannelID(2)), status: 0, index: 1)
    #expect(h.state.gpadl(Self.ring)?.refcount == 3)
  }

  @Test("§9.37 a target_vp with no vCPU crashes QEMU once GPADL and rings are fine")
  func entry37_nonexistentTargetVPCrashes() throws {
    // With an unknown GPADL the open fails before the route: status 1.
    var h = Self.readyToOpen()
    try Self.expectResult(
      &h, of: Fixtures.openChannel(gpadl: GpadlID(0x999), targetVP: 7), status: 1)
    // An existing vCPU other than the bus's gets its own route.
    try Self.expectResult(&h, of: Fixtures.openChannel(targetVP: 1), status: 0)

    var crashing = Self.readyToOpen()
    crashing.send(Fixtures.openChannel(targetVP: 7))
    crashing.expect(
      .runBus,
      [
        Expect.processed(.openChannel),
        .trace(.openChannel(chanID: Self.chan, gpadlID: Self.ring, targetVP: 7)),
        Expect.fault(.unknownVCPU(7)),
      ]
    ) {
      // The trace's effect is applied before the fault is recorded.
      $0.takeHead()
      $0.channels[0].state = .opening(Fixtures.openRequest(targetVP: 7), hostOpen: false)
      $0.bus = .openChannel
      $0.fault = .unknownVCPU(7)
    }
    crashing.expectHalted(by: .unknownVCPU(7))
  }

  @Test("§9.38 after a failed open the channel is back in INIT and may retry")
  func entry38_failedOpenCanBeRetried() throws {
    var h = HostHarness()
    h.connect()
    h.requestOffers()
    try Self.expectResult(&h, of: Fixtures.openChannel(), status: 1)

    h.createGpadl()
    try Self.expectResult(&h, of: Fixtures.openChannel(openID: 2), status: 0)
  }
}
