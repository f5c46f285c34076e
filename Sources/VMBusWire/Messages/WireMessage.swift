/// A channel message with a fixed QEMU layout that encodes to and decodes from payload bytes.
public protocol WireMessage: Hashable, Sendable, Codable {
  /// The message type written at offset 0.
  static var type: MessageType { get }
  /// QEMU's `sizeof` for the struct (header included), as `vmbus_post_msg` traces it.
  static var structSize: Int { get }
  /// The payload bytes, 8-byte header included, reserved and padding bytes zero.
  func encoded() -> [UInt8]
  /// Reads the fields from a payload that starts with the 8-byte header.
  init(decoding payload: [UInt8]) throws(WireError)
}

extension WireMessage {
  /// A zeroed buffer of `structSize` bytes with the message type written at offset 0.
  static func emptyPayload(count: Int = structSize) -> [UInt8] {
    var payload = [UInt8](repeating: 0, count: count)
    payload.storeLittleEndian(type.rawValue, at: 0)
    return payload
  }

  /// `encoded()` zero-padded to a multiple of 8: the bytes QEMU puts in the SynIC message.
  public func wireEncoded() -> [UInt8] {
    var payload = encoded()
    let length = WireLimits.wireLength(structSize: payload.count)
    payload.append(contentsOf: repeatElement(0, count: max(0, length - payload.count)))
    return payload
  }
}

/// User data areas (OFFERCHANNEL and OPENCHANNEL) are 120 bytes.
enum UserData {
  /// Length of a user data area.
  static let count = 120
  /// The all-zero user data area.
  static let zero = [UInt8](repeating: 0, count: count)

  /// `bytes` truncated or zero-padded to 120 bytes.
  static func normalized(_ bytes: [UInt8]) -> [UInt8] {
    if bytes.count == count { return bytes }
    if bytes.count > count { return Array(bytes.prefix(count)) }
    return bytes + [UInt8](repeating: 0, count: count - bytes.count)
  }
}
