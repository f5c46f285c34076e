/// The subset of JSON the JSONL export uses: objects (keys in order), strings, integers,
/// `null`, booleans and arrays. Fractions and exponents are rejected: no value here has them.
enum JSONValue: Hashable, Sendable {
  case object([(key: String, value: JSONValue)])
  case array([JSONValue])
  case string(String)
  /// An integer as sign and magnitude, so that the whole `UInt64` range and negative `int`
  /// values are exact.
  case integer(negative: Bool, magnitude: UInt64)
  case bool(Bool)
  case null

  static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.object(let left), .object(let right)):
      left.count == right.count
        && zip(left, right).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    case (.array(let left), .array(let right)): left == right
    case (.string(let left), .string(let right)): left == right
    case (.integer(let leftNegative, let left), .integer(let rightNegative, let right)):
      leftNegative == rightNegative && left == right
    case (.bool(let left), .bool(let right)): left == right
    case (.null, .null): true
    default: false
    }
  }

  func hash(into hasher: inout Hasher) {
    switch self {
    case .object(let members):
      hasher.combine(0)
      for member in members {
        hasher.combine(member.key)
        hasher.combine(member.value)
      }
    case .array(let values): hasher.combine(values)
    case .string(let text): hasher.combine(text)
    case .integer(let negative, let magnitude):
      hasher.combine(negative)
      hasher.combine(magnitude)
    case .bool(let value): hasher.combine(value)
    case .null: hasher.combine(1)
    }
  }

  /// The member named `key`, if this is an object that has one.
  subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }
}

/// A recursive-descent reader of one JSON text, reporting the 1-based column of a problem.
struct JSONReader {
  /// Why the text is not JSON (of the supported subset).
  struct Failure: Error, Hashable, Sendable {
    var column: Int
    var message: String
  }

  private let bytes: [UInt8]
  private var index = 0
  private var depth = 0
  private static let maxDepth = 32

  /// Reads `bytes` as exactly one JSON value, surrounding white space allowed.
  static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
    var reader = JSONReader(bytes: bytes)
    let value = try reader.value()
    reader.skipWhitespace()
    guard reader.index == bytes.count else {
      throw reader.failure("unexpected text after the value")
    }
    return value
  }

  private init(bytes: [UInt8]) {
    self.bytes = bytes
  }

  private func failure(_ message: String) -> Failure {
    Failure(column: index + 1, message: message)
  }

  private mutating func skipWhitespace() {
    while index < bytes.count,
      [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")].contains(
        bytes[index])
    {
      index += 1
    }
  }

  private mutating func expect(_ byte: UInt8) throws(Failure) {
    skipWhitespace()
    guard index < bytes.count, bytes[index] == byte else {
      throw failure("expected '\(Character(Unicode.Scalar(byte)))'")
    }
    index += 1
  }

  private mutating func value() throws(Failure) -> JSONValue {
    skipWhitespace()
    guard index < bytes.count else { throw failure("expected a value") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try object()
    case UInt8(ascii: "["): return try array()
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try integer()
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    default: throw failure("expected a value")
    }
  }

  private mutating func nested<T>(_ body: (inout JSONReader) throws(Failure) -> T) throws(Failure)
    -> T
  {
    depth += 1
    guard depth <= Self.maxDepth else { throw failure("nesting deeper than \(Self.maxDepth)") }
    defer { depth -= 1 }
    return try body(&self)
  }

  private mutating func object() throws(Failure) -> JSONValue {
    try nested { (reader: inout JSONReader) throws(Failure) -> JSONValue in
      reader.index += 1
      var members: [(key: String, value: JSONValue)] = []
      reader.skipWhitespace()
      if reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "}") {
        reader.index += 1
        return .object(members)
      }
      while true {
        reader.skipWhitespace()
        guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "\"")
        else { throw reader.failure("expected a key") }
        let key = try reader.string()
        try reader.expect(UInt8(ascii: ":"))
        members.append((key, try reader.value()))
        reader.skipWhitespace()
        guard reader.index < reader.bytes.count else { throw reader.failure("expected ',' or '}'") }
        let byte = reader.bytes[reader.index]
        reader.index += 1
        if byte == UInt8(ascii: "}") { return .object(members) }
        guard byte == UInt8(ascii: ",") else {
          reader.index -= 1
          throw reader.failure("expected ',' or '}'")
        }
      }
    }
  }

  private mutating func array() throws(Failure) -> JSONValue {
    try nested { (reader: inout JSONReader) throws(Failure) -> JSONValue in
      reader.index += 1
      var values: [JSONValue] = []
      reader.skipWhitespace()
      if reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "]") {
        reader.index += 1
        return .array(values)
      }
      while true {
        values.append(try reader.value())
        reader.skipWhitespace()
        guard reader.index < reader.bytes.count else { throw reader.failure("expected ',' or ']'") }
        let byte = reader.bytes[reader.index]
        reader.index += 1
        if byte == UInt8(ascii: "]") { return .array(values) }
        guard byte == UInt8(ascii: ",") else {
          reader.index -= 1
          throw reader.failure("expected ',' or ']'")
        }
      }
    }
  }

  private mutating func string() throws(Failure) -> String {
    index += 1
    var output: [UInt8] = []
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      switch byte {
      case UInt8(ascii: "\""): return String(decoding: output, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard index < bytes.count else { throw failure("unterminated string") }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
        case UInt8(ascii: "n"): output.append(UInt8(ascii: "\n"))
        case UInt8(ascii: "r"): output.append(UInt8(ascii: "\r"))
        case UInt8(ascii: "t"): output.append(UInt8(ascii: "\t"))
        case UInt8(ascii: "b"): output.append(8)
        case UInt8(ascii: "f"): output.append(12)
        case UInt8(ascii: "u"):
          guard bytes.count - index >= 4 else { throw failure("bad \\u escape") }
          var scalar: UInt32 = 0
          for _ in 0..<4 {
            let digit = bytes[index] | 0x20
            guard let value = ASCII.lowerHexValue(digit) else { throw failure("bad \\u escape") }
            scalar = scalar << 4 | UInt32(value)
            index += 1
          }
          // Surrogate pairs are not needed by this format; a lone one becomes U+FFFD.
          let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
          output.append(contentsOf: Array(String(character).utf8))
        default: throw failure("bad escape")
        }
      case 0..<0x20: throw failure("control character in string")
      default: output.append(byte)
      }
    }
    throw failure("unterminated string")
  }

  private mutating func integer() throws(Failure) -> JSONValue {
    let start = index
    let negative = bytes[index] == ASCII.minus
    if negative { index += 1 }
    let digitsStart = index
    var magnitude: UInt64 = 0
    while index < bytes.count, ASCII.isDigit(bytes[index]) {
      let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[index] &- ASCII.zero))
      guard !overflow1, !overflow2 else {
        index = start
        throw failure("integer out of 64-bit range")
      }
      magnitude = sum
      index += 1
    }
    let length = index - digitsStart
    guard length > 0, length == 1 || bytes[digitsStart] != ASCII.zero else {
      index = start
      throw failure("malformed number")
    }
    if index < bytes.count,
      [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index])
    {
      index = start
      throw failure("only integers are supported")
    }
    return .integer(negative: negative && magnitude != 0, magnitude: magnitude)
  }

  private mutating func literal(_ text: String, _ value: JSONValue) throws(Failure) -> JSONValue {
    let expected = Array(text.utf8)
    guard bytes[index...].starts(with: expected) else { throw failure("expected a value") }
    index += expected.count
    return value
  }
}
