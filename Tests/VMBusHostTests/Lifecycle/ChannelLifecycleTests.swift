import Testing
import VMBusWire

@testable import VMBusHost

/// Offers, GPADLs, open, busy retries, close, teardown and unload, step by step.
@Suite("Lifecycle: offers, GPADLs, channels, unload")
struct ChannelLifecycleTests {
  @Test("offers: one OFFERCHANNEL per channel in list order, then ALLOFFERS_DELIVERED")
  func offers() {
    var host = HostHarness(devices: [Fixtures.balloon, Fixtures.netvsc])
    host.connect()
    host.send(.requestOffers)
    host.expect(.runBus, [Expect.processed(.requestOffers)]) {
      $0.handling = $0.rxQueue.dequeue()
      $0.channels[0].offer = .sending
      $0.bus = .offer
    }
    let devices = host.state.devices.map(\.pointer)
    for (index, relid) in [1, 2, 3].enumerated() {
      let device = index == 0 ? devices[0] : devices[1]
      host.expect(
        .runBus,
        [
          .trace(.sendOffer(chanID: ChannelID(UInt32(relid)), dev: device)),
          Expect.posted(.offerChannel),
        ]
      ) {
        $0.messageInFlight = true
        $0.pendingRuns -= 1
      }
      guard case .offerChannel(let offer) = host.state.outgoingMessage else {
        Issue.record("no offer in flight")
        return
      }
      #expect(
        offer.childRelid == ChannelID(UInt32(relid)) && offer.connectionID == 16 + UInt32(relid))
      #expect(offer.subChannelIndex == (relid == 3 ? 1 : 0) && offer.dedicatedInterrupt)
      #expect(offer.interfaceType == (index == 0 ? Fixtures.balloon : Fixtures.netvsc).classID)
      host.expect(.deliver(status: 0), [Expect.callback(0)]) {
        $0.channels[index].offer = .sent
        if index + 1 < 3 { $0.channels[index + 1].offer = .sending }
        $0.messageInFlight = false
        $0.pendingRuns += 1
      }
    }
    host.expect(.runBus, [.trace(.terminateOffers), Expect.posted(.allOffersDelivered)]) {
      $0.messageInFlight = true
      $0.pendingRuns -= 1
    }
    host.expect(.deliver(status: 0), [Expect.callback(0)]) {
      $0.bus = .listen
      $0.messageInFlight = false
      $0.pendingRuns += 1
    }
  }

  @Test("a 60-page GPADL: header with 26 PFNs, bodies of 28 and 6, then GPADL_CREATED")
  func gpadlHeaderAndBodies() {
    var host = HostHarness()
    host.connect()
    let id = GpadlID(0xE1E10)
    let messages = GpadlHeader.pageAlignedMessages(
      childRelid: ChannelID(1), gpadlID: id, pfns: Fixtures.pfns(60))
    #expect(messages.count == 3)
    for message in messages { host.send(message) }
    host.expect(
      .runBus, [Expect.processed(.gpadlHeader), .trace(.gpadlHeader(gpadlID: id, numGfns: 60))]
    ) {
      $0.handling = $0.rxQueue.dequeue()
      $0.gpadls = [Gpadl(id: id, childRelid: ChannelID(1), numGfns: 60, seenGfns: 26)]
    }
    host.expect(.runBus, [Expect.processed(.gpadlBody), .trace(.gpadlBody(gpadlID: id))]) {
      $0.handling = $0.rxQueue.dequeue()
      $0.gpadls[0].seenGfns = 54
    }
    host.expect(.runBus, [Expect.processed(.gpadlBody), .trace(.gpadlBody(gpadlID: id))]) {
      $0.handling = $0.rxQueue.dequeue()
      $0.gpadls[0].seenGfns = 60
      $0.bus = .createGpadl
    }
    host.expect(.runBus, [.trace(.gpadlCreated(gpadlID: id)), Expect.posted(.gpadlCreated)]) {
      $0.messageInFlight = true
      $0.pendingRuns -= 1
    }
    #expect(
      host.state.outgoingMessage
        == .gpadlCreated(GpadlCreated(childRelid: ChannelID(1), gpadlID: id, status: 0)))
    host.expect(.deliver(status: 0), [Expect.callback(0)]) {
      $0.gpadls[0].state = .alive
      $0.bus = .listen
      $0.messageInFlight = false
      $0.pendingRuns += 1
    }
  }

  @Test("open with two busy retries: the result is rebuilt and re-posted, then delivered")
  func openWithBusyRetries() {
    var host = HostHarness()
    host.connect()
    host.requestOffers()
    host.createGpadl()
    let request = OpenChannel(
      childRelid: Fixtures.firstChannel, openID: Fixtures.openID,
      ringBufferGpadlID: Fixtures.ringGpadl, targetVP: 0, ringBufferOffset: Fixtures.ringOffset)
    host.send(.openChannel(request))
    let stored = OpenRequest(
      gpadlID: Fixtures.ringGpadl, targetVP: 0, openID: Fixtures.openID,
      ringBufferOffset: Fixtures.ringOffset)
    host.expect(
      .runBus,
      [
        Expect.processed(.openChannel),
        .trace(
          .openChannel(chanID: Fixtures.firstChannel, gpadlID: Fixtures.ringGpadl, targetVP: 0)),
      ]
    ) {
      $0.handling = $0.rxQueue.dequeue()
      $0.channels[0].state = .opening(stored, hostOpen: true)
      $0.gpadls[0].refcount = 2
      $0.bus = .openChannel
    }
    let result: [HostEvent] = [
      .trace(.channelOpen(chanID: Fixtures.firstChannel, status: 0)),
      Expect.posted(.openChannelResult),
    ]
    for _ in 0..<2 {
      host.expect(.runBus, result) {
        $0.messageInFlight = true
        $0.pendingRuns -= 1
      }
      host.expect(.deliver(status: -11), [Expect.callback(-11)]) {
        $0.messageInFlight = false
        $0.pendingRuns += 1
      }
    }
    host.expect(.runBus, result) {
      $0.messageInFlight = true
      $0.pendingRuns -= 1
    }
    #expect(
      host.state.outgoingMessage
        == .openChannelResult(
          OpenChannelResult(childRelid: Fixtures.firstChannel, openID: Fixtures.openID, status: 0)))
    host.expect(.deliver(status: 0), [Expect.callback(0)]) {
      $0.channels[0].state = .open(stored)
      $0.bus = .listen
      $0.messageInFlight = false
      $0.pendingRuns += 1
    }
    host.expect(
      .signalEvent(connectionID: 17), [.simulator(.signal(connectionID: 17, status: .success))]
    ) { _ in }
  }

  @Test("close (no reply) then teardown: the reference drops, TORNDOWN frees the GPADL")
  func closeThenTeardown() {
    var host = HostHarness.withOpenChannel()
    host.send(.closeChannel(CloseChannel(childRelid: Fixtures.firstChannel)))
    host.expect(
      .runBus,
      [Expect.processed(.closeChannel), .trace(.closeChannel(chanID: Fixtures.firstChannel))]
    ) {
      $0.handling = $0.rxQueue.dequeue()
      $0.channels[0].state = .initial
      $0.gpadls[0].refcount = 1
    }
    host.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
    host.send(
      .gpadlTeardown(GpadlTeardown(childRelid: Fixtures.firstChannel, gpadlID: Fixtures.ringGpadl)))
    host.expect(
      .runBus,
      [Expect.processed(.gpadlTeardown), .trace(.gpadlTeardown(gpadlID: Fixtures.ringGpadl))]
    ) {
      $0.handling = $0.rxQueue.dequeue()
      $0.gpadls[0].state = .tearingDown
      $0.bus = .teardownGpadl
    }
    host.expect(
      .runBus, [.trace(.gpadlTorndown(gpadlID: Fixtures.ringGpadl)), Expect.posted(.gpadlTorndown)]
    ) {
      $0.messageInFlight = true
      $0.pendingRuns -= 1
    }
    host.expect(.deliver(status: 0), [Expect.callback(0)]) {
      $0.gpadls = []
      $0.bus = .listen
      $0.messageInFlight = false
      $0.pendingRuns += 1
    }
  }

  @Test("unload: the response is posted, delivery resets the bus, a new contact works")
  func unloadAndReconnect() {
    var host = HostHarness.withOpenChannel()
    host.send(.unload)
    host.expect(.runBus, [Expect.processed(.unload)]) {
      $0.handling = $0.rxQueue.dequeue()
      $0.bus = .unload
    }
    host.expect(.runBus, [Expect.posted(.unloadResponse)]) {
      $0.messageInFlight = true
      $0.pendingRuns -= 1
    }
    host.expect(.deliver(status: 0), [Expect.callback(0)]) {
      $0.channels[0].state = .initial
      $0.channels[0].offer = .initial
      $0.gpadls = []
      $0.version = ProtocolVersion(rawValue: 0)
      $0.targetVP = HostState.noVP
      $0.bus = .listen
      $0.messageInFlight = false
      $0.pendingRuns += 1
    }
    host.connect()
    host.requestOffers()
    host.createGpadl()
    host.open()
    #expect(host.state.channels[0].state.isOpen)
  }
}
