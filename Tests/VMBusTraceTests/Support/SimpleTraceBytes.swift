/// Hand-built simple-trace files, written independently of `SimpleTraceEncoder`.
struct SimpleTraceBytes {
  private(set) var bytes: [UInt8] = []
  /// Offsets at which a record ends (where a file may legitimately be cut).
  private(set) var boundaries: [Int] = []

  static func u64(_ value: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
  }
  static func u32(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
  }

  init(magic: UInt64 = 0xF2B1_77CB_0AA4_29B4, version: UInt64 = 4, headerID: UInt64 = .max) {
    bytes = Self.u64(headerID) + Self.u64(magic) + Self.u64(version)
    boundaries = [bytes.count]
  }

  mutating func mapping(_ id: UInt64, _ name: String) {
    let name = Array(name.utf8)
    append(Self.u64(0) + Self.u64(id) + Self.u32(UInt32(name.count)) + name)
  }

  /// An event record with 8-byte arguments; `length` overrides the length field.
  mutating func event(
    _ id: UInt64, timestamp: UInt64 = 1000, pid: UInt32 = 4152, _ words: [UInt64],
    length: UInt32? = nil
  ) {
    var record = Self.u64(1) + Self.u64(id) + Self.u64(timestamp)
    record += Self.u32(length ?? UInt32(24 + 8 * words.count)) + Self.u32(pid)
    for word in words { record += Self.u64(word) }
    append(record)
  }

  /// A non-VMBus event with a u64 argument and a string argument (u32 length + bytes).
  mutating func eventWithString(_ id: UInt64, number: UInt64, string: String) {
    let text = Array(string.utf8)
    var record = Self.u64(1) + Self.u64(id) + Self.u64(2000)
    record += Self.u32(UInt32(24 + 8 + 4 + text.count)) + Self.u32(4152)
    record += Self.u64(number) + Self.u32(UInt32(text.count)) + text
    append(record)
  }

  mutating func dropped(_ count: UInt64, length: UInt32 = 32) {
    event(0xFFFF_FFFF_FFFF_FFFE, timestamp: 3000, [count], length: length)
  }

  mutating func raw(_ raw: [UInt8]) { append(raw) }

  private mutating func append(_ record: [UInt8]) {
    bytes += record
    boundaries.append(bytes.count)
  }
}
