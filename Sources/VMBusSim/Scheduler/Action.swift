/// Something the scheduler can do next.
enum Action: Hashable, Sendable {
  /// The actor at this index takes its next op (or its awaited message).
  case actor(Int)
  /// The main loop runs a slice of its scheduled bottom halves (bus runs, delivery
  /// completions), newest first.
  case mainLoopSlice
  /// The vCPU tries to put the staged message into the guest's SINT slot (`cpu_post_msg`).
  case deliver
  /// The guest handles the message in its slot and signals end-of-message.
  case guestEOM
  /// After the guest's EOM, the main loop's `sint_ack_handler` schedules the busy slot's
  /// delivery completion (-EAGAIN).
  case busyCallback
  /// The main loop runs the bus event notifier's handler (`vmbus_signal_event`).
  case busNotifier
}

extension Simulation {
  /// Every enabled action, in a fixed order, into `enabled` (its storage is reused): the
  /// actors that can step, then the host's actions.
  mutating func collectEnabledActions() {
    enabled.removeAll(keepingCapacity: true)
    for index in actors.indices where actors[index].canStep {
      enabled.append(.actor(index))
    }
    let host = hostActions()
    for position in 0..<host.count {
      if let action = host.action(at: position) { enabled.append(action) }
    }
  }

  /// The enabled action a draw picks, in the order `collectEnabledActions` lists them, or
  /// nil when none is enabled. Picked without listing them: a run does this every step.
  mutating func pickEnabledAction() -> Action? {
    var stepping = 0
    for index in actors.indices where actors[index].canStep { stepping += 1 }
    let host = hostActions()
    guard stepping + host.count > 0 else { return nil }
    let position = choices.pick(below: stepping + host.count)
    guard position < stepping else { return host.action(at: position - stepping) }
    var seen = 0
    for index in actors.indices where actors[index].canStep {
      if seen == position { return .actor(index) }
      seen += 1
    }
    return nil
  }

  /// The host side's enabled actions, in their fixed order after the actors'.
  struct HostActions {
    /// The main loop has bottom halves scheduled.
    var slice = false
    /// A delivery attempt or a busy slot's callback.
    var delivery: Action?
    var guestEOM = false
    var busNotifier = false

    var count: Int {
      (slice ? 1 : 0) + (delivery == nil ? 0 : 1) + (guestEOM ? 1 : 0) + (busNotifier ? 1 : 0)
    }

    func action(at position: Int) -> Action? {
      var position = position
      if slice {
        if position == 0 { return .mainLoopSlice }
        position -= 1
      }
      if let delivery {
        if position == 0 { return delivery }
        position -= 1
      }
      if guestEOM {
        if position == 0 { return .guestEOM }
        position -= 1
      }
      return busNotifier && position == 0 ? .busNotifier : nil
    }
  }

  private func hostActions() -> HostActions {
    var host = HostActions()
    guard decision.state.isAlive else { return host }
    host.slice = !mainLoop.isEmpty
    host.busNotifier = decision.state.busNotifierSet
    switch synic.delivery {
    case .posted: host.delivery = .deliver
    case .eomSeen: host.delivery = .busyCallback
    case .idle, .waitingForEOM: break
    }
    host.guestEOM = synic.isOccupied
    return host
  }

  mutating func perform(_ action: Action) {
    switch action {
    case .actor(let index): runActor(index)
    case .mainLoopSlice: runSlice()
    case .deliver: deliver()
    case .guestEOM: guestEOM()
    case .busyCallback: busyCallback()
    case .busNotifier:
      let begin = events.count
      input(.dispatchBusNotifier)
      note(.host, actor: nil, "main loop handles the bus event notifier", from: begin)
    }
    // A task that reached a point where it freezes lets the freezer go on (the only wait no
    // single event wakes).
    if kernel.processesFrozenBy != nil { refreshBlocked() }
  }

  /// The earliest time an actor wakes or a wait expires.
  func nextTimer() -> VirtualDuration? {
    actors.compactMap(\.status.deadline).min()
  }

  /// Wakes sleepers and expires waits whose time has come.
  mutating func fireTimers() {
    for index in actors.indices {
      switch actors[index].status {
      case .sleeping(let until) where until <= now:
        actors[index].status = .ready
      case .waiting(let waiting):
        guard let deadline = waiting.deadline, deadline <= now else { continue }
        expire(index, waiting)
      case .blocked(let blocked):
        guard let deadline = blocked.deadline, deadline <= now else { continue }
        note(
          .environment, actor: actors[index].name, "gave up waiting: going on", from: events.count)
        advance(index)
      default:
        continue
      }
    }
  }

  private mutating func expire(_ index: Int, _ waiting: ActorRuntime.Waiting) {
    let name = actors[index].name
    // A Linux wait that timed out takes its request back (`list_del`).
    actors[index].linked = nil
    if waiting.expectTimeout || waiting.onTimeout == .proceed {
      note(
        .environment, actor: name, "no \(waiting.condition.type.name) within the wait: going on",
        from: events.count)
      advance(index)
      return
    }
    finish(
      .expectationFailed,
      "\(name)\(where: actors[index].currentLocation): no \(waiting.condition.type.name) arrived in time"
    )
  }
}

extension String.StringInterpolation {
  /// ` (line L:C)` for a script location, nothing when unknown.
  mutating func appendInterpolation(where location: SourceLocation?) {
    if let location { appendLiteral(" (line \(location.line):\(location.column))") }
  }
}
