import Testing
import VMBusWire

@testable import VMBusHost

/// Reference §9 entry 9 under `--host hardened`: a request that expects a reply, handled
/// before a version was negotiated, is answered as a failure instead of dropped.
@Suite("hardened: requests before negotiation")
struct HardenedInitializationTests {
  /// A request with a reply, and what the hardened host answers.
  enum Request: String, CaseIterable, Sendable {
    case requestOffers, gpadlHeader, gpadlTeardown, openChannel

    var message: ChannelMessage {
      switch self {
      case .requestOffers: .requestOffers
      case .gpadlHeader: Fixtures.gpadlHeader()
      case .gpadlTeardown: GpadlTeardownTests.teardown(Fixtures.ringGpadl)
      case .openChannel: Fixtures.openChannel()
      }
    }

    /// The failure reply owed; nil for REQUESTOFFERS, answered by the offer run itself.
    var reply: FailureReply? {
      switch self {
      case .requestOffers: nil
      case .gpadlHeader:
        .gpadlRefused(childRelid: Fixtures.firstChannel, gpadlID: Fixtures.ringGpadl)
      case .gpadlTeardown: .gpadlTorndown(Fixtures.ringGpadl)
      case .openChannel: .openRefused(childRelid: Fixtures.firstChannel, openID: Fixtures.openID)
      }
    }
  }

  /// Where the bus stands before the request.
  enum Situation: String, CaseIterable, Sendable {
    /// No contact yet: no route, so the reply takes the default route to VP 0.
    case beforeContact
    /// An unsupported version left its route to VP 1 (§9.10): the reply takes that route.
    case afterRefusedVersion
  }

  @Test(
    "§9.9 a request before negotiation gets its failure reply (no handler trace) instead of nothing",
    arguments: Request.allCases, Situation.allCases)
  func entry9_requestBeforeNegotiationIsAnswered(_ request: Request, _ situation: Situation) {
    var h = HostHarness(profile: .hardened)
    if situation == .afterRefusedVersion {
      h.connect(version: .win10v5, vcpu: 1)
      #expect(h.state.targetVP == 1 && !h.state.isInitialized)
    }
    let route = situation == .beforeContact ? UInt32(0) : 1

    h.send(request.message)
    h.expect(.runBus, [Expect.processed(request.message.type)]) {
      $0.takeHead()
      $0.targetVP = route
      $0.failureReply = request.reply
      $0.bus = request.reply?.bus ?? .offer
    }
    let output = request.reply?.trace ?? .terminateOffers
    let posted = request.reply?.message.type ?? .allOffersDelivered
    h.expect(.runBus, [.trace(output), Expect.posted(posted)]) { $0.posted() }
    #expect(h.state.outgoingMessage == request.reply?.message ?? .allOffersDelivered)
    h.expect(.deliver(status: 0), [Expect.callback()]) {
      $0.delivered()
      $0.failureReply = nil
      $0.bus = .listen
    }
    // Nothing was created: the bus is still uninitialized and empty.
    #expect(h.state.gpadls.isEmpty && h.state.channels.allSatisfy { $0.state == .initial })
  }

  @Test(
    "§9.9 GPADL_BODY and CLOSECHANNEL before negotiation have no reply and stay ignored",
    arguments: [
      ChannelMessage.gpadlBody(GpadlBody(gpadlID: Fixtures.ringGpadl, pfns: Fixtures.pfns(2))),
      .closeChannel(CloseChannel(childRelid: Fixtures.firstChannel)),
    ])
  func entry9_messagesWithoutReplyStayIgnored(_ message: ChannelMessage) {
    var h = HostHarness(profile: .hardened)
    h.send(message)
    h.expect(.runBus, [Expect.processed(message.type)]) { $0.takeHead() }
    h.expect(.runBus, [.simulator(.busRunIdle)]) { $0.pendingRuns -= 1 }
  }
}
