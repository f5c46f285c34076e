import VMBusWire

/// QEMU's `VMBusChannel.offer_state`.
public enum OfferState: UInt8, Hashable, Sendable, Codable, CustomStringConvertible {
  /// VMOFFER_INIT: not offered since the last bus reset.
  case initial = 0
  /// VMOFFER_SENDING: its OFFERCHANNEL is the one the bus posts next (or has in flight).
  case sending = 1
  /// VMOFFER_SENT: its OFFERCHANNEL was delivered.
  case sent = 2

  public var description: String {
    switch self {
    case .initial: "init"
    case .sending: "sending"
    case .sent: "sent"
    }
  }
}

/// The parameters of an OPENCHANNEL that QEMU stores on the channel.
public struct OpenRequest: Hashable, Sendable, Codable {
  /// `ringbuf_gpadl`: the GPADL holding both rings.
  public var gpadlID: GpadlID
  /// `target_vp`: the vCPU notified for this channel.
  public var targetVP: UInt32
  /// `open_id`, echoed in the result; nil when the session is a bare trace (not traced).
  public var openID: UInt32?
  /// `ringbuf_send_offset` in pages; nil when the session is a bare trace (not traced).
  public var ringBufferOffset: UInt32?

  public init(
    gpadlID: GpadlID, targetVP: UInt32, openID: UInt32? = nil, ringBufferOffset: UInt32? = nil
  ) {
    self.gpadlID = gpadlID
    self.targetVP = targetVP
    self.openID = openID
    self.ringBufferOffset = ringBufferOffset
  }
}

/// QEMU's `VMBusChannel.state` together with `is_open`, in the combinations QEMU reaches.
public enum ChannelState: Hashable, Sendable, Codable, CustomStringConvertible {
  /// VMCHAN_INIT: closed (`is_open` false).
  case initial
  /// VMCHAN_OPENING: the result is not yet delivered. `hostOpen` is `is_open`, set in the
  /// handler; nil while a bare trace has not yet shown the result.
  case opening(OpenRequest, hostOpen: Bool?)
  /// VMCHAN_OPEN: open on both sides (`is_open` true).
  case open(OpenRequest)

  /// QEMU's `vmbus_channel_is_open`: the host side is open.
  public var isOpen: Bool {
    switch self {
    case .initial: false
    case .opening(_, let hostOpen): hostOpen == true
    case .open: true
    }
  }

  /// The request, once one was accepted.
  public var request: OpenRequest? {
    switch self {
    case .initial: nil
    case .opening(let request, _), .open(let request): request
    }
  }

  /// The name in `replay --json` output.
  public var description: String {
    switch self {
    case .initial: "init"
    case .opening: "opening"
    case .open: "open"
    }
  }
}

/// One channel of a device on the bus.
public struct Channel: Hashable, Sendable, Codable {
  /// The relid (`chan->id`), 1...2047.
  public var id: ChannelID
  /// The owning device, as QEMU's `%p` shows it in `vmbus_send_offer`.
  public var device: DevicePointer
  /// Index within the device: 0 is the primary channel.
  public var subchannelIndex: UInt16
  /// Offer progress since the last bus reset.
  public var offer: OfferState = .initial
  /// Open progress.
  public var state: ChannelState = .initial

  public init(id: ChannelID, device: DevicePointer, subchannelIndex: UInt16) {
    self.id = id
    self.device = device
    self.subchannelIndex = subchannelIndex
  }

  /// The connection id the guest signals this channel on: 16 + relid.
  public var connectionID: UInt32 { 16 &+ id.rawValue }
}
