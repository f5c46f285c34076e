import VMBusHost
import VMBusWire

/// How often the guest asked for one request and how often a reply to it reached the
/// guest: a reply beyond the asks is a second reply to one request.
struct ReplyLedgerEntry: Hashable, Sendable {
  /// The request (an offer: OFFERCHANNEL keyed by its relid).
  var request: RequestKey
  /// Posts of the request. Never taken back: a contact or a machine reset does not remove
  /// what QEMU's rx queue still holds and answers later.
  var asked = 0
  /// Replies to it that reached the guest's slot.
  var delivered = 0
  /// A live migration came after a reply to it was delivered.
  var migratedSince = false

  /// The request a host message answers, offers included; nil for messages that answer
  /// nothing (a rescind).
  static func answered(by reply: ChannelMessage) -> RequestKey? {
    if case .offerChannel(let offer) = reply {
      return RequestKey(type: .offerChannel, key: offer.childRelid.rawValue)
    }
    return RequestKey.answered(by: reply)
  }

  /// What an offer answers: each REQUESTOFFERS owes each channel's offer once.
  static let offersRequest = RequestKey(type: .requestOffers, key: nil)
}

/// Live migration (`- migrate`) and the property it can break: a reply posted twice.
extension Simulation {
  /// A live migration between two scheduler steps: QEMU stops the source with the big lock
  /// held, so no slice, hypercall or vCPU delivery is half done.
  ///
  /// Under `qemu` the host loads as `vmbus_post_load` does (the fold of `sim_migrated`).
  /// What lives only in the source process is gone (docs/qemu-migration.md §3): the staged
  /// message (`HvSintStagedMessage`, its route with it), a queued `cpu_post_msg`, a scheduled
  /// `sint_msg_bh` and every scheduled `vmbus_run`. The destination's main loop has only the
  /// run `vmbus_post_load` scheduled. The SynIC message page is guest memory (an overlay RAM
  /// region) and migrates: whatever the slot holds stays, PENDING included, and the guest's
  /// EOM then reaches the new route, whose staged area is empty.
  ///
  /// The hardened host saves and restores its pending message and its scheduled work with
  /// its state, as openvmm saves its pending messages (docs/hardened.md): nothing is lost,
  /// nothing is sent again.
  mutating func migrate(by actor: String) {
    let begin = events.count
    oracle.migrated(source: decision.state)
    input(.migrate)
    for index in replies.indices where replies[index].delivered > 0 {
      replies[index].migratedSince = true
    }
    if !decision.state.isHardened {
      mainLoop = MainLoop()
      mainLoop.schedule(runsScheduledByHost: decision.state.pendingRuns)
      synic.delivery = .idle
      // The destination's run is scheduled: a queue a reset had stalled is taken again.
      lastOutsideReset = nil
    }
    let text =
      decision.state.isHardened
      ? "live migration: the destination restores the host, its pending message included"
      : "live migration: the destination loads the saved bus; the message in flight and the scheduled runs stay behind"
    note(.environment, actor: actor, text, from: begin)
  }

  /// A host message reached the guest's slot: the guest has this reply now.
  mutating func noteDelivered(_ message: ChannelMessage) {
    guard let request = ReplyLedgerEntry.answered(by: message) else { return }
    replies[ledgerIndex(request)].delivered += 1
  }

  /// The guest posted `request`: one more reply is owed.
  mutating func noteAsked(_ request: RequestKey) {
    // A body completes its header's request, which the header already counted.
    guard request.type != .gpadlBody else { return }
    replies[ledgerIndex(request)].asked += 1
  }

  /// The host just posted `message`: a failure when the guest has had as many replies to its
  /// request as it asked for (openvmm never sends a reply twice: it saves its pending
  /// messages across a migration and does not regenerate them).
  mutating func checkDuplicate(posted message: ChannelMessage) {
    guard !replies.isEmpty, let request = ReplyLedgerEntry.answered(by: message),
      let earlier = replies.first(where: { $0.request == request }), earlier.delivered > 0
    else { return }
    let asking =
      request.type == .offerChannel ? ReplyLedgerEntry.offersRequest : request
    let asked = replies.first { $0.request == asking }?.asked ?? 0
    guard earlier.delivered >= asked else { return }
    let cause: RootCause =
      earlier.migratedSince ? .postLoadResendsDeliveredReply : .postRepeatsDeliveredReply
    let why =
      earlier.migratedSince
      ? "it was in the guest's slot when the machine migrated, before its delivery callback ran; msg_in_progress is not migrated, so vmbus_post_load's run sent the saved state's message again"
      : "the guest did not ask again"
    finish(
      .duplicateReply,
      "QEMU posts \(message.summary) a second time: the guest already has it; \(why)",
      rootCause: cause)
  }

  /// The ledger entry of `request`, added when there is none.
  private mutating func ledgerIndex(_ request: RequestKey) -> Int {
    if let index = replies.firstIndex(where: { $0.request == request }) { return index }
    replies.append(ReplyLedgerEntry(request: request))
    return replies.count - 1
  }
}

extension RootCause {
  /// `vmbus_post_load` schedules a run that sends the saved state's message again, which the
  /// guest already had when the source stopped (`msg_in_progress` is not migrated).
  static let postLoadResendsDeliveredReply = RootCause("vmbus_post_load.resends_delivered_reply")
  /// A reply posted again with no migration in between and no new request (kept apart, so
  /// that such a bug could not hide under the migration's name).
  static let postRepeatsDeliveredReply = RootCause("post_msg.repeats_delivered_reply")
  /// `vmbus_post_load` finds no channel state to re-open (upstream migrates none), and the
  /// run it schedules finds no OPENING channel for the saved OPEN_CHANNEL state: abort.
  static let postLoadChannelStateNotLoaded = RootCause("vmbus_post_load.channel_state_not_loaded")
  /// `vmbus_post_load` sets every loaded GPADL's refcount to 1, a torn-down one's too, whose
  /// own reference went with its teardown: a reference nobody holds, so the GPADL is never
  /// freed and its id stays blocked (§9.53).
  static let postLoadGpadlRefcountReset = RootCause("vmbus_post_load.gpadl_refcount_reset")
}
