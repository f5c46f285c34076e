import VMBusHost
import VMBusStore

/// What `merge` did.
package struct MergeSummary: Sendable {
  package var sessionsCopied: Int
  package var failuresAdded: Int
  package var failuresMerged: Int
  package var skippedInProgress: Int
}

/// Combines shard databases into one: sessions are copied, and failures deduplicated by
/// (profile, signature): counts add up, and the lowest first seed and its minimal case are
/// kept, whatever the order of the shards.
package enum MergeWorkflow {
  package static func merge(_ sources: [String], into target: EventStore) throws(SessionsError)
    -> MergeSummary
  {
    do {
      // One transaction: a merge that fails on any shard leaves the target as it was.
      return try target.inTransaction { target throws(StoreError) in
        try merge(sources, into: target)
      }
    } catch {
      throw .store(error)
    }
  }

  private static func merge(_ sources: [String], into target: borrowing StoreTransaction)
    throws(StoreError) -> MergeSummary
  {
    var summary = MergeSummary(
      sessionsCopied: 0, failuresAdded: 0, failuresMerged: 0, skippedInProgress: 0)
    // The lowest first seed known per (profile, signature): its minimal case is the one
    // kept, as a single process over the same seeds would keep it.
    var known: [String: UInt64] = [:]
    for failure in try target.fuzzFailures() {
      known["\(failure.hostProfile) \(failure.signature)"] = failure.firstSeed
    }
    for source in sources {
      let store = try EventStore.openReadOnly(path: source)
      let failures = try store.fuzzFailures()
      let sessionsOfFailures = Set(failures.compactMap(\.session))
      var copied: [SessionID: SessionID] = [:]
      for failure in failures {
        let key = "\(failure.hostProfile) \(failure.signature)"
        var record = failure
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
        _ = try target.copySession(session.id, from: store)
        summary.sessionsCopied += 1
      }
    }
    return summary
  }
}
