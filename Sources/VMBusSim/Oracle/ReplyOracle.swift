import VMBusHost
import VMBusWire

/// Judges each guest request when QEMU takes it from its rx queue: would a correct host
/// (openvmm's `channels::Server`, `vm/devices/vmbus/vmbus_server/src/channels.rs`) answer it,
/// and if so, did QEMU drop it and at which check?
///
/// The correct host's channels and GPADLs are QEMU's at that point (the two agree on what
/// exists and what is open), except after QEMU lost a connection a correct host keeps (a
/// fatal delivery failure, a failed route set-up): then they are the ones QEMU had before.
/// The connection itself is tracked here, from the requests taken, because QEMU's
/// `vmbus_initialized` cannot tell "never contacted" from "unloaded" or "reset by a fault".
struct ReplyOracle: Hashable, Sendable {
  /// The connection as a correct host holds it.
  enum Connection: UInt8, Hashable, Sendable {
    /// No INITIATE_CONTACT taken since the machine started (openvmm `Disconnected`).
    case none
    /// The last contact's version was accepted (openvmm `Connected`).
    case connected
    /// The last contact's version was refused (openvmm back to `Disconnected`).
    case refused
    /// UNLOAD was taken and no contact since (openvmm `Disconnecting`, then `Disconnected`).
    case unloaded
  }

  /// QEMU lost a connection a correct host keeps: why, and the channels and GPADLs the
  /// correct host still has.
  struct LostConnection: Hashable, Sendable {
    var cause: Finding
    var channels: [Channel]
    var gpadls: [Gpadl]
  }

  private(set) var connection = Connection.none
  /// The version of the last contact taken.
  private(set) var version = ProtocolVersion(rawValue: 0)
  /// REQUESTOFFERS was taken in this connection (openvmm `offers_sent`).
  private(set) var offersSent = false
  /// Relids offered in this connection, in list order (REQUESTOFFERS offers every channel).
  private(set) var offered: [ChannelID] = []
  /// Set while QEMU has lost a connection a correct host keeps.
  private(set) var lost: LostConnection?
  /// A fatal delivery failure left QEMU's bus run unscheduled at least once. (A machine
  /// reset does not reschedule it, so this survives one.)
  private(set) var fatalFailureSeen = false
  /// QEMU migrated while sending offers and its destination will send no more of them; a
  /// correct host's saved state still owes them. Cleared by the next REQUESTOFFERS taken,
  /// which QEMU answers with every offer again.
  private(set) var offersLostInMigration: Finding?

  /// QEMU's source was migrated: in OFFER, every offer not yet delivered is lost (the
  /// destination has no channel SENDING and sends ALLOFFERS_DELIVERED at once).
  mutating func migrated(source host: HostState) {
    guard !host.isHardened, host.bus == .offer,
      host.channels.contains(where: { offered.contains($0.id) && $0.offer != .sent })
    else { return }
    offersLostInMigration = Finding(
      .postLoadOffersLost,
      "the machine migrated while QEMU was sending offers; the destination loaded no offer state (vmstate_vmbus_dev has no user), found no channel SENDING and sent ALLOFFERS_DELIVERED without the rest (a correct host's saved state still owes them)"
    )
  }

  /// The message's type when ``take(_:host:)`` judges it (the requests that ask for a reply),
  /// else nil: a caller can skip preparing a judgement for most of the queue's messages,
  /// GPADL bodies above all.
  static func judgedType(_ payload: [UInt8]) -> MessageType? {
    guard payload.count >= 8, let word = payload.littleEndianWord(at: 0) else { return nil }
    let type = MessageType(word)
    switch type {
    case .initiateContact, .unload, .requestOffers, .gpadlHeader, .gpadlTeardown, .openChannel:
      return type
    default:
      return nil
    }
  }

