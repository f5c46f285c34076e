import Dispatch
import Synchronization
import VMBusHost

/// A fuzz campaign: many seeds over a set of scenarios, each seed a mutated scenario under
/// its own schedule; failures grouped by signature and, after the campaign, each group's
/// lowest seed shrunk (so the findings are the same whatever the number of workers).
package struct FuzzCampaign: Sendable {
  /// What a campaign runs.
  package struct Configuration: Sendable {
    package var scenarios: [Scenario]
    /// Overrides every scenario's host profile when set.
    package var profile: HostProfile?
    /// Overrides every scenario's QEMU release when set.
    package var qemuRelease: QEMURelease?
    package var seedBase: UInt64
    /// Stop after this many seeds (nil: only the deadline stops it).
    package var seedCount: UInt64?
    /// Stop when this much wall-clock time has passed (nil: only the seed count stops it).
    package var duration: Duration?
    /// Worker threads on this machine.
    package var jobs: Int
    /// This process's share of the seed space: seeds with `seed % count == index`.
    package var shard: (index: UInt64, count: UInt64)
    /// Runs each new failure's shrinking may spend.
    package var shrinkBudget: Int
    /// What the mutator may make the guest do.
    package var guestInputs: GuestInputs

    package init(
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
  package struct FailureGroup: Sendable {
    package var failure: FuzzFailure
    package var count: Int
    /// The lowest seed that failed with this signature (the one shrunk).
    package var firstSeed: UInt64
    /// The shrunk case, pinned to its choices.
    package var minimal: FuzzCase
    /// The minimal case's run.
    package var minimalRun: SimulationRun
    /// The minimal case's failure (same signature, its own details).
    package var minimalFailure: FuzzFailure
    /// Runs spent confirming and shrinking it.
    package var shrinkRuns: Int = 0
    /// How long the campaign ran before any worker first saw it (nil outside a campaign).
    package var timeToFirst: Duration?

    package init(
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
  package struct Progress: Sendable {
    package var runs: UInt64 = 0
    package var distinctStates = 0
    package var distinctFailures = 0
    package var elapsed: Duration = .zero
  }

  package struct Report: Sendable {
    package var runs: UInt64
    /// One group per signature, by lowest seed.
    package var failures: [FailureGroup]
    /// Runs that ended in a guest error: the guest broke the protocol and a correct host
    /// answers nothing either, so these are not failures.
    package var guestErrors: UInt64
    /// The guest errors by the rule the guest broke.
    package var guestErrorRules: [RootCause: Tally] = [:]
    /// The wall-clock time until every seed had run (shrinking on the way included).
    package var elapsed: Duration
    /// The time spent re-checking and shrinking: the workers' shrinking shared among them,
    /// plus what was left after the seeds.
    package var shrinkElapsed: Duration = .zero
    /// The part of ``shrinkElapsed`` spent while seeds ran (``runsPerSecond`` leaves it out).
    package var shrinkDuringSeeds: Duration = .zero
    package var distinctStates: Int
    /// How long the campaign ran before its first failure.
    package var timeToFirstFailure: Duration?
    /// Seed indices a resumed campaign's checkpoint covered (counted in ``runs``).
    package var resumedSeeds: UInt64 = 0
    /// Runs made by this process: ``runs`` less ``resumedSeeds``.
    package var runsThisProcess: UInt64 = 0

    /// Runs spent re-checking and shrinking new failures (not counted in ``runs``).
    package var shrinkRuns: Int { failures.reduce(0) { $0 + $1.shrinkRuns } }

    /// This process's seeds per second of seed time (wall clock less shrinking).
    package var runsPerSecond: Double {
      let seedTime = elapsed - shrinkDuringSeeds
      let seconds =
        Double(seedTime.components.seconds) + Double(seedTime.components.attoseconds) / 1e18
      return seconds > 0 ? Double(runsThisProcess) / seconds : 0
    }
  }

  package let configuration: Configuration
  private let prepared: [Scenario]

  package init(_ configuration: Configuration) {
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
  package func fuzzCase(seed: UInt64) -> FuzzCase {
    let base = prepared[Int(seed % UInt64(max(prepared.count, 1)))]
    var mutator = ScenarioMutator(seed: seed, scenario: base, inputs: configuration.guestInputs)
    return FuzzCase(scenario: mutator.mutate(base), seed: seed)
  }

  /// Runs the campaign; `progress` is called from time to time with the running totals.
  package func run(progress: @Sendable (Progress) -> Void = { _ in }) -> Report {
    run(into: DiscardingSink(), progress: progress)
  }

  /// Runs the campaign from `resume` (or from its first seed), handing `sink` each minimal
  /// case as soon as it is shrunk and a checkpoint at least every second; the first error
  /// the sink throws stops the workers and is thrown.
  ///
  /// Seeds are handed out in blocks of consecutive indices; a failure whose seed is the
  /// lowest of its signature so far is shrunk at once, on the worker that ran it (a lower
  /// seed found later is shrunk again and replaces it), so the final findings are the same
  /// whatever the number of workers and wherever a killed campaign was resumed.
  package func run<Sink: FuzzCampaignSink>(
    resuming resume: Resume? = nil, into sink: Sink,
    progress: @Sendable (Progress) -> Void = { _ in }
  ) throws(Sink.Failure) -> Report {
    let clock = ContinuousClock()
    let start = clock.now
    let ledger = CampaignLedger(resume: resume, now: start)
    let committer = Committer(sink: sink, ledger: ledger, shrunk: resume?.shrunk ?? [:])
    let resumed = resume?.checkpoint.seedsDone ?? 0
    let jobs = configuration.jobs
    let shrinkTime = Mutex(Duration.zero)
    // Lowest seeds a killed campaign counted but had not shrunk yet.
    try shrinkUnshrunk(
      resume?.checkpoint ?? Checkpoint(), committer: committer, ledger: ledger, start: start)
    DispatchQueue.concurrentPerform(iterations: jobs) { worker in
      let spent = runWorker(
        worker, start: start, clock: clock, ledger: ledger, committer: committer,
        resumed: resumed, progress: progress)
      shrinkTime.withLock { $0 += spent }
    }
    if let failure = committer.failure { throw failure }
    let seedsDone = clock.now
    let final = ledger.final()
    let endShrinkStart = clock.now
    try shrinkUnshrunk(final.checkpoint, committer: committer, ledger: ledger, start: start)
    if !final.checkpoint.guestErrorRules.isEmpty {
      // The rules' counts are committed before their cases, which name them.
      try committer.commit(final.checkpoint, finished: false)
      try shrinkGuestErrorCases(
        final.checkpoint.guestErrorRules, done: resume?.guestErrorCases ?? [:],
        committer: committer)
    }
    try committer.commit(final.checkpoint, finished: true)
    // The seeds' time is the wall clock less the workers' shrinking, shared among them.
    let shrinking = shrinkTime.withLock { $0 } / jobs
    let groups = committer.groups
    var report = Report(
      runs: resumed + final.runs,
      failures: final.checkpoint.tallies.compactMap { signature, tally in
        guard var group = groups[signature] else { return nil }
        group.count = tally.count
        group.timeToFirst = final.firstSeen[signature].map { $0 - start }
        return group
      }.sorted {
        ($0.firstSeed, $0.failure.signature) < ($1.firstSeed, $1.failure.signature)
      },
      guestErrors: final.checkpoint.guestErrors, elapsed: seedsDone - start,
      distinctStates: final.states.estimate,
      timeToFirstFailure: final.firstFailure.map { $0 - start })
    report.guestErrorRules = final.checkpoint.guestErrorRules
    report.runsThisProcess = final.runs
    report.resumedSeeds = resumed
    report.shrinkDuringSeeds = shrinking
    report.shrinkElapsed = shrinking + (clock.now - endShrinkStart)
    return report
  }

  /// Seed indices a worker claims at a time: few enough that the watermark stays close
  /// behind the fastest worker, enough that the ledger's lock is rarely taken.
  static let blockSize: UInt64 = 16

  /// Every run's events are checked as the live fold applies them; one run in this many is
  /// also refolded from scratch (fold equals live), as is every failure before it is reported.
  static let refoldEvery: UInt64 = 16

  /// Runs blocks of seeds until none are left, the deadline passes or the sink fails;
  /// returns the time this worker spent shrinking (which the deadline does not count).
  private func runWorker<Sink: FuzzCampaignSink>(
    _ worker: Int, start: ContinuousClock.Instant, clock: ContinuousClock,
    ledger: CampaignLedger, committer: Committer<Sink>, resumed: UInt64,
    progress: @Sendable (Progress) -> Void
  ) -> Duration {
    let shard = configuration.shard
    var lastReport = clock.now
    var compiledSteps = CompiledStepCache()
    let messages = MessageCache()
    var shrinking = Duration.zero
    var expired: Bool {
      guard let duration = configuration.duration else { return false }
      return clock.now - start - shrinking >= duration
    }
    while !expired,
      let indices = ledger.claimBlock(size: Self.blockSize, limit: configuration.seedCount)
    {
      var block = CampaignLedger.Block(start: indices.lowerBound)
      for index in indices {
        if expired { break }
        let seed = configuration.seedBase &+ (index &* shard.count &+ shard.index)
        let fuzzCase = fuzzCase(seed: seed)
        let run = fuzzCase.run(reusing: &compiledSteps, messages: messages)
        block.end = index + 1
        block.digests.append(run.finalState.digest.finalized)
        if run.outcome.kind == .guestError {
          block.recordGuestError(run.outcome.rootCause ?? .unattributedGuestError, seed: seed)
        }
        guard let failure = PropertyChecker.check(run, refold: index % Self.refoldEvery == 0)
        else { continue }
        block.record(failure, seed: seed)
        guard ledger.claimShrink(failure.signature, seed: seed, now: clock.now) else { continue }
        let shrinkStart = clock.now
        var group = group(for: fuzzCase, failure: failure)
        group.timeToFirst = ledger.firstSeen(failure.signature).map { $0 - start }
        shrinking += clock.now - shrinkStart
        guard committer.found(group, tallied: failure.signature) else {
          ledger.stop()
          return shrinking
        }
      }
      if ledger.complete(block, now: clock.now) {
        guard committer.commitWatermark() else {
          ledger.stop()
          return shrinking
        }
      }
      if worker == 0 && clock.now - lastReport >= .milliseconds(250) {
        lastReport = clock.now
        progress(ledger.progress(elapsed: clock.now - start, resumed: resumed))
      }
    }
    return shrinking
  }

  /// Shrinks each signature of `checkpoint` whose lowest seed has no stored minimal case
  /// yet (a resumed campaign's, or one a failed commit left).
  private func shrinkUnshrunk<Sink: FuzzCampaignSink>(
    _ checkpoint: Checkpoint, committer: Committer<Sink>, ledger: CampaignLedger,
    start: ContinuousClock.Instant
  ) throws(Sink.Failure) {
    for (signature, tally) in checkpoint.tallies.sorted(by: { $0.key < $1.key })
    where !committer.hasShrunk(signature, seed: tally.lowestSeed) {
      let fuzzCase = fuzzCase(seed: tally.lowestSeed)
      let failure =
        PropertyChecker.check(fuzzCase.run()).flatMap { $0.signature == signature ? $0 : nil }
        ?? FuzzFailure(
          signature: signature,
          detail: "seed \(tally.lowestSeed) failed with \(signature) before the campaign resumed",
          atSeq: nil)
      _ = ledger.claimShrink(signature, seed: tally.lowestSeed, now: start)
      guard committer.found(group(for: fuzzCase, failure: failure), tallied: signature) else {
        break
      }
    }
    if let failure = committer.failure { throw failure }
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

/// A guest error's lowest seed shrunk to a case that breaks the same rule: what `fuzz`
/// stores so that a reader can replay why the oracle called a run the guest's fault.
extension FuzzCampaign {
  package struct GuestErrorCase: Sendable {
    package var rule: RootCause
    package var tally: Tally
    /// The shrunk case, pinned to its choices, and its run (with a transcript).
    package var minimal: FuzzCase
    package var minimalRun: SimulationRun
  }

  /// Shrinks each rule's lowest seed (but those whose case a resumed campaign already
  /// stored) on up to `jobs` threads, taking the rules in order, and hands each case to the
  /// sink as soon as it is shrunk. The cases are the same whatever the number of threads;
  /// only the order the sink takes them in varies.
  private func shrinkGuestErrorCases<Sink: FuzzCampaignSink>(
    _ rules: [RootCause: Tally], done: [RootCause: UInt64], committer: Committer<Sink>
  ) throws(Sink.Failure) {
    let pending = rules.sorted { $0.key < $1.key }.filter { done[$0.key] != $0.value.lowestSeed }
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: min(configuration.jobs, pending.count)) { _ in
      while true {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        guard index < pending.count else { return }
        guard let found = guestErrorCase(pending[index].key, pending[index].value) else {
          continue
        }
        guard committer.guestErrorCase(found) else { return }
      }
    }
    if let failure = committer.failure { throw failure }
  }

  /// The lowest seed of `rule`, shrunk (see ``FuzzCase/shrunk(toGuestError:budget:inputs:)``).
  package func guestErrorCase(_ rule: RootCause, _ tally: Tally) -> GuestErrorCase? {
    guard
      let (minimal, run) = fuzzCase(seed: tally.lowestSeed).shrunk(
        toGuestError: rule, budget: configuration.shrinkBudget,
        inputs: configuration.guestInputs)
    else { return nil }
    return GuestErrorCase(rule: rule, tally: tally, minimal: minimal, minimalRun: run)
  }
}
