import VMBusWire

/// Something that happens to the host: the inputs `decide` turns into events.
public enum HostInput: Hashable, Sendable, Codable {
  /// The simulation starts with this host profile and machine.
  case startMachine(profile: HostProfile, machine: MachineConfig)
  /// A device is realized on the bus (at start, or added later).
  case realizeDevice(DeviceConfig)
  /// The guest issues HvPostMessage.
  case hypercall(GuestHypercall)
  /// The guest issues HvSignalEvent on a connection id.
  case signalEvent(connectionID: UInt32)
  /// The main loop runs the bus event notifier's handler (`vmbus_signal_event`).
  case dispatchBusNotifier
  /// The main loop runs one scheduled `vmbus_run` bottom half.
  case runBus
  /// The delivery of the message in flight completes: 0 delivered, -11 the guest's slot was
  /// busy (after the guest's EOM), -6 no message page, or another negative errno.
  case deliver(status: Int32)
  /// The device with this instance id is reset from outside the bus. Beyond QEMU: nothing
  /// in QEMU resets one VMBus device alone (only `vdev_reset_on_close` and a bus cold reset
  /// do); scenarios use it to probe the hardened host.
  case resetDevice(instanceID: GUID)
  /// The machine is reset (`qemu_system_reset`: devices, then each vCPU's SynIC).
  case resetMachine
  /// The guest writes out-of-range ring indices into this GPADL's ring headers.
  case corruptRingIndices(GpadlID)
  /// The machine is live-migrated: the source saves the bus, the destination loads it.
  case migrate
}

/// errno values the delivery path reports.
public enum DeliveryStatus {
  /// Delivered.
  public static let delivered: Int32 = 0
  /// -EAGAIN: the guest's SINT slot was busy; QEMU re-posts.
  public static let slotBusy: Int32 = -11
  /// -ENXIO: the guest has no SynIC message page; QEMU resets the bus.
  public static let noMessagePage: Int32 = -6
}
