extension ChannelMessage {
  /// The payload bytes: the message's struct, or 8 bytes (type and zero padding) for header-only
  /// types. For `.other`, the raw payload with `type` written at offset 0, padded to 8 bytes.
  public func encoded() -> [UInt8] {
    switch self {
    case .initiateContact(let message): message.encoded()
    case .versionResponse(let message): message.encoded()
    case .offerChannel(let message): message.encoded()
    case .rescindChannelOffer(let message): message.encoded()
    case .openChannel(let message): message.encoded()
    case .openChannelResult(let message): message.encoded()
    case .closeChannel(let message): message.encoded()
    case .gpadlHeader(let message): message.encoded()
    case .gpadlBody(let message): message.encoded()
    case .gpadlCreated(let message): message.encoded()
    case .gpadlTeardown(let message): message.encoded()
    case .gpadlTorndown(let message): message.encoded()
    case .relidReleased(let message): message.encoded()
    case .requestOffers, .allOffersDelivered, .unload, .unloadResponse:
      Self.headerOnly(type)
    case .other(let type, let payload):
      Self.raw(type, payload)
    }
  }

  /// `encoded()` zero-padded to a multiple of 8, as QEMU sizes SynIC messages; `.other`
  /// payloads are returned as `encoded()` gives them.
  public func wireEncoded() -> [UInt8] {
    var payload = encoded()
    if case .other = self { return payload }
    let length = WireLimits.wireLength(structSize: payload.count)
    payload.append(contentsOf: repeatElement(0, count: max(0, length - payload.count)))
    return payload
  }

  /// The length `vmbus_post_msg` traces for this message: QEMU's struct size, or the encoded
  /// length for variable-length and raw messages.
  public var structSize: Int {
    switch self {
    case .versionResponse: VersionResponse.structSize
    case .offerChannel: OfferChannel.structSize
    default: encoded().count
    }
  }

  private static func headerOnly(_ type: MessageType) -> [UInt8] {
    var payload = [UInt8](repeating: 0, count: WireLimits.headerSize)
    payload.storeLittleEndian(type.rawValue, at: 0)
    return payload
  }

  private static func raw(_ type: MessageType, _ payload: [UInt8]) -> [UInt8] {
    var bytes = payload
    if bytes.count < WireLimits.headerSize {
      bytes.append(contentsOf: repeatElement(0, count: WireLimits.headerSize - bytes.count))
    }
    bytes.storeLittleEndian(type.rawValue, at: 0)
    return bytes
  }
}
