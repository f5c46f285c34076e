import VMBusHost

@testable import VMBusSim

/// The explorer's steering calls in the short forms the tests step a run with.
extension Simulation {
  /// The exploration key with the timers' distances (the visited set's).
  mutating func explorationKey() -> Int { explorationKeys().full }

  /// The actions enabled now, whether or not getting there went idle.
  mutating func branches(eventBuffer: inout [HostEvent]) -> [Action] {
    var wentIdle = false
    return branches(eventBuffer: &eventBuffer, wentIdle: &wentIdle)
  }
}
