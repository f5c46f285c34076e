import VMBusHost

/// The `events.sim` text: a flat JSON object of the event's ``SimulatorEvent/arguments``,
/// in their documented order, with payload bytes as lower-case hex (docs/store.md). The
/// event's kind is the row's `name`, so the object holds arguments only.
///
/// Written and parsed here rather than through Foundation's coders, which cost tens of
/// microseconds per hypercall, more than the insert; every event of a guest message passes
/// through this.
struct SimulatorEventJSON {
  /// The JSON text of `fact`, as UTF-8.
  func encode(_ fact: SimulatorEvent) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(96 + 2 * fact.payloadCount)
    out.append(UInt8(ascii: "{"))
    for (index, argument) in fact.arguments.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      Self.appendString(argument.name, to: &out)
      out.append(UInt8(ascii: ":"))
      switch argument.value {
      case .unsigned(let number): Self.appendDecimal(number, to: &out)
      case .text(let text): Self.appendString(text, to: &out)
      case .bytes(let bytes): Self.appendHex(bytes, to: &out)
      case .flag(let flag): out.append(contentsOf: flag ? Self.trueLiteral : Self.falseLiteral)
      case .unsignedList(let numbers):
        out.append(UInt8(ascii: "["))
        for (position, number) in numbers.enumerated() {
          if position > 0 { out.append(UInt8(ascii: ",")) }
          Self.appendDecimal(number, to: &out)
        }
        out.append(UInt8(ascii: "]"))
      }
    }
    out.append(UInt8(ascii: "}"))
    return out
  }

  /// The event named `name` whose arguments the JSON text in `bytes` holds.
  func decode(name: String, _ bytes: UnsafeRawBufferPointer) throws(SimulatorArgumentError)
    -> SimulatorEvent
  {
    // Every guest message stores a hypercall (and often a signal or an idle run): read the
    // exact text `encode` writes for them without building a dictionary per row. Any other
    // spelling of the same object takes the general path.
    var shape = ExactShape(bytes: bytes)
    switch name {
    case "sim_hypercall": if let fact = shape.hypercall() { return fact }
    case "sim_signal": if let fact = shape.signal() { return fact }
    case "sim_bus_run_idle": if shape.isEmptyObject { return .busRunIdle }
    default: break
    }
    var parser = FlatObjectParser(bytes: bytes)
    let arguments: [String: SimulatorArgument]
    do {
      arguments = try parser.object()
    } catch {
      throw SimulatorArgumentError(event: name, reason: "sim is not a flat JSON object: \(error)")
    }
    return try SimulatorEvent(name: name, arguments: arguments)
  }

  private static let trueLiteral = Array("true".utf8)
  private static let falseLiteral = Array("false".utf8)
  private static let hexDigits = Array("0123456789abcdef".utf8)

  private static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
    var divisor: UInt64 = 1
    while value / divisor >= 10 { divisor *= 10 }
    var rest = value
    while divisor > 0 {
      out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
      rest %= divisor
      divisor /= 10
    }
  }

  private static func appendHex(_ bytes: [UInt8], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in bytes {
      out.append(hexDigits[Int(byte >> 4)])
      out.append(hexDigits[Int(byte & 0x0F)])
    }
    out.append(UInt8(ascii: "\""))
  }

  /// A JSON string: `"` and `\` escaped, control characters as `\u00XX`.
  private static func appendString(_ text: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        out.append(UInt8(ascii: "\\"))
        out.append(byte)
      case 0..<0x20:
        out.append(contentsOf: Array("\\u00".utf8))
        out.append(hexDigits[Int(byte >> 4)])
        out.append(hexDigits[Int(byte & 0x0F)])
      default:
        out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}

extension SimulatorEvent {
  /// The payload length, to size the text before writing it.
  fileprivate var payloadCount: Int {
    if case .hypercall(let call, _) = self { return call.payload.count }
    return 0
  }
}

