import VMBusWire

/// One named argument of a simulator event, in a form every output format can carry.
public enum SimulatorArgument: Hashable, Sendable {
  case unsigned(UInt64)
  case text(String)
  /// Raw bytes (a payload); text formats write them as lower-case hex.
  case bytes([UInt8])
  case unsignedList([UInt64])
  case flag(Bool)
}

/// A `sim_*` event's arguments did not make the event its name says.
public struct SimulatorArgumentError: Error, Hashable, Sendable, CustomStringConvertible {
  public var event: String
  public var reason: String

  public init(event: String, reason: String) {
    self.event = event
    self.reason = reason
  }

  public var description: String { "\(event): \(reason)" }
}

/// A simulator event's arguments by name: the one layout the store's `sim` column and the
/// JSON of `export` and `replay --json` carry (docs/store.md lists it). Names are snake_case
/// as QEMU names its trace arguments; the enum's Swift case and label names never reach
/// storage, so renaming one cannot orphan a stored session.
extension SimulatorEvent {
  /// The arguments in their documented order; nothing is derived, so they rebuild the event.
  /// `sim_host_fault` also carries `cause`, its text for people, which decoding ignores.
  public var arguments: [(name: String, value: SimulatorArgument)] {
    switch self {
    case .machineStarted(let profile, let machine):
      return [
        ("profile", .text(profile.rawValue)),
        ("vcpus", .unsigned(UInt64(machine.vcpuCount))),
        ("vcpus_without_synic", .unsignedList(machine.vcpusWithoutSynIC.map(UInt64.init))),
        ("qemu_release", .text(machine.qemuRelease.rawValue)),
      ]
    case .deviceRealized(let config):
      return [
        ("name", .text(config.name)),
        ("class_id", .text(config.classID.description)),
        ("instance_id", .text(config.instanceID.description)),
        ("channels", .unsigned(UInt64(config.channelCount))),
        ("channel_flags", .unsigned(UInt64(config.channelFlags))),
        ("mmio_size_mb", .unsigned(UInt64(config.mmioSizeMB))),
        ("open_hook_fails", .flag(config.openHookFails)),
      ]
    case .deviceRejected(let instance, let reason):
      return [("instance_id", .text(instance.description)), ("reason", .text(reason.rawValue))]
    case .hypercall(let call, let status):
      return [
        ("connection_id", .unsigned(UInt64(call.connectionID))),
        ("message_type", .unsigned(UInt64(call.messageType))),
        ("payload_size", .unsigned(UInt64(call.payloadSize))),
        ("payload", .bytes(call.payload)),
        ("status", .unsigned(UInt64(status.rawValue))),
      ]
    case .signal(let connection, let status):
      return [
        ("connection_id", .unsigned(UInt64(connection))),
        ("status", .unsigned(UInt64(status.rawValue))),
      ]
    case .hostFault(let fault):
      let operand = fault.operand.map { [$0] } ?? []
      return [("fault", .text(fault.storedName))] + operand
        + [("cause", .text(fault.description))]
    case .machineReset, .rescheduleLost, .busRunIdle:
      return []
    case .deviceReset(let instance):
      return [("instance_id", .text(instance.description))]
    case .ringIndicesCorrupted(let id):
      return [("gpadl_id", .unsigned(UInt64(id.rawValue)))]
    case .tracedEventsDropped(let count):
      return [("count", .unsigned(count))]
    case .migrated(let digest):
      return [("saved_digest", .text(StableDigest.hex(digest)))]
    }
  }

