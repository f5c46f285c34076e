import VMBusHost
import VMBusStore

/// What `merge` did.
public struct MergeSummary: Sendable {
  public var sessionsCopied: Int
  public var failuresAdded: Int
  public var failuresMerged: Int
  public var skippedInProgress: Int
}

/// Combines shard databases into one: sessions are copied, and failures deduplicated by
/// (profile, signature): counts add up, and the lowest first seed and its minimal case are
/// kept, whatever the order of the shards.
public enum MergeWorkflow {
  public static func merge(_ sources: [String], into target: EventStore) throws(SessionsError)
    -> MergeSummary
  {
    var summary = MergeSummary(
      sessionsCopied: 0, failuresAdded: 0, failuresMerged: 0, skippedInProgress: 0)
    do {
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
              copied[session] = try copy(session, from: store, into: target)
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
          _ = try copy(session.id, from: store, into: target)
          summary.sessionsCopied += 1
        }
      }
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .io("\(error)")
    }
    return summary
  }

  private static func copy(_ session: SessionID, from source: EventStore, into target: EventStore)
    throws -> SessionID
  {
    let summary = try source.session(session)
    var writer = try target.beginSession(summary.info)
    var failure: StoreError?
    try source.events(session: session) { stored in
      guard failure == nil else { return }
      do throws(StoreError) {
        try writer.append(stored.event, source: stored.source)
      } catch {
        failure = error
      }
    }
    if let failure { throw failure }
    let id = writer.sessionID
    // An imported log's skipped lines, before the session is marked complete.
    var skipped: [SkippedLine] = []
    try source.skippedLines(session: session) { line in
      skipped.append(line)
      if skipped.count >= 10_000 {
        try target.appendSkippedLines(skipped, session: id)
        skipped.removeAll(keepingCapacity: true)
      }
    }
    try target.appendSkippedLines(skipped, session: id)
    try writer.finish(metadata: summary.info.metadata)
    return id
  }
}
