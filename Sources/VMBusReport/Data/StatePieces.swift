import VMBusHost
import VMBusSessions
import VMBusWire

/// The host state as the page rebuilds it: the encoded JSON of each top-level field and of
/// each channel and GPADL, exactly as `replay --json` writes them, so that putting the
/// pieces together gives `replay`'s text byte for byte.
struct StatePieces {
  /// What a step changes in the pieces.
  enum Operation: Int {
    case setField = 0
    case setChannel = 1
    case removeChannel = 2
    case setGpadl = 3
    case removeGpadl = 4
  }

  /// The top-level field names, in order.
  let fieldNames: [String]
  private(set) var fields: [String]
  private(set) var channels: [UInt32: String] = [:]
  private(set) var gpadls: [UInt32: String] = [:]

  init(_ state: HostState) {
    let scalars = state.scalarFieldsJSON()
    fieldNames = scalars.map(\.key)
    fields = scalars.map { String(decoding: $0.value, as: UTF8.self) }
    for channel in state.channels { channels[channel.id.rawValue] = Self.encoded(channel) }
    for gpadl in state.gpadls { gpadls[gpadl.id.rawValue] = Self.encoded(gpadl) }
  }

  /// Moves from `old` to `new`; returns the operations as (operation, key, text) triples.
  mutating func update(from old: HostState, to new: HostState) -> [(Operation, UInt32, String?)] {
    var operations: [(Operation, UInt32, String?)] = []
    for (index, field) in new.scalarFieldsJSON().enumerated() where index < fields.count {
      let text = String(decoding: field.value, as: UTF8.self)
      if fields[index] != text {
        fields[index] = text
        operations.append((.setField, UInt32(index), text))
      }
    }
    if old.channels != new.channels {
      for channel in new.channels.sorted(by: { $0.id < $1.id })
      where old.channel(channel.id) != channel {
        let text = Self.encoded(channel)
        if channels[channel.id.rawValue] != text {
          channels[channel.id.rawValue] = text
          operations.append((.setChannel, channel.id.rawValue, text))
        }
      }
      for channel in old.channels.sorted(by: { $0.id < $1.id }) where new.channel(channel.id) == nil
      {
        channels[channel.id.rawValue] = nil
        operations.append((.removeChannel, channel.id.rawValue, nil))
      }
    }
    if old.gpadls != new.gpadls {
      for gpadl in new.gpadls.sorted(by: { $0.id < $1.id }) where old.gpadl(gpadl.id) != gpadl {
        let text = Self.encoded(gpadl)
        if gpadls[gpadl.id.rawValue] != text {
          gpadls[gpadl.id.rawValue] = text
          operations.append((.setGpadl, gpadl.id.rawValue, text))
        }
      }
      for gpadl in old.gpadls.sorted(by: { $0.id < $1.id }) where new.gpadl(gpadl.id) == nil {
        gpadls[gpadl.id.rawValue] = nil
        operations.append((.removeGpadl, gpadl.id.rawValue, nil))
      }
    }
    return operations
  }

  private static func encoded(_ channel: Channel) -> String {
    var json = JSONBuilder()
    channel.writeJSON(into: &json)
    return json.text
  }

  private static func encoded(_ gpadl: Gpadl) -> String {
    var json = JSONBuilder()
    gpadl.writeJSON(into: &json)
    return json.text
  }
}
