import Testing
import VMBusWire

@testable import VMBusHost

/// The hardened profile over the random sequences the QEMU profile's properties use.
@Suite("hardened: reducer properties")
struct HardenedPropertyTests {
  static let seeds: [UInt64] = Array(0..<4)
  static let sequencesPerSeed = 1_000
  static let inputsPerSequence = 60

  @Test(
    "no host fault ever, fold equals live state, invariants (hardened ones included) hold",
    arguments: seeds)
  func randomSequences(seed: UInt64) throws {
    var inputs = RandomInputs(seed: seed &+ 2000, profile: .hardened)
    var failureReplies = 0
    for sequence in 0..<Self.sequencesPerSeed {
      var state = HostState()
      var events: [HostEvent] = []
      for input in inputs.startInputs() { events += HostModel.step(&state, input) }
      #expect(state.isHardened)
      for step in 0..<Self.inputsPerSequence {
        let before = state
        let input = inputs.input(for: state)
        let decided = HostModel.decide(state, input)
        events += decided
        for event in decided {
          let violations = state.apply(event)
          #expect(
            violations.isEmpty, "seed \(seed) sequence \(sequence) step \(step): \(violations)")
        }
        if before.failureReply == nil && state.failureReply != nil { failureReplies += 1 }
        let broken =
          state.invariantViolations() + HostState.transitionViolations(from: before, to: state)
        #expect(
          state.isAlive && broken.isEmpty,
          "seed \(seed) sequence \(sequence) step \(step) \(input): \(state.fault.map { "\($0)" } ?? "") \(broken)"
        )
        if !state.isAlive || !broken.isEmpty { return }
      }
      let faults = events.filter { if case .simulator(.hostFault) = $0 { true } else { false } }
      #expect(faults.isEmpty, "seed \(seed) sequence \(sequence): \(faults)")
      let refolded = HostState.fold(events)
      #expect(refolded.state == state, "seed \(seed) sequence \(sequence): fold differs")
      #expect(
        refolded.violations.isEmpty,
        "seed \(seed) sequence \(sequence): \(refolded.violations.map(\.violation))")
    }
    // The sequences do reach the new replies, not only the paths QEMU shares.
    #expect(failureReplies > Self.sequencesPerSeed / 10)
  }

  @Test("the same inputs fault QEMU's profile: the sequences do reach its failures")
  func qemuProfileFaultsOnTheSameInputs() {
    var inputs = RandomInputs(seed: 2000, profile: .qemu)
    var faulted = 0
    for _ in 0..<Self.sequencesPerSeed {
      var state = HostState()
      for input in inputs.startInputs() { _ = HostModel.step(&state, input) }
      for _ in 0..<Self.inputsPerSequence where state.isAlive {
        _ = HostModel.step(&state, inputs.input(for: state))
      }
      if !state.isAlive { faulted += 1 }
    }
    #expect(faulted > Self.sequencesPerSeed / 10)
  }
}
