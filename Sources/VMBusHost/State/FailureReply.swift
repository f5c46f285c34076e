import VMBusWire

/// A failure reply the hardened host owes where QEMU sends nothing (docs/hardened.md).
///
/// It is set by the handler's trace point and sent by the bus state's run function with the
/// trace point QEMU uses for that reply, so a session stays a sequence of QEMU's traces. It
/// names no object on the bus: the request it answers changed nothing.
public enum FailureReply: Hashable, Sendable, Codable, CustomStringConvertible {
  /// GPADL_CREATED with ``gpadlFailureStatus`` for a header QEMU ignores (docs/qemu-reference.md
  /// §9.17–§9.19), echoing the header's child relid and GPADL id.
  case gpadlRefused(childRelid: ChannelID, gpadlID: GpadlID)
  /// GPADL_TORNDOWN for a teardown of an unknown or torn-down GPADL (§9 entry 26).
  case gpadlTorndown(GpadlID)
  /// OPENCHANNEL_RESULT with status 1 for an open of an unknown or open channel (§9 entries
  /// 29 and 30), echoing the request's relid and open id.
  case openRefused(childRelid: ChannelID, openID: UInt32)

  /// The creation status of a refused GPADL: the value OpenVMM sends (`0x8000FFFF`). Linux
  /// maps any non-zero status to -EDQUOT and gives the GPADL up.
  public static let gpadlFailureStatus: UInt32 = 0x8000_FFFF

  /// The bus state whose run function sends the reply.
  public var bus: BusState {
    switch self {
    case .gpadlRefused: .createGpadl
    case .gpadlTorndown: .teardownGpadl
    case .openRefused: .openChannel
    }
  }

  /// The output trace point QEMU emits for this kind of reply.
  public var trace: TraceEvent {
    switch self {
    case .gpadlRefused(_, let gpadl): .gpadlCreated(gpadlID: gpadl)
    case .gpadlTorndown(let gpadl): .gpadlTorndown(gpadlID: gpadl)
    case .openRefused(let chan, _): .channelOpen(chanID: chan, status: 1)
    }
  }

  /// What `vmbus_post_msg` traces for it: the type and QEMU's unrounded struct size.
  var post: HostReply {
    switch self {
    case .gpadlRefused: .gpadlCreated
    case .gpadlTorndown: .gpadlTorndown
    case .openRefused: .openChannelResult
    }
  }

  /// The message posted.
  public var message: ChannelMessage {
    switch self {
    case .gpadlRefused(let chan, let gpadl):
      .gpadlCreated(
        GpadlCreated(childRelid: chan, gpadlID: gpadl, status: Self.gpadlFailureStatus))
    case .gpadlTorndown(let gpadl): .gpadlTorndown(GpadlTorndown(gpadlID: gpadl))
    case .openRefused(let chan, let openID):
      .openChannelResult(OpenChannelResult(childRelid: chan, openID: openID, status: 1))
    }
  }

  public var description: String {
    switch self {
    case .gpadlRefused(let chan, let gpadl):
      "GPADL_CREATED gpadl \(gpadl) relid \(chan) status 0x8000ffff"
    case .gpadlTorndown(let gpadl): "GPADL_TORNDOWN gpadl \(gpadl)"
    case .openRefused(let chan, let openID):
      "OPENCHANNEL_RESULT relid \(chan) open_id \(openID) status 1"
    }
  }
}
