import VMBusHost
import VMBusTrace
import VMBusWire

extension HostEvent {
  /// `{"name": ..., "args": {...}}` with QEMU's argument names for trace points, and the
  /// simulator's own fields for `sim_*` events.
  public func writeJSON(into json: inout JSONBuilder) {
    json.object { json in
      json.field("name", name)
      json.key("args")
      switch self {
      case .trace(let event):
        var args: [UInt8] = [UInt8(ascii: "{")]
        JSONLExporter.appendArguments(event, to: &args)
        args.append(UInt8(ascii: "}"))
        json.raw(args)
      case .simulator(let fact):
        json.object { json in fact.writeArguments(into: &json) }
      }
    }
  }
}

extension SimulatorEvent {
  func writeArguments(into json: inout JSONBuilder) {
    switch self {
    case .machineStarted(let profile, let machine):
      json.field("profile", profile.rawValue)
      json.field("vcpus", machine.vcpuCount)
      json.key("vcpus_without_synic")
      json.array { json in for vp in machine.vcpusWithoutSynIC { json.number(vp) } }
      json.field("qemu_release", machine.qemuRelease.rawValue)
    case .deviceRealized(let config):
      json.field("name", config.name)
      json.field("class_id", config.classID.description)
      json.field("instance_id", config.instanceID.description)
      json.field("channels", config.channelCount)
    case .deviceRejected(let instance, let reason):
      json.field("instance_id", instance.description)
      json.field("reason", reason.rawValue)
    case .hypercall(let call, let status):
      json.field("connection_id", call.connectionID)
      json.field("message_type", call.messageType)
      json.field("payload_size", call.payloadSize)
      json.field("payload", Self.hex(call.payload))
      json.field("status", status.rawValue)
    case .signal(let connection, let status):
      json.field("connection_id", connection)
      json.field("status", status.rawValue)
    case .hostFault(let fault):
      json.field("cause", fault.description)
    case .machineReset, .rescheduleLost, .busRunIdle:
      break
    case .deviceReset(let instance):
      json.field("instance_id", instance.description)
    case .ringIndicesCorrupted(let id):
      json.field("gpadl_id", id.rawValue)
    case .tracedEventsDropped(let count):
      json.field("count", count)
    }
  }

  static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}
