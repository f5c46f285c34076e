import VMBusWire

extension HostState {
  /// Every invariant this state breaks. Meaningful for simulated states; a bare trace's
  /// guesses may legitimately fall short of them until confirmed.
  public func invariantViolations() -> [InvariantViolation] {
    var found: [InvariantViolation] = []
    visitInvariantViolations {
      found.append($0)
      return true
    }
    return found
  }

  /// The first of ``invariantViolations()``, or nil. It builds no list and no message for
  /// the invariants that hold: the fuzzer asks after every event of every run.
  public var firstInvariantViolation: InvariantViolation? {
    firstInvariantViolation(skippingObjects: false)
  }

  /// The first broken invariant; with `skippingObjects`, of those that do not read the
  /// channels and GPADLs, for a caller that knows those hold (``FoldMonitor``).
  func firstInvariantViolation(skippingObjects: Bool) -> InvariantViolation? {
    var first: InvariantViolation?
    visitInvariantViolations(skippingObjects: skippingObjects) {
      first = $0
      return false
    }
    return first
  }

  /// Calls `visit` with each broken invariant, in a fixed order, until it returns false;
  /// with `skippingObjects`, passes over those that read the channels and GPADLs.
  private func visitInvariantViolations(
    skippingObjects: Bool = false, _ visit: (InvariantViolation) -> Bool
  ) {
    if rxQueue.count > RxQueue.capacity {
      guard visit(.init(.queueBounded, "\(rxQueue.count) messages queued")) else { return }
    }
    // Runs may be scheduled while a message is in flight (they do nothing), but QEMU posts
    // only from a state with a reply to send.
    if messageInFlight && bus == .listen {
      guard
        visit(
          .init(
            .singleMessageInFlight, "message in flight in \(bus), \(pendingRuns) runs scheduled"))
      else { return }
    }
    guard !skippingObjects else {
      _ = visitHardenedInvariantViolations(skippingObjects: true, visit)
      return
    }
    // The lists hold a handful of objects: pairwise loops beat building sets, and this runs
    // after every event of every fuzz run.
    for (index, gpadl) in gpadls.enumerated()
    where gpadls[(index + 1)...].contains(where: { $0.id == gpadl.id }) {
      guard visit(.init(.gpadlIDsUnique, "gpadl \(gpadl.id) is listed twice")) else { return }
    }
    for gpadl in gpadls {
      var users = 0
      for channel in channels
      where channel.state.isOpen && channel.state.request?.gpadlID == gpadl.id {
        users += 1
      }
      let expected = UInt32(users) + (gpadl.state == .tornDown ? 0 : 1)
      if gpadl.refcount != expected || gpadl.refcount == 0 {
        guard
          visit(
            .init(
              .refcountsBalanced,
              "gpadl \(gpadl.id) has \(gpadl.refcount) references, expected \(expected)"))
        else { return }
      }
    }
    for (index, channel) in channels.enumerated()
    where channel.id.rawValue == 0 || channel.id.rawValue > Self.maxRelid
      || channels[(index + 1)...].contains(where: { $0.id == channel.id })
    {
      guard visit(.init(.relidsValid, "relid \(channel.id) is duplicated or out of range")) else {
        return
      }
    }
    guard visitReplyInvariantViolations(visit), visitHardenedInvariantViolations(visit) else {
      return
    }
    if !isInitialized {
      if channels.contains(where: { $0.state != .initial }) || !gpadls.isEmpty {
        guard
          visit(
            .init(.nothingBeforeNegotiation, "channels or gpadls live at version \(version)"))
        else { return }
      }
    }
  }

  /// The one-reply-at-a-time checks; false when `visit` asked to stop.
  private func visitReplyInvariantViolations(_ visit: (InvariantViolation) -> Bool) -> Bool {
    var sending = 0
    var opening = 0
    for channel in channels {
      if channel.offer == .sending { sending += 1 }
      if case .opening = channel.state { opening += 1 }
    }
    var tearing = 0
    for gpadl in gpadls where gpadl.state == .tearingDown { tearing += 1 }
    if sending > 1 || (sending == 1 && bus != .offer) {
      guard visit(.init(.oneReplyAtATime, "\(sending) offers sending in \(bus)")) else {
        return false
      }
    }
    if opening > 1 || (opening == 1 && bus != .openChannel) {
      guard visit(.init(.oneReplyAtATime, "\(opening) channels opening in \(bus)")) else {
        return false
      }
    }
    if tearing > 1 || (tearing == 1 && bus != .teardownGpadl) {
      guard visit(.init(.oneReplyAtATime, "\(tearing) gpadls tearing down in \(bus)")) else {
        return false
      }
    }
    return true
  }

