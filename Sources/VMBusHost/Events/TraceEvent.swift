import VMBusWire

/// A host pointer as QEMU's `%p` prints it; only useful to group channels by device.
public struct DevicePointer: RawRepresentable, Hashable, Sendable, Codable, Comparable {
  public var rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One firing of a QEMU `vmbus_*` trace point, with QEMU's argument names and widths.
///
/// These are the persisted facts of a session: an imported QEMU trace contains only these.
public enum TraceEvent: Hashable, Sendable, Codable {
  /// `vmbus_recv_message(type, size)`: a guest message passed the SynIC checks; `size` is
  /// the guest's raw payload size. Whether it was queued is not traced.
  case recvMessage(type: MessageType, size: UInt32)
  /// `vmbus_signal_event()`: the guest signalled connection id 2.
  case signalEvent
  /// `vmbus_channel_notify_guest(chan_id)`: the host signals the guest on a channel.
  case channelNotifyGuest(chanID: ChannelID)
  /// `vmbus_post_msg(type, size)`: a host message was posted; `size` is the unrounded
  /// struct size.
  case postMsg(type: MessageType, size: UInt32)
  /// `vmbus_msg_cb(status)`: the delivery callback ran (0 delivered, -11 slot busy, other
  /// negative values fatal).
  case msgCb(status: Int32)
  /// `vmbus_process_incoming_message(message_type)`: the head of the rx queue was taken.
  case processIncomingMessage(messageType: MessageType)
  /// `vmbus_initiate_contact(major, minor, vcpu, monitor_page1, monitor_page2,
  /// interrupt_page)`: the guest asked for a version; a full bus reset follows.
  case initiateContact(
    major: UInt16, minor: UInt16, vcpu: UInt32, monitorPage1: UInt64, monitorPage2: UInt64,
    interruptPage: UInt64)
  /// `vmbus_send_offer(chan_id, dev)`: OFFERCHANNEL goes out for this channel.
  case sendOffer(chanID: ChannelID, dev: DevicePointer)
  /// `vmbus_terminate_offers()`: ALLOFFERS_DELIVERED goes out.
  case terminateOffers
  /// `vmbus_gpadl_header(gpadl_id, num_gfns)`: a header passed its checks; `num_gfns` is
  /// truncated to 16 bits as QEMU declares it.
  case gpadlHeader(gpadlID: GpadlID, numGfns: UInt16)
  /// `vmbus_gpadl_body(gpadl_id)`: a body passed its checks.
  case gpadlBody(gpadlID: GpadlID)
  /// `vmbus_gpadl_created(gpadl_id)`: GPADL_CREATED goes out.
  case gpadlCreated(gpadlID: GpadlID)
  /// `vmbus_gpadl_teardown(gpadl_id)`: a teardown request passed its checks.
  case gpadlTeardown(gpadlID: GpadlID)
  /// `vmbus_gpadl_torndown(gpadl_id)`: GPADL_TORNDOWN goes out.
  case gpadlTorndown(gpadlID: GpadlID)
  /// `vmbus_open_channel(chan_id, gpadl_id, target_vp)`: an open request passed its checks.
  case openChannel(chanID: ChannelID, gpadlID: GpadlID, targetVP: UInt32)
  /// `vmbus_channel_open(chan_id, status)`: OPENCHANNEL_RESULT goes out (0 opened, 1 failed).
  case channelOpen(chanID: ChannelID, status: UInt32)
  /// `vmbus_close_channel(chan_id)`: a close request passed its checks.
  case closeChannel(chanID: ChannelID)

  /// The trace point this event fired.
  public var point: TracePoint {
    switch self {
    case .recvMessage: .recvMessage
    case .signalEvent: .signalEvent
    case .channelNotifyGuest: .channelNotifyGuest
    case .postMsg: .postMsg
    case .msgCb: .msgCb
    case .processIncomingMessage: .processIncomingMessage
    case .initiateContact: .initiateContact
    case .sendOffer: .sendOffer
    case .terminateOffers: .terminateOffers
    case .gpadlHeader: .gpadlHeader
    case .gpadlBody: .gpadlBody
    case .gpadlCreated: .gpadlCreated
    case .gpadlTeardown: .gpadlTeardown
    case .gpadlTorndown: .gpadlTorndown
    case .openChannel: .openChannel
    case .channelOpen: .channelOpen
    case .closeChannel: .closeChannel
    }
  }

