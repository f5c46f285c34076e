/// When an event happened, as its source recorded it.
package enum TraceTimestamp: Hashable, Sendable {
  /// The `log` backend's line prefix (wall-clock seconds and microseconds, maybe a thread id).
  case log(LogPrefix)
  /// The `simple` backend's record fields: host monotonic nanoseconds and QEMU's process id.
  case simple(timestampNS: UInt64, pid: UInt32)
}
