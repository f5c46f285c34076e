import VMBusHost

/// One fuzz run, reproducible on its own: the (mutated) scenario it ran and its choices.
package struct FuzzCase: Sendable {
  package var scenario: Scenario
  /// The seed (mutations, and scheduling past recorded choices).
  package var seed: UInt64
  /// Recorded choices to replay; empty draws everything from the seed.
  package var choices: [UInt32]
  /// Past the recorded choices, take 0 instead of drawing (shrunk and regression cases).
  package var zeroAfterReplay: Bool

  package init(
    scenario: Scenario, seed: UInt64, choices: [UInt32] = [], zeroAfterReplay: Bool = false
  ) {
    self.scenario = scenario
    self.seed = seed
    self.choices = choices
    self.zeroAfterReplay = zeroAfterReplay
  }

  /// Runs the case.
  package func run(transcript: Bool = false) -> SimulationRun {
    run(PreparedScenario(scenario), transcript: transcript)
  }

  /// Runs the case, taking compiled Linux steps from `steps` and message bytes from
  /// `messages` (a campaign worker keeps both).
  func run(
    transcript: Bool = false, reusing steps: inout CompiledStepCache, messages: MessageCache
  ) -> SimulationRun {
    run(PreparedScenario(scenario, reusing: &steps), transcript: transcript, messages: messages)
  }

  /// Runs `prepared`, with message bytes from `messages` or else the preparation's own.
  private func run(_ prepared: PreparedScenario, transcript: Bool, messages: MessageCache? = nil)
    -> SimulationRun
  {
    guard transcript else {
      var simulation = Simulation<HistoryRecorder>(
        prepared, seed: seed, replaying: choices, zeroAfterReplay: zeroAfterReplay)
      if let messages { simulation.messageCache = messages }
      return simulation.run()
    }
    var simulation = Simulation<TranscriptRecorder>(
      prepared, seed: seed, replaying: choices, zeroAfterReplay: zeroAfterReplay)
    if let messages { simulation.messageCache = messages }
    return simulation.run()
  }

  /// The number of guest messages the scenario's scripts send (what shrinking minimises first).
  package var stepCount: Int { scenario.actors.reduce(0) { $0 + $1.steps.count } }

  /// The case as a regression record plus scenario: choices pinned, each later decision 0.
  package func pinned(_ run: SimulationRun, failure: FuzzFailure, events: [String]) -> Scenario {
    pinned(
      run, property: failure.property.rawValue, signature: .typed(failure.signature), events: events
    )
  }

  /// The case of a guest error as a record plus scenario: `check` re-runs it and expects the
  /// same events, the same rule, and no broken property.
  package func pinned(_ run: SimulationRun, guestError rule: RootCause, events: [String])
    -> Scenario
  {
    pinned(
      run, property: RecordedSignature.guestErrorProperty, signature: .guestError(rule),
      events: events)
  }

  private func pinned(
    _ run: SimulationRun, property: String, signature: RecordedSignature, events: [String]
  ) -> Scenario {
    var pinned = scenario
    var choices = run.choices
    while choices.last == 0 { choices.removeLast() }
    pinned.regression = RegressionRecord(
      seed: seed, choices: choices, property: property, signature: signature, events: events)
    pinned.expected = ExpectedOutcome(
      run.outcome.kind, messageContains: run.outcome.message.isEmpty ? nil : run.outcome.message)
    return pinned
  }
}
