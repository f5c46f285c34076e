import VMBusHost
import VMBusWire

/// The host side of a step: the main loop's bottom halves and the delivery path into the
/// guest's slot (docs/qemu-reference.md §1.3, `hw/hyperv/hyperv.c`).
extension Simulation {
  /// One `aio_bh_poll` slice: every bottom half scheduled so far, newest first. What they
  /// schedule waits for the next slice. A host fault ends the slice (and the run).
  mutating func runSlice() {
    for bottomHalf in mainLoop.takeSlice() {
      guard decision.state.isAlive else { return }
      switch bottomHalf {
      case .busRun:
        mainLoop.ranBusRun()
        runBus()
      case .deliveryCompletion(let status):
        completeDelivery(status: status)
      }
    }
  }

  /// `vmbus_run`: a post hands the message to the SynIC staging area (`hyperv_post_msg`),
  /// whose delivery the vCPU attempts next.
  private mutating func runBus() {
    let begin = events.count
    let wasInFlight = decision.state.messageInFlight
    runBusJudgingRequest()
    let posted = !wasInFlight && decision.state.messageInFlight
    if posted {
      let message = decision.state.outgoingMessage
      synic.delivery = .posted(message)
      if let message { checkDuplicate(posted: message) }
    }
    guard Recorder.keepsTranscript else { return }
    let text =
      posted
      ? "posts \(decision.state.outgoingMessage?.summary ?? "a message")"
      : events[begin...].contains { $0 == .simulator(.busRunIdle) } ? "runs: nothing to do" : "runs"
    note(.host, actor: nil, text, from: begin)
  }

  /// `sint_msg_bh` → `vmbus_msg_cb(status)`.
  private mutating func completeDelivery(status: Int32) {
    let begin = events.count
    if status != DeliveryStatus.delivered && status != DeliveryStatus.slotBusy {
      oracle.fatalDeliveryFailure(before: decision.state)
    }
    input(.deliver(status: status))
    switch status {
    case DeliveryStatus.delivered:
      note(.host, actor: nil, "delivery callback: delivered", from: begin)
    case DeliveryStatus.slotBusy:
      note(.host, actor: nil, "delivery callback -11 (retry)", from: begin)
    default:
      // The guest made its replies undeliverable; what it asked before is lost with them.
      for index in actors.indices {
        actors[index].forgetRequests(because: Finding.requestsBeforeFatalDelivery)
      }
      note(.host, actor: nil, "delivery callback \(status): QEMU resets the bus", from: begin)
    }
  }

  /// `cpu_post_msg` on the vCPU: copy the staged message into the slot, or find it busy
  /// (PENDING set, wait for the guest's EOM), or find no message page (-ENXIO). The first and
  /// last schedule `sint_msg_bh`.
  mutating func deliver() {
    guard case .posted(let message) = synic.delivery else { return }
    let begin = events.count
    if !synic.messagePageEnabled || choices.chance(scenario.faults.messagePageMissing) {
      synic.delivery = .idle
      mainLoop.schedule(.deliveryCompletion(DeliveryStatus.noMessagePage))
      note(.host, actor: nil, "delivery fails: the guest has no message page (-6)", from: begin)
      return
    }
    if synic.isOccupied || synic.forcedBusy > 0 || choices.chance(scenario.faults.slotBusy) {
      if !synic.isOccupied { synic.slot = .foreign }
      synic.forcedBusy = max(synic.forcedBusy - 1, 0)
      synic.delivery = .waitingForEOM
      note(.host, actor: nil, "slot busy: PENDING set, waiting for the guest's EOM", from: begin)
      return
    }
    synic.delivery = .idle
    if let message {
      synic.slot = .host(message)
      noteDelivered(message)
    }
    mainLoop.schedule(.deliveryCompletion(DeliveryStatus.delivered))
    note(.host, actor: nil, "delivered into the guest's slot", from: begin)
  }

