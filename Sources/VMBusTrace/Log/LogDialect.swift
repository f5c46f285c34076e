/// Which of the `log` backend's line shapes a QEMU build prints.
package enum LogDialect: String, Hashable, Sendable, CaseIterable, Codable {
  /// `TID@SEC.USEC:name args`: QEMU 5.1 to 5.2 always, 6.0 to 10.0 with `-msg timestamp=on`.
  case threadTimestamp = "thread_timestamp"
  /// `name args`: QEMU 6.0 and later without `-msg timestamp=on`.
  case plain
  /// `2025-07-21T18:43:28.089797Z name args`: QEMU 10.1 and later with `-msg timestamp=on`.
  case iso8601
}
