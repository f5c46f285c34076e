import GRDB

/// Writes made inside one transaction of ``EventStore/inTransaction(_:)``: all of them are
/// committed together, or none (an error, a killed process).
package struct StoreTransaction: ~Copyable {
  let db: Database
  let path: String

  /// Every stored failure, as ``EventStore/fuzzFailures()`` reads them.
  package func fuzzFailures() throws(StoreError) -> [FuzzFailureRecord] {
    try EventStore.withStoreErrors(path: path) { try EventStore.fuzzFailures(db) }
  }

  /// ``EventStore/recordFuzzFailure(_:)`` inside the transaction.
  @discardableResult
  package func recordFuzzFailure(_ record: FuzzFailureRecord) throws(StoreError)
    -> FuzzFailureRecord
  {
    try EventStore.withStoreErrors(path: path) {
      try EventStore.upsertFuzzFailure(db, record, addingOnConflict: record.count)
    }
  }

  /// Copies a session of `source`, its events and skipped lines, as a new complete
  /// session; returns its id here.
  package func copySession(_ session: SessionID, from source: EventStore) throws(StoreError)
    -> SessionID
  {
    let summary = try source.session(session)
    let db = self.db
    let id = try EventStore.withStoreErrors(path: path) { try SessionRows.insert(db, summary.info) }
    var writer = SessionWriter(
      path: path, sessionID: id, info: summary.info, options: WriterOptions(),
      sink: .transaction(db))
    var failure: StoreError?
    do {
      try source.events(session: session) { stored in
        guard failure == nil else { return }
        do throws(StoreError) {
          try writer.append(stored.event, source: stored.source)
        } catch {
          failure = error
        }
      }
    } catch {
      throw EventStore.storeError(error, path: source.path)
    }
    if let failure { throw failure }
    var skipped: [SkippedLine] = []
    try source.skippedLines(session: session) { skipped.append($0) }
    try EventStore.withStoreErrors(path: path) {
      try EventStore.insertSkippedLines(db, skipped, session: id)
    }
    try writer.finishImport(metadata: summary.info.metadata)
    return id
  }
}

extension EventStore {
  /// Runs `body` in one write transaction: everything it writes is committed when it
  /// returns, and nothing when it throws.
  package func inTransaction<T>(_ body: (borrowing StoreTransaction) throws(StoreError) -> T)
    throws(StoreError) -> T
  {
    guard !isReadOnly else { throw .readOnly(path: path) }
    let path = path
    return try withErrors {
      try pool.write { db in try body(StoreTransaction(db: db, path: path)) }
    }
  }
}
