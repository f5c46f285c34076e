/// QEMU's `VMBus.state`: what the bus run does next.
public enum BusState: UInt8, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
  /// VMBUS_LISTEN: take and handle one message from the rx queue.
  case listen = 0
  /// VMBUS_HANDSHAKE: post VERSION_RESPONSE.
  case handshake = 1
  /// VMBUS_OFFER: post the SENDING channel's OFFERCHANNEL, or ALLOFFERS_DELIVERED.
  case offer = 2
  /// VMBUS_CREATE_GPADL: post GPADL_CREATED for the first full GPADL in INIT.
  case createGpadl = 3
  /// VMBUS_TEARDOWN_GPADL: post GPADL_TORNDOWN for the first GPADL in TEARINGDOWN.
  case teardownGpadl = 4
  /// VMBUS_OPEN_CHANNEL: post OPENCHANNEL_RESULT for the first channel in OPENING.
  case openChannel = 5
  /// VMBUS_UNLOAD: flush the rx queue, post UNLOAD_RESPONSE.
  case unload = 6

  /// The name in `replay --json` output: `listen`, `create_gpadl`, ...
  public var description: String {
    switch self {
    case .listen: "listen"
    case .handshake: "handshake"
    case .offer: "offer"
    case .createGpadl: "create_gpadl"
    case .teardownGpadl: "teardown_gpadl"
    case .openChannel: "open_channel"
    case .unload: "unload"
    }
  }
}
