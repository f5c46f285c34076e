/// GPADL_TEARDOWN (11), guest to host: asks the host to tear a GPADL down.
public struct GpadlTeardown: WireMessage {
  public static let type = MessageType.gpadlTeardown
  public static let structSize = 16

  /// The channel (offset 8); ignored by QEMU.
  public var childRelid: ChannelID
  /// The GPADL to tear down (offset 12).
  public var gpadlID: GpadlID

  /// Creates a message from its fields.
  public init(childRelid: ChannelID, gpadlID: GpadlID) {
    self.childRelid = childRelid
    self.gpadlID = gpadlID
  }

  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload()
    payload.storeLittleEndian(childRelid.rawValue, at: 8)
    payload.storeLittleEndian(gpadlID.rawValue, at: 12)
    return payload
  }

  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type)
    childRelid = ChannelID(try fields.read(at: 8))
    gpadlID = GpadlID(try fields.read(at: 12))
  }
}
