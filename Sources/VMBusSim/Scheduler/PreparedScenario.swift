/// A scenario with its actors' scripts compiled, ready to run many times (fuzzing, benchmarks).
public struct PreparedScenario: Sendable {
  public let scenario: Scenario
  let programs: [GuestProgram]
  let kernel: GuestKernel

  public init(_ scenario: Scenario) {
    self.scenario = scenario
    programs = scenario.actors.map { GuestProgram(compiling: $0.steps) }
    kernel = GuestKernel(devices: scenario.host.devices)
  }

  /// The same preparation, with Linux composite steps taken from `cache`.
  init(_ scenario: Scenario, reusing cache: inout CompiledStepCache) {
    self.scenario = scenario
    programs = scenario.actors.map { GuestProgram(compiling: $0.steps, reusing: &cache) }
    kernel = GuestKernel(devices: scenario.host.devices)
  }
}
