import VMBusHost
import VMBusWire

/// A message the guest posted that waits in QEMU's rx queue, with the actor that posted it.
/// The simulation keeps these in step with the host's queue, so the oracle knows whose
/// request QEMU takes, and which requests a queue flush or stall left unanswered.
struct QueuedRequest: Hashable, Sendable {
  var actor: Int
  var payload: [UInt8]
  /// The id of the entry the post made in the actor's ``PostedRequests`` (nil for a message
  /// that asks for no reply of its own, or too short to name one).
  var entry: UInt32?
}

/// Where the oracle meets the run: requests judged as QEMU takes them, and the end of a run
/// in which every remaining actor waits forever.
extension Simulation {
  /// Whether the next bus run takes the rx queue's head (`process_message` in LISTEN, with
  /// no failure reply owed first).
  private var busTakesHead: Bool {
    // Read through `decision`: a local copy of the state would retain all of its lists.
    decision.state.isAlive && decision.state.runScheduled && !decision.state.messageInFlight
      && decision.state.bus == .listen && decision.state.failureReply == nil
      && !decision.state.rxQueue.isEmpty
  }

  /// The bus run, with the request it takes judged against the state before its handler.
  mutating func runBusJudgingRequest() {
    // Two optionals, not an optional tuple holding the oracle: the tuple was moved whole
    // (memcpy) and tested through outlined helpers, about 1 % of a fuzz campaign.
    var judgedOracle: ReplyOracle?
    var verdict: RequestVerdict?
    let busTookHead = busTakesHead
    // Only requests that ask for a reply are judged; the rest (GPADL bodies above all) need
    // no copy of the oracle. The head is read in place, not copied out by `queued.first`.
    if busTookHead, !queued.isEmpty, ReplyOracle.judgedType(queued[0].payload) != nil {
      var next = oracle
      verdict = next.take(queued[0].payload, host: decision.state)
      judgedOracle = next
    }
    let range = input(.runBus)
    let took = range.contains {
      if case .trace(.processIncomingMessage) = decision.events[$0] { true } else { false }
    }
    if took, busTookHead, !queued.isEmpty {
      let head = queued.removeFirst()
      if let judgedOracle {
        oracle = judgedOracle
        if let verdict, let entry = head.entry {
          actors[head.actor].requests.judge(entry: entry, verdict)
        }
      }
    }
    // `send_unload` empties the queue (§9.43): what was behind the UNLOAD is gone.
    while queued.count > decision.state.rxQueue.count {
      let flushed = queued.removeFirst()
      if let entry = flushed.entry, let verdict = ReplyOracle.flushedBehindUnload(flushed.payload) {
        actors[flushed.actor].requests.judge(entry: entry, verdict)
      }
    }
  }

  /// Paths where QEMU accepted the request (hypercall status 0) and its handler never ran:
  /// the message says "accepted" only for these.
  private static var acceptedButNeverHandled: [RootCause] {
    [
      .msgCbFatalWithoutResched, .machineResetQueueStalled, .requestNotTaken,
      .sendUnloadRxQueueFlush,
    ]
  }

  /// Nothing can happen any more and some actors wait: the host's fault when a correct host
  /// would have answered a request one of them waits on, else the guest's error when such a
  /// request broke the protocol, else a hang nobody owes.
  mutating func finishHang() {
    var clauses: [String] = []
    var owed: (reply: MessageType, cause: RootCause)?
    var guestError: (message: String, cause: RootCause)?
    var otherCause: RootCause?
    for index in actors.indices {
      if case .blocked(let blocked) = actors[index].status, blocked.reason.isWait {
        clauses.append("\(actors[index].name) \(blocked.reason.waitDescription)")
        // Hyper-V rescinds a closed primary's sub-channels; QEMU never will.
        if blocked.reason == .subchannelRescinds {
          owed = owed ?? (.rescindChannelOffer, .subchannelsNeverRescinded)
        }
        if blocked.reason.awaitsOffer, let lost = oracle.offersLostInMigration,
          !everyOfferDelivered
        {
          clauses[clauses.count - 1] += ": \(lost.text)"
          owed = owed ?? (.offerChannel, lost.rootCause)
        }
        continue
      }
      guard case .waiting(let waiting) = actors[index].status else { continue }
      let name = actors[index].name
      let reply = waiting.condition.type
      let waits = "\(name) waits for \(reply.name)"
      guard let request = RequestKey.answered(by: waiting.condition) else {
        clauses.append(waits)
        continue
      }
      if reply == .offerChannel, everyOfferDelivered {
        // REQUESTOFFERS owes each channel's offer once, and the guest had them all.
        clauses.append("\(waits), but every channel's offer reached it for each REQUESTOFFERS")
        continue
      }
      if reply == .offerChannel, let lost = oracle.offersLostInMigration {
        clauses.append("\(waits), and nothing can send it: \(lost.text)")
        owed = owed ?? (reply, lost.rootCause)
        continue
      }
      guard actors[index].requests.awaitsReply(request) else {
        if let cause = actors[index].withdrawn[request] {
          clauses.append("\(waits), which nothing owes: \(cause.text)")
          otherCause = otherCause ?? cause.rootCause
        } else {
          clauses.append(waits)
        }
        continue
      }
      switch verdict(on: request, of: index) {
      case .guestError(let rule):
        clauses.append("\(waits): \(rule.text)")
        guestError = guestError ?? ("actor \(name): \(rule.text)", rule.rootCause)
      case .owed(let dropped):
        let cause =
          dropped
          ?? Finding(
            .replyNotSent,
            "QEMU took its \(request.type.name) and a correct host answers it, but no reply was sent"
          )
        clauses.append(
          Self.acceptedButNeverHandled.contains(cause.rootCause)
            ? "\(waits) (its \(request.type.name) was accepted), and nothing can send it: \(cause.text)"
            : "\(waits), and nothing can send it: \(cause.text)")
        owed = owed ?? (reply, cause.rootCause)
      }
    }
    let message = clauses.joined(separator: "; ")
    if let owed {
      return finish(.guestHang, message, owesReply: owed.reply, rootCause: owed.cause)
    }
    if let guestError {
      return finish(.guestError, guestError.message, rootCause: guestError.cause)
    }
    finish(.guestHang, message + ", and nothing can send it", rootCause: otherCause)
  }

