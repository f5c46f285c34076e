import VMBusWire

extension HostState {
  /// Every invariant this state breaks. Meaningful for simulated states; a bare trace's
  /// guesses may legitimately fall short of them until confirmed.
  public func invariantViolations() -> [InvariantViolation] {
    var found: [InvariantViolation] = []
    if rxQueue.count > RxQueue.capacity {
      found.append(.init(.queueBounded, "\(rxQueue.count) messages queued"))
    }
    if messageInFlight && (bus == .listen || runScheduled) {
      found.append(
        .init(.singleMessageInFlight, "message in flight in \(bus), run scheduled \(runScheduled)"))
    }
    // The lists hold a handful of objects: pairwise loops beat building sets, and this runs
    // after every event of every fuzz run.
    for (index, gpadl) in gpadls.enumerated()
    where gpadls[(index + 1)...].contains(where: { $0.id == gpadl.id }) {
      found.append(.init(.gpadlIDsUnique, "gpadl \(gpadl.id) is listed twice"))
    }
    for gpadl in gpadls {
      var users = 0
      for channel in channels
      where channel.state.isOpen && channel.state.request?.gpadlID == gpadl.id {
        users += 1
      }
      let expected = UInt32(users) + (gpadl.state == .tornDown ? 0 : 1)
      if gpadl.refcount != expected || gpadl.refcount == 0 {
        found.append(
          .init(
            .refcountsBalanced,
            "gpadl \(gpadl.id) has \(gpadl.refcount) references, expected \(expected)"))
      }
    }
    for (index, channel) in channels.enumerated()
    where channel.id.rawValue == 0 || channel.id.rawValue > Self.maxRelid
      || channels[(index + 1)...].contains(where: { $0.id == channel.id })
    {
      found.append(.init(.relidsValid, "relid \(channel.id) is duplicated or out of range"))
    }
    found += replyInvariantViolations()
    found += hardenedInvariantViolations()
    if !isInitialized {
      if channels.contains(where: { $0.state != .initial }) || !gpadls.isEmpty {
        found.append(
          .init(.nothingBeforeNegotiation, "channels or gpadls live at version \(version)"))
      }
    }
    return found
  }

  private func replyInvariantViolations() -> [InvariantViolation] {
    var found: [InvariantViolation] = []
    var sending = 0
    var opening = 0
    for channel in channels {
      if channel.offer == .sending { sending += 1 }
      if case .opening = channel.state { opening += 1 }
    }
    var tearing = 0
    for gpadl in gpadls where gpadl.state == .tearingDown { tearing += 1 }
    if sending > 1 || (sending == 1 && bus != .offer) {
      found.append(.init(.oneReplyAtATime, "\(sending) offers sending in \(bus)"))
    }
    if opening > 1 || (opening == 1 && bus != .openChannel) {
      found.append(.init(.oneReplyAtATime, "\(opening) channels opening in \(bus)"))
    }
    if tearing > 1 || (tearing == 1 && bus != .teardownGpadl) {
      found.append(.init(.oneReplyAtATime, "\(tearing) gpadls tearing down in \(bus)"))
    }
    return found
  }

  /// The hardened profile's guarantees on top of QEMU's, and a failure reply's placement.
  private func hardenedInvariantViolations() -> [InvariantViolation] {
    var found: [InvariantViolation] = []
    if let failureReply, !isHardened || failureReply.bus != bus {
      found.append(
        .init(.replyHasObject, "\(profile) host in \(bus) owes \(failureReply)"))
    }
    guard isHardened else { return found }
    if !messageInFlight && !runScheduled && (bus != .listen || !rxQueue.isEmpty) {
      found.append(
        .init(.busKeepsRunning, "\(bus) with \(rxQueue.count) queued and no run scheduled"))
    }
    if !busStateHasObject {
      found.append(.init(.replyHasObject, "\(bus) has nothing to answer"))
    }
    return found
  }

  /// Object state changes from `old` to `new` that QEMU's code never makes; under
  /// `.hardened`, also a device reset's OPENING channel losing its host open.
  public static func transitionViolations(from old: HostState, to new: HostState)
    -> [InvariantViolation]
  {
    var found: [InvariantViolation] = []
    for channel in new.channels {
      guard let before = old.channel(channel.id) else { continue }
      if !legalChannelChange(before.state, channel.state, hardened: new.isHardened) {
        found.append(
          .init(.legalTransitions, "channel \(channel.id): \(before.state) -> \(channel.state)"))
      }
      if !legalOfferChange(before.offer, channel.offer) {
        found.append(
          .init(.legalTransitions, "offer \(channel.id): \(before.offer) -> \(channel.offer)"))
      }
    }
    for gpadl in new.gpadls {
      guard let before = old.gpadl(gpadl.id) else { continue }
      if !legalGpadlChange(before.state, gpadl.state) {
        found.append(
          .init(.legalTransitions, "gpadl \(gpadl.id): \(before.state) -> \(gpadl.state)"))
      }
    }
    return found
  }

  private static func legalChannelChange(
    _ old: ChannelState, _ new: ChannelState, hardened: Bool
  ) -> Bool {
    switch (old, new) {
    case (.initial, .initial), (.initial, .opening), (.opening, .initial), (.opening, .open),
      (.open, .initial), (.open, .open):
      true
    case (.opening(let a, let openA), .opening(let b, let openB)):
      a == b && (openA == nil || openA == openB || (hardened && openB == false))
    default:
      false
    }
  }

  private static func legalOfferChange(_ old: OfferState, _ new: OfferState) -> Bool {
    switch (old, new) {
    case (.sent, .sending), (.initial, .sent): false
    default: true
    }
  }

  private static func legalGpadlChange(_ old: GpadlState, _ new: GpadlState) -> Bool {
    old == new || new.rawValue > old.rawValue
  }
}
