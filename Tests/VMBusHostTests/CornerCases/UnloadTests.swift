import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 42–43: UNLOAD.
@Suite("§9 UNLOAD")
struct UnloadTests {
  /// How the bus came to have no SINT route.
  enum NoRoute: String, CaseIterable, Sendable {
    case beforeContact, afterCompletedUnload, afterFatalDelivery, afterMachineReset
    case afterFailedRouteSetUp
  }

  static func harness(_ situation: NoRoute) -> HostHarness {
    switch situation {
    case .beforeContact:
      return HostHarness()
    case .afterCompletedUnload:
      var h = HostHarness()
      h.connect()
      h.send(.unload)
      h.deliverAll()
      return h
    case .afterFatalDelivery:
      var h = HostHarness()
      h.connect()
      h.send(.requestOffers)
      h.step(.runBus)
      h.step(.runBus)
      h.step(.deliver(status: DeliveryStatus.noMessagePage))
      return h
    case .afterMachineReset:
      var h = HostHarness()
      h.connect()
      h.step(.resetMachine)
      return h
    case .afterFailedRouteSetUp:
      // VP 1 has no SynIC: the route fails, QEMU deinitialises and sends nothing.
      var h = HostHarness(machine: Fixtures.machineWithoutSynICOnVP1)
      h.connect(vcpu: 1)
      return h
    }
  }

  @Test(
    "§9.42 UNLOAD with no SINT route crashes QEMU when UNLOAD_RESPONSE is posted",
    arguments: NoRoute.allCases)
  func entry42_unloadWithoutRouteCrashes(_ situation: NoRoute) {
    var h = Self.harness(situation)
    #expect(!h.state.hasRoute && h.state.bus == .listen && !h.state.messageInFlight)

    h.expect(.post(.unload), Expect.received(.unload)) {
      $0.queue(.unload)
      $0.pendingRuns += 1
    }
    h.expect(.runBus, [Expect.processed(.unload)]) {
      $0.takeHead()
      $0.bus = .unload
    }
    h.expect(
      .runBus, [Expect.posted(.unloadResponse), Expect.fault(.postWithoutRoute(.unloadResponse))]
    ) {
      $0.posted()
      $0.fault = .postWithoutRoute(.unloadResponse)
    }
    h.expectHalted(by: .postWithoutRoute(.unloadResponse))
  }

  @Test("§9.43 messages queued behind UNLOAD are flushed; those arriving later survive the reset")
  func entry43_unloadFlushesTheQueue() {
    var h = HostHarness()
    h.connect()
    h.expect(.post(.unload), Expect.received(.unload)) {
      $0.queue(.unload)
      $0.pendingRuns += 1
    }
    let close = ChannelMessage.closeChannel(CloseChannel(childRelid: Fixtures.firstChannel))
    for message in [ChannelMessage.requestOffers, close] {
      h.expect(.post(message), Expect.received(message)) { $0.queue(message) }
    }

    h.expect(.runBus, [Expect.processed(.unload)]) {
      $0.takeHead()
      $0.bus = .unload
    }
    #expect(h.state.rxQueue.count == 2)
    let head = h.state.rxQueue.head
    // send_unload empties the queue (the head slot stays), though the guest got status 0.
    h.expect(.runBus, [Expect.posted(.unloadResponse)]) {
      $0.flushQueue()
      $0.posted()
    }
    #expect(h.state.rxQueue.isEmpty && h.state.rxQueue.head == head)

    // Arrives while UNLOAD_RESPONSE is in flight, but an -EAGAIN retry flushes it too.
    let contact = ChannelMessage.initiateContact(
      InitiateContact(versionRequested: .win10, targetVCPU: 0))
    h.expect(.post(contact), Expect.received(contact)) {
      $0.queue(contact)
      $0.pendingRuns += 1
    }
    h.expect(.deliver(status: DeliveryStatus.slotBusy), [Expect.callback(-11)]) { $0.delivered() }
    h.expect(.runBus, [Expect.posted(.unloadResponse)]) {
      $0.flushQueue()
      $0.posted()
    }

    // Arrives while the retry is in flight: kept, and handled after the reset.
    h.expect(.post(contact), Expect.received(contact)) {
      $0.queue(contact)
      $0.pendingRuns += 1
    }
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.resetBus()
    }
    guard case .initiateContact(let message) = contact else { return }
    h.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(message)]) {
      $0.takeHead()
      $0.version = .win10
      $0.targetVP = 0
      $0.bus = .handshake
    }
  }
}
