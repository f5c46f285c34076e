import Testing
import VMBusWire

@testable import VMBusHost

/// The fast forms the fuzzer uses answer as the full ones do, broken states included.
@Suite("Invariant shortcuts")
struct InvariantShortcutTests {
  /// States with random field values, most of them breaking one invariant or more.
  static func scrambledStates(count: Int, seed: UInt64) -> [HostState] {
    var random = seed
    func next(_ bound: UInt64) -> UInt64 {
      random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return (random >> 33) % bound
    }
    return (0..<count).map { _ in
      var state = HostState()
      state.profile = next(2) == 0 ? .qemu : .hardened
      state.bus = BusState(rawValue: UInt8(next(UInt64(BusState.allCases.count)))) ?? .listen
      state.messageInFlight = next(2) == 0
      state.pendingRuns = Int(next(3))
      state.version = next(2) == 0 ? .win10 : ProtocolVersion(rawValue: 0)
      for _ in 0..<next(4) {
        var gpadl = Gpadl(
          id: GpadlID(UInt32(next(3))), childRelid: nil, numGfns: 2, seenGfns: 2)
        gpadl.state = GpadlState(rawValue: UInt8(next(3))) ?? .initial
        gpadl.refcount = UInt32(next(3))
        state.gpadls.append(gpadl)
      }
      for _ in 0..<next(4) {
        var channel = Channel(
          id: ChannelID(UInt32(next(4))), device: DevicePointer(rawValue: 1), subchannelIndex: 0)
        channel.offer = OfferState(rawValue: UInt8(next(3))) ?? .initial
        let request = OpenRequest(
          gpadlID: GpadlID(UInt32(next(3))), targetVP: 0, openID: nil, ringBufferOffset: nil)
        switch next(4) {
        case 0: channel.state = .opening(request, hostOpen: next(2) == 0)
        case 1: channel.state = .open(request)
        default: channel.state = .initial
        }
        state.channels.append(channel)
      }
      return state
    }
  }

  @Test("the first invariant violation is the first of the full list")
  func firstViolation() {
    var broken = 0
    for state in Self.scrambledStates(count: 5_000, seed: 1) {
      let all = state.invariantViolations()
      #expect(state.firstInvariantViolation == all.first)
      if !all.isEmpty { broken += 1 }
    }
    #expect(broken > 1_000)
  }

  @Test("a refreshed transition snapshot answers as a fresh one, whatever it held before")
  func refreshedSnapshot() {
    let states = Self.scrambledStates(count: 2_000, seed: 2)
    var reused = HostState.TransitionSnapshot()
    var disagreements = 0
    var found = 0
    for (old, new) in zip(states, states.dropFirst()) {
      reused.refresh(from: old)
      let violations = reused.violations(to: new)
      if violations != HostState.TransitionSnapshot(old).violations(to: new) { disagreements += 1 }
      if !violations.isEmpty { found += 1 }
    }
    #expect(disagreements == 0)
    #expect(found > 200)
  }

  @Test("every event that changes the channels or GPADLs counts as a write to them")
  func objectWritesCoverEveryChange() {
    var inputs = RandomInputs(seed: 11)
    var changed = 0
    var unseen = 0
    for _ in 0..<300 {
      var state = HostState()
      for input in inputs.startInputs() { _ = HostModel.step(&state, input) }
      for _ in 0..<40 where state.isAlive {
        for event in HostModel.decide(state, inputs.input(for: state)) {
          let before = state
          _ = state.apply(event)
          guard before.channels != state.channels || before.gpadls != state.gpadls else {
            continue
          }
          changed += 1
          if before.objectWrites.value == state.objectWrites.value { unseen += 1 }
        }
      }
    }
    #expect(unseen == 0)
    #expect(changed > 500)
  }
}
