/// A GUID, stored in RFC 4122 (big-endian text) byte order; Microsoft mixed-endian on the wire.
public struct GUID: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible,
  Comparable
{
  /// Bytes 0...7 of the RFC 4122 form, most significant first.
  public var high: UInt64
  /// Bytes 8...15 of the RFC 4122 form, most significant first.
  public var low: UInt64

  /// Creates a GUID from the two halves of its RFC 4122 form.
  public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// The all-zero GUID.
  public static let zero = Self(high: 0, low: 0)

  /// Creates a GUID from its 16 bytes in RFC 4122 order, or nil unless there are exactly 16.
  public init?(bytes: [UInt8]) {
    guard bytes.count == 16 else { return nil }
    var high: UInt64 = 0
    var low: UInt64 = 0
    for (index, byte) in bytes.enumerated() {
      if index < 8 {
        high = high << 8 | UInt64(byte)
      } else {
        low = low << 8 | UInt64(byte)
      }
    }
    self.init(high: high, low: low)
  }

  /// The 16 bytes in RFC 4122 order (the order of the text form).
  public var bytes: [UInt8] {
    var result: [UInt8] = []
    result.reserveCapacity(16)
    for shift in stride(from: 56, through: 0, by: -8) {
      result.append(UInt8(truncatingIfNeeded: high >> UInt64(shift)))
    }
    for shift in stride(from: 56, through: 0, by: -8) {
      result.append(UInt8(truncatingIfNeeded: low >> UInt64(shift)))
    }
    return result
  }

  /// Creates a GUID from its Microsoft mixed-endian wire bytes, or nil unless there are 16.
  public init?(wireBytes: [UInt8]) {
    guard wireBytes.count == 16 else { return nil }
    self.init(bytes: Self.swapFirstThreeFields(wireBytes))
  }

  /// The wire form: the first three fields byte-swapped (QEMU's `qemu_uuid_bswap`).
  public var wireBytes: [UInt8] { Self.swapFirstThreeFields(bytes) }

  /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in any case, optionally wrapped in braces.
  public init?(_ text: String) {
    var utf8 = Array(text.utf8)
    if utf8.first == UInt8(ascii: "{") || utf8.last == UInt8(ascii: "}") {
      guard utf8.count >= 2, utf8.first == UInt8(ascii: "{"), utf8.last == UInt8(ascii: "}")
      else { return nil }
      utf8 = Array(utf8.dropFirst().dropLast())
    }
    guard utf8.count == 36 else { return nil }
    var bytes: [UInt8] = []
    var pending: UInt8?
    for (index, character) in utf8.enumerated() {
      if [8, 13, 18, 23].contains(index) {
        guard character == UInt8(ascii: "-") else { return nil }
        continue
      }
      guard let nibble = Self.hexValue(character) else { return nil }
      if let high = pending {
        bytes.append(high << 4 | nibble)
        pending = nil
      } else {
        pending = nibble
      }
    }
    self.init(bytes: bytes)
  }

  /// The lower-case canonical text form.
  public var description: String {
    let digits = Array("0123456789abcdef")
    var text = ""
    for (index, byte) in bytes.enumerated() {
      if [4, 6, 8, 10].contains(index) { text.append("-") }
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0F)])
    }
    return text
  }

  public static func < (lhs: Self, rhs: Self) -> Bool {
    (lhs.high, lhs.low) < (rhs.high, rhs.low)
  }

  private static func hexValue(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
    default: nil
    }
  }

  /// Reverses bytes 0...3, 4...5 and 6...7; an involution, so it converts in both directions.
  private static func swapFirstThreeFields(_ bytes: [UInt8]) -> [UInt8] {
    guard bytes.count == 16 else { return bytes }
    return Array(bytes[0..<4].reversed()) + Array(bytes[4..<6].reversed())
      + Array(bytes[6..<8].reversed()) + Array(bytes[8..<16])
  }
}

extension GUID: Codable {
  /// Decodes a GUID from its text form.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let value = Self(text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "invalid GUID '\(text)'")
    }
    self = value
  }

  /// Encodes a GUID as its lower-case text form.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
