import Foundation
import GRDB
import VMBusHost

/// The SQL of the `sessions` table: insert, progress, close, fetch.
enum SessionRows {
  /// Inserts a session `in_progress` with no events and returns its id.
  static func insert(_ db: Database, _ info: SessionInfo) throws -> SessionID {
    // Cached statements, here and below: a simulated run is a few short transactions, and
    // preparing their SQL each time cost as much as writing the rows.
    try db.cachedStatement(
      sql: """
        INSERT INTO sessions (name, kind, source_file, source_format, host_profile,
          scenario_text, seed, created_at, status, event_count, metadata, state_encoding)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'in_progress', 0, ?, ?)
        """
    ).execute(
      arguments: [
        info.name, info.kind.rawValue, info.source?.file, info.source?.format,
        info.hostProfile.rawValue, info.scenarioText, info.seed.map { Int64(bitPattern: $0) },
        timestamp(info.createdAt), try MetadataCoding.encode(info.metadata),
        Int(StateEncoding.version),
      ])
    return SessionID(db.lastInsertedRowID)
  }

  /// Records how many events of a session in progress are stored.
  static func setEventCount(_ db: Database, _ session: SessionID, _ count: Int) throws {
    try db.cachedStatement(
      sql: "UPDATE sessions SET event_count = ? WHERE id = ? AND status = 'in_progress'"
    ).execute(arguments: [count, session.rawValue])
  }

  /// Marks a session in progress complete or failed; `metadata` is merged into its own
  /// (RFC 7396 `json_patch`).
  static func close(
    _ db: Database, _ session: SessionID, status: SessionStatus, eventCount: Int,
    finalHash: String?, metadata: SessionMetadata, path: String
  ) throws {
    try db.cachedStatement(
      sql: """
        UPDATE sessions
        SET status = ?, event_count = ?, final_state_hash = ?, metadata = json_patch(metadata, ?)
        WHERE id = ? AND status = 'in_progress'
        """
    ).execute(
      arguments: [
        status.rawValue, eventCount, finalHash, try MetadataCoding.encode(metadata),
        session.rawValue,
      ])
    guard db.changesCount == 1 else {
      throw StoreError.sessionClosed(path: path, session: session)
    }
  }

  /// One session, or `sessionNotFound`.
  static func fetch(_ db: Database, _ session: SessionID, path: String) throws -> SessionSummary {
    guard
      let row = try Row.fetchOne(
        db, sql: "SELECT * FROM sessions WHERE id = ?", arguments: [session.rawValue])
    else { throw StoreError.sessionNotFound(path: path, session: session) }
    return try summary(row, path: path)
  }

  /// Every session, oldest first.
  static func fetchAll(_ db: Database, path: String) throws -> [SessionSummary] {
    try Row.fetchAll(db, sql: "SELECT * FROM sessions ORDER BY id").map { row in
      try summary(row, path: path)
    }
  }

  /// The stored `event_count`, `final_state_hash` and its state encoding, or
  /// `sessionNotFound`.
  static func progress(_ db: Database, _ session: SessionID, path: String) throws -> (
    status: String, eventCount: Int, finalHash: String?, stateEncoding: UInt16
  ) {
    // `*`: a database opened read-only before `v6` has no `state_encoding` column.
    guard
      let row = try Row.fetchOne(
        db, sql: "SELECT * FROM sessions WHERE id = ?", arguments: [session.rawValue])
    else { throw StoreError.sessionNotFound(path: path, session: session) }
    return (
      try row.decode(forColumn: "status"), try row.decode(forColumn: "event_count"),
      try row.decode(forColumn: "final_state_hash"), try stateEncoding(row, session, path: path)
    )
  }

  /// The row's `state_encoding`: 1 when the column predates it (a database opened read-only
  /// before `v6`, whose digests are all version 1).
  private static func stateEncoding(_ row: Row, _ session: SessionID, path: String) throws
    -> UInt16
  {
    guard row.hasColumn("state_encoding") else { return StateEncoding.legacyVersion }
    let stored: Int64 = try row.decode(forColumn: "state_encoding")
    guard let version = UInt16(exactly: stored), version >= StateEncoding.legacyVersion else {
      throw StoreError.corruptSession(
        path: path, session: session, reason: "state_encoding \(stored)")
    }
    return version
  }

  private static func summary(_ row: Row, path: String) throws -> SessionSummary {
    let id = SessionID(try row.decode(Int64.self, forColumn: "id"))
    func corrupt(_ reason: String) -> StoreError {
      .corruptSession(path: path, session: id, reason: reason)
    }
    let kindText: String = try row.decode(forColumn: "kind")
    guard let kind = SessionKind(rawValue: kindText) else { throw corrupt("kind '\(kindText)'") }
    let statusText: String = try row.decode(forColumn: "status")
    guard let status = SessionStatus(rawValue: statusText) else {
      throw corrupt("status '\(statusText)'")
    }
    let profileText: String = try row.decode(forColumn: "host_profile")
    guard let profile = HostProfile(rawValue: profileText) else {
      throw corrupt("host_profile '\(profileText)'")
    }
    let createdText: String = try row.decode(forColumn: "created_at")
    guard let createdAt = try? Date(createdText, strategy: .iso8601) else {
      throw corrupt("created_at '\(createdText)' is not ISO-8601")
    }
    let metadataText: String = try row.decode(forColumn: "metadata")
    guard let metadata = try? MetadataCoding.decode(metadataText) else {
      throw corrupt("metadata is not a JSON object of scalars")
    }
    let sourceFile: String? = try row.decode(forColumn: "source_file")
    let sourceFormat: String? = try row.decode(forColumn: "source_format")
    let seed: Int64? = try row.decode(forColumn: "seed")
    let info = SessionInfo(
      name: try row.decode(forColumn: "name"), kind: kind,
      source: sourceFile.map { SessionSource(file: $0, format: sourceFormat ?? "") },
      hostProfile: profile, scenarioText: try row.decode(forColumn: "scenario_text"),
      seed: seed.map { UInt64(bitPattern: $0) }, createdAt: createdAt, metadata: metadata)
    return SessionSummary(
      id: id, info: info, status: status, eventCount: try row.decode(forColumn: "event_count"),
      finalStateHash: try row.decode(forColumn: "final_state_hash"),
      stateEncoding: try stateEncoding(row, id, path: path))
  }

  /// ISO-8601 UTC to whole seconds, e.g. `2026-11-20T13:51:23Z`.
  static func timestamp(_ date: Date) -> String {
    date.ISO8601Format()
  }

  /// The date ``timestamp(_:)`` stores, as reading it back gives it: the format drops the
  /// fraction of the second, rounding down.
  static func storedDate(_ date: Date) -> Date {
    Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
  }
}
