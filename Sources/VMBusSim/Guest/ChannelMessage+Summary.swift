import VMBusWire

extension ChannelMessage {
  /// A one-line description for transcripts: the type and the fields that matter.
  var summary: String {
    switch self {
    case .initiateContact(let m):
      "INITIATE_CONTACT version \(m.versionRequested) vcpu \(m.targetVCPU)"
    case .versionResponse(let m): "VERSION_RESPONSE version_supported \(m.versionSupported)"
    case .offerChannel(let m):
      "OFFERCHANNEL relid \(m.childRelid.rawValue) sub \(m.subChannelIndex) instance \(m.interfaceInstance)"
    case .rescindChannelOffer(let m): "RESCIND_CHANNELOFFER relid \(m.childRelid.rawValue)"
    case .requestOffers: "REQUESTOFFERS"
    case .allOffersDelivered: "ALLOFFERS_DELIVERED"
    case .openChannel(let m):
      "OPENCHANNEL relid \(m.childRelid.rawValue) gpadl \(m.ringBufferGpadlID.rawValue) vp \(m.targetVP) offset \(m.ringBufferOffset)"
    case .openChannelResult(let m):
      "OPENCHANNEL_RESULT relid \(m.childRelid.rawValue) open_id \(m.openID) status \(m.status)"
    case .closeChannel(let m): "CLOSECHANNEL relid \(m.childRelid.rawValue)"
    case .gpadlHeader(let m):
      "GPADL_HEADER gpadl \(m.gpadlID.rawValue) relid \(m.childRelid.rawValue) pages \(m.declaredPageCount) pfns \(m.pfns.count)"
    case .gpadlBody(let m): "GPADL_BODY gpadl \(m.gpadlID.rawValue) pfns \(m.pfns.count)"
    case .gpadlCreated(let m):
      "GPADL_CREATED gpadl \(m.gpadlID.rawValue) relid \(m.childRelid.rawValue) status \(m.status)"
    case .gpadlTeardown(let m): "GPADL_TEARDOWN gpadl \(m.gpadlID.rawValue)"
    case .gpadlTorndown(let m): "GPADL_TORNDOWN gpadl \(m.gpadlID.rawValue)"
    case .relidReleased(let m): "RELID_RELEASED relid \(m.childRelid.rawValue)"
    case .unload: "UNLOAD"
    case .unloadResponse: "UNLOAD_RESPONSE"
    case .other(.tlConnectRequest, let payload):
      // Not a type the wire decodes (no host modelled takes it), but Linux sends it.
      if let m = try? TLConnectRequest(decoding: payload) {
        "TL_CONNECT_REQUEST guest \(m.guestEndpointID) host \(m.hostServiceID)"
      } else {
        "TL_CONNECT_REQUEST (\(payload.count) bytes)"
      }
    case .other(let type, let payload): "\(type.name) (\(payload.count) bytes)"
    }
  }
}
