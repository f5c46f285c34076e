import VMBusHost

/// Everything a run produced: the event log (what a session stores), the inputs and choices
/// that produced it, a readable transcript and the outcome.
package struct SimulationRun: Sendable {
  package var scenario: Scenario
  package var seed: UInt64
  /// The events, in order; seq N is `events[N - 1]`.
  package var events: [HostEvent]
  /// Virtual time of each event.
  package var eventTimes: [VirtualDuration]
  /// The host inputs, in order.
  package var inputs: [HostInput]
  /// Every random draw, reduced to its bound (replaying them reproduces the run).
  package var choices: [UInt32]
  package var transcript: [TranscriptEntry]
  package var outcome: Outcome
  package var finalState: HostState
  /// What the live fold found as the run went (nil when the run was not monitored): the
  /// same as refolding ``events`` through a ``FoldMonitor``.
  package var monitor: FoldMonitor?
  /// Scheduler steps taken.
  package var steps: Int
  /// Virtual time at the end.
  package var endTime: VirtualDuration
}
