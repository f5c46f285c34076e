import Testing
import VMBusHost
import VMBusWire

/// Reference §9 entries 44–48: delivery failures, resets and lost reschedules.
@Suite("§9 delivery failures and resets")
struct DeliveryAndResetTests {
  static let contact = InitiateContact(versionRequested: .win10, targetVCPU: 0)

  @Test("§9.44 a busy SINT slot (-11) regenerates the reply from state, any number of times")
  func entry44_busySlotRegeneratesTheReply() {
    var h = HostHarness()
    h.connect()
    h.send(.requestOffers)
    h.step(.runBus)
    let device = h.state.channels[0].device
    let offer = h.state

    for _ in 0..<3 {
      h.expect(
        .runBus,
        [
          .trace(.sendOffer(chanID: Fixtures.firstChannel, dev: device)),
          Expect.posted(.offerChannel),
        ]
      ) { $0.posted() }
      h.expect(.deliver(status: DeliveryStatus.slotBusy), [Expect.callback(-11)]) {
        $0.delivered()
      }
      #expect(h.state == offer)
    }
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
  }

  @Test("§9.45 a missing message page (-6) resets the bus without rescheduling: the queue stalls")
  func entry45_fatalDeliveryStallsTheQueue() {
    var h = HostHarness.withOpenChannel()
    h.send(.requestOffers)
    h.step(.runBus)
    h.expect(.runBus, [.trace(.terminateOffers), Expect.posted(.allOffersDelivered)]) {
      $0.posted()
    }
    let close = ChannelMessage.closeChannel(CloseChannel(childRelid: Fixtures.firstChannel))
    h.expect(.post(close), Expect.received(close)) { $0.queue(close) }

    h.expect(.deliver(status: DeliveryStatus.noMessagePage), [Expect.callback(-6)]) {
      $0.resetBus()
    }
    #expect(!h.state.runScheduled && h.state.rxQueue.count == 1)
    h.expect(.runBus, [])

    // Enqueueing reschedules only on empty -> non-empty: nothing runs the queue again.
    for _ in 2...16 {
      h.expect(.post(.requestOffers), Expect.received(.requestOffers)) { $0.queue(.requestOffers) }
    }
    h.expect(.runBus, [])
    h.expect(.post(.requestOffers), Expect.received(.requestOffers, status: .insufficientBuffers))
  }

  @Test("§9.46 an outside reset forgets the reply in flight; its late callback aborts or misfires")
  func entry46_outsideResetForgetsTheReplyInFlight() {
    // Machine reset while OFFERCHANNEL is in flight; the late callback trips the assertion.
    var h = HostHarness()
    h.connect()
    h.send(.requestOffers)
    h.step(.runBus)
    h.step(.runBus)
    #expect(h.state.messageInFlight)
    h.expect(.resetMachine, [.simulator(.machineReset)]) { $0.resetBus() }
    h.expect(.deliver(status: 0), [Expect.fault(.callbackWithoutMessage)]) {
      $0.fault = .callbackWithoutMessage
    }
    h.expectHalted(by: .callbackWithoutMessage)

    // If the guest reconnected meanwhile, the late callback completes the new message.
    var raced = HostHarness()
    raced.connect()
    raced.send(.requestOffers)
    raced.step(.runBus)
    raced.step(.runBus)
    raced.step(.resetMachine)
    raced.send(.initiateContact(Self.contact))
    raced.step(.runBus)
    raced.expect(.runBus, [Expect.posted(.versionResponse)]) { $0.posted() }
    raced.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.bus = .listen
    }

    // A device reset keeps the flag: OPENCHANNEL_RESULT's completion then finds no OPENING
    // channel and aborts.
    var device = HostHarness()
    device.connect()
    device.createGpadl()
    device.send(Fixtures.openChannel())
    device.step(.runBus)
    device.step(.runBus)
    #expect(device.state.messageInFlight && device.state.bus == .openChannel)
    device.expect(
      .resetDevice(instanceID: Fixtures.balloon.instanceID),
      [.simulator(.deviceReset(instanceID: Fixtures.balloon.instanceID))]
    ) {
      $0.channels[0].state = .initial
      $0.gpadls[0].refcount = 1
    }
    device.expect(
      .deliver(status: 0),
      [Expect.callback(), Expect.fault(.noObjectForBusState(.openChannel))]
    ) {
      $0.delivered()
      $0.bus = .listen
      $0.fault = .noObjectForBusState(.openChannel)
    }
    device.expectHalted(by: .noObjectForBusState(.openChannel))

    // After -11 it is the send function that finds nothing to send.
    var retried = HostHarness()
    retried.connect()
    retried.createGpadl()
    retried.send(Fixtures.openChannel())
    retried.step(.runBus)
    retried.step(.runBus)
    retried.step(.resetDevice(instanceID: Fixtures.balloon.instanceID))
    retried.expect(.deliver(status: DeliveryStatus.slotBusy), [Expect.callback(-11)]) {
      $0.delivered()
    }
    retried.expect(.runBus, [Expect.fault(.noObjectForBusState(.openChannel))]) {
      $0.fault = .noObjectForBusState(.openChannel)
    }
    retried.expectHalted(by: .noObjectForBusState(.openChannel))
  }

  @Test("§9.47 a reset keeps the rx queue: queued messages are handled after it")
  func entry47_resetKeepsTheQueue() {
    var h = HostHarness()
    h.connect()
    h.expect(.post(.requestOffers), Expect.received(.requestOffers)) { $0.queue(.requestOffers) }
    h.expect(.post(.initiateContact(Self.contact)), Expect.received(.initiateContact(Self.contact)))
    {
      $0.queue(.initiateContact(Self.contact))
    }

    h.expect(.resetMachine, [.simulator(.machineReset)]) { $0.resetBus() }
    #expect(h.state.runScheduled && h.state.rxQueue.count == 2)

    // REQUESTOFFERS now meets an uninitialized bus; INITIATE_CONTACT starts over.
    h.expect(.runBus, [Expect.processed(.requestOffers)]) { $0.takeHead() }
    h.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(Self.contact)]) {
      $0.takeHead()
      $0.version = .win10
      $0.targetVP = 0
      $0.bus = .handshake
    }
  }

  @Test("§9.48 a lost reschedule leaves queued messages unhandled")
  func entry48_lostRescheduleStallsTheQueue() {
    var h = HostHarness()
    h.connect()
    h.deliverAll()
    h.expect(.post(.requestOffers), Expect.received(.requestOffers)) { $0.queue(.requestOffers) }
    #expect(h.state.runScheduled)

    h.expect(.loseReschedule, [.simulator(.rescheduleLost)]) { $0.runScheduled = false }
    h.expect(.runBus, [])
    // The queue is not empty, so a new message does not reschedule either.
    h.expect(.post(.initiateContact(Self.contact)), Expect.received(.initiateContact(Self.contact)))
    {
      $0.queue(.initiateContact(Self.contact))
    }
    h.expect(.runBus, [])
    // Nothing is scheduled, so there is nothing left to lose.
    h.expect(.loseReschedule, [])
  }
}
