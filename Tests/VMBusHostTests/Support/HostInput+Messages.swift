import VMBusWire

@testable import VMBusHost

extension GuestHypercall {
  /// HvPostMessage on connection 1 carrying `message`'s encoded bytes.
  static func message(_ message: ChannelMessage, connectionID: UInt32 = 1) -> GuestHypercall {
    GuestHypercall(connectionID: connectionID, payload: message.encoded())
  }
}

extension HostInput {
  /// The guest posts `message` on connection 1.
  static func post(_ message: ChannelMessage) -> HostInput {
    .hypercall(.message(message))
  }
}

/// The events the tests expect, spelled once.
enum Expect {
  /// `vmbus_recv_message` and the hypercall's status for a valid SynIC message.
  static func received(_ call: GuestHypercall, status: HypercallStatus = .success) -> [HostEvent] {
    let type = ChannelMessage.messageType(of: call.effectivePayload) ?? .invalid
    return [
      .trace(.recvMessage(type: type, size: call.payloadSize)),
      .simulator(.hypercall(call, status: status)),
    ]
  }

  /// `received(_:status:)` for a message posted on connection 1.
  static func received(_ message: ChannelMessage, status: HypercallStatus = .success)
    -> [HostEvent]
  {
    received(.message(message), status: status)
  }

  /// `vmbus_process_incoming_message` for the head of the queue.
  static func processed(_ type: MessageType) -> HostEvent {
    .trace(.processIncomingMessage(messageType: type))
  }

  /// `vmbus_post_msg` for `type` with QEMU's unrounded struct size.
  static func posted(_ type: MessageType) -> HostEvent {
    let size: UInt32 =
      switch type {
      case .versionResponse: 12
      case .offerChannel: 200
      case .gpadlCreated, .openChannelResult: 20
      case .gpadlTorndown: 12
      default: 8
      }
    return .trace(.postMsg(type: type, size: size))
  }

  /// `vmbus_msg_cb(status)`.
  static func callback(_ status: Int32 = 0) -> HostEvent {
    .trace(.msgCb(status: status))
  }

  /// `vmbus_initiate_contact` as the trace prints INITIATE_CONTACT's fields.
  static func initiateContact(_ message: InitiateContact) -> HostEvent {
    .trace(
      .initiateContact(
        major: message.versionRequested.major, minor: message.versionRequested.minor,
        vcpu: message.targetVCPU, monitorPage1: message.monitorPage1,
        monitorPage2: message.monitorPage2, interruptPage: message.interruptPage))
  }

  /// The host's fault.
  static func fault(_ fault: HostFault) -> HostEvent {
    .simulator(.hostFault(fault))
  }
}
