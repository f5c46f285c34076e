import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 39–41: CLOSECHANNEL.
@Suite("§9 CLOSECHANNEL")
struct CloseChannelTests {
  static func close(_ relid: UInt32) -> ChannelMessage {
    .closeChannel(CloseChannel(childRelid: ChannelID(relid)))
  }

  static func closed(_ relid: UInt32) -> [HostEvent] {
    [Expect.processed(.closeChannel), .trace(.closeChannel(chanID: ChannelID(relid)))]
  }

  @Test("§9.39 CLOSECHANNEL for an unknown relid is ignored after its trace")
  func entry39_closeOfUnknownRelidIsIgnored() {
    var h = HostHarness.withOpenChannel()
    h.send(Self.close(9))
    h.expect(.runBus, Self.closed(9)) { $0.takeHead() }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }

  @Test("§9.40 closing a channel that is not open resets its device once none is open")
  func entry40_closeOfClosedChannelResetsTheDevice() {
    var h = HostHarness()
    h.connect()
    h.requestOffers()
    h.send(Self.close(1))
    // The device reset closes nothing: only its `vmdev_reset` hook runs.
    h.expect(.runBus, Self.closed(1)) { $0.takeHead() }

    // With a sub-channel open, closing the never-opened primary leaves the device alone.
    var multi = HostHarness(devices: [Fixtures.netvsc])
    multi.connect()
    multi.requestOffers()
    multi.createGpadl()
    multi.open(ChannelID(2))
    multi.send(Self.close(1))
    multi.expect(.runBus, Self.closed(1)) { $0.takeHead() }
    #expect(multi.state.channel(ChannelID(2))?.state.isOpen == true)

    multi.send(Self.close(2))
    multi.expect(.runBus, Self.closed(2)) {
      $0.takeHead()
      $0.channels[1].state = .initial
      $0.gpadls[0].refcount = 1
    }
  }

  @Test("§9.41 no close is ever answered")
  func entry41_closeIsNeverAnswered() {
    var h = HostHarness.withOpenChannel()
    h.send(Self.close(1))
    h.expect(.runBus, Self.closed(1)) {
      $0.takeHead()
      $0.channels[0].state = .initial
      $0.gpadls[0].refcount = 1
    }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
    #expect(h.deliverAll() == [])
  }
}
