import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entries 23–25: GPADL_BODY.
@Suite("§9 GPADL body")
struct GpadlBodyTests {
  static let id = Fixtures.ringGpadl

  @Test("§9.23 a body for an unknown GPADL is ignored after its trace")
  func entry23_bodyForUnknownGpadlIsIgnored() {
    var h = HostHarness()
    h.connect()
    let unknown = GpadlID(0x55)

    h.send(.gpadlBody(GpadlBody(gpadlID: unknown, pfns: Fixtures.pfns(2))))
    h.expect(.runBus, [Expect.processed(.gpadlBody), .trace(.gpadlBody(gpadlID: unknown))]) {
      $0.takeHead()
    }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }

  /// A full GPADL with the tests' id.
  enum Full: String, CaseIterable, Sendable {
    case alive, zeroPage, tornDownButReferenced
  }

  @Test("§9.24 a body for a full GPADL trips QEMU's assertion", arguments: Full.allCases)
  func entry24_bodyForFullGpadlAborts(_ full: Full) {
    var h: HostHarness
    switch full {
    case .alive:
      h = HostHarness()
      h.connect()
      h.createGpadl()
    case .zeroPage:
      h = HostHarness()
      h.connect()
      h.createGpadl(pages: 0)
    case .tornDownButReferenced:
      h = HostHarness.withOpenChannel()
      h.teardownGpadl()
      #expect(h.state.gpadl(Self.id)?.state == .tornDown)
    }

    h.send(.gpadlBody(GpadlBody(gpadlID: Self.id, pfns: Fixtures.pfns(1))))
    h.expect(
      .runBus,
      [
        Expect.processed(.gpadlBody), .trace(.gpadlBody(gpadlID: Self.id)),
        Expect.fault(.bodyForFullGpadl(Self.id)),
      ]
    ) {
      $0.takeHead()
      $0.fault = .bodyForFullGpadl(Self.id)
    }
    h.expectHalted(by: .bodyForFullGpadl(Self.id))
  }

  @Test("§9.25 message_number is ignored: bodies are appended in arrival order")
  func entry25_messageNumberIsIgnored() {
    var h = HostHarness()
    h.connect()
    h.send(Fixtures.gpadlHeader(pages: 30))
    h.deliverAll()
    #expect(h.state.gpadl(Self.id)?.seenGfns == 26)

    for (number, seen) in [(UInt32(7), UInt32(28)), (3, 30)] {
      h.send(.gpadlBody(GpadlBody(messageNumber: number, gpadlID: Self.id, pfns: Fixtures.pfns(2))))
      h.expect(.runBus, [Expect.processed(.gpadlBody), .trace(.gpadlBody(gpadlID: Self.id))]) {
        $0.takeHead()
        $0.gpadls[0].seenGfns = seen
        if seen == 30 { $0.bus = .createGpadl }
      }
    }
    h.expect(.runBus, [.trace(.gpadlCreated(gpadlID: Self.id)), Expect.posted(.gpadlCreated)]) {
      $0.posted()
    }
  }
}
