import Foundation

/// JSON round trips for Codable checks (Foundation is used by tests only).
enum JSON {
  /// Encodes `value` as JSON text.
  static func text(_ value: some Encodable) throws -> String {
    String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
  }

  /// Encodes then decodes `value`.
  static func roundTrip<T: Codable>(_ value: T) throws -> T {
    try JSONDecoder().decode(T.self, from: try JSONEncoder().encode(value))
  }

  /// Decodes a `T` from JSON text.
  static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(text.utf8))
  }
}
