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

  /// Every campaign stored here, oldest first.
  package func fuzzCampaigns() throws(StoreError) -> [FuzzCampaignRecord] {
    try EventStore.withStoreErrors(path: path) { try EventStore.fuzzCampaigns(db) }
  }

  /// ``EventStore/guestErrorRulesOfAllCampaigns()`` inside the transaction.
  package func guestErrorRulesOfAllCampaigns() throws(StoreError) -> [FuzzCampaignGuestErrorRule] {
    try EventStore.withStoreErrors(path: path) { try EventStore.guestErrorRulesOfAllCampaigns(db) }
  }

  /// Copies a campaign of `source` with its signature and guest-error rows, as it stands
  /// there (running or finished, its watermark and counts); returns its id here. A row's
  /// session becomes its copy's id from `sessions`, or NULL when that session was not
  /// copied (a failure's case another shard's lower seed replaced).
  package func copyFuzzCampaign(
    _ campaign: FuzzCampaignRecord, from source: EventStore, sessions: [SessionID: SessionID]
  ) throws(StoreError) -> Int64 {
    let tables = ["fuzz_campaign_signatures", "fuzz_campaign_guest_errors"]
    let rows: [[Row]]
    do {
      rows = try source.pool.read { db in
        try tables.map { table in
          // A file opened read-only keeps its schema: one written before v11 has no
          // guest-error rows.
          guard try db.tableExists(table) else { return [] }
          return try Row.fetchAll(
            db, sql: "SELECT * FROM \(table) WHERE campaign_id = ?", arguments: [campaign.id])
        }
      }
    } catch {
      throw EventStore.storeError(error, path: source.path)
    }
    let db = self.db
    return try EventStore.withStoreErrors(path: path) {
      // The columns this schema has, quoted: a shard's own column names are input, and one
      // from an older schema may lack some.
      let columns = try tables.map { table in try db.columns(in: table).map(\.name) }
      try db.execute(
        sql: """
          INSERT INTO fuzz_campaigns (identity, status, seeds_done, guest_errors)
          VALUES (?, ?, ?, ?)
          """,
        arguments: [
          campaign.identity, campaign.finished ? "finished" : "running",
          Int64(bitPattern: campaign.seedsDone), Int64(bitPattern: campaign.guestErrors),
        ])
      let id = db.lastInsertedRowID
      for ((table, tableColumns), tableRows) in zip(zip(tables, columns), rows) {
        for row in tableRows {
          // Every column as stored, but for the campaign and the session it names.
          let columns = tableColumns.filter(row.hasColumn)
          let values: [(any DatabaseValueConvertible)?] = columns.map { column in
            switch column {
            case "campaign_id": return id
            case "session_id":
              let session: Int64? = row[column]
              return session.flatMap { sessions[SessionID($0)]?.rawValue }
            default: return row[column] as DatabaseValue
            }
          }
          try db.execute(
            sql: "INSERT INTO \(table) ("
              + columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ") + ") VALUES ("
              + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")",
            arguments: StatementArguments(values))
        }
      }
      return id
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
