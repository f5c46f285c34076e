import Testing
import VMBusHost
import VMBusTesting

@testable import VMBusSim

/// The exhaustive mode's claim checked against the ordinary scheduler: every failure a
/// seeded run of a scenario reaches within the depth, the exploration of that scenario to
/// the depth reports too. A key that merges states whose futures differ breaks it (it did
/// twice: once without the order of the actors' timers, once without their distances).
@Suite("Exploration against seeded runs")
struct ExplorerAgreementTests {
  static let depth = 40
  static let seeds: Range<UInt64> = 0..<150

  /// Every bundled scenario whose exploration to depth 40 ends within about 20,000 states
  /// (the kdump restart since calm subtrees cover its timers' twins); the Linux boot and the
  /// other restarts take too long for a unit test.
  @Test("an exploration counts the runs that end in a guest error, and its first path replays one")
  func guestErrorsReplay() throws {
    let scenario = try FuzzTests.bundled("guest-error-open-unknown-channel.yaml")
    let report = Explorer(scenario: scenario, depth: 40).run()
    let rule = RootCause("guest.open_unknown_channel")
    let paths = try #require(report.guestErrorRules[rule])
    #expect(report.guestErrorRules.count == 1)
    #expect(paths.count >= 1)
    #expect(report.unreproduced == 0)
    let run = paths.first.run()
    #expect(run.outcome.kind == .guestError)
    #expect(run.outcome.rootCause == rule)
  }

  @Test(
    "every failure a seeded run of a bundled scenario reaches within the depth, its exploration reports",
    arguments: [
      "beyond-qemu-device-reset.yaml", "busy-slot-gpadl.yaml", "busy-slot-offers.yaml",
      "device-reset-on-last-close.yaml", "guest-error-open-twice.yaml",
      "guest-error-open-unknown-channel.yaml", "linux-kdump.yaml", "linux-open-close.yaml",
      "qemu-close.yaml", "qemu-delivery-failures.yaml", "qemu-gpadl-body.yaml",
      "qemu-gpadl-header-hang.yaml", "qemu-gpadl-header.yaml", "qemu-gpadl-teardown.yaml",
      "qemu-lengths.yaml",
      "qemu-message-page-faults.yaml", "qemu-migration.yaml", "qemu-open.yaml",
      "qemu-queue-transport.yaml", "qemu-signal-event.yaml", "qemu-unload-flush.yaml",
      "qemu-unload.yaml", "qemu-versions.yaml", "reconnect-while-connected.yaml",
      "subchannel-device.yaml", "version-fallback.yaml",
    ])
  func bundledScenario(file: String) throws {
    Self.expectAgreement(try FuzzTests.bundled(file))
  }

  /// Campaign mutations of bundled scenarios, as `--guest any` and as `--guest linux`
  /// mutates them: shapes no hand-written scenario has (inserted resets, busy slots, kernel
  /// restarts, reordered and dropped steps). These scenarios' mutations reach failures
  /// within the depth, so there is something to compare.
  @Test(
    "every failure a seeded run of a mutated scenario reaches within the depth, its exploration reports",
    arguments: [
      "qemu-versions.yaml", "qemu-gpadl-header-hang.yaml", "qemu-delivery-failures.yaml",
    ],
    [GuestInputs.any, .linux])
  func mutatedScenario(file: String, inputs: GuestInputs) throws {
    let base = try FuzzTests.bundled(file)
    var compared = 0
    for seed in UInt64(300)..<303 {
      var mutator = ScenarioMutator(seed: seed, scenario: base, inputs: inputs)
      compared += Self.expectAgreement(mutator.mutate(base)).count
    }
    #expect(compared > 0)
  }

  /// Sleepers whose order a step decides: the scenario the key without distances got wrong.
  @Test("every failure a seeded run of a timer race reaches, its exploration reports")
  func timerRace() throws {
    let scenario = try ScenarioParser.parse(ScenarioSamples.timerRace, file: "timer-race.yaml")
    let seeded = Self.expectAgreement(scenario)
    #expect(seeded.contains { $0.rootCause == RootCause("send_unload.no_sint_route") })
  }

  /// Runs `seeds` through the ordinary scheduler and explores `scenario` to `depth`; each
  /// signature a run reached within `depth` steps must be among the exploration's. Returns
  /// the seeded runs' signatures.
  @discardableResult
  static func expectAgreement(_ scenario: Scenario) -> Set<FailureSignature> {
    var seeded: [FailureSignature: UInt64] = [:]
    for seed in seeds {
      let run = FuzzCase(scenario: scenario, seed: seed).run()
      guard run.steps <= depth, let failure = PropertyChecker.check(run) else { continue }
      if seeded[failure.signature] == nil { seeded[failure.signature] = seed }
    }
    let report = Explorer(scenario: scenario, depth: depth).run()
    #expect(!report.stoppedAtStateLimit)
    #expect(report.unreproduced == 0)
    let explored = Set(report.failures.map(\.failure.signature))
    for (signature, seed) in seeded.sorted(by: { $0.value < $1.value })
    where !explored.contains(signature) {
      Issue.record(
        "seed \(seed) reaches \(signature) within \(depth) steps; the exploration does not")
    }
    return Set(seeded.keys)
  }
}
