import VMBusWire

/// Host outputs: the send functions' trace points, `post_msg` and the delivery callback.
extension HostState {
  private func checkOutput(in expected: BusState, _ log: inout ViolationLog) {
    if bus != expected { log.add(.outputInWrongState, "bus is in \(bus), not \(expected)") }
    if messageInFlight { log.add(.postWhileInFlight, "a message is already in flight") }
  }

  /// `send_offer` for a channel. A bare trace teaches the reducer channels it has not seen.
  mutating func sendOffer(_ chan: ChannelID, device: DevicePointer, _ log: inout ViolationLog) {
    checkOutput(in: .offer, &log)
    announcedPost = .offerChannel
    let predicted = channels.first { $0.offer == .sending }?.id
    if predicted == chan { return }
    if channelIndex(chan) == nil {
      learnChannel(chan, device: device)
    } else {
      let expected = predicted.map { "channel \($0)" } ?? "no channel"
      log.add(.outputForWrongObject, "offered channel \(chan); QEMU's list order gives \(expected)")
    }
    // Follow the trace: the channel it names is the one being offered.
    if let predicted, let index = channelIndex(predicted) { channels[index].offer = .initial }
    if let index = channelIndex(chan) { channels[index].offer = .sending }
  }

  /// `send_offer` with no channel SENDING: the terminator.
  mutating func terminateOffers(_ log: inout ViolationLog) {
    checkOutput(in: .offer, &log)
    announcedPost = .allOffersDelivered
    if let sending = channels.firstIndex(where: { $0.offer == .sending }) {
      log.add(.outputForWrongObject, "channel \(channels[sending].id) was still to be offered")
      channels[sending].offer = .initial
    }
  }

  /// `send_create_gpadl`: the first full GPADL in INIT, in list order.
  mutating func gpadlCreated(_ id: GpadlID, _ log: inout ViolationLog) {
    checkOutput(in: .createGpadl, &log)
    announcedPost = .gpadlCreated
    if case .gpadlRefused(_, id)? = failureReply { return }
    guard let index = gpadlIndex(id) else {
      log.add(.unknownGpadl, "gpadl \(id) was never created by a header")
      return
    }
    let first = gpadls.firstIndex { $0.isFull && $0.state == .initial }
    if first != index {
      let state = gpadls[index]
      log.add(
        .outputForWrongObject,
        "gpadl \(id) is \(state.state)\(state.isFull ? "" : " and not full")")
    }
  }

  /// `send_teardown_gpadl`: the first GPADL in TEARINGDOWN.
  mutating func gpadlTorndown(_ id: GpadlID, _ log: inout ViolationLog) {
    checkOutput(in: .teardownGpadl, &log)
    announcedPost = .gpadlTorndown
    if case .gpadlTorndown(id)? = failureReply { return }
    guard let index = gpadlIndex(id) else {
      log.add(.unknownGpadl, "gpadl \(id) is not on the bus")
      return
    }
    gpadls[index].isAssumed = false
    if gpadls.firstIndex(where: { $0.state == .tearingDown }) != index {
      log.add(.outputForWrongObject, "gpadl \(id) is \(gpadls[index].state), not tearingdown")
    }
  }

  /// `send_open_channel`: the first channel in OPENING, status `!is_open`.
  mutating func channelOpen(_ chan: ChannelID, status: UInt32, _ log: inout ViolationLog) {
    checkOutput(in: .openChannel, &log)
    announcedPost = .openChannelResult
    if status > 1 { log.add(.impossibleArgument, "status \(status); QEMU sends 0 or 1") }
    if case .openRefused(chan, _)? = failureReply {
      if status != 1 { log.add(.impossibleArgument, "status \(status) for a refused open") }
      return
    }
    guard let index = channelIndex(chan),
      case .opening(let request, let hostOpen) = channels[index].state
    else {
      log.add(.channelOpenWithoutRequest, "channel \(chan) is not opening")
      return
    }
    if channels.firstIndex(where: { if case .opening = $0.state { true } else { false } }) != index
    {
      log.add(.outputForWrongObject, "another channel was opening first")
    }
    if let hostOpen {
      if hostOpen != (status == 0) {
        log.add(
          .impossibleArgument,
          "status \(status), but the host open \(hostOpen ? "succeeded" : "failed")")
      }
      return
    }
    // A bare trace learns the host open's outcome only now.
    let opened = status == 0
    if opened {
      if let gpadl = gpadlIndex(request.gpadlID) {
        gpadls[gpadl].isAssumed = false
        gpadls[gpadl].seenGfns = gpadls[gpadl].numGfns
      }
      takeGpadlReference(request.gpadlID)
    }
    channels[index].state = .opening(request, hostOpen: opened)
  }

