import VMBusWire
import Yams

/// Scalars: text, numbers, booleans, durations, probabilities, choices, GUIDs, bytes.
extension ScenarioReader {
  /// The text of a scalar that is not null, else an error saying what `path` expects.
  mutating func text(_ node: Node, _ path: String, expected: String) -> String? {
    if case .scalar(let scalar) = node, !Self.isNull(node) { return scalar.string }
    error("\(path): expected \(expected), found \(Self.describe(node))", at: node)
    return nil
  }

  /// A non-empty one-line string (a trailing line break, as `>` leaves, is dropped).
  mutating func string(_ node: Node, _ path: String) -> String? {
    guard var text = text(node, path, expected: "a string") else { return nil }
    while text.last?.isNewline == true { text.removeLast() }
    if text.isEmpty || text.contains(where: \.isNewline) {
      let problem = text.isEmpty ? "must not be empty" : "must be one line"
      error("\(path): \(problem), found \(Self.quote(text))", at: node)
      return nil
    }
    return text
  }

  /// A name a step or operand can refer to: letters, digits, `-`, `_` and `.`.
  mutating func identifier(_ node: Node, _ path: String, what: String) -> String? {
    guard let text = text(node, path, expected: "a \(what)") else { return nil }
    guard Self.isIdentifier(text) else {
      error(
        "\(path): expected a \(what) of letters, digits, '-', '_' or '.', "
          + "found \(Self.quote(text))", at: node)
      return nil
    }
    return text
  }

  static func isIdentifier<S: StringProtocol>(_ text: S) -> Bool {
    !text.isEmpty
      && text.unicodeScalars.allSatisfy {
        $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
      }
  }

  /// A decimal or `0x` hexadecimal number within `range`.
  mutating func integer<T: FixedWidthInteger>(
    _ node: Node, _ path: String, in range: ClosedRange<T>
  ) -> T? {
    guard let text = text(node, path, expected: "a number") else { return nil }
    guard let value = Self.unsigned(text), let typed = T(exactly: value), range.contains(typed)
    else {
      error(
        "\(path): expected a number from \(range.lowerBound) to \(range.upperBound), "
          + "found \(Self.quote(text))", at: node)
      return nil
    }
    return typed
  }

  /// The number under `key`, or `fallback` when it is absent or wrong (wrong is reported).
  mutating func integer<T: FixedWidthInteger>(
    _ fields: Fields, _ key: String, default fallback: T, in range: ClosedRange<T>? = nil
  ) -> T {
    guard let node = fields[key] else { return fallback }
    return integer(node, fields.path(key), in: range ?? 0...T.max) ?? fallback
  }

  /// `true` or `false` under `key`, or `fallback` when it is absent or wrong.
  mutating func bool(_ fields: Fields, _ key: String, default fallback: Bool) -> Bool {
    guard let node = fields[key] else { return fallback }
    let path = fields.path(key)
    guard let text = text(node, path, expected: "true or false") else { return fallback }
    switch text {
    case "true", "True", "TRUE": return true
    case "false", "False", "FALSE": return false
    default:
      error("\(path): expected true or false, found \(Self.quote(text))", at: node)
      return fallback
    }
  }

  /// A span of virtual time: `10ms`, `5us`, `1s`, `100ns`, or a bare number of milliseconds.
  mutating func duration(_ node: Node, _ path: String) -> VirtualDuration? {
    let expected = "a duration such as 10ms, 5us or 1s"
    guard let text = text(node, path, expected: expected) else { return nil }
    // A bare number is milliseconds; VirtualDuration would wrap a huge one silently.
    let fitsAsMilliseconds = UInt64(text).map { $0 <= UInt64.max / 1_000_000 } ?? true
    guard fitsAsMilliseconds, let duration = VirtualDuration(text) else {
      error("\(path): expected \(expected), found \(Self.quote(text))", at: node)
      return nil
    }
    return duration
  }

  /// A probability from 0 to 1 under `key`; 0 when absent or wrong.
  mutating func probability(_ fields: Fields, _ key: String) -> Double {
    guard let node = fields[key] else { return 0 }
    let path = fields.path(key)
    guard let text = text(node, path, expected: "a probability from 0 to 1") else { return 0 }
    guard let value = Double(text), value.isFinite, (0...1).contains(value) else {
      error("\(path): expected a probability from 0 to 1, found \(Self.quote(text))", at: node)
      return 0
    }
    return value
  }

  /// One of a closed set of names (`profile: qemu`, `class: netvsc`).
  mutating func choice<T>(
    _ node: Node, _ path: String, _ what: String, plural: String, _ options: [(String, T)]
  ) -> T? {
    guard let text = text(node, path, expected: "a \(what)") else { return nil }
    guard let value = options.first(where: { $0.0 == text })?.1 else {
      let names = options.map(\.0).joined(separator: ", ")
      error("\(path): unknown \(what) \(Self.quote(text)); \(plural) are \(names)", at: node)
      return nil
    }
    return value
  }

  /// A GUID in its text form.
  mutating func guid(_ node: Node, _ path: String) -> GUID? {
    let expected = "a GUID such as f8615163-df3e-46c5-913f-f2d2f965ed0e"
    guard let text = text(node, path, expected: expected) else { return nil }
    guard let guid = GUID(text) else {
      error("\(path): expected \(expected), found \(Self.quote(text))", at: node)
      return nil
    }
    return guid
  }

  /// A message type by name (`GPADL_HEADER`) or number (`8`, `0x8`).
  mutating func messageType(_ node: Node, _ path: String) -> MessageType? {
    let expected = "a message type name or number"
    guard let text = text(node, path, expected: expected) else { return nil }
    if let number = Self.unsigned(text), let raw = UInt32(exactly: number) {
      return MessageType(raw)
    }
    guard let type = MessageType(name: text) else {
      error("\(path): unknown message type \(Self.quote(text))", at: node)
      return nil
    }
    return type
  }

  /// Bytes in hex, two digits each (spaces between them are ignored).
  mutating func hexBytes(_ node: Node, _ path: String) -> [UInt8]? {
    let expected = "hex bytes such as 0100000002000000"
    guard case .scalar(let scalar) = node else {
      error("\(path): expected \(expected), found \(Self.describe(node))", at: node)
      return nil
    }
    let digits = scalar.string.unicodeScalars.filter { $0 != " " }.map(Self.hexValue)
    guard digits.count.isMultiple(of: 2), !digits.contains(nil) else {
      error("\(path): expected \(expected), found \(Self.quote(scalar.string))", at: node)
      return nil
    }
    let nibbles = digits.compactMap { $0 }
    return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
  }

  /// Parses a decimal or `0x`-prefixed hexadecimal number that fits 64 bits.
  static func unsigned<S: StringProtocol>(_ text: S) -> UInt64? {
    let scalars = Array(text.unicodeScalars)
    if scalars.count > 2, scalars[0] == "0", scalars[1] == "x" || scalars[1] == "X" {
      var value: UInt64 = 0
      for scalar in scalars.dropFirst(2) {
        guard let digit = hexValue(scalar), value >> 60 == 0 else { return nil }
        value = value << 4 | UInt64(digit)
      }
      return value
    }
    guard !scalars.isEmpty, scalars.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
    return UInt64(String(text))
  }

  private static func hexValue(_ scalar: Unicode.Scalar) -> UInt8? {
    switch scalar {
    case "0"..."9": UInt8(scalar.value - 0x30)
    case "a"..."f": UInt8(scalar.value - 0x61 + 10)
    case "A"..."F": UInt8(scalar.value - 0x41 + 10)
    default: nil
    }
  }
}
