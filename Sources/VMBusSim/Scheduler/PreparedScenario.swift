import VMBusHost

/// A scenario with its actors' scripts compiled, ready to run many times (fuzzing, benchmarks).
package struct PreparedScenario: Sendable {
  /// An actor's compiled script.
  struct Actor: Sendable {
    var name: String
    var program: GuestProgram
    /// A driver probe of `probe: auto`: it starts over with each new kernel.
    var restartsWithKernel: Bool
  }

  package let scenario: Scenario
  let actors: [Actor]
  let kernel: GuestKernel
  /// The guest messages its runs build, shared by every run of this preparation (a Linux
  /// boot's GPADLs alone are 157 messages of page lists).
  let messages = MessageCache()

  /// The compiled scripts, in actor order.
  var programs: [GuestProgram] { actors.map(\.program) }

  package init(_ scenario: Scenario) {
    var cache = CompiledStepCache()
    self.init(scenario, reusing: &cache)
  }

  /// The same preparation, with Linux composite steps taken from `cache`.
  init(_ scenario: Scenario, reusing cache: inout CompiledStepCache) {
    self.scenario = scenario
    let context = CompileContext(scenario)
    var actors = scenario.actors.map {
      Actor(
        name: $0.name,
        program: GuestProgram(compiling: $0.steps, context: context, reusing: &cache),
        restartsWithKernel: false)
    }
    if scenario.guest.autoProbe {
      // The driver core probes each device with a driver once it is offered, concurrently.
      for device in context.devices where device.driver != .generic {
        let probe = Step(.linux(.probe(device: device.name)))
        actors.append(
          Actor(
            name: "probe-\(device.name)",
            program: GuestProgram(compiling: [probe], context: context, reusing: &cache),
            restartsWithKernel: true))
      }
    }
    self.actors = actors
    kernel = GuestKernel(devices: scenario.host.devices, vcpus: scenario.host.vcpus)
  }
}
