import Foundation
import GRDB
import VMBusHost

/// The database schema, as GRDB migrations.
///
/// A migration that has shipped is never edited: a change of schema is a new migration
/// appended to ``migrator``. A database that records a migration this build does not know
/// was written by a newer build and is refused (``StoreError/newerSchema(path:unknownMigrations:)``).
enum StoreSchema {
  /// `PRAGMA application_id`: "VMBS" in ASCII. SQLite tools (`file(1)` too) show it, and
  /// opening refuses a database that carries another one.
  static let applicationID: Int32 = 0x564D_4253

  /// The tables every version of the schema has.
  static let requiredTables = ["events", "sessions", "snapshots"]

  /// All migrations, in order.
  static let migrator: DatabaseMigrator = {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in try createV1(db) }
    migrator.registerMigration("v2-fuzz-failures") { db in try createV2(db) }
    migrator.registerMigration("v3-skipped-lines") { db in try createV3(db) }
    migrator.registerMigration("v4-no-events-by-name") { db in try dropEventsByName(db) }
    migrator.registerMigration("v5-snapshots-refolded") { db in try dropSnapshots(db) }
    migrator.registerMigration("v6-sim-arguments") { db in try rewriteSimulatorFacts(db) }
    migrator.registerMigration("v7-fuzz-campaigns") { db in try createFuzzCampaigns(db) }
    migrator.registerMigration("v8-state-encoding") { db in try addStateEncoding(db) }
    migrator.registerMigration("v9-skipped-lines-part") { db in try addSkippedLinePart(db) }
    migrator.registerMigration("v10-fuzz-failures-explored-depth") { db in
      try addExploredDepth(db)
    }
    migrator.registerMigration("v11-fuzz-campaign-guest-errors") { db in
      try createFuzzCampaignGuestErrors(db)
    }
    return migrator
  }()

  /// The first schema: sessions, events with one column per QEMU argument name, snapshots.
  private static func createV1(_ db: Database) throws {
    try db.execute(sql: "PRAGMA application_id = \(applicationID)")
    try db.execute(
      sql: """
        CREATE TABLE sessions (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('simulated', 'imported')),
          source_file TEXT,
          source_format TEXT,
          host_profile TEXT NOT NULL,
          scenario_text TEXT,
          seed INTEGER,
          created_at TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('in_progress', 'complete', 'failed')),
          event_count INTEGER NOT NULL DEFAULT 0,
          final_state_hash TEXT,
          metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata))
        ) STRICT;

        CREATE TABLE events (
          session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          seq INTEGER NOT NULL CHECK (seq >= 1),
          name TEXT NOT NULL,
          type INTEGER,
          size INTEGER,
          chan_id INTEGER,
          status INTEGER,
          message_type INTEGER,
          major INTEGER,
          minor INTEGER,
          vcpu INTEGER,
          monitor_page1 INTEGER,
          monitor_page2 INTEGER,
          interrupt_page INTEGER,
          dev INTEGER,
          gpadl_id INTEGER,
          num_gfns INTEGER,
          target_vp INTEGER,
          sim TEXT,
          ts_text TEXT,
          ts_ns INTEGER,
          thread_id INTEGER,
          source_line INTEGER,
          source_offset INTEGER,
          PRIMARY KEY (session_id, seq)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE snapshots (
          session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          seq INTEGER NOT NULL CHECK (seq >= 1),
          state BLOB NOT NULL,
          state_hash TEXT NOT NULL,
          PRIMARY KEY (session_id, seq)
        ) STRICT;
        """)
  }

  /// v2: the failures fuzz campaigns found, one row per (profile, signature), and an index
  /// for the questions users ask by trace point ("every msg_cb with status -11").
  private static func createV2(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE fuzz_failures (
          host_profile TEXT NOT NULL,
          signature TEXT NOT NULL,
          property TEXT NOT NULL,
          count INTEGER NOT NULL CHECK (count >= 1),
          first_seed INTEGER NOT NULL,
          detail TEXT NOT NULL,
          session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
          regression_file TEXT,
          regression_text TEXT NOT NULL,
          PRIMARY KEY (host_profile, signature)
        ) STRICT;

        CREATE INDEX events_by_name ON events(name, session_id);
        """)
  }

  /// v3: the lines of an imported log that are not events (other trace points, error
  /// reports, blank lines), verbatim, so that `export` writes the log back byte for byte.
  private static func createV3(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE skipped_lines (
          session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          line INTEGER NOT NULL CHECK (line >= 1),
          reason TEXT NOT NULL
            CHECK (reason IN ('blank', 'other_trace_point', 'not_trace_output', 'cut_off')),
          text BLOB NOT NULL,
          PRIMARY KEY (session_id, line)
        ) STRICT, WITHOUT ROWID;
        """)
  }

  /// v4: drops v2's `events_by_name` index, back to the documented design of one b-tree per
  /// append. Its leaves are spread by trace-point name, so every committed session rewrote
  /// a leaf per distinct name: a 131-event session wrote 44 WAL pages instead of 14, and
  /// bulk appends ran a third slower. Queries by name scan the table instead.
  private static func dropEventsByName(_ db: Database) throws {
    try db.execute(sql: "DROP INDEX IF EXISTS events_by_name")
  }

  /// v5: deletes every snapshot. `HostState` gained `routeKnown` and `faultJustTraced`, and
  /// the fold now faults at the trace event where QEMU crashes, so older snapshots neither
  /// decode nor match a fold. Snapshots are a cache: reads fold from the nearest remaining
  /// one, here the start.
  private static func dropSnapshots(_ db: Database) throws {
    try db.execute(sql: "DELETE FROM snapshots")
  }

  /// v6: rewrites every `events.sim` from the synthesized Codable form
  /// (`{"hypercall":{"_0":{...}}}`, payloads as arrays of numbers) into the documented flat
  /// object of named arguments with hex payloads. The row's `name` and every other column
  /// stay; a row that does not decode stops the migration, which then leaves the file as
  /// it was.
  private static func rewriteSimulatorFacts(_ db: Database) throws {
    let legacy = LegacySimulatorEventJSON()
    let current = SimulatorEventJSON()
    let update = try db.makeStatement(
      sql: "UPDATE events SET sim = ?3 WHERE session_id = ?1 AND seq = ?2")
    let rows = try Row.fetchCursor(
      db, sql: "SELECT session_id, seq, name, CAST(sim AS BLOB) FROM events WHERE sim IS NOT NULL")
    while let row = try rows.next() {
      let session: Int64 = row[0]
      let seq: Int64 = row[1]
      let name: String = row[2]
      let text: Data = row[3]
      let fact: SimulatorEvent
      do {
        fact = try text.withUnsafeBytes { try legacy.decode($0) }
      } catch {
        throw MigrationRowError(
          session: SessionID(rawValue: session), seq: Int(seq),
          reason: "v6-sim-arguments: \(name): sim does not decode: \(error)")
      }
      let rewritten = String(decoding: current.encode(fact), as: UTF8.self)
      try update.execute(arguments: [session, seq, rewritten])
    }
  }

  /// v7: each fuzz campaign's identity and checkpoint, and per signature its counts as of
  /// the checkpoint and the minimal case it committed, so that a killed campaign keeps its
  /// findings and `fuzz --resume` continues it.
  private static func createFuzzCampaigns(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE fuzz_campaigns (
          id INTEGER PRIMARY KEY,
          identity TEXT NOT NULL CHECK (json_valid(identity)),
          status TEXT NOT NULL CHECK (status IN ('running', 'finished')),
          seeds_done INTEGER NOT NULL DEFAULT 0 CHECK (seeds_done >= 0),
          guest_errors INTEGER NOT NULL DEFAULT 0 CHECK (guest_errors >= 0)
        ) STRICT;

        CREATE TABLE fuzz_campaign_signatures (
          campaign_id INTEGER NOT NULL REFERENCES fuzz_campaigns(id) ON DELETE CASCADE,
          signature TEXT NOT NULL,
          count INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
          lowest_seed INTEGER,
          shrunk_seed INTEGER,
          host_profile TEXT,
          stored_signature TEXT,
          counted INTEGER NOT NULL DEFAULT 0 CHECK (counted >= 0),
          session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
          regression_file TEXT,
          corpus TEXT CHECK (corpus IN ('not_written', 'new', 'known', 'replaced')),
          minimal_steps INTEGER,
          minimal_choices INTEGER,
          minimal_detail TEXT,
          seconds_to_first REAL,
          PRIMARY KEY (campaign_id, signature)
        ) STRICT, WITHOUT ROWID;
        """)
  }

  /// v8: records the state encoding each session's `final_state_hash` was computed with
  /// (`StateEncoding.version`). The sessions already stored hold digests of the hand-written
  /// walk of earlier builds, version 1, which `verify` does not compare with a digest of the
  /// canonical encoding. Their snapshots (JSON, hashed the old way) are deleted: snapshots
  /// are a cache, and reads fold from the nearest remaining one, here the start.
  private static func addStateEncoding(_ db: Database) throws {
    try db.execute(
      sql: """
        ALTER TABLE sessions ADD COLUMN state_encoding INTEGER NOT NULL DEFAULT 1;
        DELETE FROM snapshots;
        """)
  }

  /// v9: a skipped line says which file of the session it is from, `source` or
  /// `destination` (the second trace of a migrated VM, `import --migrated-to`): both files
  /// have a line 1. The key becomes `(session_id, part, line)`, which SQLite cannot alter, so
  /// the table is rebuilt; every line stored before is the source's.
  private static func addSkippedLinePart(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE skipped_lines_v9 (
          session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          part TEXT NOT NULL CHECK (part IN ('source', 'destination')),
          line INTEGER NOT NULL CHECK (line >= 1),
          reason TEXT NOT NULL
            CHECK (reason IN ('blank', 'other_trace_point', 'not_trace_output', 'cut_off')),
          text BLOB NOT NULL,
          PRIMARY KEY (session_id, part, line)
        ) STRICT, WITHOUT ROWID;

        INSERT INTO skipped_lines_v9 (session_id, part, line, reason, text)
          SELECT session_id, 'source', line, reason, text FROM skipped_lines;
        DROP TABLE skipped_lines;
        ALTER TABLE skipped_lines_v9 RENAME TO skipped_lines;
        """)
  }

  /// v10: the depth of the exhaustive exploration whose case a failure's row stores; NULL
  /// when a campaign's seed found the case. An exploration's cases replay with seed 0, which
  /// `first_seed` then holds, so the seed alone could not tell the two apart.
  private static func addExploredDepth(_ db: Database) throws {
    try db.execute(
      sql: """
        ALTER TABLE fuzz_failures
          ADD COLUMN explored_depth INTEGER CHECK (explored_depth >= 0)
        """)
  }

  /// v11: a campaign's guest errors by the rule the guest broke (the run's root cause), as
  /// of its watermark, and the session of the lowest seed's shrunk case once stored. A
  /// campaign of v7-v10 counted only `fuzz_campaigns.guest_errors`; it has no rows here.
  private static func createFuzzCampaignGuestErrors(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE fuzz_campaign_guest_errors (
          campaign_id INTEGER NOT NULL REFERENCES fuzz_campaigns(id) ON DELETE CASCADE,
          rule TEXT NOT NULL,
          count INTEGER NOT NULL CHECK (count > 0),
          lowest_seed INTEGER NOT NULL,
          session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
          minimal_steps INTEGER CHECK (minimal_steps >= 0),
          PRIMARY KEY (campaign_id, rule)
        ) STRICT, WITHOUT ROWID;
        """)
  }
}

/// A stored row a migration could not carry forward; opening reports it with the file's path.
struct MigrationRowError: Error {
  var session: SessionID
  var seq: Int
  var reason: String
}
