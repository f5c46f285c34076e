import VMBusHost
import VMBusWire

extension ReplyField {
  /// This field's value in a host message, or nil when the message has no such field.
  func value(in message: ChannelMessage) -> UInt64? {
    switch (self, message) {
    case (.versionSupported, .versionResponse(let m)): UInt64(m.versionSupported)
    case (.childRelid, .offerChannel(let m)): UInt64(m.childRelid.rawValue)
    case (.childRelid, .openChannelResult(let m)): UInt64(m.childRelid.rawValue)
    case (.childRelid, .gpadlCreated(let m)): UInt64(m.childRelid.rawValue)
    case (.openID, .openChannelResult(let m)): UInt64(m.openID)
    case (.status, .openChannelResult(let m)): UInt64(m.status)
    case (.status, .gpadlCreated(let m)): UInt64(m.status)
    case (.gpadlID, .gpadlCreated(let m)): UInt64(m.gpadlID.rawValue)
    case (.gpadlID, .gpadlTorndown(let m)): UInt64(m.gpadlID.rawValue)
    case (.subChannelIndex, .offerChannel(let m)): UInt64(m.subChannelIndex)
    case (.connectionID, .offerChannel(let m)): UInt64(m.connectionID)
    default: nil
    }
  }
}

/// A wait's condition on a host message: its type, then each field equal to its operand.
struct ReplyCondition: Hashable, Sendable {
  var type: MessageType
  var fields: [(field: ReplyField, value: UInt64)]

  static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.type == rhs.type && lhs.fields.elementsEqual(rhs.fields) { $0 == $1 }
  }

  func hash(into hasher: inout Hasher) {
    hasher.combine(type)
    for (field, value) in fields {
      hasher.combine(field)
      hasher.combine(value)
    }
  }

  func matches(_ message: ChannelMessage) -> Bool {
    message.type == type && fields.allSatisfy { $0.field.value(in: message) == $0.value }
  }

  /// The first field whose value differs, described for an expectation failure.
  func mismatch(in message: ChannelMessage) -> String? {
    for (field, wanted) in fields {
      let found = field.value(in: message)
      if found != wanted {
        return
          "\(type.name): expected \(field.rawValue) \(wanted), found \(found.map { "\($0)" } ?? "none")"
      }
    }
    return nil
  }
}
