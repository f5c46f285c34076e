import Testing
import VMBusHost
import VMBusWire

/// One event per trace point with the exact text QEMU prints after the name's prefix.
struct TraceSample: Sendable, CustomTestStringConvertible {
  var event: TraceEvent
  var body: String

  var testDescription: String { body }

  /// All 17 trace points, with negative `%d`, `(nil)` and 64-bit hex among them.
  static let all: [TraceSample] = [
    .init(.recvMessage(type: MessageType(14), size: 40), "vmbus_recv_message type 14 size 40"),
    .init(.signalEvent, "vmbus_signal_event "),
    .init(.channelNotifyGuest(chanID: ChannelID(3)), "vmbus_channel_notify_guest channel #3"),
    .init(.postMsg(type: MessageType(15), size: 12), "vmbus_post_msg type 15 size 12"),
    .init(.msgCb(status: -11), "vmbus_msg_cb message status -11"),
    .init(
      .processIncomingMessage(messageType: MessageType(1)), "vmbus_process_incoming_message type 1"),
    .init(
      .initiateContact(
        major: 4, minor: 1, vcpu: 0xFFFF_FFFF, monitorPage1: 0x1000,
        monitorPage2: 0xFFFF_FFFF_FFFF_F000, interruptPage: 0),
      "vmbus_initiate_contact version 4.1 target vp -1 mon pages 0x1000,0xfffffffffffff000 int page 0x0"
    ),
    .init(
      .sendOffer(chanID: ChannelID(1), dev: DevicePointer(rawValue: 0x55D6_C0A1_B2C0)),
      "vmbus_send_offer channel #1 dev 0x55d6c0a1b2c0"),
    .init(.terminateOffers, "vmbus_terminate_offers "),
    .init(
      .gpadlHeader(gpadlID: GpadlID(0xFFFF_FFFF), numGfns: 65535),
      "vmbus_gpadl_header gpadl #-1 gfns 65535"),
    .init(.gpadlBody(gpadlID: GpadlID(925_200)), "vmbus_gpadl_body gpadl #925200"),
    .init(.gpadlCreated(gpadlID: GpadlID(0x8000_0000)), "vmbus_gpadl_created gpadl #-2147483648"),
    .init(.gpadlTeardown(gpadlID: GpadlID(0x7FFF_FFFF)), "vmbus_gpadl_teardown gpadl #2147483647"),
    .init(.gpadlTorndown(gpadlID: GpadlID(0)), "vmbus_gpadl_torndown gpadl #0"),
    .init(
      .openChannel(chanID: ChannelID(1), gpadlID: GpadlID(925_200), targetVP: 0),
      "vmbus_open_channel channel #1 gpadl #925200 target vp 0"),
    .init(.channelOpen(chanID: ChannelID(1), status: 1), "vmbus_channel_open channel #1 status 1"),
    .init(.closeChannel(chanID: ChannelID(2047)), "vmbus_close_channel channel #2047"),
  ]

  /// Extra shapes: a `(nil)` device, a large `%d`, the other `msg_cb` statuses.
  static let extra: [TraceSample] = [
    .init(
      .sendOffer(chanID: ChannelID(2), dev: DevicePointer(rawValue: 0)),
      "vmbus_send_offer channel #2 dev (nil)"),
    .init(
      .sendOffer(chanID: ChannelID(2), dev: DevicePointer(rawValue: .max)),
      "vmbus_send_offer channel #2 dev 0xffffffffffffffff"),
    .init(.msgCb(status: 0), "vmbus_msg_cb message status 0"),
    .init(.msgCb(status: .min), "vmbus_msg_cb message status -2147483648"),
    .init(
      .channelOpen(chanID: ChannelID(0xFFFF_FFFE), status: 0x8000_0001),
      "vmbus_channel_open channel #-2 status -2147483647"),
    .init(
      .initiateContact(
        major: 65535, minor: 0, vcpu: 7, monitorPage1: .max, monitorPage2: 0xABCDEF,
        interruptPage: 0x1_0000_0000),
      "vmbus_initiate_contact version 65535.0 target vp 7 mon pages 0xffffffffffffffff,0xabcdef int page 0x100000000"
    ),
  ]

  init(_ event: TraceEvent, _ body: String) {
    self.event = event
    self.body = body
  }
}

/// The three prefixes the tests put in front of sample bodies.
enum SamplePrefix: CaseIterable, Sendable {
  case threadTimestamp
  case plain
  case iso8601
  case iso8601WithoutFraction

  var text: String {
    switch self {
    case .threadTimestamp: "4152@1591800412.004512:"
    case .plain: ""
    case .iso8601: "2025-07-21T18:43:28.089797Z "
    case .iso8601WithoutFraction: "2025-07-21T18:43:28Z "
    }
  }
}
