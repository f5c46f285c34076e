import Synchronization
import VMBusHost

/// A campaign's shared books: which seed indices are handed out and done, the checkpoint
/// below the watermark, and the live totals, behind one mutex that workers take once per
/// block of seeds (and once per failure).
final class CampaignLedger: Sendable {
  /// What one worker saw over a run of consecutive seed indices.
  struct Block {
    /// Seed indices `start..<end` ran (`end` short of the block's length when the
    /// deadline stopped it).
    var start: UInt64
    var end: UInt64
    var guestErrors: UInt64 = 0
    var tallies: [FailureSignature: FuzzCampaign.Tally] = [:]
    var guestErrorRules: [RootCause: FuzzCampaign.Tally] = [:]
    var digests: [UInt64] = []

    init(start: UInt64) {
      self.start = start
      end = start
    }

    mutating func record(_ failure: FuzzFailure, seed: UInt64) {
      CampaignLedger.add(
        FuzzCampaign.Tally(count: 1, lowestSeed: seed), failure.signature, to: &tallies)
    }

    /// A run that ended in a guest error, counted under the rule the guest broke.
    mutating func recordGuestError(_ rule: RootCause, seed: UInt64) {
      guestErrors += 1
      CampaignLedger.add(FuzzCampaign.Tally(count: 1, lowestSeed: seed), rule, to: &guestErrorRules)
    }
  }

  struct State {
    var nextIndex: UInt64
    /// Every index below `checkpoint.seedsDone` is done and counted in it.
    var checkpoint: FuzzCampaign.Checkpoint
    /// Blocks done above the watermark, by their first index.
    var pending: [UInt64: Block] = [:]
    /// Runs this process made (not those a resumed checkpoint covers).
    var runs: UInt64 = 0
    var states = DistinctCounter()
    /// Per signature, the lowest seed shrunk or being shrunk.
    var claimed: [FailureSignature: UInt64]
    var firstSeen: [FailureSignature: ContinuousClock.Instant] = [:]
    var firstFailure: ContinuousClock.Instant?
    var lastCheckpoint: ContinuousClock.Instant
    var stopped = false
  }

  private let state: Mutex<State>

  init(resume: FuzzCampaign.Resume?, now: ContinuousClock.Instant) {
    let checkpoint = resume?.checkpoint ?? FuzzCampaign.Checkpoint()
    state = Mutex(
      State(
        nextIndex: checkpoint.seedsDone, checkpoint: checkpoint,
        claimed: resume?.shrunk ?? [:], lastCheckpoint: now))
  }

  /// The next `size` indices (fewer at `limit`), or nil when there are none or the
  /// campaign was stopped.
  func claimBlock(size: UInt64, limit: UInt64?) -> Range<UInt64>? {
    state.withLock { state in
      guard !state.stopped else { return nil }
      let start = state.nextIndex
      let end = limit.map { min(start + size, $0) } ?? start + size
      guard end > start else { return nil }
      state.nextIndex = end
      return start..<end
    }
  }

  /// Notes a failure; true when its seed is the lowest of its signature seen so far, so
  /// that the caller shrinks it.
  func claimShrink(_ signature: FailureSignature, seed: UInt64, now: ContinuousClock.Instant)
    -> Bool
  {
    state.withLock { state in
      if state.firstFailure == nil { state.firstFailure = now }
      if state.firstSeen[signature] == nil { state.firstSeen[signature] = now }
      if let claimed = state.claimed[signature], claimed <= seed { return false }
      state.claimed[signature] = seed
      return true
    }
  }

  /// Records a finished block; true when a checkpoint is due (a second since the last).
  func complete(_ block: Block, now: ContinuousClock.Instant) -> Bool {
    state.withLock { state in
      state.runs += block.end - block.start
      for digest in block.digests { state.states.insert(digest) }
      if block.end > block.start { state.pending[block.start] = block }
      // Fold the blocks that now continue the watermark.
      while let next = state.pending.removeValue(forKey: state.checkpoint.seedsDone) {
        Self.fold(next, into: &state.checkpoint)
      }
      guard now - state.lastCheckpoint >= .seconds(1) else { return false }
      state.lastCheckpoint = now
      return true
    }
  }

  /// When a worker of this process first saw `signature`.
  func firstSeen(_ signature: FailureSignature) -> ContinuousClock.Instant? {
    state.withLock { $0.firstSeen[signature] }
  }

  /// Stops handing out blocks (a sink failed).
  func stop() {
    state.withLock { $0.stopped = true }
  }

  var checkpoint: FuzzCampaign.Checkpoint {
    state.withLock { $0.checkpoint }
  }

  /// The checkpoint with every block done folded in, gaps or not: the campaign's totals
  /// once its workers have stopped. The watermark stays where the gaps leave it.
  func final() -> State {
    state.withLock { state in
      var final = state
      for start in final.pending.keys.sorted() {
        if let block = final.pending[start] {
          var checkpoint = final.checkpoint
          let watermark = checkpoint.seedsDone
          Self.fold(block, into: &checkpoint)
          checkpoint.seedsDone = watermark
          final.checkpoint = checkpoint
        }
      }
      final.pending = [:]
      return final
    }
  }

  func progress(elapsed: Duration, resumed: UInt64) -> FuzzCampaign.Progress {
    state.withLock { state in
      FuzzCampaign.Progress(
        runs: resumed + state.runs, distinctStates: state.states.estimate,
        distinctFailures: Set(state.checkpoint.tallies.keys).union(state.claimed.keys).count,
        elapsed: elapsed)
    }
  }

  private static func fold(_ block: Block, into checkpoint: inout FuzzCampaign.Checkpoint) {
    checkpoint.seedsDone = block.end
    checkpoint.guestErrors += block.guestErrors
    for (signature, tally) in block.tallies { add(tally, signature, to: &checkpoint.tallies) }
    for (rule, tally) in block.guestErrorRules { add(tally, rule, to: &checkpoint.guestErrorRules) }
  }

  static func add<Key: Hashable>(
    _ tally: FuzzCampaign.Tally, _ key: Key, to tallies: inout [Key: FuzzCampaign.Tally]
  ) {
    if var known = tallies[key] {
      known.add(tally)
      tallies[key] = known
    } else {
      tallies[key] = tally
    }
  }
}
