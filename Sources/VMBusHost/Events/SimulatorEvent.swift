import VMBusWire

/// A fact the simulator records that QEMU does not trace.
///
/// A QEMU trace contains none of these and folds without them; a simulated session needs
/// them so that its state, payloads included, is a fold of its events alone.
public enum SimulatorEvent: Hashable, Sendable, Codable {
  /// The session's host: its behaviour profile and machine. First event of a simulation.
  case machineStarted(profile: HostProfile, machine: MachineConfig)
  /// A device was realized on the bus; its channels take the lowest free relids.
  case deviceRealized(DeviceConfig)
  /// A device failed to realize and is not on the bus.
  case deviceRejected(instanceID: GUID, reason: RealizeFailure)
  /// The guest's HvPostMessage returned `status`. Follows `vmbus_recv_message` when that
  /// fired; on success it carries the payload of the message just queued.
  case hypercall(GuestHypercall, status: HypercallStatus)
  /// The guest's HvSignalEvent on `connectionID` returned `status`.
  case signal(connectionID: UInt32, status: HypercallStatus)
  /// The host aborted or crashed; it accepts no further input.
  case hostFault(HostFault)
  /// The machine was reset from outside the bus: devices, then the bus (a message in flight
  /// is forgotten, the rx queue is kept).
  case machineReset
  /// A device was reset from outside the bus: its channels are closed and set to INIT.
  case deviceReset(instanceID: GUID)
  /// A reschedule of the bus run was lost (QEMU's nested `aio_poll` FIXME, §9 entry 48).
  /// No longer produced: no handler or device callback of QEMU's nests `aio_poll` inside
  /// `vmbus_run`, so nothing can lose one (docs/host-model.md). Kept to read old sessions.
  case rescheduleLost
  /// A scheduled `vmbus_run` ran and did nothing: `vmbus_do_run` found a message in flight,
  /// or `process_message` found the queue empty. It consumed its one-shot bottom half.
  case busRunIdle
  /// The guest wrote ring indices past the ring's data length into this GPADL's ring
  /// headers, so a host open on it fails after setting the feature bit (§9 entry 34).
  case ringIndicesCorrupted(GpadlID)
  /// QEMU's simple backend lost this many events (its dropped-events record): a gap.
  case tracedEventsDropped(count: UInt64)
  /// The host was live-migrated: the source saved what its profile saves (QEMU:
  /// ``MigrationImage``, whose digest this is) and stopped; the destination loaded it. The
  /// events after it are the destination's. Folding it gives the loaded state.
  case migrated(savedDigest: UInt64)

  /// A stable snake_case name for storage and transcripts, prefixed `sim_`.
  public var name: String {
    switch self {
    case .machineStarted: "sim_machine_started"
    case .deviceRealized: "sim_device_realized"
    case .deviceRejected: "sim_device_rejected"
    case .hypercall: "sim_hypercall"
    case .signal: "sim_signal"
    case .hostFault: "sim_host_fault"
    case .machineReset: "sim_machine_reset"
    case .deviceReset: "sim_device_reset"
    case .rescheduleLost: "sim_reschedule_lost"
    case .busRunIdle: "sim_bus_run_idle"
    case .ringIndicesCorrupted: "sim_ring_indices_corrupted"
    case .tracedEventsDropped: "sim_traced_events_dropped"
    case .migrated: Self.migratedName
    }
  }

  /// `sim_migrated`'s name, for the places that name the event without holding one.
  public static let migratedName = "sim_migrated"
}

/// Why QEMU refused to realize a device.
public enum RealizeFailure: String, Hashable, Sendable, Codable, CustomStringConvertible {
  /// `num_channels` was zero ("invalid #channels").
  case invalidChannelCount = "invalid_channel_count"
  /// Another device on the bus has this instance id.
  case duplicateInstanceID = "duplicate_instance_id"
  /// All 2047 relids are taken ("no spare channel id").
  case noSpareChannelID = "no_spare_channel_id"

  public var description: String {
    switch self {
    case .invalidChannelCount: "invalid #channels"
    case .duplicateInstanceID: "duplicate vmbus device instance id"
    case .noSpareChannelID: "no spare channel id"
    }
  }
}

/// Everything a session records: QEMU's trace points and the simulator's own facts.
public enum HostEvent: Hashable, Sendable, Codable {
  /// A QEMU trace point fired.
  case trace(TraceEvent)
  /// A fact QEMU does not trace.
  case simulator(SimulatorEvent)

  /// QEMU's trace-point name, or the simulator event's `sim_` name.
  public var name: String {
    switch self {
    case .trace(let event): event.point.name
    case .simulator(let event): event.name
    }
  }
}