  /// The hardened profile's guarantees on top of QEMU's, and a failure reply's placement.
  /// False when `visit` asked to stop.
  private func visitHardenedInvariantViolations(
    skippingObjects: Bool = false, _ visit: (InvariantViolation) -> Bool
  ) -> Bool {
    if let failureReply, !isHardened || failureReply.bus != bus {
      guard
        visit(
          .init(.replyHasObject, "\(profile) host in \(bus) owes \(failureReply)"))
      else { return false }
    }
    guard isHardened else { return true }
    if !messageInFlight && pendingRuns == 0 && (bus != .listen || !rxQueue.isEmpty) {
      guard
        visit(
          .init(.busKeepsRunning, "\(bus) with \(rxQueue.count) queued and no run scheduled"))
      else { return false }
    }
    if !skippingObjects && !busStateHasObject {
      guard visit(.init(.replyHasObject, "\(bus) has nothing to answer")) else { return false }
    }
    return true
  }

  /// Object state changes from `old` to `new` that QEMU's code never makes; under
  /// `.hardened`, also a device reset's OPENING channel losing its host open.
  public static func transitionViolations(from old: HostState, to new: HostState)
    -> [InvariantViolation]
  {
    TransitionSnapshot(old).violations(to: new)
  }

  /// All of an old state that ``transitionViolations(from:to:)`` reads: each channel's and
  /// GPADL's id and states. A monitor keeps one in its own storage instead of holding the old
  /// state's lists, which would make the reducer copy every list it then writes.
  struct TransitionSnapshot: Sendable, Equatable {
    struct ChannelStates: Sendable, Equatable {
      var id: ChannelID
      var state: ChannelState
      var offer: OfferState
    }

    struct GpadlStates: Sendable, Equatable {
      var id: GpadlID
      var state: GpadlState
    }

    private var channels: [ChannelStates] = []
    private var gpadls: [GpadlStates] = []

    /// An empty snapshot, which allows every transition.
    init() {}

    init(_ state: HostState) {
      refresh(from: state)
    }

    /// Takes `state`'s objects, reusing this snapshot's storage.
    mutating func refresh(from state: HostState) {
      refresh(channels: state.channels, gpadls: state.gpadls)
    }

    /// Takes these objects' states, overwriting in place when the counts did not change (the
    /// usual case: an event changes one object's state, not how many there are).
    mutating func refresh(channels newChannels: [Channel], gpadls newGpadls: [Gpadl]) {
      if channels.count == newChannels.count {
        channels.withUnsafeMutableBufferPointer { kept in
          for index in kept.indices {
            let channel = newChannels[index]
            kept[index] = ChannelStates(id: channel.id, state: channel.state, offer: channel.offer)
          }
        }
      } else {
        channels = newChannels.map { ChannelStates(id: $0.id, state: $0.state, offer: $0.offer) }
      }
      if gpadls.count == newGpadls.count {
        gpadls.withUnsafeMutableBufferPointer { kept in
          for index in kept.indices {
            kept[index] = GpadlStates(id: newGpadls[index].id, state: newGpadls[index].state)
          }
        }
      } else {
        gpadls = newGpadls.map { GpadlStates(id: $0.id, state: $0.state) }
      }
    }

    /// The changes from this snapshot to `new` that QEMU's code never makes.
    func violations(to new: HostState) -> [InvariantViolation] {
      var found: [InvariantViolation] = []
      for channel in new.channels {
        guard let before = channels.first(where: { $0.id == channel.id }) else { continue }
        if !HostState.legalChannelChange(before.state, channel.state, hardened: new.isHardened) {
          found.append(
            .init(
              .legalTransitions, "channel \(channel.id): \(before.state) -> \(channel.state)",
              object: .channel))
        }
        if !HostState.legalOfferChange(before.offer, channel.offer) {
          found.append(
            .init(
              .legalTransitions, "offer \(channel.id): \(before.offer) -> \(channel.offer)",
              object: .offer))
        }
      }
      for gpadl in new.gpadls {
        guard let before = gpadls.first(where: { $0.id == gpadl.id }) else { continue }
        if !HostState.legalGpadlChange(before.state, gpadl.state) {
          found.append(
            .init(
              .legalTransitions, "gpadl \(gpadl.id): \(before.state) -> \(gpadl.state)",
              object: .gpadl))
        }
      }
      return found
    }
  }

  fileprivate static func legalChannelChange(
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

  fileprivate static func legalOfferChange(_ old: OfferState, _ new: OfferState) -> Bool {
    switch (old, new) {
    case (.sent, .sending), (.initial, .sent): false
    default: true
    }
  }

  fileprivate static func legalGpadlChange(_ old: GpadlState, _ new: GpadlState) -> Bool {
    old == new || new.rawValue > old.rawValue
  }
}
