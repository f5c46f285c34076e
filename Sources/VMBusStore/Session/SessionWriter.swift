import Foundation
import GRDB
import GRDBSQLite
import VMBusHost

/// How a ``SessionWriter`` batches rows and how often it snapshots.
package struct WriterOptions: Hashable, Sendable {
  /// A snapshot of the folded state is stored after every this many events (K).
  package var snapshotInterval: Int
  /// Buffered events are written in one transaction once this many are pending.
  package var batchSize: Int

  package init(snapshotInterval: Int = 1024, batchSize: Int = 10_000) {
    self.snapshotInterval = max(1, snapshotInterval)
    self.batchSize = max(1, batchSize)
  }
}

/// Appends one session's events, in order, keeping their fold.
///
/// Events are buffered and written ``WriterOptions/batchSize`` at a time, each batch in one
/// transaction with one prepared statement; every ``WriterOptions/snapshotInterval`` events
/// the folded state is stored with its digest. ``finish(metadata:)`` writes what is left and
/// marks the session complete in the same transaction, so a session marked complete has all
/// its rows. A writer dropped without `finish` or `fail` (or a process killed at any point)
/// leaves the session `in_progress` with the batches already committed.
///
/// Noncopyable: two copies appending the same positions cannot exist, and `finish` and `fail`
/// consume the writer.
package struct SessionWriter: ~Copyable {
  /// Where rows go: batches of their own, or an enclosing import transaction.
  enum Sink {
    /// Each flush is its own write transaction on the store's pool.
    case pool(DatabasePool)
    /// Rows go into a transaction that ``EventStore/importSession(_:options:_:)`` owns.
    case transaction(Database)
  }

  /// The session being written.
  package let sessionID: SessionID
  /// Batching and snapshot settings.
  package let options: WriterOptions
  /// The fold of every event appended so far.
  package private(set) var state = HostState()
  /// Events appended so far (written or buffered); the last one's seq.
  package private(set) var count = 0
  /// Events whose rows have been committed (or written into the enclosing import's
  /// transaction); ``count`` minus this are buffered.
  package private(set) var committedCount = 0
  /// Protocol violations the fold has found so far.
  package private(set) var violationCount = 0

  private let path: String
  /// What the session was begun with, so that `finish` can return its summary without
  /// reading the row back.
  private let info: SessionInfo
  private let sink: Sink
  private var pending: [StoredEvent] = []
  private var pendingSnapshots: [PendingSnapshot] = []
  private let rows = EventRowEncoder()
  private let snapshots = SnapshotCodec()

  init(path: String, sessionID: SessionID, info: SessionInfo, options: WriterOptions, sink: Sink) {
    self.path = path
    self.sessionID = sessionID
    self.info = info
    self.options = options
    self.sink = sink
  }

  /// Appends one event at seq ``count`` + 1.
  package mutating func append(_ event: HostEvent, source: EventSource? = nil) throws(StoreError) {
    count += 1
    violationCount += state.apply(event).count
    pending.append(StoredEvent(seq: count, event: event, source: source))
    if count % options.snapshotInterval == 0 {
      pendingSnapshots.append(
        PendingSnapshot(seq: count, state: snapshots.encode(state), hash: state.digest.hex))
    }
    if pending.count >= options.batchSize { try flush() }
  }

  /// Appends events in order.
  package mutating func append(contentsOf events: some Sequence<HostEvent>) throws(StoreError) {
    for event in events { try append(event) }
  }

  /// Appends events with their sources; each `seq` must be the next one.
  package mutating func append(contentsOf events: some Sequence<StoredEvent>) throws(StoreError) {
    for stored in events {
      guard stored.seq == count + 1 else {
        throw .outOfOrder(path: path, session: sessionID, expected: count + 1, found: stored.seq)
      }
      try append(stored.event, source: stored.source)
    }
  }

  /// Appends events paired with where they were read.
  package mutating func append(
    contentsOf events: some Sequence<(HostEvent, EventSource?)>
  ) throws(StoreError) {
    for (event, source) in events { try append(event, source: source) }
  }

  /// Writes the buffered events and snapshots now (in one transaction of their own, unless
  /// inside an import).
  package mutating func flush() throws(StoreError) {
    guard !pending.isEmpty else { return }
    try write(closing: nil)
  }

  /// Writes the remaining events and marks the session complete with its event count and
  /// final state hash, all in one transaction; `metadata` is merged into the session's.
  ///
  /// Returns the session as ``EventStore/session(_:)`` would now read it, built from what
  /// was written rather than read back (a read costs as much as a short session's rows).
  @discardableResult
  package consuming func finish(metadata: SessionMetadata = [:]) throws(StoreError)
    -> SessionSummary
  {
    guard case .pool = sink else {
      throw .writerMisuse(
        path: path, session: sessionID,
        misuse: "finish called inside an import, whose transaction completes the session")
    }
    let finalHash = state.digest.hex
    try write(closing: .complete(metadata, finalHash: finalHash))
    var stored = info
    stored.createdAt = SessionRows.storedDate(info.createdAt)
    stored.metadata = try MetadataCoding.stored(merging: metadata, into: info.metadata, path: path)
    return SessionSummary(
      id: sessionID, info: stored, status: .complete, eventCount: count,
      finalStateHash: finalHash)
  }

  /// Writes the buffered events and marks the session failed, recording `reason` as the
  /// metadata's `failure`.
  package consuming func fail(reason: String) throws(StoreError) {
    try write(closing: .failed(reason))
  }

  /// Inside an import's transaction: writes the rest and marks the session complete.
  consuming func finishImport(metadata: SessionMetadata) throws(StoreError) {
    try write(closing: .complete(metadata, finalHash: state.digest.hex))
  }

  /// How a write ends the session, if it does.
  private enum Closing {
    case complete(SessionMetadata, finalHash: String)
    case failed(String)
  }

  private mutating func write(closing: Closing?) throws(StoreError) {
    let path = self.path
    let batch = Batch(
      session: sessionID, events: pending, snapshots: pendingSnapshots, eventCount: count,
      rows: rows)
    let update: (Database) throws -> Void = { db in
      try batch.insert(db)
      switch closing {
      case nil: try SessionRows.setEventCount(db, batch.session, batch.eventCount)
      case .complete(let metadata, let finalHash):
        try SessionRows.close(
          db, batch.session, status: .complete, eventCount: batch.eventCount,
          finalHash: finalHash, metadata: metadata, path: path)
      case .failed(let reason):
        try SessionRows.close(
          db, batch.session, status: .failed, eventCount: batch.eventCount, finalHash: nil,
          metadata: ["failure": .string(reason)], path: path)
      }
    }
    let sink = self.sink
    try EventStore.withStoreErrors(path: path) {
      switch sink {
      case .pool(let pool): try pool.write(update)
      case .transaction(let db): try update(db)
      }
    }
    pending.removeAll(keepingCapacity: true)
    pendingSnapshots.removeAll(keepingCapacity: true)
    committedCount = count
  }
}

/// One transaction's worth of rows.
private struct Batch {
  var session: SessionID
  var events: [StoredEvent]
  var snapshots: [PendingSnapshot]
  var eventCount: Int
  var rows: EventRowEncoder

  func insert(_ db: Database) throws {
    if !events.isEmpty {
      // Cached on the connection: preparing a 24-column insert costs as much as a dozen rows.
      let statement = try db.cachedStatement(sql: EventRowEncoder.insertSQL)
      let handle = statement.sqliteStatement
      for stored in events {
        try rows.bind(
          handle, session: session, seq: stored.seq, event: stored.event, source: stored.source)
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
          let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
          sqlite3_reset(handle)
          throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
      }
      sqlite3_reset(handle)
      sqlite3_clear_bindings(handle)
    }
    for snapshot in snapshots {
      try db.cachedStatement(
        sql: "INSERT INTO snapshots (session_id, seq, state, state_hash) VALUES (?, ?, ?, ?)"
      ).execute(arguments: [session.rawValue, snapshot.seq, snapshot.state, snapshot.hash])
    }
  }
}
