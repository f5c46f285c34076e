import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 17–22: GPADL_HEADER.
@Suite("§9 GPADL header")
struct GpadlHeaderTests {
  static let id = Fixtures.ringGpadl

  /// Four PFNs under a range descriptor QEMU does not support.
  static let badShapes: [GpadlHeader] = [
    // rangecount 2: num_gfns = (48 - 2 * 8) / 8 = 4.
    GpadlHeader(
      childRelid: Fixtures.firstChannel, gpadlID: id, rangeBufferLength: 48, rangeCount: 2,
      byteCount: 4 * 4096, byteOffset: 0, pfns: Fixtures.pfns(4)),
    GpadlHeader(
      childRelid: Fixtures.firstChannel, gpadlID: id, rangeBufferLength: 40, rangeCount: 1,
      byteCount: 4 * 4096, byteOffset: 16, pfns: Fixtures.pfns(4)),
    GpadlHeader(
      childRelid: Fixtures.firstChannel, gpadlID: id, rangeBufferLength: 40, rangeCount: 1,
      byteCount: 3 * 4096, byteOffset: 0, pfns: Fixtures.pfns(4)),
    GpadlHeader(
      childRelid: Fixtures.firstChannel, gpadlID: id, rangeBufferLength: 40, rangeCount: 1,
      byteCount: 4 * 4096 - 1, byteOffset: 0, pfns: Fixtures.pfns(4)),
  ]

  @Test(
    "§9.17 GPADL header with rangecount != 1, byte_offset != 0 or a bad byte_count is ignored after its trace",
    arguments: badShapes)
  func entry17_headerWithBadShapeIsIgnored(_ header: GpadlHeader) {
    var h = HostHarness()
    h.connect()

    h.send(.gpadlHeader(header))
    h.expect(
      .runBus, [Expect.processed(.gpadlHeader), .trace(.gpadlHeader(gpadlID: Self.id, numGfns: 4))]
    ) { $0.takeHead() }
    // No GPADL_CREATED: the guest waits forever.
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }

  /// Where an existing GPADL with the tests' id stands.
  enum Existing: String, CaseIterable, Sendable {
    case incomplete, alive, tornDownButReferenced
  }

  @Test(
    "§9.18 a header for an existing GPADL id is ignored after its trace",
    arguments: Existing.allCases)
  func entry18_duplicateGpadlIDIsIgnored(_ existing: Existing) {
    var h: HostHarness
    switch existing {
    case .incomplete:
      h = HostHarness()
      h.connect()
      h.send(Fixtures.gpadlHeader(pages: 30))
      h.deliverAll()
    case .alive:
      h = HostHarness()
      h.connect()
      h.createGpadl()
    case .tornDownButReferenced:
      h = HostHarness.withOpenChannel()
      h.teardownGpadl()
      #expect(h.state.gpadl(Self.id)?.state == .tornDown)
    }

    h.send(Fixtures.gpadlHeader(pages: 2))
    h.expect(
      .runBus, [Expect.processed(.gpadlHeader), .trace(.gpadlHeader(gpadlID: Self.id, numGfns: 2))]
    ) { $0.takeHead() }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }

  @Test(
    "§9.19 range_buflen under 8 wraps num_gfns to 0xFFFFFFFF; with byte_count 0xFFFFF000 it is accepted",
    arguments: [UInt16(0), 7])
  func entry19_wrappedPageCountIsAccepted(_ rangeBufferLength: UInt16) {
    var h = HostHarness()
    h.connect()
    let header = GpadlHeader(
      childRelid: Fixtures.firstChannel, gpadlID: Self.id, rangeBufferLength: rangeBufferLength,
      rangeCount: 1, byteCount: 0xFFFF_F000, byteOffset: 0, pfns: Fixtures.pfns(3))
    #expect(header.declaredPageCount == 0xFFFF_FFFF)

    h.send(.gpadlHeader(header))
    h.expect(
      .runBus,
      [Expect.processed(.gpadlHeader), .trace(.gpadlHeader(gpadlID: Self.id, numGfns: 65535))]
    ) {
      $0.takeHead()
      $0.gpadls = [
        Gpadl(
          id: Self.id, childRelid: Fixtures.firstChannel, numGfns: 0xFFFF_FFFF, seenGfns: 3)
      ]
    }
    // Not full, so no GPADL_CREATED.
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }

