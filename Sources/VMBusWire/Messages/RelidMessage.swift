/// A message whose only field is a relid at offset 8 (12 bytes): CLOSECHANNEL,
/// RESCIND_CHANNELOFFER and RELID_RELEASED share this layout and its coding.
public protocol RelidMessage: WireMessage {
  /// The channel the message is about (offset 8).
  var childRelid: ChannelID { get }
  init(childRelid: ChannelID)
}

extension RelidMessage {
  public static var structSize: Int { 12 }

  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload()
    payload.storeLittleEndian(childRelid.rawValue, at: 8)
    return payload
  }

  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type)
    self.init(childRelid: ChannelID(try fields.read(at: 8)))
  }
}
