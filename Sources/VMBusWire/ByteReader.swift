/// A bounds-checked little-endian reader over a byte array; every read returns nil past the end.
public struct ByteReader: Hashable, Sendable {
  /// The bytes being read; offsets count from the first of them.
  public let bytes: [UInt8]

  /// Creates a reader over `bytes`.
  public init(_ bytes: [UInt8]) {
    self.bytes = bytes
  }

  /// The number of bytes available.
  public var count: Int { bytes.count }

  /// Whether `count` bytes starting at `offset` lie inside the buffer.
  public func contains(offset: Int, count: Int) -> Bool {
    offset >= 0 && count >= 0 && offset <= bytes.count && count <= bytes.count - offset
  }

  /// Reads a little-endian integer at `offset`, or nil if it does not fit.
  public func read<T: FixedWidthInteger & BitwiseCopyable>(_: T.Type = T.self, at offset: Int) -> T?
  {
    guard contains(offset: offset, count: MemoryLayout<T>.size) else { return nil }
    // One unaligned load rather than a shift per byte: message parsing runs in every
    // simulated step, and the byte loop was the fuzzer's largest single leaf.
    let raw = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    return T(littleEndian: raw)
  }

  /// Copies `count` bytes starting at `offset`, or nil if they do not fit.
  public func bytes(at offset: Int, count: Int) -> [UInt8]? {
    guard contains(offset: offset, count: count) else { return nil }
    return Array(bytes[offset..<(offset + count)])
  }

  /// Reads consecutive little-endian u64 values from `offset` for as many whole values as fit.
  public func wholeUInt64s(from offset: Int) -> [UInt64] {
    guard offset >= 0, offset < bytes.count else { return [] }
    let available = (bytes.count - offset) / 8
    var values: [UInt64] = []
    values.reserveCapacity(available)
    for index in 0..<available {
      if let value = read(UInt64.self, at: offset + 8 * index) {
        values.append(value)
      }
    }
    return values
  }
}
