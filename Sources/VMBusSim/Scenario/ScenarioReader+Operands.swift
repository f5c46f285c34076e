import VMBusWire
import Yams

/// Operands: numbers, versions and what the guest learns at run time (`relid(netvsc)`).
extension ScenarioReader {
  static let operandForms =
    "a number, relid(NAME), relid(NAME, N), ring_gpadl(NAME) or ring_gpadl(NAME, N)"

  /// A message or reply field's value; `maximum` is the field's widest value, and `versions`
  /// lets a `major.minor` version stand for its number.
  mutating func operand(
    _ node: Node, _ path: String, maximum: UInt64, versions: Bool = false
  ) -> Operand? {
    guard let text = text(node, path, expected: Self.operandForms) else { return nil }
    if let value = Self.unsigned(text) {
      guard value <= maximum else {
        error(
          "\(path): expected a number from 0 to \(maximum), found \(Self.quote(text))", at: node)
        return nil
      }
      return .number(value)
    }
    if versions, let version = ProtocolVersion(text) {
      return .number(UInt64(version.rawValue))
    }
    guard let open = text.firstIndex(of: "("), text.hasSuffix(")") else {
      if text.hasPrefix("relid(") || text.hasPrefix("ring_gpadl(") {
        error(
          "\(path): unterminated \(Self.quote(text)); inside { } quote an operand that has "
            + "a comma: \"relid(netvsc, 1)\"", at: node)
      } else {
        error("\(path): expected \(Self.operandForms), found \(Self.quote(text))", at: node)
      }
      return nil
    }
    let function = Self.trimmed(text[..<open])
    let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
    let arguments = inside.split(separator: ",", omittingEmptySubsequences: false)
      .map(Self.trimmed)
    switch (function, arguments.count) {
    case ("relid", 1), ("relid", 2), ("ring_gpadl", 1), ("ring_gpadl", 2):
      guard Self.isIdentifier(arguments[0]) else {
        error(
          "\(path): expected a device name in \(Self.quote(text)), "
            + "found \(Self.quote(String(arguments[0])))", at: node)
        return nil
      }
      let name = String(arguments[0])
      var subchannel: UInt16?
      if arguments.count == 2 {
        guard let index = Self.unsigned(arguments[1]).flatMap(UInt16.init(exactly:)) else {
          error(
            "\(path): expected a subchannel from 0 to 65535 in \(Self.quote(text)), "
              + "found \(Self.quote(String(arguments[1])))", at: node)
          return nil
        }
        subchannel = index
      }
      let location = Self.location(of: node)
      let written = subchannel.map { "\(function)(\(name), \($0))" } ?? "\(function)(\(name))"
      references.append(
        DeviceReference(
          name: name, location: location, context: "\(path): \(written)",
          subchannel: subchannel.map { ($0, location) }))
      return function == "relid"
        ? .relid(device: name, subchannel: subchannel ?? 0)
        : .ringGpadl(device: name, subchannel: subchannel ?? 0)
    default:
      error("\(path): expected \(Self.operandForms), found \(Self.quote(text))", at: node)
      return nil
    }
  }

  private static func trimmed(_ text: Substring) -> Substring {
    var result = text
    while result.first == " " || result.first == "\t" { result.removeFirst() }
    while result.last == " " || result.last == "\t" { result.removeLast() }
    return result
  }
}
