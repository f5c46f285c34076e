import GRDB
import Synchronization

/// The tables and columns a database must have for this build to read it, given the
/// migrations it records.
///
/// A file that carries our application id and known migrations can still have lost a table
/// or had a column renamed (a hand edit, a damaged schema page SQLite still parses). Without
/// this check the first query that names the column fails with a generic SQLite error, far
/// from the cause; with it, opening the file says which table lacks which column.
///
/// The reference is built by running the same migrations on an empty in-memory database,
/// so it cannot drift from them: a new migration is checked as soon as it is registered.
enum SchemaLayout {
  /// Table name to column names.
  typealias Columns = [String: Set<String>]

  /// What a database has when its last migration is `lastMigration`. Computed once per
  /// migration and kept: a process opens few databases, but tests open many.
  static func expected(through lastMigration: String) throws -> Columns {
    if let known = cache.withLock({ $0[lastMigration] }) { return known }
    let queue = try DatabaseQueue()
    try StoreSchema.migrator.migrate(queue, upTo: lastMigration)
    let columns = try queue.read { db in try layout(of: db) }
    cache.withLock { $0[lastMigration] = columns }
    return columns
  }

  /// The tables and columns of `db`, GRDB's own bookkeeping and SQLite's left out.
  static func layout(of db: Database) throws -> Columns {
    let tables = try String.fetchAll(
      db,
      sql: """
        SELECT name FROM sqlite_master
        WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
        """)
    var columns: Columns = [:]
    for table in tables {
      columns[table] = Set(try db.columns(in: table).map(\.name))
    }
    return columns
  }

  /// What `actual` lacks of `expected`, by table, in name order; a table missing whole is
  /// listed under `tables`.
  static func missing(in actual: Columns, expected: Columns) -> (
    tables: [String], columns: [(table: String, columns: [String])]
  ) {
    var tables: [String] = []
    var columns: [(table: String, columns: [String])] = []
    for (table, wanted) in expected.sorted(by: { $0.key < $1.key }) {
      guard let present = actual[table] else {
        tables.append(table)
        continue
      }
      let lacking = wanted.subtracting(present).sorted()
      if !lacking.isEmpty { columns.append((table, lacking)) }
    }
    return (tables, columns)
  }

  private static let cache = Mutex<[String: Columns]>([:])
}
