/// Any channel message, decoded by its type.
public enum ChannelMessage: Hashable, Sendable, Codable {
  /// INITIATE_CONTACT (14): the guest asks for a protocol version.
  case initiateContact(InitiateContact)
  /// VERSION_RESPONSE (15): the host accepts or refuses the version.
  case versionResponse(VersionResponse)
  /// OFFERCHANNEL (1): the host offers a channel.
  case offerChannel(OfferChannel)
  /// RESCIND_CHANNELOFFER (2): the host withdraws an offer.
  case rescindChannelOffer(RescindChannelOffer)
  /// REQUESTOFFERS (3): the guest asks for the offers (header only).
  case requestOffers
  /// ALLOFFERS_DELIVERED (4): the host ends the offers (header only).
  case allOffersDelivered
  /// OPENCHANNEL (5): the guest opens a channel.
  case openChannel(OpenChannel)
  /// OPENCHANNEL_RESULT (6): the host reports the open's outcome.
  case openChannelResult(OpenChannelResult)
  /// CLOSECHANNEL (7): the guest closes a channel.
  case closeChannel(CloseChannel)
  /// GPADL_HEADER (8): the guest starts a GPADL.
  case gpadlHeader(GpadlHeader)
  /// GPADL_BODY (9): the guest sends more PFNs of a GPADL.
  case gpadlBody(GpadlBody)
  /// GPADL_CREATED (10): the host confirms a GPADL.
  case gpadlCreated(GpadlCreated)
  /// GPADL_TEARDOWN (11): the guest asks to tear a GPADL down.
  case gpadlTeardown(GpadlTeardown)
  /// GPADL_TORNDOWN (12): the host confirms a teardown.
  case gpadlTorndown(GpadlTorndown)
  /// RELID_RELEASED (13): the guest releases a relid.
  case relidReleased(RelidReleased)
  /// UNLOAD (16): the guest disconnects (header only).
  case unload
  /// UNLOAD_RESPONSE (17): the host confirms the unload (header only).
  case unloadResponse
  /// Any other type (0, 18...24, unknown): the whole payload, header included, kept raw.
  case other(MessageType, payload: [UInt8])

  /// The message type.
  public var type: MessageType {
    switch self {
    case .initiateContact: .initiateContact
    case .versionResponse: .versionResponse
    case .offerChannel: .offerChannel
    case .rescindChannelOffer: .rescindChannelOffer
    case .requestOffers: .requestOffers
    case .allOffersDelivered: .allOffersDelivered
    case .openChannel: .openChannel
    case .openChannelResult: .openChannelResult
    case .closeChannel: .closeChannel
    case .gpadlHeader: .gpadlHeader
    case .gpadlBody: .gpadlBody
    case .gpadlCreated: .gpadlCreated
    case .gpadlTeardown: .gpadlTeardown
    case .gpadlTorndown: .gpadlTorndown
    case .relidReleased: .relidReleased
    case .unload: .unload
    case .unloadResponse: .unloadResponse
    case .other(let type, _): type
    }
  }

  /// Reads the type at offset 0 (needs the 8-byte header), then that type's fields.
  public init(decoding payload: [UInt8]) throws(WireError) {
    guard payload.count >= WireLimits.headerSize, let type = Self.messageType(of: payload) else {
      throw .missingHeader(length: payload.count)
    }
    switch type {
    case .initiateContact: self = .initiateContact(try InitiateContact(decoding: payload))
    case .versionResponse: self = .versionResponse(try VersionResponse(decoding: payload))
    case .offerChannel: self = .offerChannel(try OfferChannel(decoding: payload))
    case .rescindChannelOffer:
      self = .rescindChannelOffer(try RescindChannelOffer(decoding: payload))
    case .requestOffers: self = .requestOffers
    case .allOffersDelivered: self = .allOffersDelivered
    case .openChannel: self = .openChannel(try OpenChannel(decoding: payload))
    case .openChannelResult: self = .openChannelResult(try OpenChannelResult(decoding: payload))
    case .closeChannel: self = .closeChannel(try CloseChannel(decoding: payload))
    case .gpadlHeader: self = .gpadlHeader(try GpadlHeader(decoding: payload))
    case .gpadlBody: self = .gpadlBody(try GpadlBody(decoding: payload))
    case .gpadlCreated: self = .gpadlCreated(try GpadlCreated(decoding: payload))
    case .gpadlTeardown: self = .gpadlTeardown(try GpadlTeardown(decoding: payload))
    case .gpadlTorndown: self = .gpadlTorndown(try GpadlTorndown(decoding: payload))
    case .relidReleased: self = .relidReleased(try RelidReleased(decoding: payload))
    case .unload: self = .unload
    case .unloadResponse: self = .unloadResponse
    default: self = .other(type, payload: payload)
    }
  }

  /// The type number at offset 0, or nil if the payload has fewer than 4 bytes.
  public static func messageType(of payload: [UInt8]) -> MessageType? {
    ByteReader(payload).read(UInt32.self, at: 0).map(MessageType.init(rawValue:))
  }
}
