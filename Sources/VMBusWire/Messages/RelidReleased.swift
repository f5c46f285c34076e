/// RELID_RELEASED (13), guest to host: releases a rescinded relid; QEMU drops it as unknown.
public struct RelidReleased: WireMessage {
  public static let type = MessageType.relidReleased
  public static let structSize = 12

  /// The released relid (offset 8).
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
