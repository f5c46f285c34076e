import VMBusWire

/// Guest commands: `process_incoming_message` and the handlers' trace points.
///
/// Each handler trace fires before QEMU validates the request, so the effect is decided
/// here: from the queued payload when the session recorded it (a simulation), otherwise by
/// inference confirmed by the next host output (a bare trace; see ``TraceInference``).
extension HostState {
  /// `process_message`: dequeue the head, dispatch, reschedule. REQUESTOFFERS and UNLOAD
  /// have no trace of their own, so their effect is applied here.
  mutating func process(type: MessageType, _ log: inout ViolationLog) {
    if bus != .listen || messageInFlight {
      log.add(
        .processWhileBusy, "bus is in \(bus)\(messageInFlight ? " with a message in flight" : "")")
    }
    if let head = rxQueue.dequeue() {
      if head.type != type {
        log.add(.processTypeMismatch, "traced \(type.name), queue head is \(head.type.name)")
      }
      handling = QueuedMessage(type: type, size: head.size, payload: head.payload)
    } else {
      log.add(.processWithEmptyQueue, "no message was queued for \(type.name)")
      handling = QueuedMessage(type: type, size: 0)
    }
    // The run that processes consumes its bottom half and schedules the next one.
    pendingRuns = max(pendingRuns, 1)
    if isHardened && !isInitialized && answerBeforeNegotiation(type) { return }
    switch type {
    case .requestOffers:
      guard isInitialized else { return }
      if let next = channels.firstIndex(where: { $0.offer == .initial }) {
        channels[next].offer = .sending
      }
      bus = .offer
    case .unload:
      // Hardened §9.42: with no SINT route the reply takes the default route; if no VP can
      // take a message there is no one to answer, and nothing to reset (no route means the
      // bus was reset and no contact has succeeded since).
      if isHardened && !takeDefaultRoute() { return }
      bus = .unload
    default:
      break
    }
  }

  /// Checks that the handled message is of `type` and the bus is negotiated (when `needs`).
  private func checkCommand(
    _ type: MessageType, needsNegotiation: Bool = true, _ log: inout ViolationLog
  ) {
    if handling?.type != type {
      log.add(
        .commandWithoutProcess, "not preceded by process_incoming_message type \(type.rawValue)")
    }
    if needsNegotiation && !isInitialized {
      log.add(.commandBeforeNegotiation, "version \(version) is not negotiated")
    }
  }

  /// The payload of the handled message, when the session recorded it.
  private var handledPayload: [UInt8]? { handling?.payload }

  /// `handle_initiate_contact` after its trace: full reset, store, set up the route.
  mutating func initiateContact(
    version requested: ProtocolVersion, vcpu: UInt32, interruptPage page: UInt64,
    _ log: inout ViolationLog
  ) {
    checkCommand(.initiateContact, needsNegotiation: false, &log)
    let known = handledPayload != nil
    busReset(&log)
    if isHardened && !canRoute(to: vcpu) {
      refuseContact()
      return
    }
    targetVP = vcpu
    version = requested
    if requested.usesInterruptPage { interruptPage = page }
    bus = .handshake
    guard vcpu != Self.noVP else { return }  // no route: the VERSION_RESPONSE post faults
    if let machine {
      switch machine.route(to: vcpu) {
      case .created: break
      case .fails: deinitBus(&log)
      // `hyperv_find_vcpu` dereferences NULL (§9 entry 13); the hardened host refused above.
      case .crash: traceFault(.unknownVCPU(vcpu))
      }
    } else if !known {
      awaiting = .versionResponse
    }
  }

  /// `handle_gpadl_header` after its trace.
  mutating func gpadlHeader(_ id: GpadlID, tracedPages: UInt16, _ log: inout ViolationLog) {
    checkCommand(.gpadlHeader, &log)
    guard let payload = handledPayload else {
      assumeGpadlHeader(id, tracedPages: tracedPages)
      return
    }
    guard let (header, carried) = GpadlHeader.fixedPart(of: payload) else { return }
    let pages = header.declaredPageCount
    if UInt16(truncatingIfNeeded: pages) != tracedPages {
      log.add(.impossibleArgument, "num_gfns \(tracedPages), the payload declares \(pages)")
    }
    // `range_buflen < 8 * rangecount` wraps num_gfns (§9 entry 19); QEMU goes on with it.
    let wraps = UInt32(header.rangeBufferLength) < 8 * UInt32(header.rangeCount)
    guard header.rangeCount == 1, header.byteOffset == 0,
      header.byteCount == pages &<< 12, gpadlIndex(id) == nil, !(isHardened && wraps)
    else {
      // Hardened §9.17–19: refuse with GPADL_CREATED(failure); no GPADL is created.
      if isHardened { owe(.gpadlRefused(childRelid: header.childRelid, gpadlID: id)) }
      return
    }
    let copied = UInt32(min(UInt64(pages), UInt64(carried)))
    gpadls.insert(
      Gpadl(id: id, childRelid: header.childRelid, numGfns: pages, seenGfns: copied), at: 0)
    if copied == pages { bus = .createGpadl }
  }

