import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 12 and 13 (and §3.2 step 6) under `--host hardened`: a contact the
/// host cannot route is refused with VERSION_RESPONSE(version_supported 0) on VP 0.
@Suite("hardened: version negotiation")
struct HardenedVersionTests {
  /// Sends `contact` to a connected hardened host and expects the full reset, then a refusal
  /// posted on VP 0 and delivered; the bus stays uninitialized with its route on VP 0.
  static func expectRefusal(
    _ contact: InitiateContact, machine: MachineConfig = Fixtures.machine,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var h = HostHarness.withOpenChannel(profile: .hardened, machine: machine)
    h.send(.initiateContact(contact), sourceLocation: sourceLocation)
    h.expect(
      .runBus, [Expect.processed(.initiateContact), Expect.initiateContact(contact)],
      sourceLocation: sourceLocation
    ) {
      $0.takeHead()
      $0.resetBus()
      // The requested version is not stored; the reply takes the route to VP 0.
      $0.targetVP = 0
      $0.bus = .handshake
    }
    h.expect(.runBus, [Expect.posted(.versionResponse)], sourceLocation: sourceLocation) {
      $0.posted()
    }
    #expect(
      h.state.outgoingMessage
        == .versionResponse(VersionResponse(versionSupported: 0, connectionState: 0)),
      sourceLocation: sourceLocation)
    h.expect(.deliver(status: 0), [Expect.callback()], sourceLocation: sourceLocation) {
      $0.delivered()
      $0.bus = .listen
    }
    #expect(h.state.isAlive && !h.state.isInitialized, sourceLocation: sourceLocation)

    // The guest can try again on a VP that exists.
    h.connect(sourceLocation: sourceLocation)
    #expect(h.state.isInitialized && h.state.targetVP == 0, sourceLocation: sourceLocation)
  }

  @Test("§9.12 target vCPU 0xFFFFFFFF is refused with version_supported 0 on VP 0, no crash")
  func entry12_noTargetVCPUIsRefused() {
    Self.expectRefusal(InitiateContact(versionRequested: .win10, targetVCPU: 0xFFFF_FFFF))
  }

  @Test(
    "§9.13 a target vCPU that does not exist is refused with version_supported 0 on VP 0",
    arguments: [UInt32(2), 7, 0xFFFF_FFFE])
  func entry13_nonexistentTargetVCPUIsRefused(_ vcpu: UInt32) {
    Self.expectRefusal(InitiateContact(versionRequested: .win10, targetVCPU: vcpu))
  }

  @Test("§3.2 step 6 a vCPU without SynIC is refused on VP 0 where QEMU sends no reply at all")
  func routeSetUpFailureIsRefused() {
    Self.expectRefusal(
      InitiateContact(versionRequested: .win10, targetVCPU: 1),
      machine: Fixtures.machineWithoutSynICOnVP1)
  }

  @Test("§9.13 with no vCPU able to take a message the contact is dropped silently, no crash")
  func contactWithNoReachableVCPUIsDropped() {
    let machine = MachineConfig(vcpuCount: 1, vcpusWithoutSynIC: [0])
    var h = HostHarness(profile: .hardened, machine: machine)
    let contact = InitiateContact(versionRequested: .win10, targetVCPU: 3)
    h.send(.initiateContact(contact))
    h.expect(.runBus, [Expect.processed(.initiateContact), Expect.initiateContact(contact)]) {
      $0.takeHead()
    }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
    #expect(h.state.isAlive)
  }
}
