import Testing
import VMBusWire

@testable import VMBusHost

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

  @Test(
    "§9.45 a fatal -6 resets without vmbus_resched, but a run scheduled before drains the queue: a queued UNLOAD crashes the post (vmbus_msg_cb, enqueue_incoming_message, send_unload)"
  )
  func entry45_fatalDeliveryThenEarlierRunCrashesOnUnload() {
    var h = HostHarness.withOpenChannel()
    h.send(.requestOffers)
    h.step(.runBus)
    h.expect(.runBus, [.trace(.terminateOffers), Expect.posted(.allOffersDelivered)]) {
      $0.posted()
    }
    // Enqueued into an empty queue while the offer is in flight: `vmbus_resched` schedules a
    // run all the same.
    h.expect(.post(.unload), Expect.received(.unload)) {
      $0.queue(.unload)
      $0.pendingRuns += 1
    }
    // `sint_msg_bh` runs before that run (both in one `aio_bh_poll` slice, newest first).
    h.expect(.deliver(status: DeliveryStatus.noMessagePage), [Expect.callback(-6)]) {
      $0.resetBus()
    }
    #expect(h.state.pendingRuns == 1 && h.state.rxQueue.count == 1 && !h.state.hasRoute)
    h.expect(.runBus, [Expect.processed(.unload)]) {
      $0.takeHead()
      $0.bus = .unload
    }
    h.expect(
      .runBus, [Expect.posted(.unloadResponse), Expect.fault(.postWithoutRoute(.unloadResponse))]
    ) {
      $0.posted()
      $0.flushQueue()
      $0.fault = .postWithoutRoute(.unloadResponse)
    }
    h.expectHalted(by: .postWithoutRoute(.unloadResponse))
  }

  @Test("§9.45 a fatal -6 after every scheduled run has run: nothing runs the queue again")
  func entry45_fatalDeliveryStallsTheQueue() {
    var h = HostHarness.withOpenChannel()
    h.send(.requestOffers)
    h.step(.runBus)
    h.step(.runBus)
    let close = ChannelMessage.closeChannel(CloseChannel(childRelid: Fixtures.firstChannel))
    h.expect(.post(close), Expect.received(close)) {
      $0.queue(close)
      $0.pendingRuns += 1
    }
    // The run finds the offer in flight and does nothing (`vmbus_do_run`).
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
    h.expect(.deliver(status: DeliveryStatus.noMessagePage), [Expect.callback(-6)]) {
      $0.resetBus()
    }
    #expect(h.state.pendingRuns == 0 && h.state.rxQueue.count == 1)
    h.expect(.runBus, [])

    // Enqueueing schedules only on empty -> non-empty: nothing runs the queue again.
    for _ in 2...16 {
      h.expect(.post(.requestOffers), Expect.received(.requestOffers)) { $0.queue(.requestOffers) }
    }
    h.expect(.runBus, [])
    h.expect(.post(.requestOffers), Expect.received(.requestOffers, status: .insufficientBuffers))
  }

  @Test(
    "§9.46 current QEMU: a machine reset with a reply in flight aborts in synic_reset, whose route list still holds the staged message's reference (hyperv_post_msg, kvm_arch_after_reset_vcpu)"
  )
  func entry46_currentQEMUAbortsAtTheReset() {
    var h = Self.offerInFlight()
    Self.expectAbortAtReset(&h, .routeAliveAtSynICReset(heldByMessage: true))

    // With nothing in flight the bus has dropped its route before the SynIC resets.
    var idle = HostHarness()
    idle.connect()
    idle.deliverAll()
    idle.expect(.resetMachine, [.simulator(.machineReset)]) { $0.resetBus() }
  }

  @Test(
    "§9.46 QEMU 7.1: the SynIC resets before the devices, so any reset with a SINT route aborts (64ddecc88b, fixed by 'hyperv: fix SynIC SINT assertion failure on guest reset')"
  )
  func entry46_qemu71AbortsOnAnyRoute() {
    let machine = MachineConfig(vcpuCount: 2, qemuRelease: .qemu71)
    var h = HostHarness(machine: machine)
    h.connect()
    h.deliverAll()
    #expect(h.state.hasRoute && !h.state.messageInFlight)
    Self.expectAbortAtReset(&h, .routeAliveAtSynICReset(heldByMessage: false))
    var unconnected = HostHarness(machine: machine)
    unconnected.expect(.resetMachine, [.simulator(.machineReset)]) { $0.resetBus() }
  }

  @Test(
    "§9.46 QEMU 5.1-7.0: an outside reset forgets the reply in flight; its late callback aborts or misfires"
  )
  func entry46_outsideResetForgetsTheReplyInFlight() {
    // Machine reset while OFFERCHANNEL is in flight; the late callback trips the assertion.
    let machine = MachineConfig(vcpuCount: 2, qemuRelease: .qemu51)
    var h = Self.offerInFlight(machine)
    h.expect(.resetMachine, [.simulator(.machineReset)]) { $0.resetBus() }
    h.expect(.deliver(status: 0), [Expect.fault(.callbackWithoutMessage)]) {
      $0.fault = .callbackWithoutMessage
    }
    h.expectHalted(by: .callbackWithoutMessage)

    // If the guest reconnected meanwhile, the late callback completes the new message.
    var raced = Self.offerInFlight(machine)
    raced.step(.resetMachine)
    raced.send(.initiateContact(Self.contact))
    raced.step(.runBus)
    raced.expect(.runBus, [Expect.posted(.versionResponse)]) { $0.posted() }
    raced.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.bus = .listen
    }
  }

  @Test(
    "§7.4 a device reset from outside the bus (beyond QEMU: nothing triggers one) aborts the reply's completion"
  )
  func deviceResetBeyondQEMUFindsNoObject() {
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
    h.expect(.post(.requestOffers), Expect.received(.requestOffers)) {
      $0.queue(.requestOffers)
      $0.pendingRuns += 1
    }
    h.expect(.post(.initiateContact(Self.contact)), Expect.received(.initiateContact(Self.contact)))
    {
      $0.queue(.initiateContact(Self.contact))
    }

    h.expect(.resetMachine, [.simulator(.machineReset)]) { $0.resetBus() }
    #expect(h.state.pendingRuns == 1 && h.state.rxQueue.count == 2)

    // REQUESTOFFERS now meets an uninitialized bus; INITIATE_CONTACT starts over.
    h.expect(.runBus, [Expect.processed(.requestOffers)]) { $0.takeHead() }
    h.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(Self.contact)]) {
      $0.takeHead()
      $0.version = .win10
      $0.targetVP = 0
      $0.bus = .handshake
    }
  }

  @Test(
    "§9.48 no reschedule is lost: vmbus_run's in_progress guard only bites a nested aio_poll, which no VMBus handler makes"
  )
  func entry48_runsAreNeverLost() {
    var h = HostHarness()
    h.connect()
    h.deliverAll()
    h.expect(.post(.requestOffers), Expect.received(.requestOffers)) {
      $0.queue(.requestOffers)
      $0.pendingRuns += 1
    }
    #expect(h.state.pendingRuns == 1)
    h.expect(.runBus, [Expect.processed(.requestOffers)]) {
      $0.takeHead()
      $0.bus = .offer
      $0.channels[0].offer = .sending
    }
  }

  /// Connected, REQUESTOFFERS taken, its OFFERCHANNEL posted and not yet delivered.
  static func offerInFlight(
    _ machine: MachineConfig = Fixtures.machine, sourceLocation: SourceLocation = #_sourceLocation
  ) -> HostHarness {
    var h = HostHarness(machine: machine, sourceLocation: sourceLocation)
    h.connect(sourceLocation: sourceLocation)
    h.send(.requestOffers, sourceLocation: sourceLocation)
    h.step(.runBus, sourceLocation: sourceLocation)
    h.step(.runBus, sourceLocation: sourceLocation)
    #expect(h.state.messageInFlight, sourceLocation: sourceLocation)
    return h
  }

  /// `synic_reset`'s assertion aborts QEMU inside the machine reset, after the bus reset.
  static func expectAbortAtReset(
    _ h: inout HostHarness, _ fault: HostFault, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    h.expect(
      .resetMachine, [.simulator(.machineReset), Expect.fault(fault)],
      sourceLocation: sourceLocation
    ) {
      $0.resetBus()
      $0.fault = fault
    }
    h.expectHalted(by: fault, sourceLocation: sourceLocation)
  }
}
