/// GPADL id chosen by the guest; global to the bus in QEMU.
public struct GpadlID: RawRepresentable, Hashable, Sendable, Codable, Comparable,
  CustomStringConvertible
{
  /// The id as it appears on the wire.
  public var rawValue: UInt32

  /// Creates an id from its wire value.
  public init(rawValue: UInt32) {
    self.rawValue = rawValue
  }

  /// Creates an id from its wire value.
  public init(_ rawValue: UInt32) {
    self.rawValue = rawValue
  }

  /// The id as QEMU's traces print it, e.g. `#3`.
  public var description: String { "#\(rawValue)" }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