  /// Whether each channel's offer reached the guest as often as it sent REQUESTOFFERS: a
  /// wait for one more offer is then owed by no host.
  private var everyOfferDelivered: Bool {
    let asked = replies.first { $0.request == ReplyLedgerEntry.offersRequest }?.asked ?? 0
    return decision.state.channels.allSatisfy { channel in
      let offer = RequestKey(type: .offerChannel, key: channel.id.rawValue)
      return (replies.first { $0.request == offer }?.delivered ?? 0) >= asked
    }
  }

  /// The verdict on a request an actor posted and still waits on: still queued (QEMU never
  /// took it), or judged when QEMU took it.
  private func verdict(on request: RequestKey, of index: Int) -> RequestVerdict {
    // Nothing moves while the host's staged message waits for an EOM the guest will never
    // write: whatever the request, the guest stopped the bus.
    // (A machine reset that empties the slot is not the guest's doing: it clears the flag.)
    if decision.state.messageInFlight && synic.delivery == .waitingForEOM
      && synic.emptiedWithoutEOM
    {
      return .guestError(
        Finding(
          .slotClearedWithoutEOM,
          "QEMU's message in flight waits for an EOM: the guest emptied its SynIC slot, whose message-pending flag QEMU had set, without writing one (Linux's vmbus_wait_for_unload cleanup does), and the bus runs nothing more for the \(request.type.name)"
        ))
    }
    // The actor's requests for this reply still in QEMU's queue, each judged as a correct host
    // takes the queue, in order (a copy of the oracle walks all of it): whether any is queued,
    // and the first rule broken when every one broke a rule that only the queue decides (a
    // request too short, or one the connection the requests ahead leave refuses: queued
    // behind an UNLOAD, a second REQUESTOFFERS). A correct host sends nothing for those
    // whatever became of QEMU's bus, so then the hang is the guest's, stalled queue or not.
    var queuedStill = false
    var firstBroken: RequestVerdict?
    var everyOneBroke = true
    var walk = oracle
    for entry in queued {
      let verdict = walk.take(entry.payload, host: decision.state)
      guard entry.actor == index, let posted = RequestKey(payload: entry.payload) else { continue }
      // A GPADL's last body completes the request its header made.
      let completesHeader =
        posted.type == .gpadlBody && request.type == .gpadlHeader && posted.key == request.key
      guard completesHeader || posted == request else { continue }
      // A request the actor forgot since (a new contact, an UNLOAD, a teardown) is not one
      // it waits on, even with the key of one it posted later.
      if !completesHeader,
        entry.entry.flatMap({ actors[index].requests.position(of: $0) }) == nil
      {
        continue
      }
      queuedStill = true
      if case .guestError(let rule)? = verdict, rule.rootCause.isDecidedByTheQueue {
        firstBroken = firstBroken ?? verdict
      } else {
        everyOneBroke = false
      }
    }
    if queuedStill, everyOneBroke, let firstBroken { return firstBroken }
    if queuedStill {
      let state = decision.state
      // Only a fatal -6 or a machine reset leaves queued messages with no run scheduled:
      // `vmbus_resched` runs on every other path, and no handler nests `aio_poll` to lose
      // one (§9.48). The later of the two is why.
      if !state.runScheduled, lastOutsideReset == .machineReset {
        return .owed(
          dropped: Finding(
            .machineResetQueueStalled,
            "the \(request.type.name) is queued behind a request QEMU kept across the machine reset (the reset keeps the rx queue, §9.47, but no bus run is scheduled for it); a message into a non-empty queue does not schedule one"
          ))
      }
      if !state.runScheduled {
        return .owed(
          dropped: Finding(
            .msgCbFatalWithoutResched,
            "the \(request.type.name) is still in QEMU's rx queue, and no bus run is scheduled since a fatal delivery failure (-6) reset the bus without rescheduling (vmbus_msg_cb); a message into a non-empty queue does not schedule one"
          ))
      }
      return .owed(
        dropped: Finding(
          .requestNotTaken,
          "the \(request.type.name) is still in QEMU's rx queue (bus in \(state.bus))"))
    }
    return actors[index].requests.verdict(on: request)
  }
}
