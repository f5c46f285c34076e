/// Hand-built payloads for layout tests.
enum Bytes {
  /// `count` zero bytes with the given byte runs written at their offsets.
  static func zeroed(_ count: Int, _ runs: [Int: [UInt8]]) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    for (offset, run) in runs {
      for (index, byte) in run.enumerated() where offset + index < count {
        bytes[offset + index] = byte
      }
    }
    return bytes
  }

  /// Parses space-separated hex bytes such as `"DC 74 50 52"`; invalid tokens become 0xEE.
  static func hex(_ text: String) -> [UInt8] {
    text.split(separator: " ").map { UInt8($0, radix: 16) ?? 0xEE }
  }
}
