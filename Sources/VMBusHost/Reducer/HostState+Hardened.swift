import VMBusWire

/// The hardened profile's answers where QEMU crashes or stays silent (docs/hardened.md).
///
/// Each is decided by the handler (or `process_message`) from the queued payload and sent by
/// the bus state's run function with the output trace point QEMU uses for that reply.
extension HostState {
  /// The hardened host owes `reply`: its bus state sends it next.
  mutating func owe(_ reply: FailureReply) {
    failureReply = reply
    bus = reply.bus
  }

  /// Makes sure a reply can go out: with no SINT route, take the default route to the
  /// fallback VP. False when no VP can take a message, so there is no one to answer.
  mutating func takeDefaultRoute() -> Bool {
    if hasRoute { return true }
    guard let vp = fallbackVP else { return false }
    targetVP = vp
    return true
  }

  /// Hardened §9.12, §9.13 and a failed route set-up (§3.2 step 6): where QEMU crashes or
  /// stays silent, refuse with VERSION_RESPONSE(version_supported 0) on the fallback VP. The
  /// version is not stored, so the bus stays uninitialized. With no VP able to take a
  /// message, stay silent as QEMU does.
  mutating func refuseContact() {
    guard takeDefaultRoute() else { return }
    bus = .handshake
  }

  /// Hardened §9.9: a request that expects a reply, handled before a version was negotiated
  /// (QEMU drops it before its handler's trace), is answered as if it had failed: REQUESTOFFERS
  /// with ALLOFFERS_DELIVERED alone, GPADL_HEADER with GPADL_CREATED(failure), GPADL_TEARDOWN
  /// with GPADL_TORNDOWN, OPENCHANNEL with OPENCHANNEL_RESULT status 1, on the default route
  /// if there is no other. No handler trace fires: QEMU's fire only past this check. True
  /// when the message was answered; GPADL_BODY and CLOSECHANNEL have no reply to send.
  mutating func answerBeforeNegotiation(_ type: MessageType) -> Bool {
    guard let payload = handling?.payload, payload.count >= type.minimumLength else {
      return false
    }
    let reply: FailureReply?
    switch type {
    case .requestOffers:
      reply = nil
    case .gpadlHeader:
      guard let (header, _) = GpadlHeader.fixedPart(of: payload) else { return false }
      reply = .gpadlRefused(childRelid: header.childRelid, gpadlID: header.gpadlID)
    case .gpadlTeardown:
      guard let message = try? GpadlTeardown(decoding: payload) else { return false }
      reply = .gpadlTorndown(message.gpadlID)
    case .openChannel:
      guard let message = try? OpenChannel(decoding: payload) else { return false }
      reply = .openRefused(childRelid: message.childRelid, openID: message.openID)
    default:
      return false
    }
    guard takeDefaultRoute() else { return false }
    if let reply {
      owe(reply)
    } else {
      // No channel is marked SENDING, so the offer run sends only the terminator.
      bus = .offer
    }
    return true
  }
}
