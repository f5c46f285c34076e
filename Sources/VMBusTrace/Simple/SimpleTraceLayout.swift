/// Constants of QEMU's `simple` trace backend, format version 4 (`trace/simple.c`,
/// `scripts/simpletrace.py`).
///
/// Integers are in host byte order; this target reads and writes little-endian (x86, arm64).
package enum SimpleTraceLayout {
  /// The header's first word, an event id that no event has.
  package static let headerEventID: UInt64 = 0xFFFF_FFFF_FFFF_FFFF
  /// The header's second word.
  package static let magic: UInt64 = 0xF2B1_77CB_0AA4_29B4
  /// The only version current readers accept.
  package static let version: UInt64 = 4
  /// Header length: event id, magic, version.
  package static let headerLength = 24
  /// Record type word of a mapping record (`event_id u64, name_len u32, name`).
  package static let mappingRecordType: UInt64 = 0
  /// Record type word of an event record.
  package static let eventRecordType: UInt64 = 1
  /// The event id of the dropped-events record (one u64 argument: the count).
  package static let droppedEventID: UInt64 = 0xFFFF_FFFF_FFFF_FFFE
  /// An event record's header after the type word: id, timestamp, length, pid. Its `length`
  /// field counts these bytes plus the arguments.
  package static let eventHeaderLength = 24
  /// The longest mapping-record name the reader accepts (QEMU's names are under 64 bytes).
  package static let maxNameLength = 1024

  /// The record length (without the type word) of a record with `argumentCount` 8-byte
  /// arguments: 24 for `vmbus_signal_event`, 48 for `vmbus_open_channel`.
  package static func eventLength(argumentCount: Int) -> Int {
    eventHeaderLength + 8 * argumentCount
  }
}

extension [UInt8] {
  /// The little-endian u64 at `index` (the caller checks the bounds).
  func littleEndianUInt64(at index: Int) -> UInt64 {
    var value: UInt64 = 0
    for offset in (0..<8).reversed() { value = value << 8 | UInt64(self[index + offset]) }
    return value
  }

  /// The little-endian u32 at `index` (the caller checks the bounds).
  func littleEndianUInt32(at index: Int) -> UInt32 {
    var value: UInt32 = 0
    for offset in (0..<4).reversed() { value = value << 8 | UInt32(self[index + offset]) }
    return value
  }
}
