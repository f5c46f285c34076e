import VMBusWire

/// Deciding the guest's hypercalls and the machine's configuration changes.
extension Decision {
  /// HvPostMessage through QEMU's hyperv layer, then `vmbus_recv_message`
  /// (docs/qemu-reference.md §1.1, §4.3). Only the VMBus handler traces; every status is
  /// recorded for the guest.
  mutating func hypercall(_ call: GuestHypercall) {
    let status: HypercallStatus
    if call.payloadSize > UInt32(WireLimits.maxPayload) {
      status = .invalidHypercallInput
    } else if call.connectionID & 0x00FF_FFFF != 1 {
      status = .invalidConnectionID
    } else if call.messageType != 1 || call.payloadSize < UInt32(WireLimits.headerSize) {
      status = .invalidHypercallInput
    } else {
      let payload = call.effectivePayload
      let type = MessageType(
        UInt32(payload[0]) | UInt32(payload[1]) << 8 | UInt32(payload[2]) << 16
          | UInt32(payload[3]) << 24)
      // The queue's room is checked before the trace, whose fold already queues the message.
      let queueFull = state.rxQueue.isFull
      emit(.trace(.recvMessage(type: type, size: call.payloadSize)))
      if !type.isKnownToQEMU {
        status = .invalidHypercallInput
      } else if queueFull {
        status = .insufficientBuffers
      } else {
        status = .success
      }
    }
    emit(.simulator(.hypercall(call, status: status)))
  }

  /// HvSignalEvent (`hyperv_hcall_signal_event`, or KVM's own when it has
  /// KVM_CAP_HYPERV_EVENTFD): bits outside `HV_CONNECTION_ID_MASK` are refused, not masked.
  /// Connection 2 sets the bus's event notifier, which the main loop handles later
  /// (`dispatchBusNotifier` traces it); 16 + relid is registered only while that channel is
  /// host-open (untraced); nothing else listens.
  mutating func signal(_ id: UInt32) {
    let status: HypercallStatus
    if id & ~0x00FF_FFFF != 0 {
      status = .invalidHypercallInput
    } else if id == 2 {
      status = .success
    } else if id >= 16, let channel = state.channel(ChannelID(id - 16)), channel.state.isOpen {
      status = .success
    } else {
      status = .invalidConnectionID
    }
    emit(.simulator(.signal(connectionID: id, status: status)))
  }

  /// `vmbus_dev_realize`: instance id unique on the bus, channel count non-zero, relids free.
  mutating func realize(_ config: DeviceConfig) {
    let failure: RealizeFailure?
    if config.channelCount == 0 {
      failure = .invalidChannelCount
    } else if state.devices.contains(where: { $0.config?.instanceID == config.instanceID }) {
      failure = .duplicateInstanceID
    } else if HostState.lowestFreeRelids(count: Int(config.channelCount), taken: state.channels)
      .count < Int(config.channelCount)
    {
      failure = .noSpareChannelID
    } else {
      failure = nil
    }
    if let failure {
      emit(.simulator(.deviceRejected(instanceID: config.instanceID, reason: failure)))
    } else {
      emit(.simulator(.deviceRealized(config)))
    }
  }
}
