import Foundation
import GRDB
import GRDBSQLite
import VMBusHost

extension EventStore {
  /// Calls `body` with each stored event of `session` whose seq is in `first...last`, in
  /// order, from one consistent read. Rows are decoded one at a time, so memory stays
  /// bounded whatever the session's length.
  ///
  /// - Throws: `body`'s own error unchanged (which stops the scan), or a ``StoreError``.
  package func events(
    session: SessionID, from first: Int = 1, to last: Int = .max,
    _ body: (StoredEvent) throws -> Void
  ) throws {
    var bodyError: (any Error)?
    let path = path
    do {
      try pool.read { db in
        _ = try SessionRows.progress(db, session, path: path)
        try Self.scan(db, session, from: first, to: last, path: path, sources: true) { stored in
          do {
            try body(stored)
          } catch {
            bodyError = error
            throw error
          }
        }
      }
    } catch {
      if let bodyError { throw bodyError }
      throw Self.storeError(error, path: path)
    }
  }

  /// ``events(session:from:to:_:)`` for a body that cannot fail: the only errors are the
  /// store's, typed.
  package func events(
    session: SessionID, from first: Int = 1, to last: Int = .max,
    _ body: (StoredEvent) -> Void
  ) throws(StoreError) {
    let path = path
    try withErrors {
      try pool.read { db in
        _ = try SessionRows.progress(db, session, path: path)
        try Self.scan(db, session, from: first, to: last, path: path, sources: true, body)
      }
    }
  }

  /// The seqs of `session`'s events named `name`, in order (a scan of the session's rows:
  /// there is no index by name).
  package func seqs(of name: String, session: SessionID) throws(StoreError) -> [Int] {
    try withErrors {
      try pool.read { db in
        try Int.fetchAll(
          db, sql: "SELECT seq FROM events WHERE session_id = ? AND name = ? ORDER BY seq",
          arguments: [session.rawValue, name])
      }
    }
  }

  /// The host state after event `seq` of `session` (0 is the initial state): the nearest
  /// snapshot at or before `seq`, plus at most K folds.
  package func state(session: SessionID, at seq: Int) throws(StoreError) -> HostState {
    let path = path
    return try withErrors {
      try pool.read { db in
        _ = try SessionRows.progress(db, session, path: path)
        let stored = try Self.lastSeq(db, session)
        guard (0...stored).contains(seq) else {
          throw StoreError.sequenceOutOfRange(
            path: path, session: session, seq: seq, eventCount: stored)
        }
        var (start, state) = try Self.snapshot(db, session, atOrBefore: seq, path: path)
        try Self.scan(db, session, from: start + 1, to: seq, path: path, sources: false) {
          _ = state.apply($0.event)
        }
        return state
      }
    }
  }