  /// The arguments in declaration order as 64-bit words, encoded as QEMU's simple backend
  /// does: unsigned values zero-extended, `int` sign-extended, pointers as addresses.
  public var words: [UInt64] {
    switch self {
    case .recvMessage(let type, let size), .postMsg(let type, let size):
      [UInt64(type.rawValue), UInt64(size)]
    case .signalEvent, .terminateOffers: []
    case .channelNotifyGuest(let chan), .closeChannel(let chan): [UInt64(chan.rawValue)]
    case .msgCb(let status): [UInt64(bitPattern: Int64(status))]
    case .processIncomingMessage(let type): [UInt64(type.rawValue)]
    case .initiateContact(let major, let minor, let vcpu, let mon1, let mon2, let intPage):
      [UInt64(major), UInt64(minor), UInt64(vcpu), mon1, mon2, intPage]
    case .sendOffer(let chan, let dev): [UInt64(chan.rawValue), dev.rawValue]
    case .gpadlHeader(let gpadl, let gfns): [UInt64(gpadl.rawValue), UInt64(gfns)]
    case .gpadlBody(let gpadl), .gpadlCreated(let gpadl), .gpadlTeardown(let gpadl),
      .gpadlTorndown(let gpadl):
      [UInt64(gpadl.rawValue)]
    case .openChannel(let chan, let gpadl, let vp):
      [UInt64(chan.rawValue), UInt64(gpadl.rawValue), UInt64(vp)]
    case .channelOpen(let chan, let status): [UInt64(chan.rawValue), UInt64(status)]
    }
  }

  /// Builds an event from its trace point and argument words (see ``words``), checking the
  /// count and that each word fits its declared type.
  public init(point: TracePoint, words: [UInt64]) throws(TraceArgumentError) {
    let parameters = point.parameters
    guard words.count == parameters.count else {
      throw .wrongCount(point: point, expected: parameters.count, found: words.count)
    }
    for (parameter, word) in zip(parameters, words) where !parameter.kind.accepts(word) {
      throw .outOfRange(point: point, argument: parameter.name, kind: parameter.kind, word: word)
    }
    // The checks above make every narrowing below exact.
    func u32(_ index: Int) -> UInt32 { UInt32(truncatingIfNeeded: words[index]) }
    func u16(_ index: Int) -> UInt16 { UInt16(truncatingIfNeeded: words[index]) }
    switch point {
    case .recvMessage: self = .recvMessage(type: MessageType(u32(0)), size: u32(1))
    case .signalEvent: self = .signalEvent
    case .channelNotifyGuest: self = .channelNotifyGuest(chanID: ChannelID(u32(0)))
    case .postMsg: self = .postMsg(type: MessageType(u32(0)), size: u32(1))
    case .msgCb: self = .msgCb(status: Int32(truncatingIfNeeded: Int64(bitPattern: words[0])))
    case .processIncomingMessage:
      self = .processIncomingMessage(messageType: MessageType(u32(0)))
    case .initiateContact:
      self = .initiateContact(
        major: u16(0), minor: u16(1), vcpu: u32(2), monitorPage1: words[3],
        monitorPage2: words[4], interruptPage: words[5])
    case .sendOffer:
      self = .sendOffer(chanID: ChannelID(u32(0)), dev: DevicePointer(rawValue: words[1]))
    case .terminateOffers: self = .terminateOffers
    case .gpadlHeader: self = .gpadlHeader(gpadlID: GpadlID(u32(0)), numGfns: u16(1))
    case .gpadlBody: self = .gpadlBody(gpadlID: GpadlID(u32(0)))
    case .gpadlCreated: self = .gpadlCreated(gpadlID: GpadlID(u32(0)))
    case .gpadlTeardown: self = .gpadlTeardown(gpadlID: GpadlID(u32(0)))
    case .gpadlTorndown: self = .gpadlTorndown(gpadlID: GpadlID(u32(0)))
    case .openChannel:
      self = .openChannel(chanID: ChannelID(u32(0)), gpadlID: GpadlID(u32(1)), targetVP: u32(2))
    case .channelOpen: self = .channelOpen(chanID: ChannelID(u32(0)), status: u32(1))
    case .closeChannel: self = .closeChannel(chanID: ChannelID(u32(0)))
    }
  }

  /// Whether QEMU emits this point from the main loop (everything but the vCPU-thread
  /// `vmbus_recv_message` and the data-plane notifications), the thread whose order the
  /// reducer's one-reply-at-a-time inferences rely on.
  public var isControlPlaneMainLoop: Bool {
    switch self {
    case .recvMessage, .signalEvent, .channelNotifyGuest: false
    default: true
    }
  }
}

/// Why a trace point's arguments could not form an event.
public enum TraceArgumentError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The number of arguments differs from the declaration.
  case wrongCount(point: TracePoint, expected: Int, found: Int)
  /// An argument does not fit its declared C type.
  case outOfRange(point: TracePoint, argument: String, kind: TraceArgumentKind, word: UInt64)

  public var description: String {
    switch self {
    case .wrongCount(let point, let expected, let found):
      "\(point.name): expected \(expected) argument\(expected == 1 ? "" : "s"), found \(found)"
    case .outOfRange(let point, let argument, let kind, let word):
      "\(point.name): \(argument) = \(word) does not fit \(kind.cType)"
    }
  }
}
