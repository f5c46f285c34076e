import VMBusWire

/// A message QEMU's bus posts to the guest, with the size `vmbus_post_msg` traces for it:
/// QEMU's unrounded `sizeof` of the struct it sends. The one table of those sizes; `decide`
/// posts them, `evolve` checks a traced post against them, and the hardened host's failure
/// replies use them too.
public enum HostReply: CaseIterable, Hashable, Sendable {
  /// `send_handshake`: VERSION_RESPONSE.
  case versionResponse
  /// `send_offer`: OFFERCHANNEL, one per channel.
  case offerChannel
  /// `send_offer` with no channel left: ALLOFFERS_DELIVERED.
  case allOffersDelivered
  /// `send_create_gpadl`: GPADL_CREATED.
  case gpadlCreated
  /// `send_teardown_gpadl`: GPADL_TORNDOWN.
  case gpadlTorndown
  /// `send_open_channel`: OPENCHANNEL_RESULT.
  case openChannelResult
  /// `send_unload`: UNLOAD_RESPONSE.
  case unloadResponse

  /// The message type posted.
  public var type: MessageType {
    switch self {
    case .versionResponse: .versionResponse
    case .offerChannel: .offerChannel
    case .allOffersDelivered: .allOffersDelivered
    case .gpadlCreated: .gpadlCreated
    case .gpadlTorndown: .gpadlTorndown
    case .openChannelResult: .openChannelResult
    case .unloadResponse: .unloadResponse
    }
  }

  /// The size `vmbus_post_msg` traces: `sizeof` of QEMU's struct, not rounded.
  public var size: UInt32 {
    switch self {
    case .versionResponse: 12
    case .offerChannel: 200
    case .allOffersDelivered: 8
    case .gpadlCreated: 20
    case .gpadlTorndown: 12
    case .openChannelResult: 20
    case .unloadResponse: 8
    }
  }

  /// What each bus state posts.
  public static func posted(in bus: BusState) -> [HostReply] {
    switch bus {
    case .listen: []
    case .handshake: [.versionResponse]
    case .offer: [.offerChannel, .allOffersDelivered]
    case .createGpadl: [.gpadlCreated]
    case .teardownGpadl: [.gpadlTorndown]
    case .openChannel: [.openChannelResult]
    case .unload: [.unloadResponse]
    }
  }
}