  /// Folds `session` from scratch and compares every snapshot (hash and decoded state) and,
  /// for a complete session, the final state hash. An empty result means all agree.
  ///
  /// A hash is compared only with a digest of its own state encoding: the final hash of a
  /// session stored before the canonical encoding (``SessionSummary/stateEncoding`` 1), and
  /// the hash of a legacy JSON snapshot, are not compared (their states still are).
  package func verifySnapshots(session: SessionID) throws(StoreError) -> [SnapshotMismatch] {
    let path = path
    return try withErrors {
      try pool.read { db in
        let progress = try SessionRows.progress(db, session, path: path)
        let marks = try Row.fetchAll(
          db, sql: "SELECT seq, state_hash FROM snapshots WHERE session_id = ? ORDER BY seq",
          arguments: [session.rawValue]
        ).map { row in
          (seq: try row.decode(Int.self, atIndex: 0), hash: try row.decode(String.self, atIndex: 1))
        }
        let codec = SnapshotCodec()
        var mismatches: [SnapshotMismatch] = []
        var state = HostState()
        var next = 0
        var last = 0
        try Self.scan(db, session, from: 1, to: .max, path: path, sources: false) { stored in
          _ = state.apply(stored.event)
          last = stored.seq
          while next < marks.count && marks[next].seq <= stored.seq {
            let mark = marks[next]
            next += 1
            let folded = state.digest.hex
            guard mark.seq == stored.seq else { continue }
            let blob = try Data.fetchOne(
              db, sql: "SELECT state FROM snapshots WHERE session_id = ? AND seq = ?",
              arguments: [session.rawValue, mark.seq])
            let legacy = blob.map(SnapshotCodec.isLegacy) ?? false
            if mark.hash != folded && !legacy {
              mismatches.append(
                SnapshotMismatch(
                  kind: .snapshotHash, seq: mark.seq, storedHash: mark.hash, foldedHash: folded))
            }
            if blob.flatMap({ try? codec.decode($0) }) != state {
              mismatches.append(
                SnapshotMismatch(
                  kind: .snapshotState, seq: mark.seq, storedHash: mark.hash, foldedHash: folded))
            }
          }
        }
        for mark in marks[next...] {
          mismatches.append(
            SnapshotMismatch(
              kind: .snapshotPastEnd, seq: mark.seq, storedHash: mark.hash, foldedHash: nil))
        }
        let folded = state.digest.hex
        if progress.status == SessionStatus.complete.rawValue
          && progress.stateEncoding == StateEncoding.version && progress.finalHash != folded
        {
          mismatches.append(
            SnapshotMismatch(
              kind: .finalStateHash, seq: last, storedHash: progress.finalHash, foldedHash: folded))
        }
        return mismatches
      }
    }
  }

  /// The highest stored seq of a session (0 when it has no events).
  static func lastSeq(_ db: Database, _ session: SessionID) throws -> Int {
    try Int.fetchOne(
      db, sql: "SELECT max(seq) FROM events WHERE session_id = ?", arguments: [session.rawValue])
      ?? 0
  }

  /// The latest snapshot at or before `seq`, or the initial state at 0.
  static func snapshot(
    _ db: Database, _ session: SessionID, atOrBefore seq: Int, path: String
  ) throws -> (seq: Int, state: HostState) {
    guard
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT seq, state FROM snapshots WHERE session_id = ? AND seq <= ?
          ORDER BY seq DESC LIMIT 1
          """,
        arguments: [session.rawValue, seq])
    else { return (0, HostState()) }
    let at: Int = try row.decode(atIndex: 0)
    let data: Data = try row.decode(atIndex: 1)
    do {
      return (at, try SnapshotCodec().decode(data))
    } catch {
      throw StoreError.corruptSnapshot(
        path: path, session: session, seq: at, reason: "state does not decode: \(error)")
    }
  }

  /// Visits the events of `session` in `first...last` in order through SQLite's C API,
  /// checking that no seq is missing.
  static func scan(
    _ db: Database, _ session: SessionID, from first: Int, to last: Int, path: String,
    sources: Bool, _ visit: (StoredEvent) throws -> Void
  ) throws {
    guard first <= last else { return }
    let statement = try db.makeStatement(sql: EventRowDecoder.selectSQL)
    let handle = statement.sqliteStatement
    sqlite3_bind_int64(handle, 1, session.rawValue)
    sqlite3_bind_int64(handle, 2, Int64(max(first, 1)))
    sqlite3_bind_int64(handle, 3, Int64(clamping: last))
    defer { sqlite3_reset(handle) }
    let decoder = EventRowDecoder()
    var expected = max(first, 1)
    while true {
      let code = sqlite3_step(handle)
      if code == SQLITE_DONE { return }
      guard code == SQLITE_ROW else {
        let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
      }
      let seq = decoder.seq(handle)
      guard seq == expected else {
        throw StoreError.corruptEvent(
          path: path, session: session, seq: expected, reason: "missing (next stored is \(seq))")
      }
      expected += 1
      let event: HostEvent
      do {
        event = try decoder.event(handle)
      } catch {
        throw StoreError.corruptEvent(path: path, session: session, seq: seq, reason: error.reason)
      }
      try visit(StoredEvent(seq: seq, event: event, source: sources ? decoder.source(handle) : nil))
    }
  }
}
