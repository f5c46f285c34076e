import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 1–7: the hypercall path and the rx queue.
@Suite("§9 transport and queue")
struct TransportAndQueueTests {
  @Test("§9.1 payload under 8 bytes or SynIC type other than 1 gets status 3 and no trace")
  func entry1_shortPayloadOrWrongSynICTypeIsRejectedUntraced() {
    var h = HostHarness()
    h.connect()

    let short = GuestHypercall(payload: [3, 0, 0, 0, 0, 0, 0])
    h.expect(.hypercall(short), [.simulator(.hypercall(short, status: .invalidHypercallInput))])

    let wrongType = GuestHypercall(
      connectionID: 1, messageType: 2, payload: ChannelMessage.requestOffers.encoded())
    h.expect(
      .hypercall(wrongType), [.simulator(.hypercall(wrongType, status: .invalidHypercallInput))])
  }

  @Test("§9.2 payload_size over 240 gets status 3 from the hyperv layer and no VMBus trace")
  func entry2_oversizedPayloadIsRejectedUntraced() {
    var h = HostHarness()
    h.connect()

    let oversized = GuestHypercall(
      connectionID: 1, messageType: 1, payloadSize: 241,
      payload: ChannelMessage.requestOffers.encoded())
    h.expect(
      .hypercall(oversized), [.simulator(.hypercall(oversized, status: .invalidHypercallInput))])

    // The size check comes before the connection id lookup.
    let oversizedElsewhere = GuestHypercall(
      connectionID: 4, messageType: 1, payloadSize: 0xFFFF_FFFF,
      payload: ChannelMessage.requestOffers.encoded())
    h.expect(
      .hypercall(oversizedElsewhere),
      [.simulator(.hypercall(oversizedElsewhere, status: .invalidHypercallInput))])
  }

  @Test("§9.3 a connection id other than 1 gets status 18 and no VMBus trace")
  func entry3_otherConnectionIDIsRejectedUntraced() {
    var h = HostHarness()
    h.connect()
    // Linux posts INITIATE_CONTACT for version 5.0 and later on connection 4.
    let contact = ChannelMessage.initiateContact(
      InitiateContact(versionRequested: .win10v5, targetVCPU: 0))
    for connection: UInt32 in [0, 2, 3, 4, 17, 0x00FF_FFFF] {
      let call = GuestHypercall.message(contact, connectionID: connection)
      h.expect(.hypercall(call), [.simulator(.hypercall(call, status: .invalidConnectionID))])
    }

    // Only the low 24 bits are compared: 0x0100_0001 reaches connection 1.
    let masked = GuestHypercall.message(.requestOffers, connectionID: 0x0100_0001)
    h.expect(.hypercall(masked), Expect.received(masked)) {
      $0.queue(masked)
      $0.pendingRuns += 1
    }
  }

  @Test("§9.4 VMBus type 0 or 18 and above is traced, refused with status 3 and not queued")
  func entry4_unknownTypeIsTracedAndRefused() {
    var h = HostHarness()
    h.connect()
    let types: [UInt32] = [0, 18, 19, 20, 21, 22, 23, 24, 0xFFFF_FFFF]
    for type in types {
      let message = ChannelMessage.other(MessageType(type), payload: [])
      h.expect(.post(message), Expect.received(message, status: .invalidHypercallInput))
    }
  }

  @Test(
    "§9.5 a host-to-guest type or RELID_RELEASED is queued, processed and dropped",
    arguments: [
      ChannelMessage.offerChannel(
        OfferChannel(
          interfaceType: .zero, interfaceInstance: .zero, childRelid: ChannelID(1),
          connectionID: 17)),
      .rescindChannelOffer(RescindChannelOffer(childRelid: ChannelID(1))),
      .allOffersDelivered,
      .openChannelResult(OpenChannelResult(childRelid: ChannelID(1), openID: 0, status: 0)),
      .gpadlCreated(GpadlCreated(childRelid: ChannelID(1), gpadlID: GpadlID(1))),
      .gpadlTorndown(GpadlTorndown(gpadlID: GpadlID(1))),
      .relidReleased(RelidReleased(childRelid: ChannelID(1))),
      .versionResponse(VersionResponse(versionSupported: 1, connectionState: 0)),
      .unloadResponse,
    ])
  func entry5_hostToGuestTypeIsQueuedThenDropped(_ message: ChannelMessage) {
    var h = HostHarness()
    h.connect()
    h.requestOffers()

    h.expect(.post(message), Expect.received(message)) {
      $0.queue(message)
      $0.pendingRuns += 1
    }
    h.expect(.runBus, [Expect.processed(message.type)]) { $0.takeHead() }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }

