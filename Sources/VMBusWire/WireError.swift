/// Errors decoding a channel message.
public enum WireError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The payload is shorter than the 8-byte VMBus message header.
  case missingHeader(length: Int)
  /// The payload is shorter than the minimum its message type needs.
  case tooShort(type: MessageType, length: Int, minimum: Int)

  /// A lowercase one-line description naming the type and the lengths.
  public var description: String {
    switch self {
    case .missingHeader(let length):
      "message header: payload of \(Self.bytes(length)), at least \(WireLimits.headerSize) needed"
    case .tooShort(let type, let length, let minimum):
      "\(type.name.lowercased()): payload of \(Self.bytes(length)), at least \(minimum) needed"
    }
  }

  private static func bytes(_ count: Int) -> String {
    count == 1 ? "1 byte" : "\(count) bytes"
  }
}
