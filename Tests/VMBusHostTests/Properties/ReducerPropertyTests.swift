import Testing
import VMBusWire

@testable import VMBusHost

/// Many thousands of random input sequences, random bytes included, through the reducer.
@Suite("Reducer properties")
struct ReducerPropertyTests {
  static let seeds: [UInt64] = Array(0..<4)
  static let sequencesPerSeed = 1_000
  static let inputsPerSequence = 60

  @Test("no trap, fold equals live state, QEMU's invariants hold", arguments: seeds)
  func randomSequences(seed: UInt64) throws {
    var inputs = RandomInputs(seed: seed)
    var steps = 0
    for sequence in 0..<Self.sequencesPerSeed {
      var state = HostState()
      var events: [HostEvent] = []
      for input in inputs.startInputs() { events += HostModel.step(&state, input) }
      for step in 0..<Self.inputsPerSequence {
        steps += 1
        let before = state
        let input = inputs.input(for: state)
        let decided = HostModel.decide(state, input)
        events += decided
        for event in decided {
          let violations = state.apply(event)
          #expect(
            violations.isEmpty, "seed \(seed) sequence \(sequence) step \(step): \(violations)")
        }
        guard state.isAlive else { break }
        let broken =
          state.invariantViolations() + HostState.transitionViolations(from: before, to: state)
        #expect(
          broken.isEmpty, "seed \(seed) sequence \(sequence) step \(step) \(input): \(broken)")
        if !broken.isEmpty { return }
      }
      let refolded = HostState.fold(events)
      #expect(refolded.state == state, "seed \(seed) sequence \(sequence): fold differs")
      #expect(
        refolded.violations.isEmpty,
        "seed \(seed) sequence \(sequence): \(refolded.violations.map(\.violation))")
    }
  }

  @Test("a bare trace folds to the simulated protocol state", arguments: seeds)
  func bareTraceAgrees(seed: UInt64) throws {
    var inputs = RandomInputs(seed: seed &+ 1000, traceVisibleOnly: true)
    var agreed = 0
    for sequence in 0..<Self.sequencesPerSeed {
      var state = HostState()
      var events: [HostEvent] = []
      for input in inputs.startInputs() { events += HostModel.step(&state, input) }
      for _ in 0..<Self.inputsPerSequence where state.isAlive {
        events += HostModel.step(&state, inputs.input(for: state))
      }
      // A fault, a reset from outside or a lost reschedule is not in a QEMU trace.
      let traceOnly = events.filter { if case .trace = $0 { true } else { false } }
      let hidden = events.contains {
        switch $0 {
        case .simulator(.hostFault), .simulator(.machineReset), .simulator(.deviceReset),
          .simulator(.rescheduleLost), .simulator(.ringIndicesCorrupted):
          true
        default: false
        }
      }
      guard !hidden else { continue }
      let bare = HostState.fold(traceOnly)
      guard bare.state.awaiting == nil else { continue }
      #expect(
        bare.violations.isEmpty,
        "seed \(seed) sequence \(sequence): \(bare.violations.map(\.violation))")
      #expect(ProtocolView(bare.state) == ProtocolView(state), "seed \(seed) sequence \(sequence)")
      agreed += 1
    }
    #expect(agreed > Self.sequencesPerSeed / 4)
  }
}

/// What a bare trace can know: the bus, and the GPADLs and offered channels it has seen.
struct ProtocolView: Equatable, CustomStringConvertible {
  var bus: BusState
  var version: ProtocolVersion
  var inFlight: Bool
  var queued: [MessageType]
  var gpadls: [String]
  var channels: [String]

  init(_ state: HostState) {
    bus = state.bus
    version = state.version
    inFlight = state.messageInFlight
    queued = state.rxQueue.messages.map(\.type)
    gpadls = state.gpadls.filter { !$0.isAssumed && ($0.isFull || $0.state != .initial) }.map {
      "\($0.id) \($0.state) refs \($0.refcount)"
    }
    // Which channel is SENDING shows only when its offer is posted, so compare SENT only.
    channels = state.channels.filter { $0.offer == .sent || $0.state != .initial }.map {
      "\($0.id) \($0.offer) \($0.state)"
    }
  }

  var description: String {
    "\(bus) \(version) inFlight \(inFlight) queue \(queued) gpadls \(gpadls) channels \(channels)"
  }
}
