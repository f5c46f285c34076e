/// Something the scheduler can do next.
enum Action: Hashable, Sendable {
  /// The actor at this index takes its next op (or its awaited message).
  case actor(Int)
  /// The main loop runs the bus bottom half.
  case hostRun
  /// The vCPU tries to put the posted message into the guest's SINT slot.
  case deliver
  /// The guest handles the message in its slot and signals end-of-message.
  case guestEOM
  /// After the guest's EOM, the busy slot's delivery callback (-EAGAIN) runs.
  case busyCallback
}

extension Simulation {
  /// Every enabled action, in a fixed order, into `enabled` (its storage is reused).
  mutating func collectEnabledActions() {
    enabled.removeAll(keepingCapacity: true)
    for index in actors.indices {
      switch actors[index].status {
      case .ready: enabled.append(.actor(index))
      case .waiting where actors[index].hasMatchingMessage: enabled.append(.actor(index))
      default: break
      }
    }
    guard host.isAlive else { return }
    if host.runScheduled && !host.messageInFlight && (host.bus != .listen || !host.rxQueue.isEmpty)
    {
      enabled.append(.hostRun)
    }
    switch synic.delivery {
    case .posted: enabled.append(.deliver)
    case .eomSeen: enabled.append(.busyCallback)
    case .idle, .waitingForEOM: break
    }
    if synic.slot != nil { enabled.append(.guestEOM) }
  }

  mutating func perform(_ action: Action) {
    switch action {
    case .actor(let index): runActor(index)
    case .hostRun: runHost()
    case .deliver: deliver()
    case .guestEOM: guestEOM()
    case .busyCallback: busyCallback()
    }
  }

  /// The earliest time an actor wakes or a wait expires.
  func nextTimer() -> VirtualDuration? {
    actors.compactMap { actor -> VirtualDuration? in
      switch actor.status {
      case .sleeping(let until): until
      case .waiting(let waiting): waiting.deadline
      case .ready, .done: nil
      }
    }.min()
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
      default:
        continue
      }
    }
  }

  private mutating func expire(_ index: Int, _ waiting: ActorRuntime.Waiting) {
    let name = actors[index].name
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
