import VMBusHost
import VMBusTrace
import VMBusWire

extension HostEvent {
  /// `{"name": ..., "args": {...}}` with QEMU's argument names for trace points, and the
  /// simulator's own fields for `sim_*` events.
  package func writeJSON(into json: inout JSONBuilder) {
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
  /// The event's ``arguments``, as the store's `sim` column holds them (payloads as hex).
  func writeArguments(into json: inout JSONBuilder) {
    for (name, value) in arguments {
      switch value {
      case .unsigned(let number): json.field(name, number)
      case .text(let text): json.field(name, text)
      case .bytes(let bytes): json.field(name, Self.hex(bytes))
      case .flag(let flag): json.field(name, flag)
      case .unsignedList(let numbers):
        json.key(name)
        json.array { json in for number in numbers { json.number(number) } }
      }
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
