import VMBusHost
import VMBusWire

/// One event of every kind, with edge values: all 17 trace points and every simulator event.
package enum EventSamples {
  package static let instance = GUID("6a1d2c3b-0000-4000-8000-00000000abcd") ?? .zero

  /// One event per trace point, in `TracePoint.allCases` order.
  package static let traces: [TraceEvent] = [
    .recvMessage(type: .gpadlHeader, size: 240),
    .signalEvent,
    .channelNotifyGuest(chanID: ChannelID(3)),
    .postMsg(type: .versionResponse, size: 16),
    .msgCb(status: -11),
    .processIncomingMessage(messageType: .openChannel),
    .initiateContact(
      major: 5, minor: 3, vcpu: 1, monitorPage1: 0xFFFF_FFFF_FFFF_F000,
      monitorPage2: UInt64(Int64.max) + 1, interruptPage: 0x3000),
    .sendOffer(chanID: ChannelID(UInt32.max), dev: DevicePointer(rawValue: 0xFFFF_8880_1234_5678)),
    .terminateOffers,
    .gpadlHeader(gpadlID: GpadlID(0xE1E10), numGfns: UInt16.max),
    .gpadlBody(gpadlID: GpadlID(0xE1E10)),
    .gpadlCreated(gpadlID: GpadlID(0xE1E10)),
    .gpadlTeardown(gpadlID: GpadlID(0xE1E10)),
    .gpadlTorndown(gpadlID: GpadlID(0)),
    .openChannel(chanID: ChannelID(3), gpadlID: GpadlID(0xE1E10), targetVP: 0xFFFF_FFFF),
    .channelOpen(chanID: ChannelID(3), status: 1),
    .closeChannel(chanID: ChannelID(3)),
  ]

  /// Every simulator event case (and every host fault).
  package static let simulator: [SimulatorEvent] = [
    .machineStarted(profile: .qemu, machine: MachineConfig(vcpuCount: 4, vcpusWithoutSynIC: [3])),
    .machineStarted(
      profile: .qemu, machine: MachineConfig(vcpuCount: 2, qemuRelease: .qemu51)),
    .deviceRealized(
      DeviceConfig(
        name: "netvsc", classID: KnownDeviceClass.netvsc.classID, instanceID: instance,
        channelCount: 2, channelFlags: 0x10, mmioSizeMB: 1, openHookFails: true)),
    .deviceRejected(instanceID: instance, reason: .duplicateInstanceID),
    .hypercall(
      GuestHypercall(
        connectionID: 1, messageType: 1, payloadSize: 300, payload: [0, 1, 0xFF, 0x7F, 0x80]),
      status: .insufficientBuffers),
    .signal(connectionID: 0xFF_FFFF, status: HypercallStatus(rawValue: 0xBEEF)),
    .hostFault(.postWithoutRoute(.unloadResponse)),
    .hostFault(.unknownVCPU(9)),
    .hostFault(.bodyForFullGpadl(GpadlID(7))),
    .hostFault(.callbackWithoutMessage),
    .hostFault(.ringOffsetOutOfBounds(ChannelID(2))),
    .hostFault(.noObjectForBusState(.teardownGpadl)),
    .hostFault(.routeAliveAtSynICReset(heldByMessage: true)),
    .hostFault(.routeAliveAtSynICReset(heldByMessage: false)),
    .machineReset,
    .deviceReset(instanceID: instance),
    .rescheduleLost,
    .busRunIdle,
    .ringIndicesCorrupted(GpadlID(0xE1E10)),
    .tracedEventsDropped(count: UInt64.max),
  ]

  /// Every sample as a host event.
  package static let all: [HostEvent] =
    traces.map(HostEvent.trace) + simulator.map(HostEvent.simulator)
}
