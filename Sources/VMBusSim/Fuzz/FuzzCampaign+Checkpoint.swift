import VMBusHost

/// Where a campaign's results go while it runs, and where a killed one resumes from.
extension FuzzCampaign {
  /// One signature's share of the seeds a checkpoint covers.
  package struct Tally: Hashable, Sendable {
    /// Failures with the signature among those seeds.
    package var count: Int
    /// The lowest of them.
    package var lowestSeed: UInt64

    package init(count: Int, lowestSeed: UInt64) {
      self.count = count
      self.lowestSeed = lowestSeed
    }

    mutating func add(_ other: Tally) {
      count += other.count
      lowestSeed = min(lowestSeed, other.lowestSeed)
    }
  }

  /// The campaign as of a watermark: every seed index below ``seedsDone`` has run, and the
  /// counts are exactly those seeds' (the seeds above it that already ran are not in it, so
  /// a resumed campaign runs them again and counts each seed once).
  package struct Checkpoint: Hashable, Sendable {
    /// Seed indices `0..<seedsDone` (the k of `base + k·N + I`) have run.
    package var seedsDone: UInt64
    /// Runs among them that ended in a guest error.
    package var guestErrors: UInt64
    /// Each failing signature among them.
    package var tallies: [FailureSignature: Tally]
    /// The guest errors among them by the rule the guest broke (the outcome's root cause):
    /// not failures, but what a reader checks the oracle's "the guest's fault" against.
    package var guestErrorRules: [RootCause: Tally]

    package init(
      seedsDone: UInt64 = 0, guestErrors: UInt64 = 0, tallies: [FailureSignature: Tally] = [:],
      guestErrorRules: [RootCause: Tally] = [:]
    ) {
      self.seedsDone = seedsDone
      self.guestErrors = guestErrors
      self.tallies = tallies
      self.guestErrorRules = guestErrorRules
    }
  }

  /// What a killed campaign had committed: its last checkpoint, for each signature the
  /// seed whose minimal case is stored (a lower seed found later is shrunk and replaces it),
  /// and for each guest-error rule the seed whose shrunk case is stored.
  package struct Resume: Sendable {
    package var checkpoint: Checkpoint
    package var shrunk: [FailureSignature: UInt64]
    package var guestErrorCases: [RootCause: UInt64]

    package init(
      checkpoint: Checkpoint, shrunk: [FailureSignature: UInt64],
      guestErrorCases: [RootCause: UInt64] = [:]
    ) {
      self.checkpoint = checkpoint
      self.shrunk = shrunk
      self.guestErrorCases = guestErrorCases
    }
  }
}

/// Receives a campaign's findings as they are shrunk and its checkpoints as the watermark
/// moves. The campaign calls it from its worker threads, one call at a time.
package protocol FuzzCampaignSink: Sendable {
  associatedtype Failure: Error
  /// A minimal case, shrunk from the lowest seed seen so far of `tallied` (the signature
  /// it was counted under; a case that did not fail again is `nondeterminism`), with the
  /// checkpoint as of now.
  func found(
    _ group: FuzzCampaign.FailureGroup, tallied: FailureSignature,
    checkpoint: FuzzCampaign.Checkpoint
  ) throws(Failure)
  /// A checkpoint; `finished` on the last, once every seed has run and every lowest seed
  /// is shrunk.
  func checkpoint(_ checkpoint: FuzzCampaign.Checkpoint, finished: Bool) throws(Failure)
  /// The shrunk case of a guest-error rule's lowest seed, after the seeds and before the
  /// last checkpoint (which a kill before it leaves unwritten, so `--resume` comes back for
  /// the rules still without one).
  func guestErrorCase(_ found: FuzzCampaign.GuestErrorCase) throws(Failure)
}

/// Keeps nothing: a campaign whose report is all the caller wants.
struct DiscardingSink: FuzzCampaignSink {
  func found(
    _ group: FuzzCampaign.FailureGroup, tallied: FailureSignature,
    checkpoint: FuzzCampaign.Checkpoint
  ) {}
  func checkpoint(_ checkpoint: FuzzCampaign.Checkpoint, finished: Bool) {}
  func guestErrorCase(_ found: FuzzCampaign.GuestErrorCase) {}
}
