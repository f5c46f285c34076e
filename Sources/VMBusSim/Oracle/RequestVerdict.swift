import VMBusHost

/// What a correct host (openvmm's `channels::Server`) does with a guest request, and what
/// QEMU did with it: the oracle's answer to "whose fault is a hang waiting on its reply?".
enum RequestVerdict: Hashable, Sendable {
  /// A correct host answers. `dropped` names the QEMU check that ignored the request, nil
  /// when QEMU took it as a correct host would.
  case owed(dropped: Finding?)
  /// The request broke the protocol: a correct host sends nothing either.
  case guestError(Finding)
}

/// A rule the guest broke or a QEMU path that dropped a request: its stable name and what
/// happened, in words.
struct Finding: Hashable, Sendable {
  var rootCause: RootCause
  /// A clause that reads after "actor NAME: " or after "nothing can send it: ".
  var text: String

  init(_ rootCause: RootCause, _ text: String) {
    self.rootCause = rootCause
    self.text = text
  }
}

/// The rules of a correct host that a guest request can break (openvmm `ChannelError`
/// variants and `ParseError`), and the QEMU paths that drop a request a correct host answers.
/// A name never changes once regression files carry it.
extension RootCause {
  // Guest errors: openvmm's `channels::Server` sends nothing for these either.

  /// A request other than INITIATE_CONTACT before any contact: openvmm's version-gated
  /// `Message::parse` fails (`ParseError`) while not `Connected`.
  static let requestBeforeContact = RootCause("guest.request_before_contact")
  /// A request after the host refused the contact's version: openvmm stays `Disconnected`.
  static let requestAfterRefusedVersion = RootCause("guest.request_after_refused_version")
  /// A request after UNLOAD (or queued behind it) with no new contact: openvmm is
  /// `Disconnecting`, then `Disconnected`, and its parse fails.
  static let requestAfterUnload = RootCause("guest.request_after_unload")
  /// A payload shorter than its message's fixed part: openvmm's `ParseError`.
  static let messageTooShort = RootCause("guest.message_too_short")
  /// A second REQUESTOFFERS in one connection: openvmm's `OffersAlreadySent`.
  static let offersAlreadyRequested = RootCause("guest.offers_already_requested")
  /// OPENCHANNEL for a relid the guest was not offered: openvmm's `UnknownChannelId`.
  static let openUnknownChannel = RootCause("guest.open_unknown_channel")
  /// OPENCHANNEL for a channel already opening or open: openvmm's `ChannelAlreadyOpen`.
  static let openChannelNotClosed = RootCause("guest.open_channel_not_closed")
  /// GPADL_TEARDOWN of an id that does not exist (never created, or already torn down):
  /// openvmm's `UnknownGpadlId`.
  static let teardownUnknownGpadl = RootCause("guest.teardown_unknown_gpadl")
  /// The guest emptied its SynIC slot without the EOM its message-pending flag asked for
  /// (Linux's `vmbus_wait_for_unload` cleanup after a crash does), so the message the host
  /// has staged waits for an EOM no kernel will write: the SynIC protocol (TLFS, "SynIC
  /// message flags") is the guest's to keep, and nothing a host does after posting helps.
  static let slotClearedWithoutEOM = RootCause("guest.slot_cleared_without_eom")

  // Host failures: a correct host answers; these QEMU paths drop the request.

