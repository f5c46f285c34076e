import VMBusHost
import VMBusStore

/// What `merge` did, and what the merged database then holds.
package struct MergeSummary: Sendable {
  package var sessionsCopied: Int
  package var failuresAdded: Int
  package var failuresMerged: Int
  package var skippedInProgress: Int
  package var campaignsCopied: Int
  /// Campaigns copied while still running (a shard killed and not resumed): their counts
  /// stop at their watermark, so the merge holds fewer seeds than asked for.
  package var unfinishedCampaigns: [UnfinishedCampaign] = []
  /// Every failure of the merged database, as `fuzz_failures` holds them, under today's
  /// root-cause names.
  package var failures: [FuzzFailureRecord]
  /// The guest errors of every campaign of the merged database, by rule.
  package var guestErrorRules: [FuzzCampaignGuestErrorRule]
}

/// A campaign `merge` copied that had not finished: where from, and how far it got.
package struct UnfinishedCampaign: Sendable, Equatable {
  package var database: String
  package var campaign: Int64
  package var seedsDone: UInt64
}

/// Combines shard databases into one: sessions are copied, and failures deduplicated by
/// (profile, signature): counts add up, and the lowest first seed and its minimal case are
/// kept, whatever the order of the shards. Each shard's campaign records are copied too,
/// so that its guest errors by rule, read over all campaigns, add up the same way.
package enum MergeWorkflow {
  package static func merge(_ sources: [String], into target: EventStore) throws(SessionsError)
    -> MergeSummary
  {
    let path = target.path
    do {
      // One transaction: a merge that fails on any shard leaves the target as it was.
      return try target.inTransaction { target throws(StoreError) in
        try merge(sources, into: target, at: path)
      }
    } catch {
      throw .store(error)
    }
  }

  private static func merge(
    _ sources: [String], into target: borrowing StoreTransaction, at path: String
  ) throws(StoreError) -> MergeSummary {
    var summary = MergeSummary(
      sessionsCopied: 0, failuresAdded: 0, failuresMerged: 0, skippedInProgress: 0,
      campaignsCopied: 0, failures: [], guestErrorRules: [])
    // A campaign already here was merged before (or is the same shard given twice):
    // copying it again would count its seeds twice.
    var campaigns: [String: CampaignHolder] = [:]
    for campaign in try target.fuzzCampaigns() {
      campaigns[campaign.identity] = .target(path)
    }
    // The lowest first seed known per (profile, signature): its minimal case is the one
    // kept, as a single process over the same seeds would keep it.
    var known: [String: UInt64] = [:]
    // Keyed by today's root-cause names: a shard or a target written before a rename holds
    // the same failure under the former name (``RootCauseRename``).
    for failure in try target.fuzzFailures().underCurrentRootCauseNames() {
      known["\(failure.hostProfile) \(failure.signature)"] = failure.firstSeed
    }
    for source in sources {
      let store = try EventStore.openReadOnly(path: source)
      let sourceCampaigns = try store.fuzzCampaigns()
      for campaign in sourceCampaigns {
        if let holder = campaigns[campaign.identity] {
          throw .campaignAlreadyMerged(path: source, campaign: campaign.id, holder: holder)
        }
      }
      let failures = try store.fuzzFailures()
      let sessionsOfFailures = Set(failures.compactMap(\.session))
      var copied: [SessionID: SessionID] = [:]
      for failure in failures {
        var record = failure.underCurrentRootCauseName()
        let key = "\(record.hostProfile) \(record.signature)"
        if let seed = known[key], seed <= failure.firstSeed {
          record.session = nil
          summary.failuresMerged += 1
        } else {
          if let session = failure.session {
            copied[session] = try target.copySession(session, from: store)
            summary.sessionsCopied += 1
          }
          record.session = failure.session.flatMap { copied[$0] }
          if known[key] == nil {
            summary.failuresAdded += 1
          } else {
            summary.failuresMerged += 1
          }
          known[key] = failure.firstSeed
        }
        try target.recordFuzzFailure(record)
      }
      for session in try store.sessions() where !sessionsOfFailures.contains(session.id) {
        guard session.status == .complete else {
          summary.skippedInProgress += 1
          continue
        }
        copied[session.id] = try target.copySession(session.id, from: store)
        summary.sessionsCopied += 1
      }
      for campaign in sourceCampaigns {
        _ = try target.copyFuzzCampaign(campaign, from: store, sessions: copied)
        campaigns[campaign.identity] = .earlierSource(source)
        summary.campaignsCopied += 1
        if !campaign.finished {
          summary.unfinishedCampaigns.append(
            UnfinishedCampaign(
              database: source, campaign: campaign.id, seedsDone: campaign.seedsDone))
        }
      }
    }
    summary.failures = try target.fuzzFailures().underCurrentRootCauseNames()
    summary.guestErrorRules = try target.guestErrorRulesOfAllCampaigns()
    return summary
  }
}
