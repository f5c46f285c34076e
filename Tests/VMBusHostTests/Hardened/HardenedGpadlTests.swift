import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 17–19, 24 and 26 under `--host hardened`: every GPADL request QEMU
/// leaves unanswered gets a failure reply, and a body for a full GPADL is ignored.
@Suite("hardened: GPADLs")
struct HardenedGpadlTests {
  static let id = Fixtures.ringGpadl

  /// Expects the header `h` just queued to be refused: its trace, then GPADL_CREATED with
  /// the failure status echoing `childRelid` and the id, delivered; no GPADL changes.
  static func expectRefused(
    _ h: inout HostHarness, numGfns: UInt16, childRelid: ChannelID = Fixtures.firstChannel,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let reply = FailureReply.gpadlRefused(childRelid: childRelid, gpadlID: Self.id)
    h.expect(
      .runBus,
      [Expect.processed(.gpadlHeader), .trace(.gpadlHeader(gpadlID: Self.id, numGfns: numGfns))],
      sourceLocation: sourceLocation
    ) {
      $0.takeHead()
      $0.failureReply = reply
      $0.bus = .createGpadl
    }
    h.expect(
      .runBus, [.trace(.gpadlCreated(gpadlID: Self.id)), Expect.posted(.gpadlCreated)],
      sourceLocation: sourceLocation
    ) { $0.posted() }
    #expect(
      h.state.outgoingMessage
        == .gpadlCreated(
          GpadlCreated(childRelid: childRelid, gpadlID: Self.id, status: 0x8000_FFFF)),
      sourceLocation: sourceLocation)
    h.expect(.deliver(status: 0), [Expect.callback()], sourceLocation: sourceLocation) {
      $0.delivered()
      $0.failureReply = nil
      $0.bus = .listen
    }
  }

  @Test(
    "§9.17 a header with rangecount != 1, byte_offset != 0 or a bad byte_count gets GPADL_CREATED(failure)",
    arguments: GpadlHeaderTests.badShapes)
  func entry17_headerWithBadShapeIsRefused(_ header: GpadlHeader) {
    var h = HostHarness(profile: .hardened)
    h.connect()

    h.send(.gpadlHeader(header))
    Self.expectRefused(&h, numGfns: 4)
    #expect(h.state.gpadls.isEmpty)

    // Nothing was left behind: the id is free for a well-formed header.
    h.send(Fixtures.gpadlHeader(pages: 2))
    h.expect(
      .runBus, [Expect.processed(.gpadlHeader), .trace(.gpadlHeader(gpadlID: Self.id, numGfns: 2))]
    ) {
      $0.takeHead()
      $0.gpadls = [Gpadl(id: Self.id, childRelid: Fixtures.firstChannel, numGfns: 2, seenGfns: 2)]
      $0.bus = .createGpadl
    }
  }

  @Test(
    "§9.18 a header for an existing GPADL id gets GPADL_CREATED(failure); the existing one is untouched",
    arguments: GpadlHeaderTests.Existing.allCases)
  func entry18_duplicateGpadlIDIsRefused(_ existing: GpadlHeaderTests.Existing) {
    var h: HostHarness
    switch existing {
    case .incomplete:
      h = HostHarness(profile: .hardened)
      h.connect()
      h.send(Fixtures.gpadlHeader(pages: 30))
      h.deliverAll()
    case .alive:
      h = HostHarness(profile: .hardened)
      h.connect()
      h.createGpadl()
    case .tornDownButReferenced:
      h = HostHarness.withOpenChannel(profile: .hardened)
      h.teardownGpadl()
      #expect(h.state.gpadl(Self.id)?.state == .tornDown)
    }
    let before = h.state.gpadls

    // Another channel's header with the same id: the reply echoes the request.
    h.send(Fixtures.gpadlHeader(pages: 2, childRelid: ChannelID(5)))
    Self.expectRefused(&h, numGfns: 2, childRelid: ChannelID(5))
    #expect(h.state.gpadls == before)
  }

  @Test(
    "§9.19 range_buflen under 8 (num_gfns wraps to 0xFFFFFFFF) gets GPADL_CREATED(failure)",
    arguments: [UInt16(0), 7])
  func entry19_wrappedPageCountIsRefused(_ rangeBufferLength: UInt16) {
    var h = HostHarness(profile: .hardened)
    h.connect()
    let header = GpadlHeader(
      childRelid: Fixtures.firstChannel, gpadlID: Self.id, rangeBufferLength: rangeBufferLength,
      rangeCount: 1, byteCount: 0xFFFF_F000, byteOffset: 0, pfns: Fixtures.pfns(3))

    h.send(.gpadlHeader(header))
    Self.expectRefused(&h, numGfns: 65535)
    #expect(h.state.gpadls.isEmpty)
  }

  @Test(
    "§9.24 a body for a full GPADL is ignored after its trace, no abort",
    arguments: GpadlBodyTests.Full.allCases)
  func entry24_bodyForFullGpadlIsIgnored(_ full: GpadlBodyTests.Full) {
    var h: HostHarness
    switch full {
    case .alive:
      h = HostHarness(profile: .hardened)
      h.connect()
      h.createGpadl()
    case .zeroPage:
      h = HostHarness(profile: .hardened)
      h.connect()
      h.createGpadl(pages: 0)
    case .tornDownButReferenced:
      h = HostHarness.withOpenChannel(profile: .hardened)
      h.teardownGpadl()
    }

    h.send(.gpadlBody(GpadlBody(gpadlID: Self.id, pfns: Fixtures.pfns(2))))
    h.expect(.runBus, [Expect.processed(.gpadlBody), .trace(.gpadlBody(gpadlID: Self.id))]) {
      $0.takeHead()
    }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
    #expect(h.state.isAlive)
  }

  @Test("§9.26 a teardown of an unknown or TORNDOWN GPADL is answered with GPADL_TORNDOWN")
  func entry26_teardownOfUnknownOrTornDownGpadlIsAnswered() {
    var h = HostHarness.withOpenChannel(profile: .hardened)
    h.teardownGpadl()
    #expect(h.state.gpadl(Self.id)?.state == .tornDown)
    let before = h.state.gpadls

    for id in [GpadlID(0x77), Self.id] {
      h.send(GpadlTeardownTests.teardown(id))
      h.expect(.runBus, [Expect.processed(.gpadlTeardown), .trace(.gpadlTeardown(gpadlID: id))]) {
        $0.takeHead()
        $0.failureReply = .gpadlTorndown(id)
        $0.bus = .teardownGpadl
      }
      h.expect(.runBus, [.trace(.gpadlTorndown(gpadlID: id)), Expect.posted(.gpadlTorndown)]) {
        $0.posted()
      }
      #expect(h.state.outgoingMessage == .gpadlTorndown(GpadlTorndown(gpadlID: id)))
      h.expect(.deliver(status: 0), [Expect.callback()]) {
        $0.delivered()
        $0.failureReply = nil
        $0.bus = .listen
      }
      // The TORNDOWN GPADL still belongs to the open channel; nothing was freed twice.
      #expect(h.state.gpadls == before)
    }
  }

  @Test("a busy slot (-11) regenerates a failure reply from state, like any reply")
  func busySlotRegeneratesFailureReply() {
    var h = HostHarness(profile: .hardened)
    h.connect()
    h.send(.gpadlHeader(GpadlHeaderTests.badShapes[0]))
    h.step(.runBus)
    h.expect(.runBus, [.trace(.gpadlCreated(gpadlID: Self.id)), Expect.posted(.gpadlCreated)]) {
      $0.posted()
    }
    h.expect(.deliver(status: DeliveryStatus.slotBusy), [Expect.callback(-11)]) {
      $0.delivered()
    }
    h.expect(.runBus, [.trace(.gpadlCreated(gpadlID: Self.id)), Expect.posted(.gpadlCreated)]) {
      $0.posted()
    }
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.failureReply = nil
      $0.bus = .listen
    }
  }
}
