import VMBusHost

/// Everything a run produced: the event log (what a session stores), the inputs and choices
/// that produced it, a readable transcript and the outcome.
public struct SimulationRun: Sendable {
  public var scenario: Scenario
  public var seed: UInt64
  /// The events, in order; seq N is `events[N - 1]`.
  public var events: [HostEvent]
  /// Virtual time of each event.
  public var eventTimes: [VirtualDuration]
  /// The host inputs, in order.
  public var inputs: [HostInput]
  /// Every random draw, reduced to its bound (replaying them reproduces the run).
  public var choices: [UInt32]
  public var transcript: [TranscriptEntry]
  public var outcome: Outcome
  public var finalState: HostState
  /// Scheduler steps taken.
  public var steps: Int
  /// Virtual time at the end.
  public var endTime: VirtualDuration
}
