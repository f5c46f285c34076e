import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 45–48 and §7.4 under `--host hardened`: no delivery failure, stray
/// callback, reset or nested run leaves the bus stalled or aborts it.
@Suite("hardened: delivery failures and resets")
struct HardenedDeliveryTests {
  static let contact = InitiateContact(versionRequested: .win10, targetVCPU: 0)

  @Test("§9.45 a missing message page (-6) resets the bus and reschedules: the queue drains")
  func entry45_fatalDeliveryReschedules() {
    var h = HostHarness.withOpenChannel(profile: .hardened)
    h.send(.requestOffers)
    h.step(.runBus)
    h.expect(.runBus, [.trace(.terminateOffers), Expect.posted(.allOffersDelivered)]) {
      $0.posted()
    }
    h.expect(.post(.initiateContact(Self.contact)), Expect.received(.initiateContact(Self.contact)))
    {
      $0.queue(.initiateContact(Self.contact))
      $0.pendingRuns += 1
    }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }

    h.expect(.deliver(status: DeliveryStatus.noMessagePage), [Expect.callback(-6)]) {
      $0.resetBus()
      $0.pendingRuns += 1
    }
    // The queued contact is handled: the guest (a kexec'd kernel, say) can connect again.
    h.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(Self.contact)]) {
      $0.takeHead()
      $0.version = .win10
      $0.targetVP = 0
      $0.bus = .handshake
    }
  }

  @Test("§9.46 a late callback after an outside reset is ignored, no abort")
  func entry46_lateCallbackIsIgnored() {
    var h = HostHarness(profile: .hardened)
    h.connect()
    h.send(.requestOffers)
    h.step(.runBus)
    h.step(.runBus)
    #expect(h.state.messageInFlight)
    h.expect(.resetMachine, [.simulator(.machineReset)]) {
      $0.resetBus()
      $0.pendingRuns += 1
    }
    h.expect(.deliver(status: 0), [])
    h.expect(.deliver(status: DeliveryStatus.noMessagePage), [])
    #expect(h.state.isAlive)
  }

  @Test(
    "§9.46 a device reset while OPENCHANNEL_RESULT is owed keeps the channel OPENING: no abort"
  )
  func entry46_deviceResetKeepsTheOwedResult() {
    // The result is in flight: its completion finds the channel and sets it INIT.
    var h = HostHarness(profile: .hardened)
    h.connect()
    h.createGpadl()
    h.send(Fixtures.openChannel())
    h.step(.runBus)
    h.step(.runBus)
    #expect(h.state.messageInFlight && h.state.bus == .openChannel)
    let request = Fixtures.openRequest()
    h.expect(
      .resetDevice(instanceID: Fixtures.balloon.instanceID),
      [.simulator(.deviceReset(instanceID: Fixtures.balloon.instanceID))]
    ) {
      // The host side is closed (the GPADL reference dropped), the reply still owed.
      $0.channels[0].state = .opening(request, hostOpen: false)
      $0.gpadls[0].refcount = 1
    }
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.channels[0].state = .initial
      $0.bus = .listen
    }

    // After -11 the send function finds the channel and sends status 1.
    var retried = HostHarness(profile: .hardened)
    retried.connect()
    retried.createGpadl()
    retried.send(Fixtures.openChannel())
    retried.step(.runBus)
    retried.step(.runBus)
    retried.step(.resetDevice(instanceID: Fixtures.balloon.instanceID))
    retried.expect(.deliver(status: DeliveryStatus.slotBusy), [Expect.callback(-11)]) {
      $0.delivered()
    }
    retried.expect(
      .runBus,
      [
        .trace(.channelOpen(chanID: Fixtures.firstChannel, status: 1)),
        Expect.posted(.openChannelResult),
      ]
    ) { $0.posted() }
    #expect(
      retried.state.outgoingMessage
        == .openChannelResult(
          OpenChannelResult(childRelid: Fixtures.firstChannel, openID: Fixtures.openID, status: 1)))
    retried.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.channels[0].state = .initial
      $0.bus = .listen
    }
  }

  @Test("§9.47 a reset with a reply in flight reschedules, so the queue behind it is handled")
  func entry47_resetReschedules() {
    var h = HostHarness(profile: .hardened)
    h.connect()
    h.send(.requestOffers)
    h.step(.runBus)
    h.step(.runBus)
    #expect(h.state.messageInFlight && h.state.pendingRuns == 0)
    // Arrives while the offer is in flight: queued, and a run scheduled that will find the
    // offer still in flight.
    h.expect(.post(.initiateContact(Self.contact)), Expect.received(.initiateContact(Self.contact)))
    {
      $0.queue(.initiateContact(Self.contact))
      $0.pendingRuns += 1
    }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }

    h.expect(.resetMachine, [.simulator(.machineReset)]) {
      $0.resetBus()
      $0.pendingRuns += 1
    }
    h.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(Self.contact)]) {
      $0.takeHead()
      $0.version = .win10
      $0.targetVP = 0
      $0.bus = .handshake
    }
  }
}
