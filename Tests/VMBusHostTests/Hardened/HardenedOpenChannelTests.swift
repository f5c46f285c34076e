import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 29, 30, 33 and 37 under `--host hardened`: every OPENCHANNEL gets an
/// OPENCHANNEL_RESULT, and the two crashing opens fail with status 1.
@Suite("hardened: OPENCHANNEL")
struct HardenedOpenChannelTests {
  static let chan = Fixtures.firstChannel
  static let ring = Fixtures.ringGpadl

  /// A hardened host, connected, offers delivered, the 4-page ring GPADL built.
  static func readyToOpen() -> HostHarness {
    var h = HostHarness(profile: .hardened)
    h.connect()
    h.requestOffers()
    h.createGpadl()
    return h
  }

  /// Expects the OPENCHANNEL `h` just queued for `relid` to be refused: its trace, then
  /// OPENCHANNEL_RESULT status 1 echoing relid and open id, delivered; no channel changes.
  static func expectRefused(
    _ h: inout HostHarness, relid: ChannelID, openID: UInt32 = Fixtures.openID,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    h.expect(
      .runBus,
      [
        Expect.processed(.openChannel),
        .trace(.openChannel(chanID: relid, gpadlID: Self.ring, targetVP: 0)),
      ], sourceLocation: sourceLocation
    ) {
      $0.takeHead()
      $0.failureReply = .openRefused(childRelid: relid, openID: openID)
      $0.bus = .openChannel
    }
    h.expect(
      .runBus, [.trace(.channelOpen(chanID: relid, status: 1)), Expect.posted(.openChannelResult)],
      sourceLocation: sourceLocation
    ) { $0.posted() }
    #expect(
      h.state.outgoingMessage
        == .openChannelResult(OpenChannelResult(childRelid: relid, openID: openID, status: 1)),
      sourceLocation: sourceLocation)
    h.expect(.deliver(status: 0), [Expect.callback()], sourceLocation: sourceLocation) {
      $0.delivered()
      $0.failureReply = nil
      $0.bus = .listen
    }
  }

  @Test(
    "§9.29 OPENCHANNEL for an unknown relid gets OPENCHANNEL_RESULT status 1",
    arguments: [UInt32(0), 2, 2047, 2048, 0xFFFF_FFFF])
  func entry29_openOfUnknownRelidIsRefused(_ relid: UInt32) {
    var h = Self.readyToOpen()
    let unknown = ChannelID(relid)
    h.send(Fixtures.openChannel(unknown))
    Self.expectRefused(&h, relid: unknown)
    #expect(h.state.channel(unknown) == nil)
  }

  @Test("§9.30 OPENCHANNEL for an open channel gets status 1 and the channel stays open")
  func entry30_openOfOpenChannelIsRefused() {
    var h = HostHarness.withOpenChannel(profile: .hardened)
    let gpadl = h.state.gpadl(Self.ring)

    h.send(Fixtures.openChannel(openID: 2))
    Self.expectRefused(&h, relid: Self.chan, openID: 2)
    #expect(h.state.channel(Self.chan)?.state == .open(Fixtures.openRequest()))
    #expect(h.state.gpadl(Self.ring) == gpadl)
  }

  @Test("§9.33 ring_buffer_offset 0xFFFFFFFF fails the ring check (no u32 wrap): status 1")
  func entry33_wrappedRingOffsetFails() throws {
    var h = Self.readyToOpen()
    let onePage = GpadlID(0x101)
    h.createGpadl(id: onePage, pages: 1)
    try OpenChannelTests.expectResult(
      &h, of: Fixtures.openChannel(gpadl: onePage, ringBufferOffset: 0xFFFF_FFFF), status: 1)
    try OpenChannelTests.expectResult(
      &h, of: Fixtures.openChannel(ringBufferOffset: 0xFFFF_FFFF), status: 1)
    // The channel is back in INIT and opens with a sane offset.
    try OpenChannelTests.expectResult(&h, of: Fixtures.openChannel(), status: 0)
  }

  @Test("§9.37 a target_vp with no vCPU fails the open with status 1", arguments: [UInt32(2), 7])
  func entry37_nonexistentTargetVPFails(_ vp: UInt32) throws {
    var h = Self.readyToOpen()
    try OpenChannelTests.expectResult(&h, of: Fixtures.openChannel(targetVP: vp), status: 1)
    #expect(h.state.gpadl(Self.ring)?.refcount == 1)
    try OpenChannelTests.expectResult(&h, of: Fixtures.openChannel(targetVP: 1), status: 0)
  }
}
