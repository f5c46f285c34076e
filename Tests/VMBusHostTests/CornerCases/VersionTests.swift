import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 10–14: INITIATE_CONTACT and version negotiation.
@Suite("§9 version negotiation")
struct VersionTests {
  static let interruptPage: UInt64 = 0x7000

  @Test(
    "§9.10 an unsupported version is refused, but its route and stored version remain",
    arguments: [
      ProtocolVersion(rawValue: 0), .win10v4_1, .win10v5, .win10v6,
      ProtocolVersion(rawValue: 0xFFFF_FFFF),
    ])
  func entry10_unsupportedVersionIsRefused(_ version: ProtocolVersion) {
    var h = HostHarness()
    let contact = InitiateContact(
      versionRequested: version, targetVCPU: 1, interruptPage: Self.interruptPage)
    h.expect(.post(.initiateContact(contact)), Expect.received(.initiateContact(contact))) {
      $0.queue(.initiateContact(contact))
      $0.pendingRuns += 1
    }
    h.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(contact)]) {
      $0.takeHead()
      $0.version = version
      $0.targetVP = 1
      $0.interruptPage = version < .win8 ? Self.interruptPage : 0
      $0.bus = .handshake
    }
    h.expect(.runBus, [Expect.posted(.versionResponse)]) { $0.posted() }
    #expect(
      h.state.outgoingMessage
        == .versionResponse(VersionResponse(versionSupported: 0, connectionState: 0)))
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.bus = .listen
    }
    #expect(h.state.hasRoute && !h.state.isInitialized)

    // Still uninitialized: REQUESTOFFERS is ignored after its process trace.
    h.expect(.post(.requestOffers), Expect.received(.requestOffers)) {
      $0.queue(.requestOffers)
      $0.pendingRuns += 1
    }
    h.expect(.runBus, [Expect.processed(.requestOffers)]) { $0.takeHead() }

    // UNLOAD still works: the route exists.
    h.send(.unload)
    h.expect(.runBus, [Expect.processed(.unload)]) {
      $0.takeHead()
      $0.bus = .unload
    }
    h.expect(.runBus, [Expect.posted(.unloadResponse)]) { $0.posted() }
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.resetBus()
    }
  }

  @Test(
    "§9.11 a nonexistent version in range is supported; below 2.4 the interrupt page is adopted",
    arguments: [
      ProtocolVersion(major: 0, minor: 1), ProtocolVersion(major: 1, minor: 7),
      ProtocolVersion(major: 2, minor: 3), ProtocolVersion(major: 2, minor: 7),
      ProtocolVersion(major: 3, minor: 9), ProtocolVersion(major: 2, minor: 65535),
    ])
  func entry11_inRangeVersionIsSupported(_ version: ProtocolVersion) {
    var h = HostHarness()
    let contact = InitiateContact(
      versionRequested: version, targetVCPU: 0, interruptPage: Self.interruptPage)
    h.send(.initiateContact(contact))
    h.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(contact)]) {
      $0.takeHead()
      $0.version = version
      $0.targetVP = 0
      $0.interruptPage = version.rawValue < 0x0002_0004 ? Self.interruptPage : 0
      $0.bus = .handshake
    }
    h.expect(.runBus, [Expect.posted(.versionResponse)]) { $0.posted() }
    #expect(
      h.state.outgoingMessage
        == .versionResponse(VersionResponse(versionSupported: 1, connectionState: 0)))
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.bus = .listen
    }

    // Negotiated: REQUESTOFFERS is acted on.
    h.send(.requestOffers)
    h.expect(.runBus, [Expect.processed(.requestOffers)]) {
      $0.takeHead()
      $0.bus = .offer
      $0.channels[0].offer = .sending
    }
  }

  @Test("§9.12 target vCPU 0xFFFFFFFF creates no route and the VERSION_RESPONSE post crashes")
  func entry12_noTargetVCPUCrashesOnVersionResponse() {
    var h = HostHarness()
    h.connect()
    let contact = InitiateContact(versionRequested: .win10, targetVCPU: 0xFFFF_FFFF)
    h.send(.initiateContact(contact))
    h.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(contact)]) {
      $0.takeHead()
      $0.targetVP = HostState.noVP
      $0.bus = .handshake
    }
    h.expect(
      .runBus,
      [Expect.posted(.versionResponse), Expect.fault(.postWithoutRoute(.versionResponse))]
    ) {
      $0.posted()
      $0.fault = .postWithoutRoute(.versionResponse)
    }
    h.expectHalted(by: .postWithoutRoute(.versionResponse))
  }

  @Test("§9.13 a target vCPU that does not exist crashes QEMU while creating the route")
  func entry13_nonexistentTargetVCPUCrashes() {
    var h = HostHarness()
    h.connect()
    let contact = InitiateContact(versionRequested: .win10, targetVCPU: 2)
    h.send(.initiateContact(contact))
    // The reset and the stores happen before `vmbus_init` looks the vCPU up.
    h.expect(
      .runBus,
      [
        Expect.processed(.initiateContact), Expect.initiateContact(contact),
        Expect.fault(.unknownVCPU(2)),
      ]
    ) {
      $0.takeHead()
      $0.targetVP = 2
      $0.bus = .handshake
      $0.fault = .unknownVCPU(2)
    }
    h.expectHalted(by: .unknownVCPU(2))
  }

  @Test("§9.14 INITIATE_CONTACT while connected silently resets everything but the rx queue")
  func entry14_initiateContactWhileConnectedResetsSilently() {
    var h = HostHarness.withOpenChannel()
    let contact = InitiateContact(versionRequested: .win8_1, targetVCPU: 1)
    h.expect(.post(.initiateContact(contact)), Expect.received(.initiateContact(contact))) {
      $0.queue(.initiateContact(contact))
      $0.pendingRuns += 1
    }
    h.expect(.post(.requestOffers), Expect.received(.requestOffers)) { $0.queue(.requestOffers) }

    h.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(contact)]) {
      $0.takeHead()
      $0.resetBus()
      $0.version = .win8_1
      $0.targetVP = 1
      $0.bus = .handshake
    }
    #expect(h.state.gpadls.isEmpty)
    #expect(h.state.rxQueue.first?.type == .requestOffers)

    h.expect(.runBus, [Expect.posted(.versionResponse)]) { $0.posted() }
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.bus = .listen
    }
    // The REQUESTOFFERS queued behind it is handled under the new version: offered again.
    h.expect(.runBus, [Expect.processed(.requestOffers)]) {
      $0.takeHead()
      $0.bus = .offer
      $0.channels[0].offer = .sending
    }
  }
}
