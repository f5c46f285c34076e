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

  /// A Linux GPADL's split: the channel, the id and the buffer's pages.
  struct LinuxGpadl: Hashable, Sendable {
    var relid: UInt32
    var id: UInt32
    var pages: UInt32
  }

  private let entries = Mutex<[Key: [UInt8]]>([:])
  /// Every message of each split, and how many messages that is in all (the capacity's
  /// unit, as for the other entries).
  private let gpadlSplits = Mutex<(splits: [LinuxGpadl: [[UInt8]]], messages: Int)>(([:], 0))

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

  /// The messages stored for a Linux GPADL's split, if any.
  func split(of gpadl: LinuxGpadl) -> [[UInt8]]? {
    gpadlSplits.withLock { $0.splits[gpadl] }
  }

  /// Stores a Linux GPADL's messages, unless the cache would hold more than its capacity.
  func store(_ split: [[UInt8]], of gpadl: LinuxGpadl) {
    gpadlSplits.withLock { stored in
      guard stored.messages + split.count <= Self.capacity, stored.splits[gpadl] == nil else {
        return
      }
      stored.splits[gpadl] = split
      stored.messages += split.count
    }
  }
}