  /// The event named `name` (`sim_hypercall`, ...) with these arguments. Extra arguments are
  /// ignored; a missing or mistyped one, or a value out of its field's range, is an error.
  public init(
    name: String, arguments: [String: SimulatorArgument]
  ) throws(SimulatorArgumentError) {
    let read = ArgumentReader(event: name, arguments: arguments)
    switch name {
    case "sim_machine_started":
      let profileName = try read.text("profile")
      guard let profile = HostProfile(rawValue: profileName) else {
        throw read.error("profile '\(profileName)' is not a host profile")
      }
      let releaseName = try read.text("qemu_release")
      guard let release = QEMURelease(rawValue: releaseName) else {
        throw read.error("qemu_release '\(releaseName)' is not a modelled QEMU release")
      }
      let machine = MachineConfig(
        vcpuCount: try read.unsigned("vcpus", as: UInt32.self),
        vcpusWithoutSynIC: try read.unsignedList("vcpus_without_synic", as: UInt32.self),
        qemuRelease: release)
      self = .machineStarted(profile: profile, machine: machine)
    case "sim_device_realized":
      self = .deviceRealized(
        DeviceConfig(
          name: try read.text("name"), classID: try read.guid("class_id"),
          instanceID: try read.guid("instance_id"),
          channelCount: try read.unsigned("channels", as: UInt16.self),
          channelFlags: try read.unsigned("channel_flags", as: UInt16.self),
          mmioSizeMB: try read.unsigned("mmio_size_mb", as: UInt16.self),
          openHookFails: try read.flag("open_hook_fails")))
    case "sim_device_rejected":
      let reasonName = try read.text("reason")
      guard let reason = RealizeFailure(rawValue: reasonName) else {
        throw read.error("reason '\(reasonName)' is not a realize failure")
      }
      self = .deviceRejected(instanceID: try read.guid("instance_id"), reason: reason)
    case "sim_hypercall":
      let call = GuestHypercall(
        connectionID: try read.unsigned("connection_id", as: UInt32.self),
        messageType: try read.unsigned("message_type", as: UInt32.self),
        payloadSize: try read.unsigned("payload_size", as: UInt32.self),
        payload: try read.bytes("payload"))
      self = .hypercall(
        call, status: HypercallStatus(rawValue: try read.unsigned("status", as: UInt16.self)))
    case "sim_signal":
      self = .signal(
        connectionID: try read.unsigned("connection_id", as: UInt32.self),
        status: HypercallStatus(rawValue: try read.unsigned("status", as: UInt16.self)))
    case "sim_host_fault":
      self = .hostFault(try HostFault(reading: read))
    case "sim_machine_reset": self = .machineReset
    case "sim_device_reset": self = .deviceReset(instanceID: try read.guid("instance_id"))
    case "sim_reschedule_lost": self = .rescheduleLost
    case "sim_bus_run_idle": self = .busRunIdle
    case "sim_ring_indices_corrupted":
      self = .ringIndicesCorrupted(GpadlID(try read.unsigned("gpadl_id", as: UInt32.self)))
    case "sim_traced_events_dropped":
      self = .tracedEventsDropped(count: try read.unsigned("count", as: UInt64.self))
    case "sim_migrated":
      let text = try read.text("saved_digest")
      // Exactly as written: lower-case hex digits only (UInt64 would also take a sign).
      let isHex = text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
      guard text.utf8.count == 16, isHex, let digest = UInt64(text, radix: 16) else {
        throw read.error("saved_digest '\(text)' is not 16 hex digits")
      }
      self = .migrated(savedDigest: digest)
    default:
      throw SimulatorArgumentError(event: name, reason: "not a simulator event")
    }
  }
}

extension HostFault {
  /// The `fault` argument: a stable name per case, independent of the Swift case names.
  fileprivate var storedName: String {
    switch self {
    case .postWithoutRoute: "post_without_route"
    case .unknownVCPU: "unknown_vcpu"
    case .bodyForFullGpadl: "body_for_full_gpadl"
    case .callbackWithoutMessage: "callback_without_message"
    case .ringOffsetOutOfBounds: "ring_offset_out_of_bounds"
    case .noObjectForBusState: "no_object_for_bus_state"
    case .routeAliveAtSynICReset: "route_alive_at_synic_reset"
    case .migrationRouteFailed: "migration_route_failed"
    }
  }

  /// The case's one operand, if it has one.
  fileprivate var operand: (name: String, value: SimulatorArgument)? {
    switch self {
    case .postWithoutRoute(let type): ("message_type", .unsigned(UInt64(type.rawValue)))
    case .unknownVCPU(let vp): ("vcpu", .unsigned(UInt64(vp)))
    case .bodyForFullGpadl(let id): ("gpadl_id", .unsigned(UInt64(id.rawValue)))
    case .callbackWithoutMessage: nil
    case .ringOffsetOutOfBounds(let chan): ("chan_id", .unsigned(UInt64(chan.rawValue)))
    case .noObjectForBusState(let state): ("bus_state", .text(state.description))
    case .routeAliveAtSynICReset(let held): ("held_by_message", .flag(held))
    case .migrationRouteFailed(let vp): ("vcpu", .unsigned(UInt64(vp)))
    }
  }

