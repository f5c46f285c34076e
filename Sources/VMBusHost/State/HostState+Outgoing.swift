import VMBusWire

extension HostState {
  /// The message the bus has in flight, rebuilt from state as QEMU's send function built it
  /// (nothing it reads changes until the delivery callback). Nil when nothing is in flight.
  public var outgoingMessage: ChannelMessage? {
    guard messageInFlight else { return nil }
    if let failureReply { return failureReply.message }
    switch bus {
    case .listen:
      return nil
    case .handshake:
      return .versionResponse(
        VersionResponse(versionSupported: isInitialized ? 1 : 0, connectionState: 0))
    case .offer:
      guard let channel = channels.first(where: { $0.offer == .sending }) else {
        return .allOffersDelivered
      }
      let config = device(owning: channel)?.config
      return .offerChannel(
        OfferChannel(
          interfaceType: config?.classID ?? .zero, interfaceInstance: config?.instanceID ?? .zero,
          channelFlags: config?.channelFlags ?? 0, mmioSizeMB: config?.mmioSizeMB ?? 0,
          userData: [], subChannelIndex: channel.subchannelIndex, childRelid: channel.id,
          monitorID: 0, monitorAllocated: false, dedicatedInterrupt: true,
          connectionID: channel.connectionID))
    case .createGpadl:
      guard let gpadl = gpadls.first(where: { $0.isFull && $0.state == .initial }) else {
        return nil
      }
      return .gpadlCreated(
        GpadlCreated(childRelid: gpadl.childRelid ?? ChannelID(0), gpadlID: gpadl.id, status: 0))
    case .teardownGpadl:
      guard let gpadl = gpadls.first(where: { $0.state == .tearingDown }) else { return nil }
      return .gpadlTorndown(GpadlTorndown(gpadlID: gpadl.id))
    case .openChannel:
      guard
        let channel = channels.first(where: { if case .opening = $0.state { true } else { false } }
        ),
        let request = channel.state.request
      else { return nil }
      return .openChannelResult(
        OpenChannelResult(
          childRelid: channel.id, openID: request.openID ?? 0,
          status: channel.state.isOpen ? 0 : 1))
    case .unload:
      return .unloadResponse
    }
  }
}
