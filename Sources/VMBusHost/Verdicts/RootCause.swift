/// The exact QEMU check or code path a verdict rests on, as a stable dotted name:
/// `gpadl_header.range_shape`, `msg_cb.fatal_without_resched`, `synic_reset.route_held`.
///
/// The part before the dot names QEMU's function (or the protocol request), the part after
/// it the check or path within it. Two failures with the same root cause are the same bug;
/// a name never changes once regression files carry it.
public struct RootCause: RawRepresentable, Hashable, Comparable, Sendable, Codable,
  CustomStringConvertible
{
  public var rawValue: String

  public init(rawValue: String) {
    self.rawValue = rawValue
  }

  public init(_ rawValue: String) {
    self.rawValue = rawValue
  }

  public var description: String { rawValue }

  public static func < (lhs: RootCause, rhs: RootCause) -> Bool { lhs.rawValue < rhs.rawValue }
}
