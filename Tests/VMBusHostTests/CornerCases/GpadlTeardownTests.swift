import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 26–28: GPADL_TEARDOWN.
@Suite("§9 GPADL teardown")
struct GpadlTeardownTests {
  static let id = Fixtures.ringGpadl

  static func teardown(_ id: GpadlID) -> ChannelMessage {
    .gpadlTeardown(GpadlTeardown(childRelid: Fixtures.firstChannel, gpadlID: id))
  }

  @Test("§9.26 a teardown of an unknown or TORNDOWN GPADL is ignored and never answered")
  func entry26_teardownOfUnknownOrTornDownGpadlIsIgnored() {
    var h = HostHarness.withOpenChannel()
    let unknown = GpadlID(0x77)
    h.send(Self.teardown(unknown))
    h.expect(.runBus, [Expect.processed(.gpadlTeardown), .trace(.gpadlTeardown(gpadlID: unknown))])
    {
      $0.takeHead()
    }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }

    // TORNDOWN but still referenced by the open channel.
    h.teardownGpadl()
    #expect(h.state.gpadl(Self.id)?.state == .tornDown)
    h.send(Self.teardown(Self.id))
    h.expect(.runBus, [Expect.processed(.gpadlTeardown), .trace(.gpadlTeardown(gpadlID: Self.id))])
    {
      $0.takeHead()
    }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }

  @Test("§9.27 an incomplete GPADL can be torn down: TORNDOWN is sent and the GPADL freed")
  func entry27_incompleteGpadlIsTornDown() {
    var h = HostHarness()
    h.connect()
    h.send(Fixtures.gpadlHeader(pages: 30))
    h.deliverAll()
    #expect(h.state.gpadl(Self.id)?.isFull == false)

    h.send(Self.teardown(Self.id))
    h.expect(.runBus, [Expect.processed(.gpadlTeardown), .trace(.gpadlTeardown(gpadlID: Self.id))])
    {
      $0.takeHead()
      $0.gpadls[0].state = .tearingDown
      $0.bus = .teardownGpadl
    }
    h.expect(.runBus, [.trace(.gpadlTorndown(gpadlID: Self.id)), Expect.posted(.gpadlTorndown)]) {
      $0.posted()
    }
    #expect(h.state.outgoingMessage == .gpadlTorndown(GpadlTorndown(gpadlID: Self.id)))
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.gpadls = []
      $0.bus = .listen
    }

    // The id is free again.
    h.send(Fixtures.gpadlHeader(pages: 2))
    h.expect(
      .runBus, [Expect.processed(.gpadlHeader), .trace(.gpadlHeader(gpadlID: Self.id, numGfns: 2))]
    ) {
      $0.takeHead()
      $0.gpadls = [Gpadl(id: Self.id, childRelid: Fixtures.firstChannel, numGfns: 2, seenGfns: 2)]
      $0.bus = .createGpadl
    }
  }

  @Test("§9.28 a GPADL in use is answered at once but lives on TORNDOWN until the channel closes")
  func entry28_gpadlInUseLingersTornDown() {
    var h = HostHarness.withOpenChannel()
    #expect(h.state.gpadl(Self.id)?.refcount == 2)

    h.send(Self.teardown(Self.id))
    h.expect(.runBus, [Expect.processed(.gpadlTeardown), .trace(.gpadlTeardown(gpadlID: Self.id))])
    {
      $0.takeHead()
      $0.gpadls[0].state = .tearingDown
      $0.bus = .teardownGpadl
    }
    h.expect(.runBus, [.trace(.gpadlTorndown(gpadlID: Self.id)), Expect.posted(.gpadlTorndown)]) {
      $0.posted()
    }
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.gpadls[0].state = .tornDown
      $0.gpadls[0].refcount = 1
      $0.bus = .listen
    }
    #expect(h.state.channel(Fixtures.firstChannel)?.state.isOpen == true)

    // The last close frees it.
    h.send(.closeChannel(CloseChannel(childRelid: Fixtures.firstChannel)))
    h.expect(
      .runBus,
      [Expect.processed(.closeChannel), .trace(.closeChannel(chanID: Fixtures.firstChannel))]
    ) {
      $0.takeHead()
      $0.channels[0].state = .initial
      $0.gpadls = []
    }
  }
}
