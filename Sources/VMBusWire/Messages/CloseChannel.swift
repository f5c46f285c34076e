/// CLOSECHANNEL (7), guest to host: closes a channel; QEMU sends no reply.
public struct CloseChannel: WireMessage {
  public static let type = MessageType.closeChannel
  public static let structSize = 12

  /// The channel to close (offset 8).
  public var childRelid: ChannelID

  /// Creates a message from its fields.
  public init(childRelid: ChannelID) {
    self.childRelid = childRelid
  }

  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload()
    payload.storeLittleEndian(childRelid.rawValue, at: 8)
    return payload
  }

  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type)
    childRelid = ChannelID(try fields.read(at: 8))
  }
}
