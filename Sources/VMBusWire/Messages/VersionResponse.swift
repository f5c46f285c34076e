/// VERSION_RESPONSE (15), host to guest: whether the requested version is supported.
public struct VersionResponse: WireMessage {
  public static let type = MessageType.versionResponse
  /// QEMU's struct ends after the status byte and its padding; Linux reads 4 more bytes.
  public static let structSize = 12

  /// 1 if the requested version is supported, else 0 (offset 8).
  public var versionSupported: UInt8
  /// QEMU's `status`, Linux's `connection_state`; always 0 from QEMU (offset 9).
  public var connectionState: UInt8
  /// Linux's `msg_conn_id` (offset 12): not in QEMU's struct, so 0 from QEMU.
  public var messageConnectionID: UInt32

  /// Creates a message from its fields.
  public init(versionSupported: UInt8, connectionState: UInt8, messageConnectionID: UInt32 = 0) {
    self.versionSupported = versionSupported
    self.connectionState = connectionState
    self.messageConnectionID = messageConnectionID
  }

  /// The 12-byte QEMU struct, or 16 bytes when `messageConnectionID` is non-zero.
  public func encoded() -> [UInt8] {
    let count = messageConnectionID == 0 ? Self.structSize : Self.structSize + 4
    var payload = Self.emptyPayload(count: count)
    payload.storeLittleEndian(versionSupported, at: 8)
    payload.storeLittleEndian(connectionState, at: 9)
    payload.storeLittleEndian(messageConnectionID, at: 12)
    return payload
  }

  /// Reads the fields; needs QEMU's 12 bytes, and reads `msg_conn_id` only if present.
  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type, minimum: Self.structSize)
    versionSupported = try fields.read(at: 8)
    connectionState = try fields.read(at: 9)
    messageConnectionID = fields.reader.read(at: 12) ?? 0
  }
}
