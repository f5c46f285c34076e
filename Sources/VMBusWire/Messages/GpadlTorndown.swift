/// GPADL_TORNDOWN (12), host to guest: confirms that a GPADL was torn down.
public struct GpadlTorndown: WireMessage {
  public static let type = MessageType.gpadlTorndown
  public static let structSize = 12

  /// The GPADL (offset 8).
  public var gpadlID: GpadlID

  /// Creates a message from its fields.
  public init(gpadlID: GpadlID) {
    self.gpadlID = gpadlID
  }

  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload()
    payload.storeLittleEndian(gpadlID.rawValue, at: 8)
    return payload
  }

  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type)
    gpadlID = GpadlID(try fields.read(at: 8))
  }
}
