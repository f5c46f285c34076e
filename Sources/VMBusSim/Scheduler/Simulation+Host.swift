import VMBusHost
import VMBusWire

/// The host side of a step: bus runs and the delivery path into the guest's slot.
extension Simulation {
  mutating func runHost() {
    let begin = events.count
    runBusJudgingRequest()
    let inFlight = decision.state.messageInFlight
    let posted = inFlight ? decision.state.outgoingMessage : nil
    if inFlight { synic.delivery = .posted(posted) }
    note(.host, actor: nil, posted.map { "posts \($0.summary)" } ?? "runs", from: begin)
  }

  /// The vCPU copies the message into the slot, or finds it busy, or finds no message page.
  mutating func deliver() {
    guard case .posted(let message) = synic.delivery else { return }
    let begin = events.count
    if !synic.messagePageEnabled || choices.chance(scenario.faults.messagePageMissing) {
      synic.delivery = .idle
      oracle.fatalDeliveryFailure(before: decision.state)
      input(.deliver(status: DeliveryStatus.noMessagePage))
      // The guest made its replies undeliverable; what it asked before is lost with them.
      for index in actors.indices { actors[index].forgetRequests(because: Self.fatalFailure) }
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
    if let message { synic.slot = .host(message) }
    input(.deliver(status: DeliveryStatus.delivered))
    note(.host, actor: nil, "delivered", from: begin)
  }

  /// Why requests posted before a fatal delivery failure are owed no more.
  static let fatalFailure = Finding(
    .msgCbFatalReset,
    "a delivery failed fatally (-6, the guest had no SynIC message page) and QEMU reset the bus (vmbus_msg_cb); the guest cannot have received the reply, and what it asked before is owed no more"
  )

  /// The guest's message DPC: handle what is in the slot, then EOM.
  mutating func guestEOM() {
    guard let content = synic.slot else { return }
    synic.slot = nil
    if case .host(let message) = content {
      kernel.receive(message)
      for index in actors.indices where !actors[index].isDone {
        actors[index].receive(message)
      }
      note(.hostToGuest, actor: nil, message.summary, from: events.count)
    }
    if synic.delivery == .waitingForEOM { synic.delivery = .eomSeen }
  }

  /// The busy slot's delivery completes with -EAGAIN; QEMU re-posts from current state.
  mutating func busyCallback() {
    let begin = events.count
    synic.delivery = .idle
    input(.deliver(status: DeliveryStatus.slotBusy))
    note(.host, actor: nil, "delivery callback -11 (retry)", from: begin)
  }
}
