/// A span of virtual time in nanoseconds; scenarios write it as `10ms`, `100s`, `5us`.
package struct VirtualDuration: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
  package var nanoseconds: UInt64

  package init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

  package static func microseconds(_ value: UInt64) -> Self { Self(nanoseconds: value &* 1_000) }
  package static func milliseconds(_ value: UInt64) -> Self {
    Self(nanoseconds: value &* 1_000_000)
  }
  package static func seconds(_ value: UInt64) -> Self { Self(nanoseconds: value &* 1_000_000_000) }

  package static func < (lhs: Self, rhs: Self) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
  package static func + (lhs: Self, rhs: Self) -> Self {
    Self(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
  }

  /// Parses `250ms`, `1s`, `5us`, `100ns` (a bare number is milliseconds).
  package init?(_ text: String) {
    let units: [(String, UInt64)] = [
      ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
    ]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
      guard let value = UInt64(text.dropLast(suffix.count)) else { return nil }
      let (product, overflow) = value.multipliedReportingOverflow(by: scale)
      guard !overflow else { return nil }
      self.init(nanoseconds: product)
      return
    }
    guard let value = UInt64(text) else { return nil }
    let (product, overflow) = value.multipliedReportingOverflow(by: 1_000_000)
    guard !overflow else { return nil }
    self.init(nanoseconds: product)
  }

  /// The shortest exact text: `250ms`, `1s`, `1500us`.
  package var description: String {
    for (suffix, scale) in [("s", UInt64(1_000_000_000)), ("ms", 1_000_000), ("us", 1_000)]
    where nanoseconds % scale == 0 && nanoseconds != 0 {
      return "\(nanoseconds / scale)\(suffix)"
    }
    return "\(nanoseconds)ns"
  }
}