  @Test("§9.6 the seventeenth message while 16 are queued is traced and gets status 19")
  func entry6_seventeenthMessageGetsInsufficientBuffers() {
    var h = HostHarness()
    h.connect()
    h.expect(.post(.requestOffers), Expect.received(.requestOffers)) {
      $0.queue(.requestOffers)
      $0.pendingRuns += 1
    }
    for _ in 2...16 {
      h.expect(.post(.requestOffers), Expect.received(.requestOffers)) { $0.queue(.requestOffers) }
    }
    #expect(h.state.rxQueue.count == 16)

    h.expect(.post(.requestOffers), Expect.received(.requestOffers, status: .insufficientBuffers))

    // Once the bus takes a message, the guest's retry fits.
    h.expect(.runBus, [Expect.processed(.requestOffers)]) {
      $0.takeHead()
      $0.bus = .offer
      $0.channels[0].offer = .sending
    }
    h.expect(.post(.requestOffers), Expect.received(.requestOffers)) { $0.queue(.requestOffers) }
  }

  @Test("§9.7 messages arriving while a reply is in flight wait and are handled one per cycle")
  func entry7_messagesWaitForTheReplyInFlight() {
    var h = HostHarness()
    let contact = ChannelMessage.initiateContact(
      InitiateContact(versionRequested: .win10, targetVCPU: 0))
    h.send(contact)
    h.step(.runBus)
    h.expect(.runBus, [Expect.posted(.versionResponse)]) { $0.posted() }

    // Queued while VERSION_RESPONSE is in flight: a run would do nothing, so none is pending.
    let header = Fixtures.gpadlHeader()
    h.expect(.post(.requestOffers), Expect.received(.requestOffers)) {
      $0.queue(.requestOffers)
      $0.pendingRuns += 1
    }
    h.expect(.post(header), Expect.received(header)) { $0.queue(header) }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }

    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.bus = .listen
    }
    // One message, then its replies; the header waits until the bus is back in LISTEN.
    h.expect(.runBus, [Expect.processed(.requestOffers)]) {
      $0.takeHead()
      $0.bus = .offer
      $0.channels[0].offer = .sending
    }
    let device = h.state.channels[0].device
    h.expect(
      .runBus,
      [
        .trace(.sendOffer(chanID: Fixtures.firstChannel, dev: device)),
        Expect.posted(.offerChannel),
      ]
    ) { $0.posted() }
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.channels[0].offer = .sent
    }
    h.expect(.runBus, [.trace(.terminateOffers), Expect.posted(.allOffersDelivered)]) {
      $0.posted()
    }
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.bus = .listen
    }
    h.expect(
      .runBus,
      [
        Expect.processed(.gpadlHeader),
        .trace(.gpadlHeader(gpadlID: Fixtures.ringGpadl, numGfns: UInt16(Fixtures.ringPages))),
      ]
    ) {
      $0.takeHead()
      $0.gpadls = [
        Gpadl(
          id: Fixtures.ringGpadl, childRelid: Fixtures.firstChannel,
          numGfns: UInt32(Fixtures.ringPages), seenGfns: UInt32(Fixtures.ringPages))
      ]
      $0.bus = .createGpadl
    }
  }

  @Test(
    "HvSignalEvent on connection 2 sets the bus notifier; the main loop traces once however many signals came (vmbus_signal_event, event_notifier_test_and_clear)"
  )
  func busSignalsCoalesceIntoOneTrace() {
    var h = HostHarness()
    for _ in 1...3 {
      h.expect(
        .signalEvent(connectionID: 2), [.simulator(.signal(connectionID: 2, status: .success))]
      ) {
        $0.busNotifierSet = true
      }
    }
    h.expect(.dispatchBusNotifier, [.trace(.signalEvent)]) { $0.busNotifierSet = false }
    h.expect(.dispatchBusNotifier, [])
  }

  @Test(
    "HvSignalEvent with bits outside HV_CONNECTION_ID_MASK is refused, not masked (hyperv_hcall_signal_event)"
  )
  func signalWithReservedBitsIsRefused() {
    var h = HostHarness()
    h.expect(
      .signalEvent(connectionID: 0x0100_0002),
      [.simulator(.signal(connectionID: 0x0100_0002, status: .invalidHypercallInput))])
    h.expect(
      .signalEvent(connectionID: 5),
      [.simulator(.signal(connectionID: 5, status: .invalidConnectionID))])
  }
}