  /// A bare trace's header: QEMU's shape check is invisible, so the GPADL is assumed until
  /// a host output confirms it. 65535 pages in the trace is QEMU's wrapped 0xFFFFFFFF.
  private mutating func assumeGpadlHeader(_ id: GpadlID, tracedPages: UInt16) {
    if let index = gpadlIndex(id) {
      let existing = gpadls[index]
      // An unconfirmed header may have been ignored by QEMU; a retry then really creates it.
      guard existing.isAssumed, existing.state == .initial else { return }
      gpadls.remove(at: index)
    }
    let pages = tracedPages == .max ? UInt32.max : UInt32(tracedPages)
    var gpadl = Gpadl(id: id, childRelid: nil, numGfns: pages, seenGfns: nil)
    gpadl.isAssumed = true
    gpadls.insert(gpadl, at: 0)
    awaiting = .gpadlCompletion(id)
  }

  /// `handle_gpadl_body` after its trace.
  mutating func gpadlBody(_ id: GpadlID, _ log: inout ViolationLog) {
    checkCommand(.gpadlBody, &log)
    guard let index = gpadlIndex(id) else { return }
    if gpadls[index].isFull {
      // `assert(num_gfns_left)` (§9 entry 24). A bare trace shows a GPADL full only once
      // GPADL_CREATED or a successful open confirmed it. The hardened host ignores the body.
      if !isHardened { traceFault(.bodyForFullGpadl(id)) }
      return
    }
    guard let payload = handledPayload, let seen = gpadls[index].seenGfns else {
      awaiting = .gpadlCompletion(id)
      return
    }
    guard let (_, carried) = GpadlBody.fixedPart(of: payload) else { return }
    let left = gpadls[index].numGfns - seen
    let taken = UInt32(min(UInt64(left), UInt64(carried)))
    gpadls[index].seenGfns = seen + taken
    if gpadls[index].isFull { bus = .createGpadl }
  }

  /// `handle_gpadl_teardown` after its trace.
  mutating func gpadlTeardown(_ id: GpadlID, _ log: inout ViolationLog) {
    checkCommand(.gpadlTeardown, &log)
    guard let index = gpadlIndex(id), gpadls[index].state != .tornDown else {
      // Hardened §9.26: answer anyway; the guest waits on GPADL_TORNDOWN by id alone.
      if isHardened { owe(.gpadlTorndown(id)) }
      return
    }
    gpadls[index].state = .tearingDown
    bus = .teardownGpadl
    if gpadls[index].isAssumed { awaiting = .teardownReply(id) }
  }

  /// `handle_open_channel` after its trace: store, attempt the host open, go OPENING.
  mutating func openChannel(
    _ chan: ChannelID, gpadl: GpadlID, vp: UInt32, _ log: inout ViolationLog
  ) {
    checkCommand(.openChannel, &log)
    guard let payload = handledPayload else {
      assumeOpenChannel(chan, request: OpenRequest(gpadlID: gpadl, targetVP: vp))
      return
    }
    guard let message = try? OpenChannel(decoding: payload) else { return }
    guard let index = channelIndex(chan), channels[index].state == .initial else {
      // Hardened §9.29, §9.30: refuse with OPENCHANNEL_RESULT status 1.
      if isHardened { owe(.openRefused(childRelid: chan, openID: message.openID)) }
      return
    }
    let request = OpenRequest(
      gpadlID: gpadl, targetVP: vp, openID: message.openID,
      ringBufferOffset: message.ringBufferOffset)
    let attempt = openAttempt(channels[index], request)
    let opened = attempt == .opened
    if opened { takeGpadlReference(gpadl) }
    channels[index].state = .opening(request, hostOpen: opened)
    bus = .openChannel
    if case .crashes(let fault) = attempt { traceFault(fault) }
  }

  /// A bare trace's OPENCHANNEL: whether the channel exists and the open succeeded shows in
  /// the `vmbus_channel_open` that follows, if any.
  private mutating func assumeOpenChannel(_ chan: ChannelID, request: OpenRequest) {
    var learned = false
    if channelIndex(chan) == nil {
      learnChannel(chan, device: DevicePointer(rawValue: 0))
      learned = true
    }
    guard let index = channelIndex(chan), channels[index].state == .initial else { return }
    channels[index].state = .opening(request, hostOpen: nil)
    bus = .openChannel
    awaiting = .openReply(chan, learned: learned)
  }

  /// `handle_close_channel` after its trace: close, INIT, and reset the device once none of
  /// its channels is open (even if this one never was).
  mutating func closeChannel(_ chan: ChannelID, _ log: inout ViolationLog) {
    checkCommand(.closeChannel, &log)
    guard let index = channelIndex(chan) else { return }
    close(at: index, &log)
    channels[index].state = .initial
    let device = channels[index].device
    if !channels.contains(where: { $0.device == device && $0.state.isOpen }) {
      resetDevice(device, &log)
    }
  }
}
