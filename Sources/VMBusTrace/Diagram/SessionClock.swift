import VMBusHost

/// One timeline for a session's timestamps across a live migration.
///
/// A simulation's events carry one virtual clock. An import of a migrated VM's two traces
/// carries two: the source QEMU's, then the destination's, which may begin before the
/// source's last timestamp (the simple backend's monotonic clock restarts with the host; two
/// hosts' wall clocks differ). When the first timestamp after `sim_migrated` is earlier than
/// the last one before it, the destination's clock is shifted to begin 1 µs after the
/// source's last event, so that the timeline continues instead of jumping back. A
/// destination clock that is ahead is kept: the gap may be the migration's downtime.
package struct SessionClock: Hashable, Sendable {
  /// Added to every timestamp from the destination's first on.
  private var shift: Int64 = 0
  private var last: Int64?
  private var afterMigration = false

  package init() {}

  /// The time on the one timeline of `event`, which the trace stamped `timestampNanos` (nil
  /// when it has none).
  package mutating func time(of event: HostEvent, timestampNanos: Int64?) -> Int64? {
    if case .simulator(.migrated) = event { afterMigration = true }
    guard let timestampNanos else { return nil }
    if afterMigration {
      afterMigration = false
      if let last, timestampNanos &+ shift < last {
        shift = last &+ 1_000 &- timestampNanos
      }
    }
    let time = timestampNanos &+ shift
    last = time
    return time
  }
}
