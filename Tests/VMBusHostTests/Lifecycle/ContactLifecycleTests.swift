import Testing
import VMBusWire

@testable import VMBusHost

/// INITIATE_CONTACT step by step: each input, its exact events and its exact state change.
@Suite("Lifecycle: contact and version negotiation")
struct ContactLifecycleTests {
  static let contact = InitiateContact(
    versionRequested: .win10, targetVCPU: 1, interruptPage: 0x3000, monitorPage1: 0x1000,
    monitorPage2: 0x2000)

  @Test("a supported version: queued, handled, answered with version_supported 1, delivered")
  func supportedVersion() {
    var host = HostHarness()
    let message = ChannelMessage.initiateContact(Self.contact)
    host.expect(.post(message), Expect.received(message)) {
      $0.rxQueue.enqueue(.queued(message))
      $0.pendingRuns += 1
    }
    host.expect(
      .runBus, [Expect.processed(.initiateContact), Expect.initiateContact(Self.contact)]
    ) {
      $0.handling = $0.rxQueue.dequeue()
      $0.version = .win10
      $0.targetVP = 1
      $0.bus = .handshake
    }
    host.expect(.runBus, [Expect.posted(.versionResponse)]) {
      $0.messageInFlight = true
      $0.pendingRuns -= 1
    }
    #expect(
      host.state.outgoingMessage
        == .versionResponse(VersionResponse(versionSupported: 1, connectionState: 0)))
    host.expect(.deliver(status: 0), [Expect.callback(0)]) {
      $0.bus = .listen
      $0.messageInFlight = false
      $0.pendingRuns += 1
    }
    host.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }

  @Test("WIN7 adopts the interrupt page; WIN8 and later ignore it")
  func interruptPageBelowWin8() {
    for (version, adopted) in [(ProtocolVersion.win7, true), (.win8, false), (.ws2008, true)] {
      var host = HostHarness()
      var contact = Self.contact
      contact.versionRequested = version
      host.connect(version: version, vcpu: 1, interruptPage: contact.interruptPage)
      #expect(host.state.interruptPage == (adopted ? 0x3000 : 0), "\(version)")
      #expect(host.state.isInitialized)
    }
  }

  @Test("a refused version (4.1): version_supported 0, later requests silently ignored")
  func refusedVersion() {
    var host = HostHarness()
    var contact = Self.contact
    contact.versionRequested = .win10v4_1
    host.send(.initiateContact(contact))
    host.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(contact)]) {
      $0.handling = $0.rxQueue.dequeue()
      $0.version = .win10v4_1
      $0.targetVP = 1
      $0.bus = .handshake
    }
    host.step(.runBus)
    #expect(
      host.state.outgoingMessage
        == .versionResponse(VersionResponse(versionSupported: 0, connectionState: 0)))
    host.step(.deliver(status: 0))
    #expect(!host.state.isInitialized && host.state.hasRoute)
    host.send(.requestOffers)
    host.expect(.runBus, [Expect.processed(.requestOffers)]) {
      $0.handling = $0.rxQueue.dequeue()
    }
    #expect(host.state.bus == .listen)
  }

  @Test("Linux's 5.x attempts on connection id 4 never reach the bus")
  func connectionFourRefused() {
    var host = HostHarness()
    var contact = Self.contact
    contact.versionRequested = .win10v5_3
    let call = GuestHypercall.message(.initiateContact(contact), connectionID: 4)
    host.expect(
      .hypercall(call), [.simulator(.hypercall(call, status: .invalidConnectionID))]
    ) { _ in }
  }

  @Test("reconnect while connected: a silent full reset, then a new handshake")
  func reconnect() {
    var host = HostHarness.withOpenChannel()
    #expect(host.state.channels.first?.state.isOpen == true)
    let message = ChannelMessage.initiateContact(Self.contact)
    host.send(message)
    host.expect(
      .runBus, [Expect.processed(.initiateContact), Expect.initiateContact(Self.contact)]
    ) {
      $0.handling = $0.rxQueue.dequeue()
      $0.channels[0].state = .initial
      $0.channels[0].offer = .initial
      $0.gpadls = []
      $0.targetVP = 1
      $0.bus = .handshake
    }
    host.deliverAll()
    #expect(host.state.isInitialized && host.state.channels[0].offer == .initial)
  }
}
