import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 42 and 43 under `--host hardened`: UNLOAD is always answered, and
/// the messages queued behind it are kept.
@Suite("hardened: UNLOAD")
struct HardenedUnloadTests {
  /// How the bus came to have no SINT route. (A failed route set-up leaves one under
  /// `.hardened`: the refusal's route to VP 0; see `HardenedVersionTests`.)
  enum NoRoute: String, CaseIterable, Sendable {
    case beforeContact, afterCompletedUnload, afterFatalDelivery, afterMachineReset
  }

  static func harness(_ situation: NoRoute) -> HostHarness {
    var h = HostHarness(profile: .hardened)
    switch situation {
    case .beforeContact:
      break
    case .afterCompletedUnload:
      h.connect()
      h.send(.unload)
      h.deliverAll()
    case .afterFatalDelivery:
      h.connect()
      h.send(.requestOffers)
      h.step(.runBus)
      h.step(.runBus)
      h.step(.deliver(status: DeliveryStatus.noMessagePage))
    case .afterMachineReset:
      h.connect()
      h.step(.resetMachine)
    }
    return h
  }

  @Test(
    "§9.42 UNLOAD with no SINT route is answered on the default route to VP 0, no crash",
    arguments: NoRoute.allCases)
  func entry42_unloadWithoutRouteIsAnswered(_ situation: NoRoute) {
    var h = Self.harness(situation)
    #expect(!h.state.hasRoute && h.state.bus == .listen && !h.state.messageInFlight)

    h.expect(.post(.unload), Expect.received(.unload)) {
      $0.queue(.unload)
      $0.pendingRuns += 1
    }
    h.expect(.runBus, [Expect.processed(.unload)]) {
      $0.takeHead()
      $0.targetVP = 0
      $0.bus = .unload
    }
    h.expect(.runBus, [Expect.posted(.unloadResponse)]) { $0.posted() }
    #expect(h.state.outgoingMessage == .unloadResponse)
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.resetBus()
    }
    #expect(h.state.isAlive && !h.state.hasRoute)
  }

  @Test("§9.42 with no vCPU able to take a message, UNLOAD is dropped without a crash")
  func unloadWithNoReachableVCPUIsDropped() {
    var h = HostHarness(
      profile: .hardened, machine: MachineConfig(vcpuCount: 1, vcpusWithoutSynIC: [0]))
    h.send(.unload)
    h.expect(.runBus, [Expect.processed(.unload)]) { $0.takeHead() }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
    #expect(h.state.isAlive)
  }

  @Test("§9.43 messages queued behind UNLOAD are kept and handled after the reset")
  func entry43_unloadKeepsTheQueue() {
    var h = HostHarness(profile: .hardened)
    h.connect()
    h.expect(.post(.unload), Expect.received(.unload)) {
      $0.queue(.unload)
      $0.pendingRuns += 1
    }
    let contact = ChannelMessage.initiateContact(
      InitiateContact(versionRequested: .win10, targetVCPU: 0))
    for message in [ChannelMessage.requestOffers, contact] {
      h.expect(.post(message), Expect.received(message)) { $0.queue(message) }
    }

    h.expect(.runBus, [Expect.processed(.unload)]) {
      $0.takeHead()
      $0.bus = .unload
    }
    // No flush: the two messages the guest was told were accepted stay queued.
    h.expect(.runBus, [Expect.posted(.unloadResponse)]) { $0.posted() }
    #expect(h.state.rxQueue.count == 2)
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.resetBus()
    }

    // REQUESTOFFERS meets the reset bus: ALLOFFERS_DELIVERED alone, on the default route (§9.9).
    h.expect(.runBus, [Expect.processed(.requestOffers)]) {
      $0.takeHead()
      $0.targetVP = 0
      $0.bus = .offer
    }
    h.expect(.runBus, [.trace(.terminateOffers), Expect.posted(.allOffersDelivered)]) {
      $0.posted()
    }
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.bus = .listen
    }
    // INITIATE_CONTACT starts over.
    guard case .initiateContact(let message) = contact else { return }
    h.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(message)]) {
      $0.takeHead()
      $0.version = .win10
      $0.targetVP = 0
      $0.bus = .handshake
    }
  }
}
