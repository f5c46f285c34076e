/// A QEMU simple-trace (format version 4) file built byte by byte, for inputs the exporter
/// never writes: other trace points, bad magic, unmapped ids, cut-off records.
struct SimpleTraceFile {
  static let headerEventID: UInt64 = 0xFFFF_FFFF_FFFF_FFFF
  static let magic: UInt64 = 0xF2B1_77CB_0AA4_29B4

  private(set) var bytes: [UInt8] = []

  init(magic: UInt64 = SimpleTraceFile.magic) {
    bytes = Self.u64(Self.headerEventID) + Self.u64(magic) + Self.u64(4)
  }

  /// A mapping record: `event_id` names `name`.
  mutating func mapping(_ id: UInt64, _ name: String) {
    let name = Array(name.utf8)
    bytes += Self.u64(0) + Self.u64(id) + Self.u32(UInt32(name.count)) + name
  }

  /// An event record with 8-byte arguments.
  mutating func event(_ id: UInt64, timestampNS: UInt64 = 1_000, _ words: [UInt64]) {
    bytes += Self.u64(1) + Self.u64(id) + Self.u64(timestampNS)
    bytes += Self.u32(UInt32(24 + 8 * words.count)) + Self.u32(4152)
    for word in words { bytes += Self.u64(word) }
  }

  /// An event record with one string argument (u32 length, then the bytes), as QEMU writes
  /// `const char *` arguments.
  mutating func event(_ id: UInt64, string: String) {
    let text = Array(string.utf8)
    bytes += Self.u64(1) + Self.u64(id) + Self.u64(2_000)
    bytes += Self.u32(UInt32(24 + 4 + text.count)) + Self.u32(4152)
    bytes += Self.u32(UInt32(text.count)) + text
  }

  /// Bytes as given: a record of an unknown type, or garbage.
  mutating func raw(_ raw: [UInt8]) {
    bytes += raw
  }

  /// A file with the mappings of a few VMBus points and one record of each: 4 events.
  static func vmbusSample(magic: UInt64 = SimpleTraceFile.magic) -> SimpleTraceFile {
    var file = SimpleTraceFile(magic: magic)
    file.mapping(0, "vmbus_recv_message")
    file.mapping(1, "vmbus_process_incoming_message")
    file.mapping(2, "vmbus_gpadl_header")
    file.mapping(3, "vmbus_signal_event")
    file.event(0, [14, 40])
    file.event(1, [14])
    file.event(2, [0xFFFF_FFFF, 2])
    file.event(3, [])
    return file
  }

  static func u64(_ value: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
  }

  static func u32(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
  }
}
