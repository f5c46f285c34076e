extension Array where Element == UInt8 {
  /// Appends `value` in little-endian byte order.
  public mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
    // One block append instead of one per byte: PFN lists make this a hot path.
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }

  /// Overwrites the bytes at `offset` with `value` in little-endian order; bytes past the end are
  /// dropped.
  public mutating func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
    for index in 0..<(T.bitWidth / 8) {
      let position = offset + index
      guard position >= 0, position < count else { continue }
      self[position] = UInt8(truncatingIfNeeded: value >> (8 * index))
    }
  }

  /// Overwrites the bytes at `offset` with `bytes`; bytes past the end are dropped.
  public mutating func storeBytes(_ bytes: [UInt8], at offset: Int) {
    for (index, byte) in bytes.enumerated() {
      let position = offset + index
      guard position >= 0, position < count else { continue }
      self[position] = byte
    }
  }
}
