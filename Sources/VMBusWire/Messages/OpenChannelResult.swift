/// OPENCHANNEL_RESULT (6), host to guest: the outcome of an OPENCHANNEL.
public struct OpenChannelResult: WireMessage {
  public static let type = MessageType.openChannelResult
  public static let structSize = 20

  /// The channel (offset 8).
  public var childRelid: ChannelID
  /// The request's open id, echoed (offset 12).
  public var openID: UInt32
  /// 0 = opened, 1 = failed (offset 16).
  public var status: UInt32

  /// Creates a message from its fields.
  public init(childRelid: ChannelID, openID: UInt32, status: UInt32) {
    self.childRelid = childRelid
    self.openID = openID
    self.status = status
  }

  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload()
    payload.storeLittleEndian(childRelid.rawValue, at: 8)
    payload.storeLittleEndian(openID, at: 12)
    payload.storeLittleEndian(status, at: 16)
    return payload
  }

  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type)
    childRelid = ChannelID(try fields.read(at: 8))
    openID = try fields.read(at: 12)
    status = try fields.read(at: 16)
  }
}
