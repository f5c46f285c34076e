import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 8–9: the handlers' length and negotiation checks.
@Suite("§9 length and initialization checks")
struct LengthTests {
  /// Each guest-to-host type with a minimum, built at full length.
  static let handledMessages: [ChannelMessage] = [
    .initiateContact(InitiateContact(versionRequested: .win10, targetVCPU: 0)),
    Fixtures.gpadlHeader(pages: 1),
    .gpadlBody(GpadlBody(gpadlID: Fixtures.ringGpadl, pfns: [])),
    .gpadlTeardown(GpadlTeardown(childRelid: Fixtures.firstChannel, gpadlID: Fixtures.ringGpadl)),
    Fixtures.openChannel(),
    .closeChannel(CloseChannel(childRelid: Fixtures.firstChannel)),
  ]

  @Test(
    "§9.8 a payload one byte short of its type's minimum gets only the process trace",
    arguments: handledMessages)
  func entry8_shortTypeSpecificPayloadIsDropped(_ message: ChannelMessage) {
    var h = HostHarness()
    h.connect()
    h.requestOffers()
    h.createGpadl()
    h.open()

    let minimum = message.type.minimumLength
    let short = GuestHypercall(payload: Array(message.encoded().prefix(minimum - 1)))
    #expect(short.payloadSize == UInt32(minimum - 1))
    h.expect(.hypercall(short), Expect.received(short)) {
      $0.queue(short)
      $0.pendingRuns += 1
    }
    h.expect(.runBus, [Expect.processed(message.type)]) { $0.takeHead() }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }

  @Test(
    "§9.9 REQUESTOFFERS, GPADL, OPEN and CLOSE before negotiation get only the process trace",
    arguments: [ChannelMessage.requestOffers] + handledMessages.dropFirst())
  func entry9_commandsBeforeNegotiationAreIgnored(_ message: ChannelMessage) {
    var h = HostHarness()

    h.expect(.post(message), Expect.received(message)) {
      $0.queue(message)
      $0.pendingRuns += 1
    }
    h.expect(.runBus, [Expect.processed(message.type)]) { $0.takeHead() }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }
}
