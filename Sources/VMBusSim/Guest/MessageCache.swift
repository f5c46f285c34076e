import Synchronization
import VMBusWire

/// Encoded guest messages by type and field values, shared by the runs of one fuzz worker or
/// one exploration: building a GPADL message's page list and bytes costs far more than a
/// lookup, and those runs build the same messages over and over.
final class MessageCache: Sendable {
  /// Messages kept at most, so a long campaign's memory stays flat.
  static let capacity = 4_096

  private struct Key: Hashable {
    var type: MessageType
    var values: MessageBuilder.FieldValues
  }

  /// One message of a Linux GPADL: the channel, the id, the buffer's pages and which
  /// message of the split.
  struct GpadlPart: Hashable, Sendable {
    var relid: UInt32
    var id: UInt32
    var pages: UInt32
    var part: Int

    /// Two words rather than four: a Linux guest looks a part up for every GPADL message
    /// it posts, and hashing dominated the lookup.
    func hash(into hasher: inout Hasher) {
      hasher.combine(UInt64(relid) << 32 | UInt64(id))
      hasher.combine(UInt64(pages) << 32 | UInt64(UInt32(truncatingIfNeeded: part)))
    }
  }

  private let entries = Mutex<[Key: [UInt8]]>([:])
  private let gpadlParts = Mutex<[GpadlPart: [UInt8]]>([:])

  init() {}

  /// The bytes stored for the message of `type` with `values`, if any.
  func bytes(of type: MessageType, _ values: MessageBuilder.FieldValues) -> [UInt8]? {
    entries.withLock { $0[Key(type: type, values: values)] }
  }

  /// Stores the bytes of the message of `type` with `values`, unless the cache is full.
  func store(_ bytes: [UInt8], of type: MessageType, _ values: MessageBuilder.FieldValues) {
    entries.withLock { entries in
      guard entries.count < Self.capacity else { return }
      entries[Key(type: type, values: values)] = bytes
    }
  }

  /// The bytes stored for a Linux GPADL message, if any.
  func bytes(of part: GpadlPart) -> [UInt8]? {
    gpadlParts.withLock { $0[part] }
  }

  /// Stores a Linux GPADL message's bytes, unless the cache is full.
  func store(_ bytes: [UInt8], of part: GpadlPart) {
    gpadlParts.withLock { parts in
      guard parts.count < Self.capacity else { return }
      parts[part] = bytes
    }
  }
}
