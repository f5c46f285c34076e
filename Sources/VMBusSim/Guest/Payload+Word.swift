extension [UInt8] {
  /// The little-endian u32 at `offset`, or nil when it does not fit: what `ByteReader` reads,
  /// without its unspecialized generic code, for the field or two a post and a bus run need.
  func littleEndianWord(at offset: Int) -> UInt32? {
    guard offset >= 0, count - offset >= 4 else { return nil }
    return UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16
      | UInt32(self[offset + 3]) << 24
  }
}
