import VMBusHost

/// The exhaustive mode: every schedule of a scenario up to a depth, depth first.
///
/// Two reductions keep it tractable. States already visited (by hash of everything that
/// decides the future: host state, guest slot, guest kernel, actors and how far off their
/// timers are) are not expanded again unless reached higher up, where more of their future
/// fits under the depth bound; this collapses orders of commuting actions that meet in the
/// same state. And a state is not expanded when one that differs only in how far off its
/// timers are had a subtree that never went idle (``CalmSubtrees``): the distances never
/// came into it. Every enabled action is a branch: none is taken alone as if it touched
/// nothing else (a waiting actor that takes its message runs the guest code after the wait,
/// which changes the kernel, locks, links and the slot that others read). Properties are checked
/// at every event, as a fuzz run's are, and at the end of every run.
package struct Explorer {
  package struct Report: Sendable {
    /// States reached (each a scheduler step), revisits included.
    package var states: Int
    /// Distinct states (the visited set's size).
    package var distinctStates: Int
    /// Paths cut off at the depth bound.
    package var truncated: Int
    /// States reached and not expanded because a calm subtree covered them
    /// (``CalmSubtrees``): they differed from its root only in how far off their timers were.
    package var covered = 0
    /// The exploration stopped at its state limit with schedules up to the depth still
    /// unexplored: no failure found means none up to the limit, not up to the depth.
    package var stoppedAtStateLimit = false
    /// A path ran past the scenario's `max_time`. The key leaves absolute time out: of two
    /// states that agree on it, the one reached first is expanded, and when it was the
    /// later in virtual time, the limit may have cut short schedules the earlier one had
    /// room for. With no path at the limit, no schedule was cut, and the merge lost nothing.
    package var reachedTimeLimit = false
    /// Failures seen in an explored state whose path, replayed through the ordinary
    /// scheduler, did not break what the explorer saw break (no property, or another
    /// signature): always 0 unless the explorer and the scheduler disagree, which is a bug in
    /// this tool, not in the host.
    package var unreproduced: Int
    /// The time spent exploring: the caller's handling of each failure (`onFailure`) is not
    /// counted.
    package var elapsed: Duration
    /// The first path to each distinct failure, as a case that replays it.
    package var failures: [(failure: FuzzFailure, fuzzCase: FuzzCase)]
    /// The explored runs that ended in a guest error, by the rule the guest broke: how many,
    /// and the first path to one, as a case that replays it.
    package var guestErrorRules: [RootCause: GuestErrorPaths] = [:]

    package var statesPerSecond: Double {
      let seconds =
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      return seconds > 0 ? Double(states) / seconds : 0
    }
  }

  /// The explored runs that ended in a guest error for one rule.
  package struct GuestErrorPaths: Sendable {
    /// Runs (paths to a final state) that ended so; a state reached again is not expanded
    /// again, so this counts distinct ends, not schedules.
    package var count: Int
    package var first: FuzzCase
  }

  /// Where an exploration stands, for a status line.
  package struct Progress: Sendable {
    package var states = 0
    package var distinctStates = 0
    package var truncated = 0
    package var failures = 0
    package var elapsed: Duration = .zero
  }

  package let scenario: Scenario
  package let depth: Int
  /// Stop after this many states (a safety bound for huge spaces).
  package let stateLimit: Int
  package static var defaultStateLimit: Int { 50_000_000 }
  /// The depth a caller explores to unless told otherwise: deep enough for every bundled
  /// scenario's findings, and every one's exploration completes (the longest, the kexec
  /// restart's, in about 3 s).
  package static var defaultDepth: Int { 40 }

  /// Whether a state is left unexpanded when a calm subtree covers it (``CalmSubtrees``).
  /// Off, the exploration expands every state whose exact key is new: the reference the
  /// tests hold the reduction to.
  package let reusesCalmSubtrees: Bool

  package init(
    scenario: Scenario, depth: Int, stateLimit: Int = Explorer.defaultStateLimit,
    reusesCalmSubtrees: Bool = true
  ) {
    // A fault probability (busy slot, missing message page) that can go either way makes
    // each delivery attempt a branch per outcome.
    var scenario = scenario
    scenario.regression = nil
    self.scenario = scenario
    self.depth = depth
    self.stateLimit = stateLimit
    self.reusesCalmSubtrees = reusesCalmSubtrees
  }

  private struct Node {
    var simulation: Simulation<StateRecorder>
    var depth: Int
    /// Its subtree's frame in ``CalmSubtrees``.
    var frame: Int32
    /// The length of the parent's path: the prefix of the shared path that is still the
    /// parent's when this node is popped (see `run`).
    var parentPathLength: Int
    /// The choice index that led here from the parent, when the parent branched.
    var choice: UInt32?
    /// What the step from the parent drew besides (a delivery attempt's fault outcomes).
    var draws = DeliveryDraws()
  }

  package func run() -> Report {
    run { (_, _) throws(Never) in }
  }

  /// Explores, telling `onFailure` each new distinct failure as soon as it is found (so a
  /// caller can store it before the exploration ends), with the case that replays it, and
  /// `progress` where it stands: at the start, then about four times a second. The time
  /// `onFailure` takes (a caller may shrink and store the case) is left out of `elapsed`.
  package func run<E: Error>(
    progress: (Progress) -> Void = { _ in },
    onFailure: (FuzzFailure, FuzzCase) throws(E) -> Void
  ) throws(E) -> Report {
    let clock = ContinuousClock()
    let start = clock.now
    var lastReport = start
    var handling = Duration.zero
    var root = Simulation<StateRecorder>(PreparedScenario(scenario), seed: 0)
    root.messageCache = MessageCache()
    root.begin()
    var calm = CalmSubtrees(rootUntimedKey: root.explorationKeys().untimed)
    var stack = [
      Node(
        simulation: root, depth: 0, frame: CalmSubtrees.root, parentPathLength: 0, choice: nil)
    ]
    // The choice indices taken at each branching step, for replay, of the node being
    // expanded. One array for the whole search instead of one per node: depth first, every
    // node popped between a node's push and its own pop descends from its parent, so none
    // shortens the path below the parent's length, and the parent's prefix is intact.
    var path: [UInt32] = []
    var eventBuffer: [HostEvent] = []
    let faults = scenario.faults
    let drawsFaults =
      ChoiceSource.drawsChance(faults.slotBusy)
      || ChoiceSource.drawsChance(faults.messagePageMissing)
    var visited = VisitedSet()
    var states = 0
    var truncated = 0
    var covered = 0
    var unreproduced = 0
    var failures: [(failure: FuzzFailure, fuzzCase: FuzzCase)] = []
    var guestErrorRules: [RootCause: GuestErrorPaths] = [:]
    /// Counts a run that ended in a guest error; replays the first path to each rule through
    /// the ordinary scheduler, which must end the same way.
    func noteGuestError(_ outcome: Outcome, _ choices: [UInt32]) {
      let rule = outcome.rootCause ?? .unattributedGuestError
      if guestErrorRules[rule] != nil {
        guestErrorRules[rule]?.count += 1
        return
      }
      let fuzzCase = FuzzCase(scenario: scenario, seed: 0, choices: choices, zeroAfterReplay: true)
      let replayed = fuzzCase.run().outcome
      guard replayed.kind == .guestError, replayed.rootCause == rule else {
        unreproduced += 1
        return
      }
      guestErrorRules[rule] = GuestErrorPaths(count: 1, first: fuzzCase)
    }
    // Explored states hold no event history: the first path to each candidate failure
    // (below) is replayed once through the ordinary scheduler, which confirms it.
    var candidates = Set<Candidate>()
    var signatures = Set<FailureSignature>()
    func report() {
      progress(
        Progress(
          states: states, distinctStates: visited.count, truncated: truncated,
          failures: failures.count, elapsed: lastReport - start - handling))
    }
    report()
    /// Replays `choices` through the ordinary scheduler for the failure, the first time
    /// `found` is seen.
    func confirm(_ found: Candidate, _ choices: [UInt32]) throws(E) {
      guard candidates.insert(found).inserted else { return }
      let fuzzCase = FuzzCase(scenario: scenario, seed: 0, choices: choices, zeroAfterReplay: true)
      let run = fuzzCase.run()
      // The replay must break what the explorer saw break, whatever inputs it took; a path
      // that broke it through an input QEMU never receives agrees, and is no QEMU failure.
      if PropertyChecker.firstBrokenProperty(run)?.signature != found.signature {
        unreproduced += 1
      }
      guard let failure = PropertyChecker.check(run),
        signatures.insert(failure.signature).inserted
      else { return }
      failures.append((failure, fuzzCase))
      let handed = clock.now
      defer { handling += clock.now - handed }
      try onFailure(failure, fuzzCase)
    }
    // What broke in this expansion's steps, confirmed once the expansion is done.
    var breaches: [(Candidate, [UInt32])] = []
    var popped = 0
    var stopped = false
    var reachedTimeLimit = false
    let maxTime = scenario.limits.maxTime
    while var node = stack.popLast() {
      // The clock is read once every 1,024 nodes, a few milliseconds of work.
      popped &+= 1
      if popped & 0x3FF == 0, clock.now - lastReport >= .milliseconds(250) {
        lastReport = clock.now
        report()
      }
      path.removeSubrange(node.parentPathLength...)
      if let choice = node.choice { path.append(choice) }
      node.draws.append(to: &path)
      let frame = node.frame
      var wentIdle = false
      let branches = node.simulation.branches(eventBuffer: &eventBuffer, wentIdle: &wentIdle)
      if wentIdle { calm.disturb(frame) }
      if node.simulation.now > maxTime { reachedTimeLimit = true }
      if let found = Self.check(node.simulation) {
        try confirm(found, path)
        // A run that broke a property is not continued, as in `reach`.
        if node.simulation.decision.monitor.hasFinding {
          calm.close(frame)
          continue
        }
      }
      guard !branches.isEmpty else {
        if let outcome = node.simulation.finished, outcome.kind == .guestError {
          noteGuestError(outcome, path)
        }
        calm.close(frame)
        continue
      }
      guard node.depth < self.depth else {
        truncated += 1
        calm.close(frame)
        continue
      }
      // At the limit, the states already reached are still checked; none is expanded.
      guard states < stateLimit else {
        stopped = true
        calm.disturb(frame)
        calm.close(frame)
        continue
      }
      let depth = node.depth + 1
      let pathLength = path.count
      let branched = branches.count > 1
      /// Takes `action` in `simulation`; the key without timers of the state it reaches when
      /// that state's future is to be explored: not seen before (or only deeper), nor
      /// covered by a calm subtree.
      func reach(
        _ action: Action, choice: UInt32?, drawing draws: DeliveryDraws,
        in simulation: inout Simulation<StateRecorder>
      ) -> Int? {
        simulation.explore(action, drawing: draws, eventBuffer: &eventBuffer)
        states += 1
        // What broke inside the step (an illegal transition, an invariant broken between two
        // of its events) belongs to the path, not to the state it reaches, so it is checked
        // here. A run that broke a property is not continued, nor remembered: the same state
        // reached without the breach is still to be explored.
        if simulation.decision.monitor.hasFinding, let finding = simulation.decision.monitor.first {
          let found = Candidate(PropertyChecker.failure(finding), simulation)
          if !candidates.contains(found) {
            var choices = path
            if let choice { choices.append(choice) }
            draws.append(to: &choices)
            breaches.append((found, choices))
          }
          return nil
        }
        let keys = simulation.explorationKeys()
        // Before the visited set: a state that a calm subtree covers leaves this subtree
        // calm, where a state merely reached before would not.
        if reusesCalmSubtrees && calm.covers(keys.untimed, depth: depth) {
          covered += 1
          return nil
        }
        guard visited.insert(keys.full, depth: depth) else {
          // Its future is another subtree's, which may yet go idle, or did.
          calm.disturb(frame)
          return nil
        }
        return keys.untimed
      }
      /// Takes `action` in `child`, a copy of the node's run, and keeps it to expand when
      /// that reaches a new state.
      func push(_ child: consuming Node, taking action: Action) {
        guard
          let untimed = reach(
            action, choice: child.choice, drawing: child.draws, in: &child.simulation)
        else { return }
        child.frame = calm.open(parent: frame, untimedKey: untimed, depth: depth)
        stack.append(child)
      }
      // Every branch but the first works on a copy of the run; the first, pushed last, is
      // taken in the node itself, which needs none.
      var firstDraws = DeliveryDraws()
      if drawsFaults {
        // Each outcome of a delivery attempt's fault draws is a branch of its own.
        for index in branches.indices.reversed() {
          var outcomes = DeliveryOutcomes.undrawn
          if case .deliver = branches[index] { outcomes = node.simulation.deliveryDrawOutcomes() }
          for outcome in outcomes.indices.reversed() where index > 0 || outcome > 0 {
            push(
              Node(
                simulation: node.simulation, depth: depth, frame: frame,
                parentPathLength: pathLength, choice: branched ? UInt32(index) : nil,
                draws: outcomes[outcome]),
              taking: branches[index])
          }
          if index == 0 { firstDraws = outcomes[0] }
        }
      } else {
        for index in branches.indices.dropFirst().reversed() {
          push(
            Node(
              simulation: node.simulation, depth: depth, frame: frame,
              parentPathLength: pathLength, choice: UInt32(index)),
            taking: branches[index])
        }
      }
      node.depth = depth
      node.parentPathLength = pathLength
      node.choice = branched ? 0 : nil
      node.draws = firstDraws
      if let untimed = reach(
        branches[0], choice: node.choice, drawing: firstDraws, in: &node.simulation)
      {
        node.frame = calm.open(parent: frame, untimedKey: untimed, depth: depth)
        stack.append(consume node)
      }
      // No child to wait for: the subtree is done now.
      if !calm.hasPendingChildren(frame) { calm.close(frame) }
      for (found, choices) in breaches { try confirm(found, choices) }
      breaches.removeAll(keepingCapacity: true)
    }
    return Report(
      states: states, distinctStates: visited.count, truncated: truncated, covered: covered,
      stoppedAtStateLimit: stopped, reachedTimeLimit: reachedTimeLimit, unreproduced: unreproduced,
      elapsed: clock.now - start - handling, failures: failures, guestErrorRules: guestErrorRules)
  }

  /// What broke on a path: the signature a replay of it should report, read from the fold
  /// monitor's finding or the run's end (both hold all a signature reads), and whether the
  /// path took an input QEMU never receives. The first path to each is replayed through the
  /// ordinary scheduler, which confirms it and leaves out a failure resting on such an
  /// input; a path without one that breaks the same way is still replayed.
  private struct Candidate: Hashable {
    var signature: FailureSignature
    var beyondQEMU: Bool

    init(_ failure: FuzzFailure, _ simulation: Simulation<StateRecorder>) {
      signature = failure.signature
      beyondQEMU = simulation.tookInputBeyondQEMU
    }
  }

  /// What broke in a state taken off the stack: what the fold monitor found (in the root's
  /// start, or in timers fired while listing its branches: a step that breaks something is
  /// not pushed), or an owed hang at the end, or a reply posted twice.
  private static func check(_ simulation: Simulation<StateRecorder>) -> Candidate? {
    if let finding = simulation.decision.monitor.first {
      return Candidate(PropertyChecker.failure(finding), simulation)
    }
    guard let outcome = simulation.finished,
      let failure = PropertyChecker.failure(
        outcome: outcome, bus: simulation.decision.state.bus,
        lastMainPoint: simulation.decision.monitor.lastMainPoint)
    else { return nil }
    return Candidate(failure, simulation)
  }
}