  /// QEMU §9.17: `handle_gpadl_header` needs rangecount 1, byte_offset 0 and byte_count =
  /// num_gfns << 12.
  static let gpadlHeaderRangeShape = RootCause("gpadl_header.range_shape")
  /// QEMU §9.18: `handle_gpadl_header` ignores an id that `find_gpadl` finds in any state.
  static let gpadlHeaderDuplicateID = RootCause("gpadl_header.duplicate_id")
  /// QEMU §5.2 limits: range_buflen is a u16, so 8 + 8·pages wraps for 8191 pages or more
  /// and num_gfns no longer matches byte_count.
  static let gpadlHeaderRangeBuflenOverflow = RootCause("gpadl_header.range_buflen_overflow")
  /// QEMU §9.19: range_buflen < 8 wraps num_gfns to 0xFFFFFFFF; the GPADL can never fill.
  static let gpadlHeaderNumGfnsWrap = RootCause("gpadl_header.num_gfns_wrap")
  /// QEMU §3.2 step 6: `vmbus_init` could not create the SINT route; `handle_initiate_contact`
  /// resets the bus and sends no VERSION_RESPONSE.
  static let initiateContactRouteFailed = RootCause("initiate_contact.sint_route_failed")
  /// QEMU §9.43: `send_unload` empties the rx queue, an INITIATE_CONTACT behind the UNLOAD
  /// included, though the guest was told it was accepted.
  static let sendUnloadRxQueueFlush = RootCause("send_unload.rx_queue_flush")
  /// QEMU §9.45: `vmbus_msg_cb`'s fatal failure (-6) reset the bus, so later requests meet
  /// `vmbus_initialized` false and are ignored, while a correct host keeps the connection.
  static let msgCbFatalReset = RootCause("msg_cb.fatal_reset")
  /// QEMU §9.45: after the fatal reset no bus run is scheduled, and a message into a
  /// non-empty rx queue does not schedule one: the request is never taken.
  static let msgCbFatalWithoutResched = RootCause("msg_cb.fatal_without_resched")
  /// QEMU's wake from S3 resets the machine (`pc_machine_wakeup`), its bus included, while
  /// the guest's kernel runs on connected: later requests meet `vmbus_initialized` false.
  static let wakeupBusReset = RootCause("wakeup.bus_reset")
  /// Upstream `vmbus_post_load` loads no offer state: offers QEMU had not yet sent when
  /// the source stopped are never sent.
  static let postLoadOffersLost = RootCause("vmbus_post_load.offers_lost")
  /// QEMU §9.46: a machine reset forgot the reply in flight (and the guest rebooted, so
  /// nothing it asked before is owed).
  static let machineResetReplyForgotten = RootCause("machine_reset.reply_forgotten")
  /// QEMU §9.47: a machine reset keeps the rx queue but schedules no run for it (QEMU
  /// before 7.1, where the reset does not abort first); a request enqueued behind what was
  /// kept is never taken.
  static let machineResetQueueStalled = RootCause("machine_reset.queue_stalled")
  /// The guest's kernel gave way (kexec, kdump, hibernation) after posting the request.
  static let kernelRestartReplyForgotten = RootCause("guest.kernel_restarted")
  /// Linux's `vmbus_bus_suspend` waits until the host rescinded every sub-channel it
  /// offered (`nr_chan_close_on_suspend`), as Hyper-V does once a primary closes; QEMU never
  /// rescinds a channel (docs/qemu-reference.md §6.6), so hibernation never finishes.
  static let subchannelsNeverRescinded = RootCause("suspend.subchannels_never_rescinded")
  /// `<handler>.not_initialized`: the handler's `vmbus_initialized` check dropped the
  /// request while a correct host is connected, for a reason the oracle does not model.
  static let requestOffersNotInitialized = RootCause("request_offers.not_initialized")
  static let gpadlHeaderNotInitialized = RootCause("gpadl_header.not_initialized")
  static let gpadlTeardownNotInitialized = RootCause("gpadl_teardown.not_initialized")
  static let openChannelNotInitialized = RootCause("open_channel.not_initialized")

  /// A guest error whose run named no rule: the count of a campaign's guest errors keeps
  /// it, but no path of the oracle ends a run so today.
  static let unattributedGuestError = RootCause("guest.unattributed")

  /// QEMU took the request and should have answered, but no reply came: a path the oracle
  /// does not name yet.
  static let replyNotSent = RootCause("vmbus_run.reply_not_sent")
  /// The request is still in the rx queue with a bus run scheduled: a path the oracle does
  /// not name yet.
  static let requestNotTaken = RootCause("vmbus_run.request_not_taken")
}

extension RootCause {
  /// A guest error a request breaks whatever a correct host's channels and GPADLs are: its
  /// length, or the connection as the requests ahead of it in the queue leave it. So it can
  /// be judged for a request QEMU never took (its queue stalled), by walking the queue.
  var isDecidedByTheQueue: Bool {
    switch self {
    case .messageTooShort, .requestBeforeContact, .requestAfterRefusedVersion,
      .requestAfterUnload, .offersAlreadyRequested:
      true
    default: false
    }
  }

  /// Where QEMU dropped a request a correct host answers: the trace point of the function
  /// the root cause names. A hang is noticed wherever the run happens to end, which says
  /// nothing about the bug, so a hang's signature names the drop (one bug, one signature).
  var dropPoint: FailurePoint? {
    switch self {
    case .gpadlHeaderRangeShape, .gpadlHeaderDuplicateID, .gpadlHeaderRangeBuflenOverflow,
      .gpadlHeaderNumGfnsWrap:
      .trace(.gpadlHeader)
    case .initiateContactRouteFailed: .trace(.initiateContact)
    case .msgCbFatalReset, .msgCbFatalWithoutResched: .trace(.msgCb)
    // `send_unload` flushes the queue, then posts UNLOAD_RESPONSE.
    case .sendUnloadRxQueueFlush: .trace(.postMsg)
    // `vmbus_initialized` is checked before these handlers trace anything of their own.
    case .requestOffersNotInitialized, .gpadlHeaderNotInitialized, .gpadlTeardownNotInitialized,
      .openChannelNotInitialized:
      .trace(.processIncomingMessage)
    // The wake's reset is QEMU's machine reset.
    case .machineResetReplyForgotten, .machineResetQueueStalled, .wakeupBusReset:
      .simulator(SimulatorEvent.machineReset.name)
    // `handle_close_channel` is where Hyper-V would rescind the sub-channels.
    case .subchannelsNeverRescinded: .trace(.closeChannel)
    case .postLoadOffersLost: .simulator(SimulatorEvent.migratedName)
    default: nil
    }
  }
}
