import Synchronization
import VMBusHost

/// The campaign's totals, shared by its worker threads behind a mutex.
final class SharedTally: Sendable {
  struct Tally {
    var runs: UInt64 = 0
    var states = DistinctCounter()
    var groups: [String: FuzzCampaign.FailureGroup] = [:]
    /// Signatures a worker is shrinking right now, so no other starts on them.
    var pending = Set<String>()
    var pendingCounts: [String: (count: Int, firstSeed: UInt64)] = [:]
    /// When the first failure of the campaign was seen.
    var firstFailure: ContinuousClock.Instant?
  }

  private let tally = Mutex(Tally())

  /// Counts a run; true when its failure's signature is new (the caller then shrinks it).
  func record(run: SimulationRun, failure: FuzzFailure?, seed: UInt64) -> Bool {
    let digest = run.finalState.digest.finalized
    return tally.withLock { tally in
      tally.runs += 1
      tally.states.insert(digest)
      guard let failure else { return false }
      if tally.firstFailure == nil { tally.firstFailure = ContinuousClock.now }
      if var group = tally.groups[failure.signature] {
        group.count += 1
        group.firstSeed = min(group.firstSeed, seed)
        tally.groups[failure.signature] = group
        return false
      }
      if tally.pending.contains(failure.signature) {
        var counted = tally.pendingCounts[failure.signature] ?? (0, seed)
        counted.count += 1
        counted.firstSeed = min(counted.firstSeed, seed)
        tally.pendingCounts[failure.signature] = counted
        return false
      }
      tally.pending.insert(failure.signature)
      return true
    }
  }

  /// Files the shrunk group of `signature` (the signature `record` reported as new).
  func add(_ group: FuzzCampaign.FailureGroup, for signature: String) {
    tally.withLock { tally in
      var group = group
      if let counted = tally.pendingCounts.removeValue(forKey: signature) {
        group.count += counted.count
        group.firstSeed = min(group.firstSeed, counted.firstSeed)
      }
      tally.pending.remove(signature)
      tally.groups[signature] = group
    }
  }

  func progress(elapsed: Duration) -> FuzzCampaign.Progress {
    tally.withLock { tally in
      FuzzCampaign.Progress(
        runs: tally.runs, distinctStates: tally.states.estimate,
        distinctFailures: tally.groups.count + tally.pending.count, elapsed: elapsed)
    }
  }

  func snapshot() -> Tally {
    tally.withLock { $0 }
  }
}
