/// OPENCHANNEL (5), guest to host: opens a channel on a ring-buffer GPADL.
public struct OpenChannel: WireMessage {
  public static let type = MessageType.openChannel
  public static let structSize = 148

  /// The channel to open (offset 8).
  public var childRelid: ChannelID
  /// Guest cookie echoed in OPENCHANNEL_RESULT (offset 12).
  public var openID: UInt32
  /// GPADL holding both rings (offset 16).
  public var ringBufferGpadlID: GpadlID
  /// vCPU to signal for this channel (offset 20).
  public var targetVP: UInt32
  /// Page index where the host-to-guest ring starts (offset 24).
  public var ringBufferOffset: UInt32
  /// User data (offset 28, 120 bytes); ignored by QEMU.
  public var userData: [UInt8]

  /// Creates a message from its fields; `userData` is padded or truncated to 120 bytes.
  public init(
    childRelid: ChannelID, openID: UInt32, ringBufferGpadlID: GpadlID, targetVP: UInt32,
    ringBufferOffset: UInt32, userData: [UInt8] = [UInt8](repeating: 0, count: 120)
  ) {
    self.childRelid = childRelid
    self.openID = openID
    self.ringBufferGpadlID = ringBufferGpadlID
    self.targetVP = targetVP
    self.ringBufferOffset = ringBufferOffset
    self.userData = UserData.normalized(userData)
  }

  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload()
    payload.storeLittleEndian(childRelid.rawValue, at: 8)
    payload.storeLittleEndian(openID, at: 12)
    payload.storeLittleEndian(ringBufferGpadlID.rawValue, at: 16)
    payload.storeLittleEndian(targetVP, at: 20)
    payload.storeLittleEndian(ringBufferOffset, at: 24)
    payload.storeBytes(UserData.normalized(userData), at: 28)
    return payload
  }

  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type)
    childRelid = ChannelID(try fields.read(at: 8))
    openID = try fields.read(at: 12)
    ringBufferGpadlID = GpadlID(try fields.read(at: 16))
    targetVP = try fields.read(at: 20)
    ringBufferOffset = try fields.read(at: 24)
    userData = try fields.bytes(at: 28, count: UserData.count)
  }
}