/// Matches the text ``SimulatorEventJSON/encode(_:)`` writes for the most frequent facts,
/// byte for byte, and gives up (nil) on anything else.
private struct ExactShape {
  let bytes: UnsafeRawBufferPointer
  var index = 0

  var isEmptyObject: Bool {
    bytes.count == 2 && bytes[0] == UInt8(ascii: "{") && bytes[1] == UInt8(ascii: "}")
  }

  mutating func hypercall() -> SimulatorEvent? {
    guard literal(#"{"connection_id":"#), let connection = number(UInt32.self),
      literal(#","message_type":"#), let messageType = number(UInt32.self),
      literal(#","payload_size":"#), let size = number(UInt32.self),
      literal(#","payload":""#), let payload = hex(),
      literal(#"","status":"#), let status = number(UInt16.self),
      literal("}"), index == bytes.count
    else { return nil }
    let call = GuestHypercall(
      connectionID: connection, messageType: messageType, payloadSize: size, payload: payload)
    return .hypercall(call, status: HypercallStatus(rawValue: status))
  }

  mutating func signal() -> SimulatorEvent? {
    guard literal(#"{"connection_id":"#), let connection = number(UInt32.self),
      literal(#","status":"#), let status = number(UInt16.self), literal("}"),
      index == bytes.count
    else { return nil }
    return .signal(connectionID: connection, status: HypercallStatus(rawValue: status))
  }

  private mutating func literal(_ text: StaticString) -> Bool {
    text.withUTF8Buffer { expected in
      guard bytes.count - index >= expected.count else { return false }
      for (offset, byte) in expected.enumerated() where bytes[index + offset] != byte {
        return false
      }
      index += expected.count
      return true
    }
  }

  /// A decimal without sign or leading zero that fits `T`.
  private mutating func number<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) -> T? {
    let start = index
    var value: T = 0
    while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
      let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times10.addingReportingOverflow(T(bytes[index] - UInt8(ascii: "0")))
      guard !overflow1 && !overflow2 else { return nil }
      value = sum
      index += 1
    }
    let length = index - start
    guard length > 0, length == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
    return value
  }

  /// Lower-case hex digits up to the closing quote, two per byte.
  private mutating func hex() -> [UInt8]? {
    func nibble(_ digit: UInt8) -> UInt8? {
      switch digit {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
      default: nil
      }
    }
    var result: [UInt8] = []
    while index + 1 < bytes.count, let high = nibble(bytes[index]),
      let low = nibble(bytes[index + 1])
    {
      result.append(high << 4 | low)
      index += 2
    }
    return result
  }
}

/// Why the `sim` text is not the flat object the store writes.
struct FlatObjectError: Error, CustomStringConvertible {
  var offset: Int
  var reason: String
  var description: String { "\(reason) at byte \(offset)" }
}

/// Parses the one shape `events.sim` holds: an object whose values are strings,
/// non-negative integers, booleans, or arrays of non-negative integers. Strings stay text;
/// the event's reader turns hex into bytes where a field is bytes.
struct FlatObjectParser {
  let bytes: UnsafeRawBufferPointer
  var index = 0

  mutating func object() throws(FlatObjectError) -> [String: SimulatorArgument] {
    var result: [String: SimulatorArgument] = [:]
    skipSpace()
    try expect(UInt8(ascii: "{"))
    skipSpace()
    if peek() == UInt8(ascii: "}") {
      index += 1
    } else {
      while true {
        skipSpace()
        let key = try string()
        skipSpace()
        try expect(UInt8(ascii: ":"))
        skipSpace()
        guard result[key] == nil else { throw fail("duplicate key '\(key)'") }
        result[key] = try value()
        skipSpace()
        if peek() == UInt8(ascii: ",") {
          index += 1
          continue
        }
        try expect(UInt8(ascii: "}"))
        break
      }
    }
    skipSpace()
    guard index == bytes.count else { throw fail("text after the object") }
    return result
  }

  private mutating func value() throws(FlatObjectError) -> SimulatorArgument {
    switch peek() {
    case UInt8(ascii: "\""): return .text(try string())
    case UInt8(ascii: "t"):
      try literal("true")
      return .flag(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .flag(false)
    case UInt8(ascii: "["):
      index += 1
      var numbers: [UInt64] = []
      skipSpace()
      if peek() == UInt8(ascii: "]") {
        index += 1
        return .unsignedList(numbers)
      }
      while true {
        skipSpace()
        numbers.append(try unsigned())
        skipSpace()
        if peek() == UInt8(ascii: ",") {
          index += 1
          continue
        }
        try expect(UInt8(ascii: "]"))
        return .unsignedList(numbers)
      }
    default:
      return .unsigned(try unsigned())
    }
  }

  /// A decimal without sign, fraction, exponent or leading zero that fits 64 bits.
  private mutating func unsigned() throws(FlatObjectError) -> UInt64 {
    let start = index
    var value: UInt64 = 0
    while let digit = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) {
      let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
      guard !overflow1 && !overflow2 else { throw fail("a number above 2^64 - 1") }
      value = sum
      index += 1
    }
    let length = index - start
    guard length > 0 else { throw fail("expected a value") }
    guard length == 1 || bytes[start] != UInt8(ascii: "0") else {
      throw FlatObjectError(offset: start, reason: "a number with a leading zero")
    }
    return value
  }

  private mutating func string() throws(FlatObjectError) -> String {
    try expect(UInt8(ascii: "\""))
    var text: [UInt8] = []
    while true {
      guard let byte = peek() else { throw fail("an unterminated string") }
      index += 1
      switch byte {
      case UInt8(ascii: "\""):
        return String(decoding: text, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard let escaped = peek() else { throw fail("an unterminated escape") }
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"): text.append(contentsOf: try unicodeEscape())
        default: throw fail("an unknown escape")
        }
      case 0..<0x20:
        throw fail("a control character in a string")
      default:
        text.append(byte)
      }
    }
  }

  /// The UTF-8 of a `\uXXXX` escape (the `\u` already read), a surrogate pair included.
  private mutating func unicodeEscape() throws(FlatObjectError) -> [UInt8] {
    let first = try hex4()
    var scalarValue = UInt32(first)
    if (0xD800..<0xDC00).contains(first) {
      guard peek() == UInt8(ascii: "\\") else { throw fail("a lone surrogate") }
      index += 1
      try expect(UInt8(ascii: "u"))
      let second = try hex4()
      guard (0xDC00..<0xE000).contains(second) else { throw fail("a lone surrogate") }
      scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
    }
    guard let scalar = Unicode.Scalar(scalarValue) else { throw fail("a lone surrogate") }
    return Array(String(Character(scalar)).utf8)
  }

  private mutating func hex4() throws(FlatObjectError) -> UInt16 {
    var value: UInt16 = 0
    for _ in 0..<4 {
      guard let digit = peek() else { throw fail("a short \\u escape") }
      let nibble: UInt8
      switch digit {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = digit - UInt8(ascii: "A") + 10
      default: throw fail("a bad \\u escape")
      }
      value = value << 4 | UInt16(nibble)
      index += 1
    }
    return value
  }

  private mutating func literal(_ word: StaticString) throws(FlatObjectError) {
    for expected in word.withUTF8Buffer({ Array($0) }) { try expect(expected) }
  }

  private mutating func expect(_ byte: UInt8) throws(FlatObjectError) {
    guard peek() == byte else {
      throw fail("expected '\(Character(Unicode.Scalar(byte)))'")
    }
    index += 1
  }

  private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

  private mutating func skipSpace() {
    while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
      index += 1
    }
  }

  private func fail(_ reason: String) -> FlatObjectError {
    FlatObjectError(offset: index, reason: reason)
  }
}
