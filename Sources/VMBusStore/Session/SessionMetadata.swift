import Foundation

/// Free-form facts about a session (skipped-line counts, outcome, failure reason), stored as
/// one JSON object with sorted keys in `sessions.metadata`.
package typealias SessionMetadata = [String: MetadataValue]

/// One JSON scalar of ``SessionMetadata``.
package enum MetadataValue: Hashable, Sendable, Codable, CustomStringConvertible,
  ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByFloatLiteral
{
  /// A JSON string.
  case string(String)
  /// A JSON number without a fraction.
  case integer(Int64)
  /// A JSON number with a fraction.
  case double(Double)
  /// `true` or `false`.
  case bool(Bool)
  /// `null`.
  case null

  package init(stringLiteral value: String) { self = .string(value) }
  package init(integerLiteral value: Int64) { self = .integer(value) }
  package init(booleanLiteral value: Bool) { self = .bool(value) }
  package init(floatLiteral value: Double) { self = .double(value) }

  package init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int64.self) {
      self = .integer(value)
    } else if let value = try? container.decode(Double.self) {
      self = .double(value)
    } else {
      self = .string(try container.decode(String.self))
    }
  }

  package func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .string(let value): try container.encode(value)
    case .integer(let value): try container.encode(value)
    case .double(let value): try container.encode(value)
    case .bool(let value): try container.encode(value)
    case .null: try container.encodeNil()
    }
  }

  package var description: String {
    switch self {
    case .string(let value): value
    case .integer(let value): "\(value)"
    case .double(let value): "\(value)"
    case .bool(let value): "\(value)"
    case .null: "null"
    }
  }
}

/// JSON text of metadata and back, keys sorted so equal metadata gives equal text.
enum MetadataCoding {
  static func encode(_ metadata: SessionMetadata) throws -> String {
    if let text = plainText(metadata) { return text }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(metadata), as: UTF8.self)
  }

  /// The text `JSONEncoder` writes for metadata of ASCII keys, strings, integers, booleans
  /// and nulls (a run's outcome and counts), written directly: a `JSONEncoder` costs as much
  /// as storing a dozen events, twice per session. Nil for anything else (a double, a control
  /// character, a non-ASCII key), which `JSONEncoder` then writes.
  static func plainText(_ metadata: SessionMetadata) -> String? {
    var text = "{"
    // Sorted as `.sortedKeys` sorts: String order, which for ASCII is byte order.
    for key in metadata.keys.sorted() {
      guard key.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x80 }), let value = metadata[key] else {
        return nil
      }
      if text.utf8.count > 1 { text += "," }
      appendString(key, to: &text)
      text += ":"
      switch value {
      case .string(let string):
        guard string.unicodeScalars.allSatisfy({ $0.value >= 0x20 }) else { return nil }
        appendString(string, to: &text)
      case .integer(let integer): text += String(integer)
      case .bool(let bool): text += bool ? "true" : "false"
      case .null: text += "null"
      case .double: return nil
      }
    }
    return text + "}"
  }

  /// A JSON string of text without control characters: only `"` and `\` need escaping.
  private static func appendString(_ string: String, to text: inout String) {
    text += "\""
    for character in string.unicodeScalars {
      if character == "\"" || character == "\\" { text.unicodeScalars.append("\\") }
      text.unicodeScalars.append(character)
    }
    text += "\""
  }

  static func decode(_ text: String) throws -> SessionMetadata {
    try JSONDecoder().decode(SessionMetadata.self, from: Data(text.utf8))
  }

  /// What the row holds after `json_patch(base, patch)` (RFC 7396: a `null` in the patch
  /// removes the key), as reading it back would decode it.
  static func stored(
    merging patch: SessionMetadata, into base: SessionMetadata, path: String
  ) throws(StoreError) -> SessionMetadata {
    var merged = base
    for (key, value) in patch {
      merged[key] = value == .null ? nil : value
    }
    // Strings, integers, booleans and null read back as written; a double may not (an
    // integral one can read back as an integer), so those take the JSON round trip.
    guard merged.values.contains(where: { if case .double = $0 { true } else { false } }) else {
      return merged
    }
    do {
      return try decode(encode(merged))
    } catch {
      throw .encodingFailed(path: path, reason: "metadata: \(error)")
    }
  }
}