  /// `post_msg`: one message in flight; UNLOAD's run flushes the rx queue first.
  mutating func post(type: MessageType, size: UInt32, _ log: inout ViolationLog) {
    if messageInFlight { log.add(.postWhileInFlight, "a message is already in flight") }
    let expected = HostReply.posted(in: bus)
    if let announced = announcedPost, announced != type {
      log.add(.unexpectedPost, "posted \(type.name) after announcing \(announced.name)")
    } else if !expected.contains(where: { $0.type == type && $0.size == size }) {
      let wanted = expected.map { "\($0.type.name) size \($0.size)" }.joined(separator: " or ")
      log.add(
        .unexpectedPost,
        "posted \(type.name) size \(size) in \(bus); QEMU posts \(wanted.isEmpty ? "nothing" : wanted)"
      )
    }
    // The hardened host keeps what the guest was told was accepted (§9 entry 43).
    if bus == .unload && !isHardened { rxQueue.flush() }
    announcedPost = nil
    messageInFlight = true
    // The run that posts ends with the post; other scheduled runs stay scheduled. (A bare
    // trace does not show every run, so the count never goes below zero.)
    pendingRuns = max(pendingRuns - 1, 0)
    // `hyperv_post_msg` on a NULL `sint_route`, after the trace (§9 entries 12 and 42).
    if routeKnown && !hasRoute { traceFault(.postWithoutRoute(type)) }
  }

  /// `vmbus_msg_cb`: complete on 0, retry on -EAGAIN, full reset on anything else.
  mutating func deliveryCallback(status: Int32, _ log: inout ViolationLog) {
    guard messageInFlight else {
      log.add(.callbackWithoutMessage, "status \(status) with nothing in flight")
      return
    }
    switch status {
    case 0:
      if complete(&log) { bus = .listen }
    case -11:
      break
    default:
      busReset(&log)
      // Fatal: `vmbus_msg_cb` returns without `vmbus_resched`. A run scheduled earlier still
      // runs and drains the queue the reset kept; with none, a non-empty queue stalls. The
      // hardened host schedules one (§9 entry 45).
      if isHardened { pendingRuns += 1 }
      return
    }
    messageInFlight = false
    pendingRuns += 1
  }

  /// The state's complete function; true when the bus returns to LISTEN.
  private mutating func complete(_ log: inout ViolationLog) -> Bool {
    if failureReply != nil {
      // A hardened failure reply changes no object; the bus goes back to LISTEN.
      failureReply = nil
      return true
    }
    switch bus {
    case .listen, .handshake:
      return true
    case .offer:
      guard let sending = channels.firstIndex(where: { $0.offer == .sending }) else { return true }
      channels[sending].offer = .sent
      if let next = channels.firstIndex(where: { $0.offer == .initial }) {
        channels[next].offer = .sending
      }
      return false
    case .createGpadl:
      if let index = gpadls.firstIndex(where: { $0.isFull && $0.state == .initial }) {
        gpadls[index].state = .alive
      }
      return true
    case .teardownGpadl:
      if let index = gpadls.firstIndex(where: { $0.state == .tearingDown }) {
        gpadls[index].state = .tornDown
        dropGpadlReference(at: index, &log)
      }
      return true
    case .openChannel:
      if let index = channels.firstIndex(where: {
        if case .opening = $0.state { true } else { false }
      }),
        case .opening(let request, let hostOpen) = channels[index].state
      {
        channels[index].state = hostOpen == true ? .open(request) : .initial
      }
      return true
    case .unload:
      busReset(&log)
      return true
    }
  }
}