  fileprivate init(reading read: ArgumentReader) throws(SimulatorArgumentError) {
    let name = try read.text("fault")
    switch name {
    case "post_without_route":
      self = .postWithoutRoute(
        MessageType(rawValue: try read.unsigned("message_type", as: UInt32.self)))
    case "unknown_vcpu": self = .unknownVCPU(try read.unsigned("vcpu", as: UInt32.self))
    case "body_for_full_gpadl":
      self = .bodyForFullGpadl(GpadlID(try read.unsigned("gpadl_id", as: UInt32.self)))
    case "callback_without_message": self = .callbackWithoutMessage
    case "ring_offset_out_of_bounds":
      self = .ringOffsetOutOfBounds(ChannelID(try read.unsigned("chan_id", as: UInt32.self)))
    case "no_object_for_bus_state":
      let stateName = try read.text("bus_state")
      guard let state = BusState.allCases.first(where: { $0.description == stateName }) else {
        throw read.error("bus_state '\(stateName)' is not a bus state")
      }
      self = .noObjectForBusState(state)
    case "route_alive_at_synic_reset":
      self = .routeAliveAtSynICReset(heldByMessage: try read.flag("held_by_message"))
    case "migration_route_failed":
      self = .migrationRouteFailed(try read.unsigned("vcpu", as: UInt32.self))
    default:
      throw read.error("fault '\(name)' is not a host fault")
    }
  }
}

/// Typed access to the arguments of one event, with errors that name the event and field.
private struct ArgumentReader {
  let event: String
  let arguments: [String: SimulatorArgument]

  func error(_ reason: String) -> SimulatorArgumentError {
    SimulatorArgumentError(event: event, reason: reason)
  }

  private func value(_ name: String) throws(SimulatorArgumentError) -> SimulatorArgument {
    guard let value = arguments[name] else { throw error("no \(name)") }
    return value
  }

  func text(_ name: String) throws(SimulatorArgumentError) -> String {
    guard case .text(let text) = try value(name) else { throw error("\(name) is not text") }
    return text
  }

  func guid(_ name: String) throws(SimulatorArgumentError) -> GUID {
    let text = try text(name)
    guard let guid = GUID(text) else { throw error("\(name) '\(text)' is not a GUID") }
    return guid
  }

  func unsigned<T: FixedWidthInteger & UnsignedInteger>(
    _ name: String, as _: T.Type
  ) throws(SimulatorArgumentError) -> T {
    guard case .unsigned(let number) = try value(name) else {
      throw error("\(name) is not an unsigned integer")
    }
    guard let narrowed = T(exactly: number) else {
      throw error("\(name) \(number) does not fit \(T.bitWidth) bits")
    }
    return narrowed
  }

  func unsignedList<T: FixedWidthInteger & UnsignedInteger>(
    _ name: String, as _: T.Type
  ) throws(SimulatorArgumentError) -> [T] {
    switch try value(name) {
    case .unsignedList(let numbers):
      var narrowed: [T] = []
      for number in numbers {
        guard let value = T(exactly: number) else {
          throw error("\(name) holds \(number), which does not fit \(T.bitWidth) bits")
        }
        narrowed.append(value)
      }
      return narrowed
    default: throw error("\(name) is not a list of unsigned integers")
    }
  }

  /// Bytes, or their lower- or upper-case hex as text formats carry them.
  func bytes(_ name: String) throws(SimulatorArgumentError) -> [UInt8] {
    switch try value(name) {
    case .bytes(let bytes): return bytes
    case .text(let hex):
      guard let bytes = Self.bytes(fromHex: hex) else {
        throw error("\(name) is not an even number of hex digits")
      }
      return bytes
    default: throw error("\(name) is not bytes")
    }
  }

  private static func bytes(fromHex hex: String) -> [UInt8]? {
    func nibble(_ digit: UInt8) -> UInt8? {
      switch digit {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
      default: nil
      }
    }
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
      guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else {
        return nil
      }
      bytes.append(high << 4 | low)
      index += 2
    }
    return bytes
  }

  func flag(_ name: String) throws(SimulatorArgumentError) -> Bool {
    guard case .flag(let flag) = try value(name) else { throw error("\(name) is not a flag") }
    return flag
  }
}
