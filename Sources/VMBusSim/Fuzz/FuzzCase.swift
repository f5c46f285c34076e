import VMBusHost

/// One fuzz run, reproducible on its own: the (mutated) scenario it ran and its choices.
public struct FuzzCase: Sendable {
  public var scenario: Scenario
  /// The seed (mutations, and scheduling past recorded choices).
  public var seed: UInt64
  /// Recorded choices to replay; empty draws everything from the seed.
  public var choices: [UInt32]
  /// Past the recorded choices, take 0 instead of drawing (shrunk and regression cases).
  public var zeroAfterReplay: Bool

  public init(
    scenario: Scenario, seed: UInt64, choices: [UInt32] = [], zeroAfterReplay: Bool = false
  ) {
    self.scenario = scenario
    self.seed = seed
    self.choices = choices
    self.zeroAfterReplay = zeroAfterReplay
  }

  /// Runs the case.
  public func run(transcript: Bool = false) -> SimulationRun {
    var simulation = Simulation(
      PreparedScenario(scenario), seed: seed, replaying: choices, zeroAfterReplay: zeroAfterReplay)
    simulation.recordsTranscript = transcript
    return simulation.run()
  }

  /// The number of guest messages the scenario's scripts send (what shrinking minimises first).
  public var stepCount: Int { scenario.actors.reduce(0) { $0 + $1.steps.count } }

  /// The case as a regression record plus scenario: choices pinned, each later decision 0.
  public func pinned(_ run: SimulationRun, failure: FuzzFailure, events: [String]) -> Scenario {
    var pinned = scenario
    var choices = run.choices
    while choices.last == 0 { choices.removeLast() }
    pinned.regression = RegressionRecord(
      seed: seed, choices: choices, property: failure.property.rawValue,
      signature: failure.signature, events: events)
    pinned.expected = ExpectedOutcome(
      run.outcome.kind, messageContains: run.outcome.message.isEmpty ? nil : run.outcome.message)
    return pinned
  }
}
