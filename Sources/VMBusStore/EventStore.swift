import Foundation
import GRDB

/// A vmbus-sim SQLite event store: sessions, their events, and snapshots of folded state.
///
/// The one reference type of the store: it owns a GRDB `DatabasePool` (one writer connection,
/// a pool of WAL readers). Several processes may open the same file: one appends while
/// others read, with no "database is locked" failures (WAL lets readers run beside the
/// writer; a busy timeout covers the brief exclusive locks of checkpoints and recovery).
///
/// Durability: `journal_mode = WAL` with `synchronous = NORMAL`. A commit is in the WAL file
/// before `finish` returns, so a process that is killed (or crashes) after a commit loses
/// nothing, and one killed mid-transaction loses only that transaction. The WAL is synced
/// at checkpoints rather than at every commit, so power loss or an OS crash may roll back
/// the last transactions, but never corrupts the database. `FULL` would add an fsync per
/// commit for a guarantee against power loss that a simulator's re-runnable sessions do not
/// need.
package final class EventStore: Sendable {
  /// The database file.
  package let path: String
  /// Whether the store was opened with ``openReadOnly(path:)``.
  package let isReadOnly: Bool
  let pool: DatabasePool

  private init(path: String, isReadOnly: Bool, pool: DatabasePool) {
    self.path = path
    self.isReadOnly = isReadOnly
    self.pool = pool
  }

  /// How long a connection waits for another process's lock before failing.
  static let busyTimeout: TimeInterval = 30

  /// WAL pages after which a commit checkpoints (`PRAGMA wal_autocheckpoint`).
  static let walAutocheckpointPages = 10_000

  /// Opens the store at `path` for reading and writing, creating it if absent and applying
  /// any migrations it lacks.
  ///
  /// Refuses, without changing it, a file that is not an SQLite database, an SQLite
  /// database of another application, or one migrated by a newer build.
  package static func open(path: String) throws(StoreError) -> EventStore {
    if FileManager.default.fileExists(atPath: path) {
      _ = try inspect(path: path)
    }
    var configuration = Configuration()
    configuration.busyMode = .timeout(busyTimeout)
    configuration.prepareDatabase { db in
      // Explicit, though GRDB's pools set the same: see the type's documentation.
      try db.execute(sql: "PRAGMA synchronous = NORMAL")
      // Truncate the WAL back to 64 MiB after a checkpoint that follows a large import.
      try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
      // Checkpoint every 10,000 WAL pages (40 MiB), not SQLite's 1,000: a checkpoint writes
      // each page once however often it changed (the tail of `events`, `sessions` rows), and
      // its two fsyncs are paid ten times less often.
      try db.execute(sql: "PRAGMA wal_autocheckpoint = \(walAutocheckpointPages)")
    }
    let pool = try withStoreErrors(path: path) {
      try DatabasePool(path: path, configuration: configuration)
    }
    try withStoreErrors(path: path) { try StoreSchema.migrator.migrate(pool) }
    try checkLayout(pool, path: path, lastMigration: StoreSchema.migrator.migrations.last)
    return EventStore(path: path, isReadOnly: false, pool: pool)
  }

  /// Opens an existing store for reading only; it may be written by another process
  /// meanwhile. Every read sees one committed state of the file.
  package static func openReadOnly(path: String) throws(StoreError) -> EventStore {
    guard FileManager.default.fileExists(atPath: path) else {
      throw .noSuchFile(path: path)
    }
    guard case .ours(let migrations) = try inspect(path: path) else {
      throw .notOurDatabase(path: path, applicationID: 0)
    }
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(busyTimeout)
    let pool = try withStoreErrors(path: path) {
      try DatabasePool(path: path, configuration: configuration)
    }
    // Read in its own schema: it must have what its migrations made, no more. Migrations
    // run in order, so what a file surely has is what the run of them it records from the
    // first made.
    let recorded = Set(migrations)
    let lastMigration = StoreSchema.migrator.migrations.prefix(while: recorded.contains).last
    try checkLayout(pool, path: path, lastMigration: lastMigration)
    return EventStore(path: path, isReadOnly: true, pool: pool)
  }

  /// What an existing file holds, read without changing it.
  private enum Inspection {
    /// An SQLite database with no tables and no application id: ours to initialize.
    case empty
    /// Our application id, and no migration this build does not know: these are the ones
    /// it records.
    case ours(migrations: [String])
  }

  private static func inspect(path: String) throws(StoreError) -> Inspection {
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(busyTimeout)
    let facts = try withStoreErrors(path: path) {
      let queue = try DatabaseQueue(path: path, configuration: configuration)
      return try queue.read { db in
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tableCount =
          try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'")
          ?? 0
        let migrations =
          try db.tableExists("grdb_migrations")
          ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
        return (applicationID, tableCount, migrations)
      }
    }
    let (applicationID, tableCount, migrations) = facts
    if applicationID == 0 && tableCount == 0 { return .empty }
    guard applicationID == StoreSchema.applicationID else {
      throw .notOurDatabase(path: path, applicationID: applicationID)
    }
    let known = Set(StoreSchema.migrator.migrations)
    let unknown = migrations.filter { !known.contains($0) }
    guard unknown.isEmpty else {
      throw .newerSchema(path: path, unknownMigrations: unknown)
    }
    return .ours(migrations: migrations)
  }

  /// Refuses a file that lacks a table or column the migrations through `lastMigration`
  /// made (when it records none, a table every schema has). Extra tables and columns are
  /// left alone.
  private static func checkLayout(
    _ pool: DatabasePool, path: String, lastMigration: String?
  ) throws(StoreError) {
    let (actual, expected) = try withStoreErrors(path: path) {
      let actual = try pool.read { db in try SchemaLayout.layout(of: db) }
      var expected = try lastMigration.map(SchemaLayout.expected(through:)) ?? [:]
      for table in StoreSchema.requiredTables where expected[table] == nil {
        expected[table] = []
      }
      return (actual, expected)
    }
    let missing = SchemaLayout.missing(in: actual, expected: expected)
    guard missing.tables.isEmpty else { throw .missingTables(path: path, tables: missing.tables) }
    if let first = missing.columns.first {
      throw .missingColumns(path: path, table: first.table, columns: first.columns)
    }
  }

  /// Runs `body`, turning GRDB's errors into ``StoreError``s that name this file.
  func withErrors<T>(_ body: () throws -> T) throws(StoreError) -> T {
    try Self.withStoreErrors(path: path, body)
  }

  static func withStoreErrors<T>(path: String, _ body: () throws -> T) throws(StoreError) -> T {
    do {
      return try body()
    } catch {
      throw storeError(error, path: path)
    }
  }

  static func storeError(_ error: any Error, path: String) -> StoreError {
    switch error {
    case let error as StoreError: return error
    case let error as EncodingError: return .encodingFailed(path: path, reason: "\(error)")
    case let error as MigrationRowError:
      return .corruptEvent(path: path, session: error.session, seq: error.seq, reason: error.reason)
    case let error as DatabaseError:
      let message = (error.message ?? "\(error.resultCode)").lowercased()
      switch error.resultCode {
      case .SQLITE_NOTADB: return .notADatabase(path: path)
      case .SQLITE_CORRUPT: return .malformed(path: path, message: message)
      case .SQLITE_READONLY: return .readOnly(path: path)
      case .SQLITE_CANTOPEN: return .cannotOpen(path: path, reason: message)
      default: return .sqlite(path: path, code: error.resultCode.rawValue, message: message)
      }
    default:
      return .sqlite(path: path, code: -1, message: "\(error)".lowercased())
    }
  }
}
