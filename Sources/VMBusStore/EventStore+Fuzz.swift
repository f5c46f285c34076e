import GRDB
import VMBusHost

/// A distinct failure a fuzz campaign found, as stored (one row per profile and signature).
package struct FuzzFailureRecord: Hashable, Sendable {
  package var hostProfile: String
  package var signature: String
  package var property: String
  package var count: Int
  package var firstSeed: UInt64
  package var detail: String
  /// The stored session of the minimal case.
  package var session: SessionID?
  /// Where its regression file was written.
  package var regressionFile: String?
  /// The regression file's text (so a merged database keeps it).
  package var regressionText: String
  /// The depth of the exhaustive exploration that found the stored case; nil when a
  /// campaign's seed did (`firstSeed` is then that seed; an exploration's is 0, the seed
  /// its case replays with).
  package var exploredDepth: Int?

  package init(
    hostProfile: String, signature: String, property: String, count: Int, firstSeed: UInt64,
    detail: String, session: SessionID?, regressionFile: String?, regressionText: String,
    exploredDepth: Int? = nil
  ) {
    self.hostProfile = hostProfile
    self.signature = signature
    self.property = property
    self.count = count
    self.firstSeed = firstSeed
    self.detail = detail
    self.session = session
    self.regressionFile = regressionFile
    self.regressionText = regressionText
    self.exploredDepth = exploredDepth
  }
}

extension FuzzFailureRecord {
  /// `other`, a record of the same failure, folded into this one as the store folds a
  /// failure recorded twice (``EventStore/recordFuzzFailure(_:)``): counts add up, the
  /// earlier first seed wins, and the minimal case is the lower seed's when it has one, else
  /// the first stored. For records read back from different rows (a root cause renamed).
  package func absorbing(_ other: FuzzFailureRecord) -> FuzzFailureRecord {
    var combined = self
    combined.count += other.count
    combined.firstSeed = Swift.min(firstSeed, other.firstSeed)
    let otherCaseWins = other.firstSeed < firstSeed && other.session != nil
    if otherCaseWins || (session == nil && other.session != nil) {
      combined.exploredDepth = other.exploredDepth
    }
    if otherCaseWins {
      combined.session = other.session
      combined.regressionFile = other.regressionFile
      combined.regressionText = other.regressionText
      combined.detail = other.detail
    } else {
      combined.session = session ?? other.session
      combined.regressionFile = regressionFile ?? other.regressionFile
    }
    return combined
  }
}

extension EventStore {
  /// Adds a failure, or merges it into the row with its signature: counts add up, the
  /// earliest seed wins, and the first stored minimal case is kept. Returns the stored row.
  @discardableResult
  package func recordFuzzFailure(_ record: FuzzFailureRecord) throws(StoreError)
    -> FuzzFailureRecord
  {
    guard !isReadOnly else { throw .readOnly(path: path) }
    return try withErrors {
      try pool.write { db in try Self.upsertFuzzFailure(db, record, addingOnConflict: record.count)
      }
    }
  }

  /// The upsert of ``recordFuzzFailure(_:)``, adding `added` to an existing row's count.
  static func upsertFuzzFailure(
    _ db: Database, _ record: FuzzFailureRecord, addingOnConflict added: Int
  )
    throws -> FuzzFailureRecord
  {
    try db.execute(
      sql: """
        INSERT INTO fuzz_failures (host_profile, signature, property, count, first_seed,
          detail, session_id, regression_file, regression_text, explored_depth)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (host_profile, signature) DO UPDATE SET
          count = count + ?,
          explored_depth = CASE WHEN \(Self.lowerSeedWithCase)
            OR (session_id IS NULL AND excluded.session_id IS NOT NULL)
            THEN excluded.explored_depth ELSE explored_depth END,
          first_seed = min(first_seed, excluded.first_seed),
          session_id = CASE WHEN \(Self.lowerSeedWithCase)
            THEN excluded.session_id ELSE coalesce(session_id, excluded.session_id) END,
          regression_file = CASE WHEN \(Self.lowerSeedWithCase)
            THEN excluded.regression_file
            ELSE coalesce(regression_file, excluded.regression_file) END,
          regression_text = CASE WHEN \(Self.lowerSeedWithCase)
            THEN excluded.regression_text ELSE regression_text END,
          detail = CASE WHEN \(Self.lowerSeedWithCase)
            THEN excluded.detail ELSE detail END
        """,
      arguments: [
        record.hostProfile, record.signature, record.property, record.count,
        Int64(bitPattern: record.firstSeed), record.detail, record.session?.rawValue,
        record.regressionFile, record.regressionText, record.exploredDepth, added,
      ])
    return try fuzzFailure(db, profile: record.hostProfile, signature: record.signature) ?? record
  }

  /// The minimal case belongs to the lowest seed (``FuzzFailureRecord/absorbing(_:)`` is the
  /// same rule in memory): a record with a lower first seed and a session of its own
  /// replaces the stored case (shards merged in any order keep the case
  /// one process would have kept). Column names are the row before the update.
  private static let lowerSeedWithCase =
    "excluded.first_seed < first_seed AND excluded.session_id IS NOT NULL"

  /// Every stored failure, most frequent first.
  package func fuzzFailures() throws(StoreError) -> [FuzzFailureRecord] {
    try withErrors { try pool.read { db in try Self.fuzzFailures(db) } }
  }

  static func fuzzFailures(_ db: Database) throws -> [FuzzFailureRecord] {
    try Row.fetchAll(
      db, sql: "SELECT * FROM fuzz_failures ORDER BY count DESC, host_profile, signature"
    ).map(fuzzFailure(row:))
  }

  static func fuzzFailure(_ db: Database, profile: String, signature: String) throws
    -> FuzzFailureRecord?
  {
    try Row.fetchOne(
      db, sql: "SELECT * FROM fuzz_failures WHERE host_profile = ? AND signature = ?",
      arguments: [profile, signature]
    ).map(fuzzFailure(row:))
  }

  private static func fuzzFailure(row: Row) -> FuzzFailureRecord {
    let session: Int64? = row["session_id"]
    let seed: Int64 = row["first_seed"]
    return FuzzFailureRecord(
      hostProfile: row["host_profile"], signature: row["signature"], property: row["property"],
      count: row["count"], firstSeed: UInt64(bitPattern: seed), detail: row["detail"],
      session: session.map { SessionID($0) }, regressionFile: row["regression_file"],
      regressionText: row["regression_text"], exploredDepth: row["explored_depth"])
  }
}
