/// GPADL_CREATED (10), host to guest: confirms that a GPADL is complete.
public struct GpadlCreated: WireMessage {
  public static let type = MessageType.gpadlCreated
  public static let structSize = 20

  /// The header's child relid, echoed (offset 8).
  public var childRelid: ChannelID
  /// The GPADL (offset 12).
  public var gpadlID: GpadlID
  /// Creation status (offset 16); always 0 from QEMU.
  public var status: UInt32

  /// Creates a message from its fields.
  public init(childRelid: ChannelID, gpadlID: GpadlID, status: UInt32 = 0) {
    self.childRelid = childRelid
    self.gpadlID = gpadlID
    self.status = status
  }

  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload()
    payload.storeLittleEndian(childRelid.rawValue, at: 8)
    payload.storeLittleEndian(gpadlID.rawValue, at: 12)
    payload.storeLittleEndian(status, at: 16)
    return payload
  }

  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type)
    childRelid = ChannelID(try fields.read(at: 8))
    gpadlID = GpadlID(try fields.read(at: 12))
    status = try fields.read(at: 16)
  }
}
