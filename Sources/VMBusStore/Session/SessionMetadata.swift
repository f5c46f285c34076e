import Foundation

/// Free-form facts about a session (skipped-line counts, outcome, failure reason), stored as
/// one JSON object with sorted keys in `sessions.metadata`.
public typealias SessionMetadata = [String: MetadataValue]

/// One JSON scalar of ``SessionMetadata``.
public enum MetadataValue: Hashable, Sendable, Codable, CustomStringConvertible,
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

  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int64) { self = .integer(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(floatLiteral value: Double) { self = .double(value) }

  public init(from decoder: any Decoder) throws {
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

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .string(let value): try container.encode(value)
    case .integer(let value): try container.encode(value)
    case .double(let value): try container.encode(value)
    case .bool(let value): try container.encode(value)
    case .null: try container.encodeNil()
    }
  }

  public var description: String {
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
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(metadata), as: UTF8.self)
  }

  static func decode(_ text: String) throws -> SessionMetadata {
    try JSONDecoder().decode(SessionMetadata.self, from: Data(text.utf8))
  }
}
