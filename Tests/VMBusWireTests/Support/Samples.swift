import VMBusWire

/// One representative message of every `ChannelMessage` case.
enum Samples {
  static let balloon = GUID(high: 0x5250_74DC_8985_46E2, low: 0x8057_A307_DC18_A502)

  static let all: [ChannelMessage] = [
    .initiateContact(
      InitiateContact(
        versionRequested: .win10, targetVCPU: 1, interruptPage: 2, monitorPage1: 3,
        monitorPage2: 4)),
    .versionResponse(VersionResponse(versionSupported: 1, connectionState: 0)),
    .versionResponse(
      VersionResponse(versionSupported: 1, connectionState: 2, messageConnectionID: 4)),
    .offerChannel(
      OfferChannel(
        interfaceType: balloon, interfaceInstance: .zero, subChannelIndex: 1,
        childRelid: ChannelID(2), connectionID: 18)),
    .rescindChannelOffer(RescindChannelOffer(childRelid: ChannelID(2))),
    .requestOffers,
    .allOffersDelivered,
    .openChannel(
      OpenChannel(
        childRelid: ChannelID(2), openID: 2, ringBufferGpadlID: GpadlID(9), targetVP: 0,
        ringBufferOffset: 16)),
    .openChannelResult(OpenChannelResult(childRelid: ChannelID(2), openID: 2, status: 0)),
    .closeChannel(CloseChannel(childRelid: ChannelID(2))),
    .gpadlHeader(
      GpadlHeader.pageAligned(childRelid: ChannelID(2), gpadlID: GpadlID(9), pfns: [5, 6, 7])),
    .gpadlBody(GpadlBody(messageNumber: 1, gpadlID: GpadlID(9), pfns: [8, 9])),
    .gpadlCreated(GpadlCreated(childRelid: ChannelID(2), gpadlID: GpadlID(9))),
    .gpadlTeardown(GpadlTeardown(childRelid: ChannelID(2), gpadlID: GpadlID(9))),
    .gpadlTorndown(GpadlTorndown(gpadlID: GpadlID(9))),
    .relidReleased(RelidReleased(childRelid: ChannelID(2))),
    .unload,
    .unloadResponse,
    .other(.modifyChannel, payload: [22, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0]),
    .other(.invalid, payload: [0, 0, 0, 0, 1, 2, 3, 4, 5]),
    .other(MessageType(0xFFFF_FFFF), payload: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]),
  ]
}
