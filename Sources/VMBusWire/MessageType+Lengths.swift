extension MessageType {
  /// The fewest payload bytes a message of this type may have.
  ///
  /// Guest-to-host types use QEMU's handler checks; host-to-guest types use the end of the last
  /// field Linux reads (its `min_payload_len`); every other type needs only the 8-byte header.
  public var minimumLength: Int {
    switch self {
    case .initiateContact: 40
    case .gpadlHeader: 28
    case .gpadlBody: 16
    case .gpadlTeardown: 16
    case .openChannel: 148
    case .closeChannel: 12
    case .requestOffers, .unload: 8
    case .versionResponse: 16
    case .offerChannel: 196
    case .openChannelResult: 20
    case .gpadlCreated: 20
    case .gpadlTorndown: 12
    case .rescindChannelOffer: 12
    case .allOffersDelivered, .unloadResponse: 8
    case .relidReleased: 12
    default: WireLimits.headerSize
    }
  }
}