  /// Judges the request QEMU takes now, given QEMU's state before its handler runs, and
  /// moves the connection on. Nil for a message that asks for no reply (CLOSECHANNEL, a
  /// GPADL_BODY, which completes its header's request, or a type QEMU does not handle).
  mutating func take(_ payload: [UInt8], host: HostState) -> RequestVerdict? {
    guard let type = Self.judgedType(payload) else { return nil }
    let verdict = judge(type, payload, host: host)
    // The hardened host answers what QEMU's checks drop (with a failure status, or by
    // keeping the bus running): what a correct host owes, it owes as handled, and a hang on
    // one is `vmbus_run.reply_not_sent`, never a QEMU path it does not take.
    if host.isHardened, case .owed(dropped: .some) = verdict { return .owed(dropped: nil) }
    return verdict
  }

  private mutating func judge(_ type: MessageType, _ payload: [UInt8], host: HostState)
    -> RequestVerdict?
  {
    switch type {
    case .initiateContact: return initiateContact(payload, host: host)
    case .unload: return unload()
    case .requestOffers: return requestOffers(host: host)
    case .gpadlHeader: return gpadlHeader(payload, host: host)
    case .gpadlTeardown: return gpadlTeardown(payload, host: host)
    case .openChannel: return openChannel(payload, host: host)
    default: return nil
    }
  }

  /// QEMU's `vmbus_msg_cb` reset the bus at a fatal delivery failure (-6): a correct host
  /// keeps its connection, channels and GPADLs (openvmm queues a message it cannot post).
  mutating func fatalDeliveryFailure(before host: HostState) {
    fatalFailureSeen = true
    loseConnection(
      Finding(
        .msgCbFatalReset,
        "the fatal delivery failure (-6) reset QEMU's bus (vmbus_msg_cb), so QEMU ignored the request as if the guest had never negotiated"
      ), before: host)
  }

  /// QEMU's wake from S3 reset its bus (`pc_machine_wakeup` → `qemu_devices_reset` →
  /// `vmbus_deinit`) under a kernel that keeps its connection across suspend-to-RAM. A
  /// correct host keeps the connection too: Hyper-V offers no S3, and nothing in VMBus tells
  /// a guest its host forgot it.
  mutating func wakeupReset(before host: HostState) {
    loseConnection(
      Finding(
        .wakeupBusReset,
        "QEMU's wake from S3 reset the bus (pc_machine_wakeup → qemu_devices_reset → vmbus_deinit) under a kernel that keeps its connection across suspend-to-RAM, so QEMU ignored the request as if the guest had never negotiated"
      ), before: host)
  }

  /// QEMU reset its bus under a connected guest, with the channels and GPADLs a correct host
  /// keeps; the first such loss names every drop until the next contact or reset.
  private mutating func loseConnection(_ cause: Finding, before host: HostState) {
    guard connection == .connected, lost == nil else { return }
    lost = LostConnection(cause: cause, channels: host.channels, gpadls: host.gpadls)
  }

  /// The machine reset: both hosts start over, and the guest reboots.
  mutating func machineReset() {
    self = ReplyOracle(fatalFailureSeen: fatalFailureSeen)
  }

  init() {}

  private init(fatalFailureSeen: Bool) {
    self.fatalFailureSeen = fatalFailureSeen
  }

  /// Why QEMU drops a request a connected correct host takes, when QEMU's bus is not
  /// initialized: the connection QEMU lost, or (a path the oracle does not model) the
  /// handler's `vmbus_initialized` check itself.
  func notInitializedDrop(_ cause: RootCause, _ type: MessageType, host: HostState) -> Finding? {
    if let lost { return lost.cause }
    guard !host.isInitialized else { return nil }
    return Finding(
      cause,
      "QEMU's bus is not initialized (version \(host.version)), so its handler ignored the \(type.name)"
    )
  }

  // MARK: Connection-level requests

