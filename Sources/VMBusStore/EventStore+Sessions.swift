import GRDB

extension EventStore {
  /// Inserts a session `in_progress` and returns the writer that appends its events.
  package func beginSession(_ info: SessionInfo, options: WriterOptions = WriterOptions())
    throws(StoreError) -> SessionWriter
  {
    guard !isReadOnly else { throw .readOnly(path: path) }
    let id = try withErrors { try pool.write { db in try SessionRows.insert(db, info) } }
    return SessionWriter(
      path: path, sessionID: id, info: info, options: options, sink: .pool(pool))
  }

  /// Stores a whole session or nothing: `body` appends the events (typically while parsing
  /// a trace file) and returns metadata to merge into the session's; the session is then
  /// marked complete.
  ///
  /// The import runs in one write transaction. If `body` throws (a parse error mid-file),
  /// if a store error occurs, or if the process dies, the transaction rolls back and the
  /// database holds exactly what it held before; readers never see a partial import. While
  /// it runs, other writers of the file wait (up to the busy timeout) and readers go on
  /// reading the state before it; the WAL grows by the size of the session until the commit.
  ///
  /// - Throws: `body`'s own error unchanged, or a ``StoreError``.
  @discardableResult
  package func importSession(
    _ info: SessionInfo, options: WriterOptions = WriterOptions(),
    _ body: (inout SessionWriter) throws -> SessionMetadata
  ) throws -> SessionSummary {
    guard !isReadOnly else { throw StoreError.readOnly(path: path) }
    var bodyError: (any Error)?
    let path = path
    do {
      return try pool.write { db in
        let id = try SessionRows.insert(db, info)
        var writer = SessionWriter(
          path: path, sessionID: id, info: info, options: options, sink: .transaction(db))
        let metadata: SessionMetadata
        do {
          metadata = try body(&writer)
        } catch {
          bodyError = error
          throw error
        }
        try writer.finishImport(metadata: metadata)
        return try SessionRows.fetch(db, id, path: path)
      }
    } catch {
      if let bodyError { throw bodyError }
      throw Self.storeError(error, path: path)
    }
  }

  /// Every session, oldest first.
  package func sessions() throws(StoreError) -> [SessionSummary] {
    try withErrors { try pool.read { db in try SessionRows.fetchAll(db, path: path) } }
  }

  /// One session, or ``StoreError/sessionNotFound(path:session:)``.
  package func session(_ id: SessionID) throws(StoreError) -> SessionSummary {
    try withErrors { try pool.read { db in try SessionRows.fetch(db, id, path: path) } }
  }
}
