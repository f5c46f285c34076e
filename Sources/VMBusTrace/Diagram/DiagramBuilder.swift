import VMBusHost
import VMBusWire

/// Turns a session's events, one at a time, into sequence-diagram rows: it folds the host
/// state alongside, follows each guest message from the hypercall through the rx queue to
/// its handler, and each host message from its send function through `post_msg` to the
/// delivery callback.
///
/// Guest messages are `vmbus_recv_message` plus, in a simulation, the `sim_hypercall` with
/// the payload and status. Host messages are `vmbus_post_msg` with the send function's trace
/// point before it (`vmbus_send_offer`, `vmbus_gpadl_created`, ...) and `vmbus_msg_cb` after.
/// Everything else becomes a note row, so every event lands in exactly one row.
package struct DiagramBuilder: Sendable {
  /// The state after the events added so far.
  package private(set) var state: HostState
  private var rows: [DiagramRow] = []
  private var lifelines = LifelineTracker()
  private var queueLengths: [QueueLengthSample] = []
  private var seqs: ClosedRange<Int>?
  /// The rows of the messages in the rx queue, oldest first; nil for one queued before the
  /// first event added.
  private var queued: [Int?]
  /// The row of the `vmbus_recv_message` just added, which a `sim_hypercall` completes.
  private var received: Int?
  /// The guest message the host took from the queue and is handling.
  private var handling: Handling?
  /// The host message announced or posted and not yet called back.
  private var sending: Sending?
  /// The guest message the host answers: the last one it took from the queue.
  private var request: Int?
  /// The data-plane note row the last event extended, with its counts by label.
  private var dataPlane: (row: Int, counts: [(label: String, count: Int)])?

  private struct Handling: Sendable {
    var row: Int
    var before: HostState
    var traced = false
  }

  private enum Sending: Sendable {
    case announced(Int)
    case posted(Int)
  }

  /// Starts from `initial`, the state before event `firstSeq`.
  package init(initial: HostState = HostState(), firstSeq: Int = 1) {
    state = initial
    queued = Array(repeating: nil, count: initial.rxQueue.count)
    lifelines.observe(seq: firstSeq - 1, state: initial)
  }

  /// Adds the next event; returns the rules it broke (as ``HostState/apply(_:)`` does).
  @discardableResult
  package mutating func add(seq: Int, event: HostEvent) -> [ProtocolViolation] {
    seqs = (seqs?.lowerBound ?? seq)...max(seq, seqs?.upperBound ?? seq)
    let before = state
    if closesHandling(event) { closeHandling(after: before) }
    let violations = state.apply(event)
    // A bus run with nothing to do draws nothing of its own: it only spends a bottom half,
    // and belongs with the row before it.
    if case .simulator(.busRunIdle) = event, violations.isEmpty, let last = rows.indices.last {
      rows[last].seqs.append(seq)
      lifelines.observe(seq: seq, state: state)
      return violations
    }
    let row = place(seq: seq, event: event, before: before)
    rows[row].seqs.append(seq)
    for violation in violations {
      rows[row].violations.append(DiagramViolation(seq: seq, violation: violation))
    }
    followQueue(seq: seq, event: event, before: before)
    lifelines.observe(seq: seq, state: state)
    return violations
  }

  /// Ends the diagram: a message still being handled gets its fate.
  package mutating func finish() -> SessionDiagram {
    closeHandling(after: state)
    return SessionDiagram(
      rows: rows, lifelines: lifelines.spans, queueLengths: queueLengths, seqs: seqs)
  }

  // MARK: - Placing events

  private mutating func place(seq: Int, event: HostEvent, before: HostState) -> Int {
    let justReceived = received
    received = nil
    let extending = dataPlane
    dataPlane = nil
    switch event {
    case .trace(let trace):
      return place(trace, before: before, extending: extending)
    case .simulator(let fact):
      return place(fact, justReceived: justReceived, extending: extending)
    }
  }

  private mutating func place(
    _ trace: TraceEvent, before: HostState, extending: (row: Int, counts: [(String, Int)])?
  ) -> Int {
    switch trace {
    case .recvMessage(let type, _):
      var message = DiagramMessage(direction: .guestToHost, type: type)
      let isQueued = state.rxQueue.count > before.rxQueue.count
      if !isQueued {
        if before.rxQueue.isFull {
          message.fate = .busy
        } else if !type.isKnownToQEMU {
          message.fate = .rejected
        }
      }
      let row = append(.message(message))
      if isQueued { queued.append(row) }
      received = row
      return row
    case .signalEvent:
      return dataPlane("signal", extending)
    case .channelNotifyGuest(let chan):
      return dataPlane("notify channel \(chan.rawValue)", extending)
    case .processIncomingMessage(let type):
      let head = queued.isEmpty ? nil : queued.removeFirst()
      let row: Int
      if let head {
        row = head
      } else {
        var message = DiagramMessage(direction: .guestToHost, type: type)
        message.queuedBeforeStart = true
        row = append(.message(message))
      }
      handling = Handling(row: row, before: before)
      request = row
      return row
    case .postMsg(let type, _):
      let row: Int
      if case .announced(let announced) = sending, rows[announced].message?.type == type {
        row = announced
      } else {
        row = appendHostMessage(DiagramMessage(direction: .hostToGuest, type: type))
      }
      sending = .posted(row)
      let posted = state
      update(row) { $0.fill(posted: posted) }
      return row
    case .msgCb(let status):
      guard case .posted(let row) = sending else {
        return append(
          .note(DiagramNote(kind: .stray, text: "delivery callback with nothing posted")))
      }
      sending = nil
      update(row) { message in
        message.deliveryStatus = status
        message.fate = status == 0 ? .delivered : status == -11 ? .busy : .failed
      }
      return row
    default:
      if let message = DiagramMessage.announced(by: trace) {
        let row = appendHostMessage(message)
        sending = .announced(row)
        return row
      }
      if let handling, isHandlerTrace(trace, of: handling) {
        self.handling?.traced = true
        update(handling.row) { $0.fill(trace: trace) }
        return handling.row
      }
      return append(
        .note(DiagramNote(kind: .stray, text: "\(trace.point.name) with no message it belongs to")))
    }
  }

  private mutating func place(
    _ fact: SimulatorEvent, justReceived: Int?, extending: (row: Int, counts: [(String, Int)])?
  ) -> Int {
    switch fact {
    case .hypercall(let call, let status):
      let payload = call.effectivePayload
      let row =
        justReceived
        ?? append(
          .message(
            DiagramMessage(
              direction: .guestToHost,
              type: ChannelMessage.messageType(of: payload) ?? .invalid)))
      update(row) { message in
        message.fill(payload: payload)
        message.hypercallStatus = status
        if call.connectionID != 1 { message.details.append("conn \(call.connectionID)") }
        if call.messageType != 1 { message.details.append("synic type \(call.messageType)") }
        if status == .insufficientBuffers {
          message.fate = .busy
        } else if status != .success {
          message.fate = .rejected
        }
      }
      return row
    case .signal(let connection, _):
      return dataPlane("hypercall signal conn \(connection)", extending)
    case .hostFault(let fault):
      return append(.note(DiagramNote(kind: .hostFault, text: "HOST FAULT: \(fault)")))
    case .tracedEventsDropped(let count):
      sending = nil
      request = nil
      return append(.note(DiagramNote(kind: .gap, text: "the trace lost \(count) events here")))
    case .machineReset:
      sending = nil
      request = nil
      return environment("machine reset")
    case .machineStarted(let profile, let machine):
      let release = machine.qemuRelease == .current ? "" : " (\(machine.qemuRelease))"
      return environment(
        "machine started: \(profile.rawValue) host\(release), \(machine.vcpuCount) vCPUs")
    case .deviceRealized(let config):
      let relids = state.devices.last?.channelIDs.map { "\($0.rawValue)" } ?? []
      let channels = relids.count == 1 ? "channel" : "channels"
      return environment(
        "device \(config.name) realized (\(channels) \(relids.joined(separator: ", ")))")
    case .deviceRejected(let instance, let reason):
      return environment("device \(instance) rejected: \(reason)")
    case .deviceReset(let instance):
      return environment("device \(instance) reset")
    case .rescheduleLost:
      return environment("a reschedule of the bus run was lost")
    case .busRunIdle:
      return dataPlane("bus run with nothing to do (after a rule it broke)", extending)
    case .ringIndicesCorrupted(let id):
      return environment("the guest corrupted the ring indices of gpadl \(id.rawValue)")
    case .migrated(let digest):
      // The source's message in flight and its queue handling end with the source.
      sending = nil
      request = nil
      return append(
        .note(
          DiagramNote(
            kind: .migration,
            text:
              "live migration: the source host stops; the destination loads saved state \(StableDigest.hex(digest))"
          )))
    }
  }

  // MARK: - Handling, queue and rows

  private func isHandlerTrace(_ trace: TraceEvent, of handling: Handling) -> Bool {
    guard let type = DiagramMessage.handledType(of: trace) else { return false }
    return !handling.traced && rows[handling.row].message?.type == type
  }

  /// Whether `event` ends the handling of the message the host took last: a main-loop event
  /// other than that message's handler trace point, or an outside reset or gap.
  private func closesHandling(_ event: HostEvent) -> Bool {
    guard let handling else { return false }
    switch event {
    case .trace(let trace):
      return trace.isControlPlaneMainLoop && !isHandlerTrace(trace, of: handling)
    case .simulator(let fact):
      switch fact {
      case .hypercall, .signal, .hostFault, .rescheduleLost, .ringIndicesCorrupted, .busRunIdle:
        return false
      default: return true
      }
    }
  }

  /// Decides whether the message being handled did anything, from the state `after` its
  /// handling.
  private mutating func closeHandling(after: HostState) {
    guard let handling else { return }
    self.handling = nil
    guard let message = rows[handling.row].message, message.fate == .pending else { return }
    let traces = DiagramMessage.handlerTraces(message.type)
    let effective: Bool
    if traces && !handling.traced {
      // The handler returned before its trace point: a length or negotiation check.
      effective = false
    } else if message.hasPayload || !traces {
      effective = after.changes(from: handling.before).contains { change in
        switch change {
        case .queueLength, .messageInFlight: false
        default: true
        }
      }
    } else {
      // A bare trace: the trace point fired, and what it did is the reducer's inference.
      effective = true
    }
    update(handling.row) { $0.fate = effective ? .handled : .ignored }
  }

  /// Keeps ``queued`` in step with the state's rx queue: an UNLOAD flush drops the rest.
  private mutating func followQueue(seq: Int, event: HostEvent, before: HostState) {
    let length = state.rxQueue.count
    if length != before.rxQueue.count {
      queueLengths.append(QueueLengthSample(seq: seq, length: length))
    }
    if case .trace(.processIncomingMessage) = event {
    } else if length < before.rxQueue.count {
      let dropped = min(before.rxQueue.count - length, queued.count)
      for row in queued.prefix(dropped) {
        guard let row else { continue }
        update(row) { message in
          guard message.fate == .pending else { return }
          message.fate = .flushed
          message.flushedAt = seq
        }
      }
      queued.removeFirst(dropped)
    }
    if queued.count > length { queued.removeFirst(queued.count - length) }
    while queued.count < length { queued.append(nil) }
  }

  private mutating func appendHostMessage(_ message: DiagramMessage) -> Int {
    var message = message
    message.replyTo = request
    if let request {
      // A reply shows that the request did something, whatever the state says.
      update(request) { if $0.fate == .ignored { $0.fate = .handled } }
    }
    return append(.message(message))
  }

  private mutating func dataPlane(
    _ label: String, _ extending: (row: Int, counts: [(String, Int)])?
  ) -> Int {
    var counts = extending?.counts.map { (label: $0.0, count: $0.1) } ?? []
    if let index = counts.firstIndex(where: { $0.label == label }) {
      counts[index].count += 1
    } else {
      counts.append((label, 1))
    }
    let text =
      "data plane: "
      + counts.map { $0.count == 1 ? $0.label : "\($0.label) ×\($0.count)" }
      .joined(separator: ", ")
    let note = DiagramNote(kind: .dataPlane, text: text)
    let row: Int
    if let extending {
      row = extending.row
      rows[row].content = .note(note)
    } else {
      row = append(.note(note))
    }
    dataPlane = (row, counts)
    return row
  }

  private mutating func environment(_ text: String) -> Int {
    append(.note(DiagramNote(kind: .environment, text: text)))
  }

  private mutating func append(_ content: DiagramRow.Content) -> Int {
    rows.append(DiagramRow(content: content, seqs: []))
    return rows.count - 1
  }

  private mutating func update(_ row: Int, _ body: (inout DiagramMessage) -> Void) {
    guard case .message(var message) = rows[row].content else { return }
    body(&message)
    rows[row].content = .message(message)
  }
}
