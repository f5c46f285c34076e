import VMBusHost

/// The exhaustive mode: every schedule of a scenario up to a depth, depth first.
///
/// Two reductions keep it tractable. States already visited (by hash of everything that
/// decides the future: host state, guest slot, guest kernel, actors) are not expanded again
/// unless reached higher up, where more of their future fits under the depth bound; this
/// collapses orders of commuting actions that meet in the same state. And an action
/// local to one actor (a wait taking its message, a sleep) commutes with all others, so it
/// is taken alone instead of branching (a persistent set of one). Properties are checked in
/// every state reached.
package struct Explorer {
  package struct Report: Sendable {
    /// States reached (each a scheduler step), revisits included.
    package var states: Int
    /// Distinct states (the visited set's size).
    package var distinctStates: Int
    /// Paths cut off at the depth bound.
    package var truncated: Int
    package var elapsed: Duration
    /// The first path to each distinct failure, as a case that replays it.
    package var failures: [(failure: FuzzFailure, fuzzCase: FuzzCase)]

    package var statesPerSecond: Double {
      let seconds =
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      return seconds > 0 ? Double(states) / seconds : 0
    }
  }

  package let scenario: Scenario
  package let depth: Int
  /// Stop after this many states (a safety bound for huge spaces).
  package let stateLimit: Int

  package init(scenario: Scenario, depth: Int, stateLimit: Int = 50_000_000) {
    // Schedules are explored; fault probabilities are not branched on, so they are off.
    var scenario = scenario
    scenario.faults = FaultSettings()
    scenario.regression = nil
    self.scenario = scenario
    self.depth = depth
    self.stateLimit = stateLimit
  }

  private struct Node {
    var simulation: Simulation<StateRecorder>
    var depth: Int
    /// Choice indices taken at each branching step, for replay.
    var path: [UInt32]
  }

  package func run() -> Report {
    run { (_, _) throws(Never) in }
  }

  /// Explores, telling `onFailure` each new distinct failure as soon as it is found (so a
  /// caller can store it before the exploration ends), with the case that replays it.
  package func run<E: Error>(
    onFailure: (FuzzFailure, FuzzCase) throws(E) -> Void
  ) throws(E) -> Report {
    let clock = ContinuousClock()
    let start = clock.now
    var root = Simulation<StateRecorder>(PreparedScenario(scenario), seed: 0)
    root.messageCache = MessageCache()
    root.begin()
    var stack = [Node(simulation: root, depth: 0, path: [])]
    var visited = VisitedSet()
    var states = 0
    var truncated = 0
    var failures: [(failure: FuzzFailure, fuzzCase: FuzzCase)] = []
    // Explored states hold no event history: a state's coarse failure (below) is replayed
    // once through the ordinary scheduler for its signature.
    var coarse = Set<CoarseFailure>()
    var signatures = Set<FailureSignature>()
    while var node = stack.popLast(), states < stateLimit {
      var branches = node.simulation.branches()
      // Local actions need no branching: take them in place.
      while let local = branches.firstIndex(where: node.simulation.isLocal) {
        // Recorded like any choice, so the path replays through the ordinary scheduler.
        if branches.count > 1 { node.path.append(UInt32(local)) }
        node.simulation.explore(branches[local])
        branches = node.simulation.branches()
      }
      if let found = check(node.simulation), coarse.insert(found).inserted {
        let fuzzCase = FuzzCase(
          scenario: scenario, seed: 0, choices: node.path, zeroAfterReplay: true)
        if let failure = PropertyChecker.check(fuzzCase.run()),
          signatures.insert(failure.signature).inserted
        {
          failures.append((failure, fuzzCase))
          try onFailure(failure, fuzzCase)
        }
      }
      guard !branches.isEmpty else { continue }
      guard node.depth < depth else {
        truncated += 1
        continue
      }
      let depth = node.depth + 1
      let path = node.path
      func push(_ simulation: consuming Simulation<StateRecorder>, taking index: Int) {
        var child = simulation
        child.explore(branches[index])
        states += 1
        guard visited.insert(child.explorationKey(), depth: depth) else { return }
        var childPath = path
        if branches.count > 1 { childPath.append(UInt32(index)) }
        stack.append(Node(simulation: child, depth: depth, path: childPath))
      }
      // Every branch but the first works on a copy; the first, pushed last, takes the node's
      // own simulation, whose lists it then changes in place instead of copying them.
      for index in branches.indices.dropFirst().reversed() {
        push(node.simulation, taking: index)
      }
      push((consume node).simulation, taking: 0)
    }
    return Report(
      states: states, distinctStates: visited.count, truncated: truncated,
      elapsed: clock.now - start, failures: failures)
  }

  /// What broke in an explored state, without the history a signature needs.
  private struct CoarseFailure: Hashable {
    var fault: HostFault?
    var invariant: Invariant?
    /// An owed hang at the end, or a reply posted twice.
    var outcome: Outcome?
    var bus: BusState
  }

  /// The generic properties in this state, coarsely: a fault, a broken invariant, an owed
  /// hang at the end.
  private func check(_ simulation: Simulation<StateRecorder>) -> CoarseFailure? {
    let state = simulation.decision.state
    if let fault = state.fault {
      return CoarseFailure(fault: fault, bus: state.bus)
    }
    if let broken = state.firstInvariantViolation {
      return CoarseFailure(invariant: broken.invariant, bus: state.bus)
    }
    if let outcome = simulation.finished,
      outcome.kind == .duplicateReply
        || (outcome.kind == .guestHang && outcome.owedReply != nil)
    {
      return CoarseFailure(outcome: outcome, bus: state.bus)
    }
    return nil
  }
}
