/// Byte-level ASCII helpers for the text formats: no Foundation, no `String` on the hot path.
enum ASCII {
  static let space = UInt8(ascii: " ")
  static let newline = UInt8(ascii: "\n")
  static let zero = UInt8(ascii: "0")
  static let minus = UInt8(ascii: "-")
  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  /// Whether `byte` is `0`...`9`.
  @inline(__always)
  static func isDigit(_ byte: UInt8) -> Bool { byte &- zero < 10 }

  /// The value of a lower-case hex digit, or nil (upper case is not what `PRIx64` prints).
  @inline(__always)
  static func lowerHexValue(_ byte: UInt8) -> UInt64? {
    if byte &- zero < 10 { return UInt64(byte &- zero) }
    if byte &- UInt8(ascii: "a") < 6 { return UInt64(byte &- UInt8(ascii: "a") + 10) }
    return nil
  }

  /// Appends `value` in decimal.
  static func appendDecimal(_ value: UInt64, to output: inout [UInt8]) {
    appendDecimal(value, minimumWidth: 1, to: &output)
  }

  /// Appends `value` in decimal, zero-padded to at least `minimumWidth` digits.
  static func appendDecimal(_ value: UInt64, minimumWidth: Int, to output: inout [UInt8]) {
    var digits = 1
    var rest = value / 10
    while rest != 0 {
      digits += 1
      rest /= 10
    }
    let width = max(digits, minimumWidth)
    let start = output.count
    output.append(contentsOf: repeatElement(zero, count: width))
    var remaining = value
    var index = start + width - 1
    while remaining != 0 {
      output[index] = zero + UInt8(truncatingIfNeeded: remaining % 10)
      remaining /= 10
      index -= 1
    }
  }

  /// Appends `value` in decimal with a leading `-` when negative.
  static func appendDecimal(_ value: Int64, to output: inout [UInt8]) {
    if value < 0 { output.append(minus) }
    appendDecimal(value.magnitude, to: &output)
  }

  /// Appends `value` in lower-case hex without padding or `0x`.
  static func appendHex(_ value: UInt64, to output: inout [UInt8]) {
    var digits = 1
    var rest = value >> 4
    while rest != 0 {
      digits += 1
      rest >>= 4
    }
    var shift = (digits - 1) * 4
    while shift >= 0 {
      output.append(hexDigits[Int((value >> UInt64(shift)) & 0xF)])
      shift -= 4
    }
  }

  /// A short, printable rendering of raw bytes for a diagnostic.
  static func excerpt(_ bytes: some Collection<UInt8>, limit: Int = 60) -> String {
    let text = String(decoding: bytes.prefix(limit), as: UTF8.self)
    return bytes.count > limit ? text + "..." : text
  }
}
