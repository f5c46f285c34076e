/// An HvPostMessage hypercall (code 0x5c) as the guest issued it: the 256-byte input block.
public struct GuestHypercall: Hashable, Sendable, Codable {
  /// The connection id; only the low 24 bits are compared. VMBus listens on 1.
  public var connectionID: UInt32
  /// The SynIC message type; VMBus requires 1 (`HV_MESSAGE_VMBUS`).
  public var messageType: UInt32
  /// The declared payload size, which may disagree with ``payload``'s length.
  public var payloadSize: UInt32
  /// The payload bytes the guest wrote (at most 240 are used; the rest of the block is zero).
  public var payload: [UInt8]

  public init(connectionID: UInt32 = 1, messageType: UInt32 = 1, payload: [UInt8]) {
    self.init(
      connectionID: connectionID, messageType: messageType,
      payloadSize: UInt32(clamping: payload.count), payload: payload)
  }

  public init(connectionID: UInt32, messageType: UInt32, payloadSize: UInt32, payload: [UInt8]) {
    self.connectionID = connectionID
    self.messageType = messageType
    self.payloadSize = payloadSize
    self.payload = payload
  }

  /// The bytes QEMU's handlers see: the first `payloadSize` bytes of the 240-byte payload
  /// area, zero past what the guest wrote.
  public var effectivePayload: [UInt8] {
    let length = Int(min(payloadSize, 240))
    if payload.count == length { return payload }  // the usual case: no copy
    if payload.count > length { return Array(payload.prefix(length)) }
    return payload + [UInt8](repeating: 0, count: length - payload.count)
  }
}

/// The status a hypercall returns to the guest. Open: the guest may see any value.
public struct HypercallStatus: RawRepresentable, Hashable, Sendable, Codable,
  CustomStringConvertible
{
  public var rawValue: UInt16
  public init(rawValue: UInt16) { self.rawValue = rawValue }

  /// HV_STATUS_SUCCESS
  public static let success = Self(rawValue: 0)
  /// HV_STATUS_INVALID_HYPERCALL_INPUT: bad SynIC type, size, or VMBus type.
  public static let invalidHypercallInput = Self(rawValue: 3)
  /// HV_STATUS_INVALID_CONNECTION_ID: nobody listens on that connection id.
  public static let invalidConnectionID = Self(rawValue: 18)
  /// HV_STATUS_INSUFFICIENT_BUFFERS: the 16-slot rx queue is full; the guest retries.
  public static let insufficientBuffers = Self(rawValue: 19)

  public var description: String {
    switch self {
    case .success: "success"
    case .invalidHypercallInput: "invalid hypercall input (3)"
    case .invalidConnectionID: "invalid connection id (18)"
    case .insufficientBuffers: "insufficient buffers (19)"
    default: "status \(rawValue)"
    }
  }
}
