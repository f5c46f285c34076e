import VMBusWire

@testable import VMBusHost

/// State changes the tests expect, named after what QEMU does, for ``HostHarness/expect``.
extension HostState {
  /// `enqueue_incoming_message`: the hypercall's block is copied into the next slot. Whether
  /// the run is rescheduled is left to the test.
  mutating func queue(_ call: GuestHypercall) {
    rxQueue.enqueue(.queued(call))
  }

  /// ``queue(_:)-(GuestHypercall)`` for `message` posted on connection 1.
  mutating func queue(_ message: ChannelMessage) {
    queue(.message(message))
  }

  /// `process_message` around its handler: the head is dequeued, it is the message being
  /// handled, and the run is rescheduled.
  mutating func takeHead() {
    handling = rxQueue.dequeue()
    // The run consumed its bottom half and `vmbus_resched` scheduled the next.
    pendingRuns = max(pendingRuns, 1)
  }

  /// `send_unload`: the rx queue's size is set to 0; the head slot stays where it was.
  mutating func flushQueue() {
    rxQueue.flush()
  }

  /// `post_msg`: a message is in flight and the run that posted it is spent.
  mutating func posted() {
    messageInFlight = true
    pendingRuns -= 1
  }

  /// `vmbus_msg_cb` after success or -EAGAIN: nothing in flight, one more run scheduled.
  mutating func delivered() {
    messageInFlight = false
    pendingRuns += 1
  }

  /// `bus_cold_reset`: every channel closed and INIT with its offer INIT, every GPADL freed,
  /// route, version and interrupt page forgotten, LISTEN, nothing in flight. The rx queue
  /// and the run's schedule are untouched.
  mutating func resetBus() {
    for index in channels.indices {
      channels[index].state = .initial
      channels[index].offer = .initial
    }
    gpadls = []
    version = ProtocolVersion(rawValue: 0)
    targetVP = Self.noVP
    interruptPage = 0
    bus = .listen
    messageInFlight = false
  }
}

extension QueuedMessage {
  /// The queue entry a successful `call` leaves: its type, raw size and effective payload.
  static func queued(_ call: GuestHypercall) -> QueuedMessage {
    let payload = call.effectivePayload
    return QueuedMessage(
      type: ChannelMessage.messageType(of: payload) ?? .invalid, size: call.payloadSize,
      payload: payload)
  }

  /// The queue entry a successful hypercall of `message` on connection 1 leaves.
  static func queued(_ message: ChannelMessage) -> QueuedMessage {
    queued(.message(message))
  }
}