  private mutating func initiateContact(_ payload: [UInt8], host: HostState) -> RequestVerdict {
    guard payload.count >= MessageType.initiateContact.minimumLength,
      let requested = payload.littleEndianWord(at: 8), let vp = payload.littleEndianWord(at: 12)
    else { return tooShort(.initiateContact, payload) }
    // The version the guest is told it has: QEMU's range test decides the VERSION_RESPONSE,
    // and requests after it are judged by what the guest was told.
    version = ProtocolVersion(rawValue: requested)
    connection = version.isSupportedByQEMU ? .connected : .refused
    offersSent = false
    offered = []
    lost = nil
    if let machine = host.machine, !host.isHardened, vp < machine.vcpuCount,
      machine.vcpusWithoutSynIC.contains(vp)
    {
      let cause = Finding(
        .initiateContactRouteFailed,
        "QEMU could not set up the SINT route to vCPU \(vp) (no SynIC), reset the bus and sent no VERSION_RESPONSE (handle_initiate_contact, vmbus_init)"
      )
      if connection == .connected {
        // A correct host connected with everything closed and no GPADLs.
        var channels = host.channels
        for index in channels.indices { channels[index].state = .initial }
        lost = LostConnection(cause: cause, channels: channels, gpadls: [])
      }
      return .owed(dropped: cause)
    }
    return .owed(dropped: nil)
  }

  private mutating func unload() -> RequestVerdict {
    if let error = connectionError(.unload) { return .guestError(error) }
    connection = .unloaded
    offersSent = false
    offered = []
    lost = nil
    return .owed(dropped: nil)
  }

  private mutating func requestOffers(host: HostState) -> RequestVerdict {
    if let error = connectionError(.requestOffers) { return .guestError(error) }
    if offersSent {
      return .guestError(
        Finding(
          .offersAlreadyRequested,
          "REQUESTOFFERS a second time in one connection (openvmm: OffersAlreadySent; a correct host sends nothing)"
        ))
    }
    offersSent = true
    offersLostInMigration = nil
    offered = (lost?.channels ?? host.channels).map(\.id)
    return .owed(
      dropped: notInitializedDrop(.requestOffersNotInitialized, .requestOffers, host: host))
  }

  /// The guest error of a request (not INITIATE_CONTACT) while a correct host is not
  /// connected, or nil when it is.
  func connectionError(_ type: MessageType) -> Finding? {
    switch connection {
    case .connected:
      return nil
    case .none:
      return Finding(
        .requestBeforeContact,
        "\(type.name) before INITIATE_CONTACT (openvmm: ParseError, only INITIATE_CONTACT parses before a version is negotiated; a correct host sends nothing)"
      )
    case .refused:
      return Finding(
        .requestAfterRefusedVersion,
        "\(type.name) after the host refused version \(version) (openvmm: ParseError, the connection stays Disconnected; a correct host sends nothing)"
      )
    case .unloaded:
      return Finding(
        .requestAfterUnload,
        "\(type.name) after UNLOAD with no new INITIATE_CONTACT (openvmm: ParseError while Disconnecting; a correct host sends nothing)"
      )
    }
  }

  /// Judged when QEMU's `send_unload` flushes a request queued behind an UNLOAD (§9.43):
  /// only a new INITIATE_CONTACT is owed then (openvmm parses it in any state and
  /// reconnects once the disconnect completes); anything else is the guest's error.
  static func flushedBehindUnload(_ payload: [UInt8]) -> RequestVerdict? {
    guard let request = RequestKey(payload: payload) else { return nil }
    if request.type == .initiateContact {
      return .owed(
        dropped: Finding(
          .sendUnloadRxQueueFlush,
          "QEMU's send_unload flushed the INITIATE_CONTACT queued behind the UNLOAD, although its hypercall had succeeded (a correct host answers: openvmm handle_initiate_contact reconnects after the disconnect)"
        ))
    }
    return .guestError(
      Finding(
        .requestAfterUnload,
        "\(request.type.name) queued behind UNLOAD, with no new INITIATE_CONTACT (openvmm: ParseError while Disconnecting; a correct host sends nothing)"
      ))
  }

  func tooShort(_ type: MessageType, _ payload: [UInt8]) -> RequestVerdict {
    .guestError(
      Finding(
        .messageTooShort,
        "\(type.name) of \(payload.count) bytes, shorter than its \(type.minimumLength) (openvmm: ParseError; a correct host sends nothing)"
      ))
  }
}
