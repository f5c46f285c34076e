import Dispatch
import VMBusHost

/// A fuzz campaign: many seeds over a set of scenarios, each seed a mutated scenario under
/// its own schedule; failures grouped by signature, each group's first case shrunk.
public struct FuzzCampaign: Sendable {
  /// What a campaign runs.
  public struct Configuration: Sendable {
    public var scenarios: [Scenario]
    /// Overrides every scenario's host profile when set.
    public var profile: HostProfile?
    public var seedBase: UInt64
    /// Stop after this many seeds (nil: only the deadline stops it).
    public var seedCount: UInt64?
    /// Stop when this much wall-clock time has passed (nil: only the seed count stops it).
    public var duration: Duration?
    /// Worker threads on this machine.
    public var jobs: Int
    /// This process's share of the seed space: seeds with `seed % count == index`.
    public var shard: (index: UInt64, count: UInt64)
    /// Runs each new failure's shrinking may spend.
    public var shrinkBudget: Int

    public init(
      scenarios: [Scenario], profile: HostProfile? = nil, seedBase: UInt64 = 0,
      seedCount: UInt64? = 1_000, duration: Duration? = nil, jobs: Int = 1,
      shard: (index: UInt64, count: UInt64) = (0, 1), shrinkBudget: Int = 3_000
    ) {
      self.scenarios = scenarios
      self.profile = profile
      self.seedBase = seedBase
      self.seedCount = seedCount
      self.duration = duration
      self.jobs = max(jobs, 1)
      self.shard = shard
      self.shrinkBudget = shrinkBudget
    }
  }

  /// One distinct problem: how often it was seen and its minimal case.
  public struct FailureGroup: Sendable {
    public var failure: FuzzFailure
    public var count: Int
    public var firstSeed: UInt64
    /// The shrunk case, pinned to its choices.
    public var minimal: FuzzCase
    /// The minimal case's run.
    public var minimalRun: SimulationRun
    /// The minimal case's failure (same signature, its own details).
    public var minimalFailure: FuzzFailure
    /// Runs spent confirming and shrinking it.
    public var shrinkRuns: Int = 0

    public init(
      failure: FuzzFailure, count: Int, firstSeed: UInt64, minimal: FuzzCase,
      minimalRun: SimulationRun, minimalFailure: FuzzFailure
    ) {
      self.failure = failure
      self.count = count
      self.firstSeed = firstSeed
      self.minimal = minimal
      self.minimalRun = minimalRun
      self.minimalFailure = minimalFailure
    }
  }

  /// Counters for live progress.
  public struct Progress: Sendable {
    public var runs: UInt64 = 0
    public var distinctStates = 0
    public var distinctFailures = 0
    public var elapsed: Duration = .zero
  }

  public struct Report: Sendable {
    public var runs: UInt64
    public var failures: [FailureGroup]
    public var elapsed: Duration
    public var distinctStates: Int
    /// How long the campaign ran before its first failure.
    public var timeToFirstFailure: Duration?

    /// Runs spent re-checking and shrinking new failures (not counted in ``runs``).
    public var shrinkRuns: Int { failures.reduce(0) { $0 + $1.shrinkRuns } }

    public var runsPerSecond: Double {
      let seconds =
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      return seconds > 0 ? Double(runs) / seconds : 0
    }
  }

  public let configuration: Configuration
  private let prepared: [Scenario]

  public init(_ configuration: Configuration) {
    self.configuration = configuration
    prepared = configuration.scenarios.map { scenario in
      var scenario = scenario
      if let profile = configuration.profile { scenario.host.profile = profile }
      scenario.regression = nil
      return scenario
    }
  }

  /// The case a seed runs: a scenario chosen by the seed, mutated by it.
  public func fuzzCase(seed: UInt64) -> FuzzCase {
    let base = prepared[Int(seed % UInt64(max(prepared.count, 1)))]
    var mutator = ScenarioMutator(seed: seed, scenario: base)
    return FuzzCase(scenario: mutator.mutate(base), seed: seed)
  }

  /// Runs the campaign; `progress` is called from time to time with the running totals.
  public func run(progress: @Sendable (Progress) -> Void = { _ in }) -> Report {
    let clock = ContinuousClock()
    let start = clock.now
    let shared = SharedTally()
    let jobs = configuration.jobs
    DispatchQueue.concurrentPerform(iterations: jobs) { worker in
      runWorker(worker, of: jobs, start: start, clock: clock, tally: shared, progress: progress)
    }
    let tally = shared.snapshot()
    let groups = tally.groups.values.sorted { $0.firstSeed < $1.firstSeed }
    return Report(
      runs: tally.runs, failures: groups, elapsed: clock.now - start,
      distinctStates: tally.states.estimate,
      timeToFirstFailure: tally.firstFailure.map { $0 - start })
  }

  private func runWorker(
    _ worker: Int, of jobs: Int, start: ContinuousClock.Instant, clock: ContinuousClock,
    tally: SharedTally, progress: @Sendable (Progress) -> Void
  ) {
    let shard = configuration.shard
    var index = UInt64(worker)
    var lastReport = clock.now
    var compiledSteps = CompiledStepCache()
    let messages = MessageCache()
    while true {
      if let count = configuration.seedCount, index >= count { return }
      if let duration = configuration.duration, clock.now - start >= duration { return }
      let seed = configuration.seedBase &+ (index &* shard.count &+ shard.index)
      index += UInt64(jobs)
      let fuzzCase = fuzzCase(seed: seed)
      let run = fuzzCase.run(reusing: &compiledSteps, messages: messages)
      let failure = PropertyChecker.check(run)
      let isNew = tally.record(run: run, failure: failure, seed: seed)
      if let failure, isNew {
        tally.add(group(for: fuzzCase, run: run, failure: failure), for: failure.signature)
      }
      if worker == 0 && clock.now - lastReport >= .milliseconds(250) {
        lastReport = clock.now
        progress(tally.progress(elapsed: clock.now - start))
      }
    }
  }

  /// A new problem: check the seed fails the same way again, then shrink it.
  private func group(for fuzzCase: FuzzCase, run: SimulationRun, failure: FuzzFailure)
    -> FailureGroup
  {
    let again = PropertyChecker.check(fuzzCase.run())
    guard again == failure else {
      let nondeterminism = FuzzFailure(
        property: .nondeterminism, signature: "nondeterminism \(failure.signature)",
        detail:
          "seed \(fuzzCase.seed) failed with \(failure) then \(again.map(\.description) ?? "passed")",
        atSeq: nil)
      return FailureGroup(
        failure: nondeterminism, count: 1, firstSeed: fuzzCase.seed, minimal: fuzzCase,
        minimalRun: run, minimalFailure: nondeterminism)
    }
    var shrinker = Shrinker(signature: failure.signature, budget: configuration.shrinkBudget)
    let minimal = shrinker.shrink(fuzzCase)
    let minimalRun = minimal.run(transcript: true)
    let minimalFailure = PropertyChecker.check(minimalRun) ?? failure
    var group = FailureGroup(
      failure: failure, count: 1, firstSeed: fuzzCase.seed, minimal: minimal,
      minimalRun: minimalRun, minimalFailure: minimalFailure)
    group.shrinkRuns = shrinker.runs + 2
    return group
  }
}
