import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 15–16: REQUESTOFFERS.
@Suite("§9 offers")
struct OfferTests {
  @Test("§9.15 a second REQUESTOFFERS gets only ALLOFFERS_DELIVERED")
  func entry15_secondRequestGetsOnlyTheTerminator() {
    var h = HostHarness()
    h.connect()
    h.requestOffers()
    #expect(h.state.channels.map(\.offer) == [.sent])

    h.send(.requestOffers)
    h.expect(.runBus, [Expect.processed(.requestOffers)]) {
      $0.takeHead()
      $0.bus = .offer
    }
    h.expect(.runBus, [.trace(.terminateOffers), Expect.posted(.allOffersDelivered)]) {
      $0.posted()
    }
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.bus = .listen
    }
  }

  @Test("§9.16 REQUESTOFFERS with no devices gets only ALLOFFERS_DELIVERED")
  func entry16_requestWithNoDevicesGetsOnlyTheTerminator() {
    var h = HostHarness(devices: [])
    h.connect()

    h.send(.requestOffers)
    h.expect(.runBus, [Expect.processed(.requestOffers)]) {
      $0.takeHead()
      $0.bus = .offer
    }
    h.expect(.runBus, [.trace(.terminateOffers), Expect.posted(.allOffersDelivered)]) {
      $0.posted()
    }
    #expect(h.state.outgoingMessage == .allOffersDelivered)
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.bus = .listen
    }
  }
}
