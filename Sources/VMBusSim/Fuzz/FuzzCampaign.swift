import Dispatch
import Synchronization
import VMBusHost

/// A fuzz campaign: many seeds over a set of scenarios, each seed a mutated scenario under
/// its own schedule; failures grouped by signature and, after the campaign, each group's
/// lowest seed shrunk (so the findings are the same whatever the number of workers).
public struct FuzzCampaign: Sendable {
  /// What a campaign runs.
  public struct Configuration: Sendable {
    public var scenarios: [Scenario]
    /// Overrides every scenario's host profile when set.
    public var profile: HostProfile?
    /// Overrides every scenario's QEMU release when set.
    public var qemuRelease: QEMURelease?
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
    /// What the mutator may make the guest do.
    public var guestInputs: GuestInputs

    public init(
      scenarios: [Scenario], profile: HostProfile? = nil, qemuRelease: QEMURelease? = nil,
      seedBase: UInt64 = 0,
      seedCount: UInt64? = 1_000, duration: Duration? = nil, jobs: Int = 1,
      shard: (index: UInt64, count: UInt64) = (0, 1), shrinkBudget: Int = 3_000,
      guestInputs: GuestInputs = .any
    ) {
      self.guestInputs = guestInputs
      self.scenarios = scenarios
      self.profile = profile
      self.qemuRelease = qemuRelease
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
    /// The lowest seed that failed with this signature (the one shrunk).
    public var firstSeed: UInt64
    /// The shrunk case, pinned to its choices.
    public var minimal: FuzzCase
    /// The minimal case's run.
    public var minimalRun: SimulationRun
    /// The minimal case's failure (same signature, its own details).
    public var minimalFailure: FuzzFailure
    /// Runs spent confirming and shrinking it.
    public var shrinkRuns: Int = 0
    /// How long the campaign ran before any worker first saw it (nil outside a campaign).
    public var timeToFirst: Duration?

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
    /// One group per signature, by lowest seed.
    public var failures: [FailureGroup]
    /// Runs that ended in a guest error: the guest broke the protocol and a correct host
    /// answers nothing either, so these are not failures.
    public var guestErrors: UInt64
    /// The seeds' wall-clock time (what ``runsPerSecond`` divides by).
    public var elapsed: Duration
    /// The wall-clock time spent re-checking and shrinking after the seeds.
    public var shrinkElapsed: Duration = .zero
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
      if let release = configuration.qemuRelease { scenario.host.qemuRelease = release }
      scenario.regression = nil
      return scenario
    }
  }

  /// The case a seed runs: a scenario chosen by the seed, mutated by it.
  public func fuzzCase(seed: UInt64) -> FuzzCase {
    let base = prepared[Int(seed % UInt64(max(prepared.count, 1)))]
    var mutator = ScenarioMutator(seed: seed, scenario: base, inputs: configuration.guestInputs)
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
    let seedsDone = clock.now
    let seen = tally.seen.values.sorted {
      ($0.lowestSeed, $0.failure.signature) < ($1.lowestSeed, $1.failure.signature)
    }
    let shrunk = Mutex([FailureGroup?](repeating: nil, count: seen.count))
    DispatchQueue.concurrentPerform(iterations: min(jobs, max(seen.count, 1))) { worker in
      for index in stride(from: worker, to: seen.count, by: jobs) {
        var group = group(for: fuzzCase(seed: seen[index].lowestSeed), failure: seen[index].failure)
        group.count = seen[index].count
        group.timeToFirst = seen[index].firstSeenAt - start
        shrunk.withLock { $0[index] = group }
      }
    }
    var report = Report(
      runs: tally.runs, failures: shrunk.withLock { $0.compactMap { $0 } },
      guestErrors: tally.guestErrors, elapsed: seedsDone - start,
      distinctStates: tally.states.estimate,
      timeToFirstFailure: tally.firstFailure.map { $0 - start })
    report.shrinkElapsed = clock.now - seedsDone
    return report
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
      tally.record(run: run, failure: PropertyChecker.check(run), seed: seed)
      if worker == 0 && clock.now - lastReport >= .milliseconds(250) {
        lastReport = clock.now
        progress(tally.progress(elapsed: clock.now - start))
      }
    }
  }

  /// A problem's lowest seed: check it fails the same way again, then shrink it.
  private func group(for fuzzCase: FuzzCase, failure: FuzzFailure) -> FailureGroup {
    let run = fuzzCase.run(transcript: true)
    let again = PropertyChecker.check(run)
    guard again == failure else {
      var signature = failure.signature
      signature.property = .nondeterminism
      let nondeterminism = FuzzFailure(
        signature: signature,
        detail:
          "seed \(fuzzCase.seed) failed with \(failure) then \(again.map(\.description) ?? "passed")",
        atSeq: nil)
      var group = FailureGroup(
        failure: nondeterminism, count: 1, firstSeed: fuzzCase.seed, minimal: fuzzCase,
        minimalRun: run, minimalFailure: nondeterminism)
      group.shrinkRuns = 1
      return group
    }
    var shrinker = Shrinker(
      signature: failure.signature, budget: configuration.shrinkBudget,
      inputs: configuration.guestInputs)
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