  @Test("§9.20 a zero-page GPADL is accepted and GPADL_CREATED is sent at once")
  func entry20_zeroPageGpadlIsCreatedAtOnce() {
    var h = HostHarness()
    h.connect()
    let header = Fixtures.gpadlHeader(pages: 0)

    h.send(header)
    h.expect(
      .runBus, [Expect.processed(.gpadlHeader), .trace(.gpadlHeader(gpadlID: Self.id, numGfns: 0))]
    ) {
      $0.takeHead()
      $0.gpadls = [Gpadl(id: Self.id, childRelid: Fixtures.firstChannel, numGfns: 0, seenGfns: 0)]
      $0.bus = .createGpadl
    }
    h.expect(.runBus, [.trace(.gpadlCreated(gpadlID: Self.id)), Expect.posted(.gpadlCreated)]) {
      $0.posted()
    }
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.gpadls[0].state = .alive
      $0.bus = .listen
    }
  }

  @Test("§9.21 PFNs past the declared count are ignored")
  func entry21_extraPFNsAreIgnored() {
    var h = HostHarness()
    h.connect()
    // Two pages declared, five PFNs carried.
    let header = GpadlHeader(
      childRelid: Fixtures.firstChannel, gpadlID: Self.id, rangeBufferLength: 24, rangeCount: 1,
      byteCount: 2 * 4096, byteOffset: 0, pfns: Fixtures.pfns(5))

    h.send(.gpadlHeader(header))
    h.expect(
      .runBus, [Expect.processed(.gpadlHeader), .trace(.gpadlHeader(gpadlID: Self.id, numGfns: 2))]
    ) {
      $0.takeHead()
      $0.gpadls = [Gpadl(id: Self.id, childRelid: Fixtures.firstChannel, numGfns: 2, seenGfns: 2)]
      $0.bus = .createGpadl
    }
    h.deliverAll()

    // The same in a body: 27 pages declared, 26 in the header, 3 in the body.
    let other = GpadlID(0x200)
    h.send(Fixtures.gpadlHeader(id: other, pages: 27))
    h.deliverAll()
    #expect(h.state.gpadl(other)?.seenGfns == 26)
    let body = ChannelMessage.gpadlBody(GpadlBody(gpadlID: other, pfns: Fixtures.pfns(3)))
    h.send(body)
    h.expect(.runBus, [Expect.processed(.gpadlBody), .trace(.gpadlBody(gpadlID: other))]) {
      $0.takeHead()
      $0.gpadls[0].seenGfns = 27
      $0.bus = .createGpadl
    }
  }

  @Test("§9.22 an unknown child_relid is accepted and echoed in GPADL_CREATED")
  func entry22_unknownChildRelidIsEchoed() {
    var h = HostHarness()
    h.connect()
    let stranger = ChannelID(999)

    h.send(Fixtures.gpadlHeader(pages: 2, childRelid: stranger))
    h.expect(
      .runBus, [Expect.processed(.gpadlHeader), .trace(.gpadlHeader(gpadlID: Self.id, numGfns: 2))]
    ) {
      $0.takeHead()
      $0.gpadls = [Gpadl(id: Self.id, childRelid: stranger, numGfns: 2, seenGfns: 2)]
      $0.bus = .createGpadl
    }
    h.expect(.runBus, [.trace(.gpadlCreated(gpadlID: Self.id)), Expect.posted(.gpadlCreated)]) {
      $0.posted()
    }
    #expect(
      h.state.outgoingMessage
        == .gpadlCreated(GpadlCreated(childRelid: stranger, gpadlID: Self.id, status: 0)))
  }
}
