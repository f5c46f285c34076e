import Synchronization

/// Hands a campaign's findings and checkpoints to its sink one call at a time, keeping per
/// signature the lowest seed whose minimal case the sink took, and the sink's first error.
final class Committer<Sink: FuzzCampaignSink>: Sendable {
  private struct State {
    var shrunk: [FailureSignature: UInt64]
    /// This process's minimal cases, by the signature they were tallied under.
    var groups: [FailureSignature: FuzzCampaign.FailureGroup] = [:]
    var failure: Sink.Failure?
  }

  private let sink: Sink
  private let ledger: CampaignLedger
  private let state: Mutex<State>

  init(sink: Sink, ledger: CampaignLedger, shrunk: [FailureSignature: UInt64]) {
    self.sink = sink
    self.ledger = ledger
    state = Mutex(State(shrunk: shrunk))
  }

  var failure: Sink.Failure? { state.withLock { $0.failure } }
  var groups: [FailureSignature: FuzzCampaign.FailureGroup] { state.withLock { $0.groups } }

  func hasShrunk(_ signature: FailureSignature, seed: UInt64) -> Bool {
    state.withLock { state in state.shrunk[signature].map { $0 <= seed } ?? false }
  }

  /// Commits `group` with the checkpoint as of now, unless a lower seed's case of its
  /// signature was committed meanwhile; false once the sink has failed.
  func found(_ group: FuzzCampaign.FailureGroup, tallied: FailureSignature) -> Bool {
    state.withLock { state in
      guard state.failure == nil else { return false }
      if let shrunk = state.shrunk[tallied], shrunk <= group.firstSeed { return true }
      do throws(Sink.Failure) {
        // Read inside the lock: checkpoints reach the sink in the order they were taken.
        try sink.found(group, tallied: tallied, checkpoint: ledger.checkpoint)
      } catch {
        state.failure = error
        return false
      }
      state.shrunk[tallied] = group.firstSeed
      state.groups[tallied] = group
      return true
    }
  }

  /// Commits the checkpoint as of now; false once the sink has failed.
  func commitWatermark() -> Bool {
    state.withLock { state in
      guard state.failure == nil else { return false }
      do throws(Sink.Failure) {
        try sink.checkpoint(ledger.checkpoint, finished: false)
      } catch {
        state.failure = error
        return false
      }
      return true
    }
  }

  /// Hands the sink a guest-error rule's case; false once the sink has failed.
  func guestErrorCase(_ found: FuzzCampaign.GuestErrorCase) -> Bool {
    state.withLock { state in
      guard state.failure == nil else { return false }
      do throws(Sink.Failure) {
        try sink.guestErrorCase(found)
      } catch {
        state.failure = error
        return false
      }
      return true
    }
  }

  /// Commits `checkpoint`, throwing the sink's error (or an earlier one).
  func commit(_ checkpoint: FuzzCampaign.Checkpoint, finished: Bool) throws(Sink.Failure) {
    try state.withLock { state throws(Sink.Failure) in
      if let failure = state.failure { throw failure }
      try sink.checkpoint(checkpoint, finished: finished)
    }
  }
}
