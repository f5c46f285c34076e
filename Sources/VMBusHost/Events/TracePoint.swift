/// One of the 17 `vmbus_*` trace points of QEMU's `hw/hyperv/trace-events`.
///
/// The raw value is QEMU's own name; the schema (argument names, C types and the log format
/// string) is QEMU's too, so parsers and exporters work from this table alone.
public enum TracePoint: String, CaseIterable, Hashable, Sendable, Codable {
  /// A guest message reached the hypercall handler for connection id 1 (vCPU thread).
  case recvMessage = "vmbus_recv_message"
  /// The bus-wide event (connection id 2) was signalled.
  case signalEvent = "vmbus_signal_event"
  /// The host is about to signal the guest on a channel (data plane).
  case channelNotifyGuest = "vmbus_channel_notify_guest"
  /// The host posted a message to the guest; one is now in flight.
  case postMsg = "vmbus_post_msg"
  /// The delivery callback for the message in flight ran with this status.
  case msgCb = "vmbus_msg_cb"
  /// The bus dequeued the head of its rx queue (LISTEN state only).
  case processIncomingMessage = "vmbus_process_incoming_message"
  /// INITIATE_CONTACT passed its length check; a full bus reset follows.
  case initiateContact = "vmbus_initiate_contact"
  /// OFFERCHANNEL is about to be posted for this channel.
  case sendOffer = "vmbus_send_offer"
  /// ALLOFFERS_DELIVERED is about to be posted.
  case terminateOffers = "vmbus_terminate_offers"
  /// GPADL_HEADER passed its length and negotiation checks (shape not yet checked).
  case gpadlHeader = "vmbus_gpadl_header"
  /// GPADL_BODY passed its length and negotiation checks (id not yet looked up).
  case gpadlBody = "vmbus_gpadl_body"
  /// GPADL_CREATED is about to be posted for this GPADL.
  case gpadlCreated = "vmbus_gpadl_created"
  /// GPADL_TEARDOWN passed its checks (id not yet looked up).
  case gpadlTeardown = "vmbus_gpadl_teardown"
  /// GPADL_TORNDOWN is about to be posted for this GPADL.
  case gpadlTorndown = "vmbus_gpadl_torndown"
  /// OPENCHANNEL passed its checks (channel not yet looked up).
  case openChannel = "vmbus_open_channel"
  /// OPENCHANNEL_RESULT is about to be posted with this status (0 opened, 1 failed).
  case channelOpen = "vmbus_channel_open"
  /// CLOSECHANNEL passed its checks (channel not yet looked up).
  case closeChannel = "vmbus_close_channel"

  /// QEMU's name, e.g. `vmbus_open_channel`.
  public var name: String { rawValue }

  /// The trace point's position in QEMU's `hw/hyperv/trace-events`, which is its position
  /// in `allCases` (a test holds them equal): the simple backend's event ids and the store's
  /// per-point tables are indexed by it.
  public var ordinal: Int {
    switch self {
    case .recvMessage: 0
    case .signalEvent: 1
    case .channelNotifyGuest: 2
    case .postMsg: 3
    case .msgCb: 4
    case .processIncomingMessage: 5
    case .initiateContact: 6
    case .sendOffer: 7
    case .terminateOffers: 8
    case .gpadlHeader: 9
    case .gpadlBody: 10
    case .gpadlCreated: 11
    case .gpadlTeardown: 12
    case .gpadlTorndown: 13
    case .openChannel: 14
    case .channelOpen: 15
    case .closeChannel: 16
    }
  }

  /// The declared parameters, in order, with QEMU's names and C types.
  public var parameters: [TraceParameter] {
    switch self {
    case .recvMessage, .postMsg: [.init("type", .uint32), .init("size", .uint32)]
    case .signalEvent, .terminateOffers: []
    case .channelNotifyGuest, .closeChannel: [.init("chan_id", .uint32)]
    case .msgCb: [.init("status", .int32)]
    case .processIncomingMessage: [.init("message_type", .uint32)]
    case .initiateContact:
      [
        .init("major", .uint16), .init("minor", .uint16), .init("vcpu", .uint32),
        .init("monitor_page1", .uint64), .init("monitor_page2", .uint64),
        .init("interrupt_page", .uint64),
      ]
    case .sendOffer: [.init("chan_id", .uint32), .init("dev", .pointer)]
    case .gpadlHeader: [.init("gpadl_id", .uint32), .init("num_gfns", .uint16)]
    case .gpadlBody, .gpadlCreated, .gpadlTeardown, .gpadlTorndown: [.init("gpadl_id", .uint32)]
    case .openChannel:
      [.init("chan_id", .uint32), .init("gpadl_id", .uint32), .init("target_vp", .uint32)]
    case .channelOpen: [.init("chan_id", .uint32), .init("status", .uint32)]
    }
  }

  /// QEMU's format string, as written in `trace-events` (with `PRIx64` spelled out as `llx`).
  public var format: String {
    switch self {
    case .recvMessage, .postMsg: "type %d size %d"
    case .signalEvent, .terminateOffers: ""
    case .channelNotifyGuest, .closeChannel: "channel #%d"
    case .msgCb: "message status %d"
    case .processIncomingMessage: "type %d"
    case .initiateContact:
      "version %d.%d target vp %d mon pages 0x%llx,0x%llx int page 0x%llx"
    case .sendOffer: "channel #%d dev %p"
    case .gpadlHeader: "gpadl #%d gfns %d"
    case .gpadlBody, .gpadlCreated, .gpadlTeardown, .gpadlTorndown: "gpadl #%d"
    case .openChannel: "channel #%d gpadl #%d target vp %d"
    case .channelOpen: "channel #%d status %d"
    }
  }

  /// Looks a trace point up by QEMU's name.
  public init?(name: String) {
    self.init(rawValue: name)
  }
}

/// One declared argument of a trace point.
public struct TraceParameter: Hashable, Sendable {
  /// QEMU's argument name, e.g. `gpadl_id`.
  public var name: String
  /// The declared C type.
  public var kind: TraceArgumentKind

  public init(_ name: String, _ kind: TraceArgumentKind) {
    self.name = name
    self.kind = kind
  }
}

/// The C types that the VMBus trace points declare.
public enum TraceArgumentKind: String, Hashable, Sendable, Codable {
  /// `uint16_t`
  case uint16
  /// `uint32_t`
  case uint32
  /// `int`: sign-extended to 64 bits in the simple backend.
  case int32
  /// `uint64_t`
  case uint64
  /// `void *`: a host address, meaningful only to group channels by device.
  case pointer

  /// The C spelling, as in `trace-events`.
  public var cType: String {
    switch self {
    case .uint16: "uint16_t"
    case .uint32: "uint32_t"
    case .int32: "int"
    case .uint64: "uint64_t"
    case .pointer: "void *"
    }
  }

  /// Whether a 64-bit word (the simple backend's encoding) is a value this type can hold.
  public func accepts(_ word: UInt64) -> Bool {
    switch self {
    case .uint16: word <= UInt64(UInt16.max)
    case .uint32: word <= UInt64(UInt32.max)
    case .int32:
      Int64(bitPattern: word) >= Int64(Int32.min) && Int64(bitPattern: word) <= Int64(Int32.max)
    case .uint64, .pointer: true
    }
  }
}
