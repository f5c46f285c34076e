import Synchronization
import VMBusHost

/// The campaign's totals, shared by its worker threads behind a mutex.
final class SharedTally: Sendable {
  /// One signature seen during the campaign: how often, and its lowest seed's failure.
  struct Seen {
    var count: Int
    var lowestSeed: UInt64
    var failure: FuzzFailure
    /// When a worker first saw the signature (wall clock: depends on the machine).
    var firstSeenAt: ContinuousClock.Instant
  }

  struct Tally {
    var runs: UInt64 = 0
    var states = DistinctCounter()
    /// Runs that ended in a guest error (not failures: the guest broke the protocol).
    var guestErrors: UInt64 = 0
    var seen: [FailureSignature: Seen] = [:]
    /// When the first failure of the campaign was seen.
    var firstFailure: ContinuousClock.Instant?
  }

  private let tally = Mutex(Tally())

  /// Counts a run, and its failure under its signature, keeping the lowest seed of each
  /// signature (whichever worker ran it), so the findings do not depend on the jobs count.
  func record(run: SimulationRun, failure: FuzzFailure?, seed: UInt64) {
    let digest = run.finalState.digest.finalized
    let guestError = run.outcome.kind == .guestError
    tally.withLock { tally in
      tally.runs += 1
      tally.states.insert(digest)
      if guestError { tally.guestErrors += 1 }
      guard let failure else { return }
      let now = ContinuousClock.now
      if tally.firstFailure == nil { tally.firstFailure = now }
      guard var seen = tally.seen[failure.signature] else {
        tally.seen[failure.signature] = Seen(
          count: 1, lowestSeed: seed, failure: failure, firstSeenAt: now)
        return
      }
      seen.count += 1
      if seed < seen.lowestSeed {
        seen.lowestSeed = seed
        seen.failure = failure
      }
      tally.seen[failure.signature] = seen
    }
  }

  func progress(elapsed: Duration) -> FuzzCampaign.Progress {
    tally.withLock { tally in
      FuzzCampaign.Progress(
        runs: tally.runs, distinctStates: tally.states.estimate,
        distinctFailures: tally.seen.count, elapsed: elapsed)
    }
  }

  func snapshot() -> Tally {
    tally.withLock { $0 }
  }
}
