import Testing
import VMBusHost
import VMBusTesting

@testable import VMBusSim

/// The explorer's one reduction besides its visited set: a state is not expanded when a
/// state with the same key but for its timers' distances, reached at its depth or higher
/// up, had a subtree that never went idle (timers are read only when nothing else can
/// happen). Held to the exploration without it, which expands every state whose exact key
/// is new.
@Suite("Calm subtrees")
struct CalmSubtreeTests {
  static let depth = 40

  /// Both explorations of `scenario`; each must find the same failures, every one
  /// reproduced, and the reduced one no more distinct states.
  @discardableResult
  static func expectSameFailures(_ scenario: Scenario, depth: Int = depth) -> (
    reduced: Explorer.Report, full: Explorer.Report
  ) {
    let reduced = Explorer(scenario: scenario, depth: depth).run()
    let full = Explorer(scenario: scenario, depth: depth, reusesCalmSubtrees: false).run()
    #expect(!reduced.stoppedAtStateLimit && !full.stoppedAtStateLimit)
    #expect(reduced.unreproduced == 0 && full.unreproduced == 0)
    #expect(
      Set(reduced.failures.map(\.failure.signature))
        == Set(full.failures.map(\.failure.signature)))
    #expect(reduced.distinctStates <= full.distinctStates)
    return (reduced, full)
  }

  @Test(
    "leaving calm subtrees' twins unexpanded finds what the full exploration finds",
    arguments: [
      "beyond-qemu-device-reset.yaml", "guest-error-open-twice.yaml", "linux-open-close.yaml",
      "qemu-close.yaml", "qemu-gpadl-body.yaml", "qemu-migration.yaml", "qemu-open.yaml",
      "qemu-unload.yaml", "qemu-versions.yaml",
    ])
  func bundledScenario(file: String) throws {
    Self.expectSameFailures(try FuzzTests.bundled(file))
  }

  /// A kdump: the crashed kernel's waits carry timeouts of seconds that nothing within the
  /// depth reaches, and every step another actor takes moves them. Distinct timers' distances
  /// multiplied its states five times over.
  @Test("a timed kernel restart explores a fraction of the states, with the same failures")
  func timedRestart() throws {
    let (reduced, full) = Self.expectSameFailures(try FuzzTests.bundled("linux-kdump.yaml"))
    #expect(reduced.distinctStates * 3 < full.distinctStates, "\(reduced.distinctStates)")
  }

  /// Sleeps that end within the depth: a subtree that goes idle is never calm, so states a
  /// step apart in when they started sleeping are both explored.
  @Test("states whose futures wait for timers are not merged: the timer race is still found")
  func timerRace() throws {
    let scenario = try ScenarioParser.parse(ScenarioSamples.timerRace, file: "timer-race.yaml")
    let (reduced, _) = Self.expectSameFailures(scenario)
    #expect(
      reduced.failures.contains {
        $0.failure.signature.rootCause == RootCause("send_unload.no_sint_route")
      })
  }

  /// The rule's second half. A subtree that reached a state already explored elsewhere is
  /// calm only if that state's own subtree was: the other subtree may go idle (here, the
  /// sleeps end and the two UNLOADs race), and a state that differs only in how far off its
  /// timers are would fire them in another order there. Without the half, the exploration
  /// covered such a state and never found QEMU's crash on the second UNLOAD; found by a
  /// search over generated timed scenarios, then cut down.
  @Test("a subtree that meets a state whose future went idle is not calm: the UNLOAD race is found")
  func revisitOfAnIdleFutureDisturbs() throws {
    let scenario = try ScenarioParser.parse(
      """
      description: "two UNLOADs and two REQUESTOFFERS, ordered by sleeps of a few microseconds"
      expect: passed
      host: {devices: [{class: hv-balloon}]}
      actors:
        - name: boot
          steps:
            - send: {type: INITIATE_CONTACT, version_requested: "4.0"}
            - wait: {for: VERSION_RESPONSE, timeout: 100s}
            - sleep: 5us
            - send: {type: UNLOAD}
        - name: offers
          steps:
            - sleep: 3us
            - send: {type: REQUESTOFFERS}
            - sleep: 1us
            - send: {type: REQUESTOFFERS}
            - wait: {for: ALLOFFERS_DELIVERED, timeout: 6us}
        - name: unloader
          steps:
            - sleep: 3us
            - send: {type: UNLOAD}
      """, file: "unload-race.yaml")
    let (reduced, _) = Self.expectSameFailures(scenario, depth: 19)
    #expect(reduced.covered > 0)
    #expect(
      reduced.failures.contains {
        $0.failure.signature.rootCause == RootCause("send_unload.no_sint_route")
      })
  }

  /// Campaign mutations, as `--guest any` and `--guest linux` make them: inserted kernel
  /// restarts, busy slots, resets and waits with other timeouts.
  @Test(
    "mutated scenarios: the same failures with and without calm subtrees",
    arguments: ["linux-open-close.yaml", "qemu-open.yaml", "qemu-versions.yaml"],
    [GuestInputs.any, .linux])
  func mutatedScenario(file: String, inputs: GuestInputs) throws {
    let base = try FuzzTests.bundled(file)
    for seed in UInt64(0)..<4 {
      var mutator = ScenarioMutator(seed: seed, scenario: base, inputs: inputs)
      Self.expectSameFailures(mutator.mutate(base), depth: 30)
    }
  }
}