  /// Each outcome of a delivery attempt now, as the draws that give it: one outcome of no
  /// draws unless a fault probability of the scenario can go either way. The exhaustive mode
  /// takes each as a branch of its own.
  func deliveryDrawOutcomes() -> DeliveryOutcomes {
    guard case .posted = synic.delivery else { return .undrawn }
    let faults = scenario.faults
    var outcomes = DeliveryOutcomes()
    var delivered = DeliveryDraws()
    if synic.messagePageEnabled, ChoiceSource.drawsChance(faults.messagePageMissing) {
      for (missing, draw) in ChoiceSource.chanceOutcomes(faults.messagePageMissing) {
        if missing {
          outcomes.append(DeliveryDraws(pageMissing: draw))
        } else {
          delivered.pageMissing = draw
        }
      }
    } else if !synic.messagePageEnabled || faults.messagePageMissing >= 1 {
      return .undrawn
    }
    if !synic.isOccupied, synic.forcedBusy == 0, ChoiceSource.drawsChance(faults.slotBusy) {
      for (_, draw) in ChoiceSource.chanceOutcomes(faults.slotBusy) {
        var outcome = delivered
        outcome.slotBusy = draw
        outcomes.append(outcome)
      }
    } else {
      outcomes.append(delivered)
    }
    return outcomes
  }

  /// The guest's message DPC: handle what is in the slot, then EOM.
  mutating func guestEOM() {
    guard let content = synic.slot else { return }
    synic.slot = nil
    if case .host(let message) = content {
      var takenBy: [Int] = []
      if kernel.pollingForUnload {
        // `vmbus_wait_for_unload` EOMs what it finds unhandled, UNLOAD_RESPONSE excepted.
        if message.type == .unloadResponse { takenBy = completeLinked(with: message) }
      } else {
        kernel.receive(message)
        takenBy = completeLinked(with: message)
        if message.type == .offerChannel { refreshBlocked() }
      }
      // A reply a Linux step took is not left for the same actor's plain wait to take again.
      // Only actors with an inbox are written: a write copies an actor a copied run shares.
      var receivers = takenBy
      for index in actors.indices
      where actors[index].usesInbox && !actors[index].isDone && !takenBy.contains(index) {
        actors[index].receive(message)
        receivers.append(index)
      }
      if let request = RequestKey.answered(by: message) {
        settle(request, receivedBy: receivers)
      }
      note(.hostToGuest, actor: nil, message.summary, from: events.count)
    }
    if synic.delivery == .waitingForEOM { synic.delivery = .eomSeen }
  }

  /// A reply reached the guest: the host answered a request with its key, whether or not a
  /// wait takes the reply (Linux drops one no request is linked for). Each actor it reached
  /// settles one of its requests QEMU handled; when none had one, the first actor that has
  /// one does.
  private mutating func settle(_ request: RequestKey, receivedBy receivers: [Int]) {
    var settled = false
    // Read before written: a write copies an actor a copied run shares.
    for index in receivers where actors[index].requests.settles(request) {
      actors[index].requests.settle(request)
      settled = true
    }
    guard !settled,
      let index = actors.indices.first(where: { actors[$0].requests.settles(request) })
    else { return }
    actors[index].requests.settle(request)
  }

  /// `sint_ack_handler`: the guest's EOM freed the busy slot; the staged message completes
  /// with -EAGAIN in a bottom half, and QEMU re-posts from current state.
  mutating func busyCallback() {
    synic.delivery = .idle
    mainLoop.schedule(.deliveryCompletion(DeliveryStatus.slotBusy))
    note(.host, actor: nil, "EOM seen: the -EAGAIN completion is scheduled", from: events.count)
  }
}

extension Finding {
  /// Why requests posted before a fatal delivery failure are owed no more.
  static let requestsBeforeFatalDelivery = Finding(
    .msgCbFatalReset,
    "a delivery failed fatally (-6, the guest had no SynIC message page) and QEMU reset the bus (vmbus_msg_cb); the guest cannot have received the reply, and what it asked before is owed no more"
  )
}
