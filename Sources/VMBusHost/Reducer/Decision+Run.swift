import VMBusWire

/// Deciding one run of the bus bottom half (`vmbus_run`) and the delivery callback.
extension Decision {
  /// One scheduled `vmbus_run`: `vmbus_do_run` returns at once while a message is in flight,
  /// else the state's run function runs. A run that finds nothing to do still consumes its
  /// one-shot bottom half (`sim_bus_run_idle`). A failure reply the hardened host owes goes
  /// out first, with QEMU's trace point for that reply.
  mutating func run() {
    guard state.pendingRuns > 0 else { return }
    if state.messageInFlight
      || (state.bus == .listen && state.rxQueue.isEmpty && state.failureReply == nil)
    {
      return emit(.simulator(.busRunIdle))
    }
    if let reply = state.failureReply {
      emit(.trace(reply.trace))
      return postReply(reply.post)
    }
    switch state.bus {
    case .listen: processHead()
    case .handshake:
      postReply(.versionResponse)
    case .offer:
      if let channel = state.channels.first(where: { $0.offer == .sending }) {
        emit(.trace(.sendOffer(chanID: channel.id, dev: channel.device)))
        postReply(.offerChannel)
      } else {
        emit(.trace(.terminateOffers))
        postReply(.allOffersDelivered)
      }
    case .createGpadl:
      guard let gpadl = state.gpadls.first(where: { $0.isFull && $0.state == .initial }) else {
        return noObject(.createGpadl)
      }
      emit(.trace(.gpadlCreated(gpadlID: gpadl.id)))
      postReply(.gpadlCreated)
    case .teardownGpadl:
      guard let gpadl = state.gpadls.first(where: { $0.state == .tearingDown }) else {
        return noObject(.teardownGpadl)
      }
      emit(.trace(.gpadlTorndown(gpadlID: gpadl.id)))
      postReply(.gpadlTorndown)
    case .openChannel:
      guard
        let channel = state.channels.first(where: {
          if case .opening = $0.state { true } else { false }
        })
      else { return noObject(.openChannel) }
      emit(.trace(.channelOpen(chanID: channel.id, status: channel.state.isOpen ? 0 : 1)))
      postReply(.openChannelResult)
    case .unload:
      postReply(.unloadResponse)
    }
  }

  /// `vmbus_msg_cb`: asserts a message is in flight, traces, and on success runs the state's
  /// complete function, which aborts like the send function when an outside reset took its
  /// object (docs/qemu-reference.md §4.1, §7.4). The hardened host ignores a callback with
  /// nothing in flight (§9.46) and completes nothing when there is nothing to complete.
  mutating func deliver(status: Int32) {
    guard state.messageInFlight else {
      if !state.isHardened { fault(.callbackWithoutMessage) }
      return
    }
    let bus = state.bus
    let completes = state.busStateHasObject
    emit(.trace(.msgCb(status: status)))
    if status == DeliveryStatus.delivered, !completes {
      noObject(bus)
    }
  }

  /// A send or complete function found nothing: QEMU aborts (`g_assert_not_reached`). The
  /// hardened host keeps its reply's object through a device reset (see `resetDevice`), so
  /// this is unreachable there; if it were reached it would send nothing rather than abort.
  private mutating func noObject(_ bus: BusState) {
    if !state.isHardened { fault(.noObjectForBusState(bus)) }
  }

  /// `post_msg`; without a SINT route `hyperv_post_msg` dereferences NULL.
  private mutating func postReply(_ reply: HostReply) {
    emit(.trace(.postMsg(type: reply.type, size: reply.size)))
    if !state.hasRoute { fault(.postWithoutRoute(reply.type)) }
  }

  /// `process_message`: trace, dispatch to the handler, whose own trace follows only past its
  /// length and negotiation checks; some handlers crash right after their trace.
  private mutating func processHead() {
    guard let head = state.rxQueue.first else { return }
    // Taking the head changes neither the negotiation, the GPADLs nor the channels, which
    // the checks below read.
    emit(.trace(.processIncomingMessage(messageType: head.type)))
    let payload = head.payload ?? []
    guard payload.count >= head.type.minimumLength else { return }
    let negotiated = state.isInitialized
    switch head.type {
    case .initiateContact:
      guard let message = try? InitiateContact(decoding: payload) else { return }
      let version = message.versionRequested
      // The hardened host refuses a VP it cannot route to instead (§9 entries 12 and 13).
      let crashes =
        !state.isHardened && message.targetVCPU != HostState.noVP
        && state.machine?.route(to: message.targetVCPU) == .crash
      emit(
        .trace(
          .initiateContact(
            major: version.major, minor: version.minor, vcpu: message.targetVCPU,
            monitorPage1: message.monitorPage1, monitorPage2: message.monitorPage2,
            interruptPage: message.interruptPage)))
      if crashes { fault(.unknownVCPU(message.targetVCPU)) }
    case .gpadlHeader:
      guard negotiated, let (message, _) = GpadlHeader.fixedPart(of: payload) else { return }
      emit(
        .trace(
          .gpadlHeader(
            gpadlID: message.gpadlID,
            numGfns: UInt16(truncatingIfNeeded: message.declaredPageCount))))
    case .gpadlBody:
      guard negotiated, let (message, _) = GpadlBody.fixedPart(of: payload) else { return }
      // The hardened host ignores a body for a full GPADL after its trace (§9 entry 24).
      let full = state.gpadl(message.gpadlID)?.isFull == true && !state.isHardened
      emit(.trace(.gpadlBody(gpadlID: message.gpadlID)))
      if full { fault(.bodyForFullGpadl(message.gpadlID)) }
    case .gpadlTeardown:
      guard negotiated, let message = try? GpadlTeardown(decoding: payload) else { return }
      emit(.trace(.gpadlTeardown(gpadlID: message.gpadlID)))
    case .openChannel:
      guard negotiated, let message = try? OpenChannel(decoding: payload) else { return }
      let request = OpenRequest(
        gpadlID: message.ringBufferGpadlID, targetVP: message.targetVP,
        openID: message.openID, ringBufferOffset: message.ringBufferOffset)
      var crash: HostFault?
      if let channel = state.channel(message.childRelid), channel.state == .initial,
        case .crashes(let fault) = state.openAttempt(channel, request)
      {
        crash = fault
      }
      emit(
        .trace(
          .openChannel(
            chanID: message.childRelid, gpadlID: message.ringBufferGpadlID,
            targetVP: message.targetVP)))
      if let crash { fault(crash) }
    case .closeChannel:
      guard negotiated, let message = try? CloseChannel(decoding: payload) else { return }
      emit(.trace(.closeChannel(chanID: message.childRelid)))
    default:
      break
    }
  }
}
