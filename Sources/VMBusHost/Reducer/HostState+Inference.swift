import VMBusWire

/// Confirming or withdrawing a bare trace's guesses (docs/qemu-reference.md §8.4).
///
/// QEMU answers one command at a time: once a handler has run, the next main-loop trace point
/// is either that command's reply or, if there is none, the next run of LISTEN. So the first
/// main-loop event after a command settles what the trace did not say.
extension HostState {
  mutating func resolveInference(before event: TraceEvent, _ log: inout ViolationLog) {
    guard let pending = awaiting else { return }
    awaiting = nil
    switch pending {
    case .versionResponse:
      // No VERSION_RESPONSE: `vmbus_init` failed to set up the route and QEMU deinitialised.
      if case .postMsg(.versionResponse, _) = event { return }
      if bus == .handshake && !messageInFlight { deinitBus(&log) }

    case .gpadlCompletion(let id):
      // GPADL_CREATED next means the header or body filled it; anything else, not yet.
      guard case .gpadlCreated(id) = event, let index = gpadlIndex(id) else { return }
      gpadls[index].seenGfns = gpadls[index].numGfns
      gpadls[index].isAssumed = false
      if bus == .listen { bus = .createGpadl }

    case .teardownReply(let id):
      if case .gpadlTorndown(id) = event { return }
      // No reply: QEMU never had the GPADL (its header was ignored).
      if let index = gpadlIndex(id), gpadls[index].isAssumed { gpadls.remove(at: index) }
      if bus == .teardownGpadl { bus = .listen }

    case .openReply(let chan, let learned):
      if case .channelOpen(chan, _) = event { return }
      guard let index = channelIndex(chan) else { return }
      if learned {
        // No reply: no such channel.
        forgetChannel(chan)
      } else {
        log.add(.missingReply, "channel \(chan) was in INIT, so QEMU sends OPENCHANNEL_RESULT next")
        channels[index].state = .initial
      }
      if bus == .openChannel { bus = .listen }
    }
  }
}
