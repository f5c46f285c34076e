import Testing
import VMBusWire

@testable import VMBusHost

/// Guest conversations the tests build on. Each drives the host until it is quiet again.
extension HostHarness {
  /// The guest posts `message` (HvPostMessage on connection 1); returns the events decided.
  @discardableResult
  mutating func send(
    _ message: ChannelMessage, sourceLocation: SourceLocation = #_sourceLocation
  ) -> [HostEvent] {
    step(.post(message), sourceLocation: sourceLocation)
  }

  /// Runs the bus and delivers each host message with status 0 until nothing happens.
  @discardableResult
  mutating func deliverAll(sourceLocation: SourceLocation = #_sourceLocation) -> [HostEvent] {
    var decided: [HostEvent] = []
    for _ in 0..<1000 {
      let input: HostInput = state.messageInFlight ? .deliver(status: 0) : .runBus
      let next = step(input, sourceLocation: sourceLocation)
      decided += next
      if next.isEmpty || !state.isAlive { return decided }
    }
    Issue.record("the host never went quiet", sourceLocation: sourceLocation)
    return decided
  }

  /// INITIATE_CONTACT for `version` on `vcpu`, answered and delivered.
  mutating func connect(
    version: ProtocolVersion = .win10, vcpu: UInt32 = 0, interruptPage: UInt64 = 0,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    send(
      .initiateContact(
        InitiateContact(
          versionRequested: version, targetVCPU: vcpu, interruptPage: interruptPage)),
      sourceLocation: sourceLocation)
    deliverAll(sourceLocation: sourceLocation)
  }

  /// REQUESTOFFERS, with every offer and ALLOFFERS_DELIVERED delivered.
  mutating func requestOffers(sourceLocation: SourceLocation = #_sourceLocation) {
    send(.requestOffers, sourceLocation: sourceLocation)
    deliverAll(sourceLocation: sourceLocation)
  }

  /// A page-aligned GPADL as Linux sends it (header, then bodies), each message handled and
  /// GPADL_CREATED delivered.
  mutating func createGpadl(
    id: GpadlID = Fixtures.ringGpadl, pages: Int = Fixtures.ringPages,
    childRelid: ChannelID = Fixtures.firstChannel,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let messages = GpadlHeader.pageAlignedMessages(
      childRelid: childRelid, gpadlID: id, pfns: Fixtures.pfns(pages))
    for message in messages {
      send(message, sourceLocation: sourceLocation)
      deliverAll(sourceLocation: sourceLocation)
    }
  }

  /// OPENCHANNEL, with its result delivered.
  mutating func open(
    _ channel: ChannelID = Fixtures.firstChannel, gpadl: GpadlID = Fixtures.ringGpadl,
    ringBufferOffset: UInt32 = Fixtures.ringOffset, targetVP: UInt32 = 0,
    openID: UInt32 = Fixtures.openID, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    send(
      Fixtures.openChannel(
        channel, gpadl: gpadl, ringBufferOffset: ringBufferOffset, targetVP: targetVP,
        openID: openID),
      sourceLocation: sourceLocation)
    deliverAll(sourceLocation: sourceLocation)
  }

  /// CLOSECHANNEL, handled (QEMU sends no reply).
  mutating func close(
    _ channel: ChannelID = Fixtures.firstChannel,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    send(.closeChannel(CloseChannel(childRelid: channel)), sourceLocation: sourceLocation)
    deliverAll(sourceLocation: sourceLocation)
  }

  /// GPADL_TEARDOWN, with GPADL_TORNDOWN delivered when QEMU sends one.
  mutating func teardownGpadl(
    _ id: GpadlID = Fixtures.ringGpadl, childRelid: ChannelID = Fixtures.firstChannel,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    send(
      .gpadlTeardown(GpadlTeardown(childRelid: childRelid, gpadlID: id)),
      sourceLocation: sourceLocation)
    deliverAll(sourceLocation: sourceLocation)
  }

  /// A connected guest that received the offers, built a ring GPADL and opened relid 1.
  static func withOpenChannel(
    profile: HostProfile = .qemu, machine: MachineConfig = Fixtures.machine,
    devices: [DeviceConfig] = [Fixtures.balloon], sourceLocation: SourceLocation = #_sourceLocation
  ) -> HostHarness {
    var harness = HostHarness(
      profile: profile, machine: machine, devices: devices, sourceLocation: sourceLocation)
    harness.connect(sourceLocation: sourceLocation)
    harness.requestOffers(sourceLocation: sourceLocation)
    harness.createGpadl(sourceLocation: sourceLocation)
    harness.open(sourceLocation: sourceLocation)
    return harness
  }
}
