import VMBusHost
import VMBusWire

extension DiagramMessage {
  /// Takes the relid, GPADL id, status and details from the message's own bytes.
  mutating func fill(payload: [UInt8]) {
    hasPayload = true
    let message: ChannelMessage
    do {
      message = try ChannelMessage(decoding: payload)
    } catch {
      details = ["undecodable: \(error)"]
      return
    }
    type = message.type
    switch message {
    case .initiateContact(let m):
      details = ["version \(m.versionRequested)", "vcpu \(m.targetVCPU)"]
    case .versionResponse(let m): status = UInt32(m.versionSupported)
    case .offerChannel(let m):
      relid = m.childRelid
      details = ["sub \(m.subChannelIndex)", "instance \(m.interfaceInstance)"]
    case .rescindChannelOffer(let m): relid = m.childRelid
    case .requestOffers, .allOffersDelivered, .unload, .unloadResponse: break
    case .openChannel(let m):
      relid = m.childRelid
      gpadlID = m.ringBufferGpadlID
      details = ["vp \(m.targetVP)", "offset \(m.ringBufferOffset)"]
    case .openChannelResult(let m):
      relid = m.childRelid
      status = m.status
    case .closeChannel(let m): relid = m.childRelid
    case .gpadlHeader(let m):
      relid = m.childRelid
      gpadlID = m.gpadlID
      details = ["pages \(m.declaredPageCount)", "pfns \(m.pfns.count)"]
    case .gpadlBody(let m):
      gpadlID = m.gpadlID
      details = ["pfns \(m.pfns.count)"]
    case .gpadlCreated(let m):
      relid = m.childRelid
      gpadlID = m.gpadlID
      status = m.status
    case .gpadlTeardown(let m):
      relid = m.childRelid
      gpadlID = m.gpadlID
    case .gpadlTorndown(let m): gpadlID = m.gpadlID
    case .relidReleased(let m): relid = m.childRelid
    case .other(_, let bytes): details = ["\(bytes.count) bytes"]
    }
  }

  /// Takes what a handler's or a send function's trace point says, keeping what the payload
  /// already gave.
  mutating func fill(trace: TraceEvent) {
    switch trace {
    case .initiateContact(let major, let minor, let vcpu, _, _, _):
      if !hasPayload { details = ["version \(major).\(minor)", "vcpu \(vcpu)"] }
    case .gpadlHeader(let id, let gfns):
      gpadlID = gpadlID ?? id
      if !hasPayload { details = ["gfns \(gfns)"] }
    case .gpadlBody(let id), .gpadlTeardown(let id), .gpadlCreated(let id), .gpadlTorndown(let id):
      gpadlID = gpadlID ?? id
    case .openChannel(let chan, let gpadl, let vp):
      relid = relid ?? chan
      gpadlID = gpadlID ?? gpadl
      if !hasPayload { details = ["vp \(vp)"] }
    case .closeChannel(let chan), .sendOffer(let chan, _): relid = relid ?? chan
    case .channelOpen(let chan, let result):
      relid = relid ?? chan
      status = result
    default: break
    }
  }

  /// Takes what the host state knows of the message just posted: the fields QEMU's send
  /// function read from it.
  mutating func fill(posted state: HostState) {
    switch type {
    case .versionResponse:
      status = state.isInitialized ? 1 : 0
    case .offerChannel:
      guard let relid, let channel = state.channel(relid) else { return }
      details = ["sub \(channel.subchannelIndex)"]
      if let config = state.device(owning: channel)?.config {
        details.append("instance \(config.instanceID)")
      }
    case .gpadlCreated:
      guard let gpadlID, let gpadl = state.gpadl(gpadlID) else { return }
      relid = relid ?? gpadl.childRelid
      status = 0
    case .openChannelResult:
      guard let relid, let openID = state.channel(relid)?.state.request?.openID else { return }
      details = ["open_id \(openID)"]
    default: break
    }
  }

  /// The message a send function's trace point announces.
  static func announced(by trace: TraceEvent) -> DiagramMessage? {
    let type: MessageType
    switch trace {
    case .sendOffer: type = .offerChannel
    case .terminateOffers: type = .allOffersDelivered
    case .gpadlCreated: type = .gpadlCreated
    case .gpadlTorndown: type = .gpadlTorndown
    case .channelOpen: type = .openChannelResult
    default: return nil
    }
    var message = DiagramMessage(direction: .hostToGuest, type: type)
    message.fill(trace: trace)
    return message
  }

  /// The guest message type whose handler fires `trace`, for the handlers that trace.
  static func handledType(of trace: TraceEvent) -> MessageType? {
    switch trace {
    case .initiateContact: .initiateContact
    case .gpadlHeader: .gpadlHeader
    case .gpadlBody: .gpadlBody
    case .gpadlTeardown: .gpadlTeardown
    case .openChannel: .openChannel
    case .closeChannel: .closeChannel
    default: nil
    }
  }

  /// Whether QEMU's handler for `type` fires a trace point once its checks pass.
  static func handlerTraces(_ type: MessageType) -> Bool {
    switch type {
    case .initiateContact, .gpadlHeader, .gpadlBody, .gpadlTeardown, .openChannel, .closeChannel:
      true
    default: false
    }
  }
}
