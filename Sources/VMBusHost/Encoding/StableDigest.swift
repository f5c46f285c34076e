import VMBusWire

/// A stable 64-bit FNV-1a digest: the same bytes give the same value on every build and
/// machine (unlike `Hasher`, which is seeded per process). ``HostState/digest`` streams the
/// state's canonical encoding into it.
public struct StableDigest: Sendable {
  private var value: UInt64 = 0xcbf2_9ce4_8422_2325

  public init() {}

  public mutating func mix(_ byte: UInt8) {
    value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
  }

  /// Mixes the integer's bytes, least significant first.
  public mutating func mix<T: FixedWidthInteger>(_ integer: T) {
    var remaining = UInt64(truncatingIfNeeded: integer)
    for _ in 0..<(T.bitWidth / 8) {
      mix(UInt8(truncatingIfNeeded: remaining))
      remaining >>= 8
    }
  }

  public var finalized: UInt64 { value }

  /// Sixteen lower-case hex digits.
  public var hex: String { Self.hex(value) }

  /// A digest's value as sixteen lower-case hex digits.
  public static func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}

extension StableDigest: StateEncodingSink {
  mutating func begin(_ field: StateField) -> Bool {
    mix(field.rawValue)
    return true
  }
  mutating func write(_ flag: Bool) { mix(UInt8(flag ? 1 : 0)) }
  mutating func write(_ value: UInt8) { mix(value) }
  mutating func write(_ value: UInt16) { mix(value) }
  mutating func write(_ value: UInt32) { mix(value) }
  mutating func write(_ value: UInt64) { mix(value) }
  mutating func write(contentsOf bytes: UnsafeRawBufferPointer) {
    for byte in bytes { mix(byte) }
  }
}

/// The canonical bytes, collected.
struct StateBytes: StateEncodingSink {
  var bytes: [UInt8] = []

  mutating func begin(_ field: StateField) -> Bool {
    bytes.append(field.rawValue)
    return true
  }
  mutating func write(_ flag: Bool) { bytes.append(flag ? 1 : 0) }
  mutating func write(_ value: UInt8) { bytes.append(value) }
  mutating func write(_ value: UInt16) { bytes.appendLittleEndian(value) }
  mutating func write(_ value: UInt32) { bytes.appendLittleEndian(value) }
  mutating func write(_ value: UInt64) { bytes.appendLittleEndian(value) }
  mutating func write(contentsOf bytes: UnsafeRawBufferPointer) { self.bytes += bytes }
}
