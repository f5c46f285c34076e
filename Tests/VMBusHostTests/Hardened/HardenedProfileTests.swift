import Testing
import VMBusWire

@testable import VMBusHost

/// What makes the hardened profile a profile: it is chosen by `sim_machine_started`, and its
/// replies are violations in a fold that claims to be QEMU.
@Suite("hardened: profile")
struct HardenedProfileTests {
  @Test("the profile's raw value is \"hardened\"")
  func rawValue() {
    #expect(HostProfile(rawValue: "hardened") == .hardened)
    #expect(HostProfile.allCases == [.qemu, .hardened])
  }

  /// A hardened session with one failure reply of each kind.
  static func hardenedSession() -> [HostEvent] {
    var h = HostHarness(profile: .hardened)
    h.connect()
    h.send(.gpadlHeader(GpadlHeaderTests.badShapes[0]))
    h.deliverAll()
    h.teardownGpadl(GpadlID(0x77))
    h.open(ChannelID(9))
    return h.events
  }

  @Test("QEMU's profile folds the hardened replies as violations")
  func hardenedRepliesAreViolationsUnderQEMU() throws {
    let events = Self.hardenedSession()
    #expect(HostState.fold(events).violations.isEmpty)

    guard case .simulator(.machineStarted(_, let machine)) = try #require(events.first) else {
      Issue.record("the session does not start with sim_machine_started")
      return
    }
    var asQEMU = events
    asQEMU[0] = .simulator(.machineStarted(profile: .qemu, machine: machine))
    let rules = Set(HostState.fold(asQEMU).violations.map(\.violation.rule))
    #expect(rules.isSuperset(of: [.unknownGpadl, .channelOpenWithoutRequest]))
  }

  @Test("a failure reply is a state change and changes the digest; QEMU states keep theirs")
  func failureReplyIsVisible() {
    var h = HostHarness(profile: .hardened)
    h.connect()
    h.send(.gpadlHeader(GpadlHeaderTests.badShapes[0]))
    let before = h.state
    h.step(.runBus)
    let reply = FailureReply.gpadlRefused(
      childRelid: Fixtures.firstChannel, gpadlID: Fixtures.ringGpadl)
    #expect(h.state.changes(from: before).contains(.failureReply(reply)))
    var owing = h.state
    owing.failureReply = nil
    #expect(owing.digest.finalized != h.state.digest.finalized)
  }
}
