import Testing
import VMBusHost
import VMBusTrace

/// One timeline across a migration's two clocks.
@Suite struct SessionClockTests {
  static let event = HostEvent.trace(.signalEvent)
  static let migrated = HostEvent.simulator(.migrated(savedDigest: 0))

  static func times(_ input: [(HostEvent, Int64?)]) -> [Int64?] {
    var clock = SessionClock()
    return input.map { clock.time(of: $0.0, timestampNanos: $0.1) }
  }

  @Test func aDestinationClockThatStartsEarlierFollowsTheSourcesLastEvent() {
    // The destination's monotonic clock restarts near 0.
    let times = Self.times([
      (Self.event, 5_000_000), (Self.event, 6_000_000), (Self.migrated, nil),
      (Self.event, 100), (Self.event, 2_100),
    ])
    #expect(times == [5_000_000, 6_000_000, nil, 6_001_000, 6_003_000])
  }

  @Test func aDestinationClockAheadAndOneClockAreKept() {
    #expect(
      Self.times([(Self.event, 10), (Self.migrated, nil), (Self.event, 900)]) == [10, nil, 900])
    // A simulation: sim_migrated has its own virtual time, the clock goes on.
    #expect(
      Self.times([(Self.event, 10), (Self.migrated, 20), (Self.event, 20)]) == [10, 20, 20])
    // No migration: a trace's own step back is left to the viewer's exporter.
    #expect(Self.times([(Self.event, 10), (Self.event, 5)]) == [10, 5])
  }
}
