import VMBusHost
import VMBusWire
import Yams

/// Walks a composed YAML document into scenario values, collecting every problem.
///
/// Each reading method records what is wrong and returns nil or a default, so the walk always
/// goes on to the end; `ScenarioParser` discards the result when anything was recorded.
struct ScenarioReader {
  /// The file name that prefixes each error.
  let file: String
  /// Problems in the order found (the parser sorts them by location).
  private(set) var errors: [ScenarioError] = []
  /// Every device a step may name: the host's, then those `device_added` steps add, in order.
  var devices: [DeviceSpec] = []
  /// Device entries read so far, valid or not: the index behind a default instance GUID.
  var deviceEntries = 0
  /// Devices named by steps and operands, checked once every device is known.
  var references: [DeviceReference] = []

  init(file: String) {
    self.file = file
  }

  /// Records a problem at a location.
  mutating func error(_ message: String, at location: SourceLocation) {
    errors.append(ScenarioError(file: file, location: location, message: message))
  }

  /// Records a problem at the start of a node.
  mutating func error(_ message: String, at node: Node) {
    error(message, at: Self.location(of: node))
  }

  /// Where a node starts; composed nodes always carry a mark.
  static func location(of node: Node) -> SourceLocation {
    guard let mark = node.mark else { return SourceLocation(line: 1, column: 1) }
    return SourceLocation(line: mark.line, column: mark.column)
  }

  /// `message` after `path: `, or alone at the top level.
  static func prefixed(_ path: String, _ message: String) -> String {
    path.isEmpty ? message : "\(path): \(message)"
  }
}

// MARK: - Mappings and sequences

/// A mapping's values by key, after its keys were checked.
struct Fields {
  /// The mapping's place in the document (`host`, `linux.open`); empty at the top level.
  let path: String
  /// Where the mapping starts (or the step that has it, when it is absent).
  let location: SourceLocation
  /// Entries with scalar keys, in file order.
  let entries: [(key: String, keyNode: Node, value: Node)]
  /// False when the node was not a mapping at all (already reported).
  var isMapping = true

  /// The value of `key`, if the mapping has it.
  subscript(key: String) -> Node? {
    entries.first { $0.key == key }?.value
  }

  /// The key node of `key`, for errors about the key itself.
  func keyNode(_ key: String) -> Node? {
    entries.first { $0.key == key }?.keyNode
  }

  /// The path of one of this mapping's keys.
  func path(_ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
  }
}

extension ScenarioReader {
  /// Reads a mapping (an absent or null node is an empty one).
  ///
  /// Reports keys outside `keys` (unless it is nil: the caller checks them), keys that are not
  /// scalars, and each of `required` that is missing.
  mutating func fields(
    _ node: Node?, _ path: String, at fallback: SourceLocation, keys: [String]?,
    required: [String] = []
  ) -> Fields {
    var entries: [(key: String, keyNode: Node, value: Node)] = []
    var location = fallback
    if let node, !Self.isNull(node) {
      location = Self.location(of: node)
      guard case .mapping(let mapping) = node else {
        error(
          Self.prefixed(path, "expected a mapping, found \(Self.describe(node))"), at: node)
        return Fields(path: path, location: location, entries: [], isMapping: false)
      }
      for (key, value) in mapping {
        guard case .scalar(let scalar) = key else {
          error(Self.prefixed(path, "expected a key name, found \(Self.describe(key))"), at: key)
          continue
        }
        if let keys, !keys.contains(scalar.string) {
          let known = keys.joined(separator: ", ")
          error(
            Self.prefixed(path, "unknown key \(Self.quote(scalar.string)); keys are \(known)"),
            at: key)
          continue
        }
        entries.append((scalar.string, key, value))
      }
    }
    let fields = Fields(path: path, location: location, entries: entries)
    for key in required where fields[key] == nil {
      error(Self.prefixed(path, "missing key \(Self.quote(key))"), at: location)
    }
    return fields
  }

  /// Reads a sequence (a null node is an empty one).
  mutating func sequence(_ node: Node, _ path: String) -> [Node] {
    if Self.isNull(node) { return [] }
    guard case .sequence(let sequence) = node else {
      error(Self.prefixed(path, "expected a list, found \(Self.describe(node))"), at: node)
      return []
    }
    return Array(sequence)
  }

  /// Reports a step or key that takes no value but has one.
  mutating func noArguments(_ node: Node?, _ path: String) {
    guard let node, !Self.isNull(node) else { return }
    if case .mapping(let mapping) = node, mapping.isEmpty { return }
    error("\(path): takes no arguments, found \(Self.describe(node))", at: node)
  }

  /// Whether a node is YAML's null: an empty plain scalar, `~` or `null`.
  static func isNull(_ node: Node) -> Bool {
    guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else {
      return false
    }
    return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
  }

  /// A node as an error names it: its quoted text, `nothing`, `a mapping` or `a list`.
  static func describe(_ node: Node) -> String {
    if isNull(node) { return "nothing" }
    switch node {
    case .scalar(let scalar): return quote(scalar.string)
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
  }

  /// `'text'` on one line: control characters escaped, long text cut after 60 characters.
  static func quote(_ text: String) -> String {
    var result = "'"
    for (index, scalar) in text.unicodeScalars.enumerated() {
      if index == 60 {
        result += "..."
        break
      }
      switch scalar {
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case "'": result += "\\'"
      case "\\": result += "\\\\"
      default:
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) || value == 0x2028 || value == 0x2029 {
          result += "\\u{\(String(value, radix: 16))}"
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "'"
  }
}

// MARK: - Devices

/// A device a step or operand names, checked against every device once all are read.
struct DeviceReference {
  var name: String
  /// Where the name is written.
  var location: SourceLocation
  /// What names it, for the error (`linux.open`, `send.child_relid: relid(netvc)`).
  var context: String
  /// A channel index the device must have, and where it is written.
  var subchannel: (index: UInt16, location: SourceLocation)?
}

extension ScenarioReader {
  /// Adds a device steps may name, unless its name is taken.
  mutating func register(_ device: DeviceSpec, _ path: String, at location: SourceLocation) {
    if devices.contains(where: { $0.name == device.name }) {
      error(
        "\(path): device name \(Self.quote(device.name)) is already used; "
          + "give each device its own name", at: location)
      return
    }
    devices.append(device)
  }

  /// Reports references to devices that do not exist, or to channels they do not have.
  mutating func checkDeviceReferences() {
    let names = devices.map(\.name).joined(separator: ", ")
    let known = devices.isEmpty ? "there are no devices" : "devices are \(names)"
    for reference in references {
      guard let device = devices.first(where: { $0.name == reference.name }) else {
        error(
          "\(reference.context): unknown device \(Self.quote(reference.name)); \(known)",
          at: reference.location)
        continue
      }
      let count = device.config.channelCount
      if let (index, location) = reference.subchannel, index >= count {
        let channels = count == 1 ? "1 channel" : "\(count) channels"
        error(
          "\(reference.context): \(device.name) has no subchannel \(index); "
            + "it has \(channels)", at: location)
      }
    }
  }
}
