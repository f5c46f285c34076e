import Testing
import VMBusWire

@testable import VMBusHost

/// A simulated host driven through ``HostModel`` inputs, one step at a time.
///
/// Every step records the events decided, then checks that folding all events so far from
/// `HostState()` gives the live state with no violation, that the state keeps its invariants,
/// and that object states moved only along QEMU's transitions.
struct HostHarness {
  /// The live state: every input so far, applied through `HostModel.step`.
  private(set) var state = HostState()
  /// Every event decided since `HostState()`, the machine start and realizes included.
  private(set) var events: [HostEvent] = []

  /// A started machine with `devices` realized in order (default: QEMU's profile, one
  /// hv-balloon on relid 1).
  init(
    profile: HostProfile = .qemu, machine: MachineConfig = Fixtures.machine,
    devices: [DeviceConfig] = [Fixtures.balloon], sourceLocation: SourceLocation = #_sourceLocation
  ) {
    step(.startMachine(profile: profile, machine: machine), sourceLocation: sourceLocation)
    for device in devices { step(.realizeDevice(device), sourceLocation: sourceLocation) }
  }

  /// Decides and applies `input`, records its events and checks replay; returns the events.
  @discardableResult
  mutating func step(_ input: HostInput, sourceLocation: SourceLocation = #_sourceLocation)
    -> [HostEvent]
  {
    let before = state
    let decided = HostModel.step(&state, input)
    events += decided
    checkReplay(from: before, sourceLocation: sourceLocation)
    return decided
  }

  /// Steps `input` and expects exactly `expected` events and exactly the state change that
  /// `update` makes to the state before the step (TCA's `TestStore.send` habit).
  mutating func expect(
    _ input: HostInput, _ expected: [HostEvent],
    sourceLocation: SourceLocation = #_sourceLocation,
    _ update: (inout HostState) throws -> Void
  ) rethrows {
    var wanted = state
    try update(&wanted)
    let decided = step(input, sourceLocation: sourceLocation)
    #expect(decided == expected, sourceLocation: sourceLocation)
    let differences = state.differences(from: wanted)
    #expect(
      differences.isEmpty, "state differs: \(differences.joined(separator: "; "))",
      sourceLocation: sourceLocation)
  }

  /// Steps `input` and expects exactly `expected` events and no state change.
  mutating func expect(
    _ input: HostInput, _ expected: [HostEvent],
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    expect(input, expected, sourceLocation: sourceLocation) { _ in }
  }

  /// Expects the host to have faulted with `fault` and to decide nothing for any input.
  func expectHalted(
    by fault: HostFault, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(state.fault == fault, sourceLocation: sourceLocation)
    let inputs: [HostInput] = [
      .runBus, .deliver(status: 0), .deliver(status: -11), .post(.requestOffers),
      .post(.unload), .resetMachine, .signalEvent(connectionID: 2), .dispatchBusNotifier,
      .realizeDevice(Fixtures.netvsc), .corruptRingIndices(Fixtures.ringGpadl),
    ]
    for input in inputs {
      #expect(HostModel.decide(state, input) == [], "\(input)", sourceLocation: sourceLocation)
    }
  }

  /// Folds every event from `HostState()` and compares with the live state.
  private func checkReplay(from before: HostState, sourceLocation: SourceLocation) {
    let replay = HostState.fold(events)
    let differences = replay.state.differences(from: state)
    #expect(
      differences.isEmpty, "replay differs: \(differences.joined(separator: "; "))",
      sourceLocation: sourceLocation)
    #expect(
      replay.violations.isEmpty,
      "violations: \(replay.violations.map { "\($0.seq): \($0.violation)" })",
      sourceLocation: sourceLocation)
    let invariants = state.invariantViolations()
    #expect(invariants.isEmpty, "invariants: \(invariants)", sourceLocation: sourceLocation)
    let transitions = HostState.transitionViolations(from: before, to: state)
    #expect(transitions.isEmpty, "transitions: \(transitions)", sourceLocation: sourceLocation)
  }
}

extension HostState {
  /// The stored properties whose values differ from `other`'s, each with both values.
  func differences(from other: HostState) -> [String] {
    guard self != other else { return [] }
    let mine = Mirror(reflecting: self).children
    let theirs = Mirror(reflecting: other).children
    var found: [String] = []
    for (left, right) in zip(mine, theirs)
    where String(describing: left.value) != String(describing: right.value) {
      found.append(
        "\(left.label ?? "?"): \(String(describing: left.value)) vs \(String(describing: right.value))"
      )
    }
    return found.isEmpty ? ["(equal descriptions, unequal values)"] : found
  }
}
