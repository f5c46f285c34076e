import Foundation
import GRDB
import Testing
import VMBusHost
import VMBusSim
import VMBusTesting

@testable import VMBusStore

@Suite struct SchemaTests {
  @Test func aNewStoreIsOursInWALWithStrictTables() throws {
    try withTemporaryStore { store in
      let pragmas = try store.pool.write { db in
        [
          try String.fetchOne(db, sql: "PRAGMA application_id"),
          try String.fetchOne(db, sql: "PRAGMA journal_mode"),
          try String.fetchOne(db, sql: "PRAGMA synchronous"),
          try String.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"),
        ]
      }
      #expect(pragmas == ["\(0x564D_4253)", "wal", "1", "10000"])  // synchronous 1 is NORMAL
      let (migrations, strict) = try store.pool.read { db in
        (
          try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
          try String.fetchAll(
            db, sql: "SELECT name FROM pragma_table_list WHERE strict = 1 ORDER BY name")
        )
      }
      #expect(
        migrations == [
          "v1", "v2-fuzz-failures", "v3-skipped-lines", "v4-no-events-by-name",
          "v5-snapshots-refolded", "v6-sim-arguments", "v7-fuzz-campaigns", "v8-state-encoding",
          "v9-skipped-lines-part", "v10-fuzz-failures-explored-depth",
          "v11-fuzz-campaign-guest-errors",
        ])
      #expect(
        strict == [
          "events", "fuzz_campaign_guest_errors", "fuzz_campaign_signatures", "fuzz_campaigns",
          "fuzz_failures", "sessions", "skipped_lines", "snapshots",
        ])
    }
  }

  @Test func eventsHaveNoSecondaryIndexNewOrUpgraded() throws {
    func eventIndexes(_ store: EventStore) throws -> [String] {
      try store.pool.read { db in
        try String.fetchAll(
          db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
      }
    }
    try withTemporaryStore { store in
      let indexes = try eventIndexes(store)
      #expect(indexes == [])
    }
    try withTemporaryPath { path in
      // A file migrated up to v3 has v2's index; opening it applies v4, which drops it.
      do {
        let pool = try DatabasePool(path: path)
        try StoreSchema.migrator.migrate(pool, upTo: "v3-skipped-lines")
        #expect(
          try pool.read { db in
            try String.fetchAll(
              db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"
            )
          } == ["events_by_name"])
      }
      let store = try EventStore.open(path: path)
      #expect(try eventIndexes(store) == [])
    }
  }

  @Test func snapshotsWrittenBeforeV5AreDroppedOnOpen() throws {
    try withTemporaryPath { path in
      do {
        let store = try EventStore.open(path: path)
        var writer = try store.beginSession(simulatedInfo())
        try writer.append(contentsOf: EventSamples.all)
        try writer.finish()
        // As a build before v5 left it: an old-shaped snapshot, v5 not yet applied.
        try store.pool.write { db in
          try db.execute(
            sql: "INSERT INTO snapshots (session_id, seq, state, state_hash) VALUES (1, 1, ?, ?)",
            arguments: [Data("{\"bus\":0}".utf8), "0000000000000000"])
          try db.execute(
            sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5-snapshots-refolded'")
        }
      }
      let store = try EventStore.open(path: path)
      #expect(
        try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM snapshots") }
          == 0)
      #expect(try store.verifySnapshots(session: SessionID(1)) == [])
      #expect(
        try store.state(session: SessionID(1), at: 1)
          == HostState.fold(EventSamples.all.prefix(1)).state)
    }
  }

  @Test func sessionsStoredBeforeV6KeepTheirDigestAsEncodingVersion1() throws {
    try withTemporaryPath { path in
      let events = BootWorkload.events(boots: 1)
      let state = HostState.fold(events.prefix(8)).state
      do {
        let store = try EventStore.open(path: path)
        var writer = try store.beginSession(
          simulatedInfo(), options: WriterOptions(snapshotInterval: 1_000_000))
        try writer.append(contentsOf: events)
        try writer.finish()
        // As a build before v8 left it: no state_encoding column, a digest of the old walk,
        // a JSON snapshot hashed the old way, v8 not yet applied.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(state)
        try store.pool.write { db in
          try db.execute(
            sql: """
              ALTER TABLE sessions DROP COLUMN state_encoding;
              UPDATE sessions SET final_state_hash = '00112233445566ff';
              DELETE FROM grdb_migrations WHERE identifier = 'v8-state-encoding';
              """)
          try db.execute(
            sql: "INSERT INTO snapshots (session_id, seq, state, state_hash) VALUES (1, 8, ?, ?)",
            arguments: [json, "8899aabbccddeeff"])
        }
      }
      // Read-only, unmigrated: the JSON snapshot is read, no hash is compared with a v2 one.
      let reader = try EventStore.openReadOnly(path: path)
      #expect(try reader.session(SessionID(1)).stateEncoding == 1)
      #expect(try reader.verifySnapshots(session: SessionID(1)) == [])
      #expect(
        try reader.state(session: SessionID(1), at: 9) == HostState.fold(events.prefix(9)).state)
      // Migrated: the session keeps version 1, its snapshots are gone (a cache).
      let store = try EventStore.open(path: path)
      #expect(try store.session(SessionID(1)).stateEncoding == 1)
      #expect(try store.session(SessionID(1)).finalStateHash == "00112233445566ff")
      #expect(
        try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM snapshots") }
          == 0)
      #expect(try store.verifySnapshots(session: SessionID(1)) == [])
      // A new session is stored under this build's encoding and checked against it.
      var writer = try store.beginSession(simulatedInfo())
      try writer.append(contentsOf: events)
      let summary = try writer.finish()
      #expect(summary.stateEncoding == StateEncoding.version)
      #expect(try store.session(summary.id).stateEncoding == StateEncoding.version)
      #expect(summary.finalStateHash == HostState.fold(events).state.digest.hex)
    }
  }

  @Test func reopeningKeepsSessions() throws {
    try withTemporaryPath { path in
      do {
        let store = try EventStore.open(path: path)
        var writer = try store.beginSession(simulatedInfo())
        try writer.append(contentsOf: EventSamples.all)
        try writer.finish()
      }
      // Every connection is closed, so SQLite has removed the WAL: a reader alone opens it.
      #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
      let reader = try EventStore.openReadOnly(path: path)
      #expect(try reader.sessions().map(\.status) == [.complete])
      #expect(try reader.allEvents(SessionID(1)).map(\.event) == EventSamples.all)
      let again = try EventStore.open(path: path)
      #expect(try again.sessions().map(\.eventCount) == [EventSamples.all.count])
      #expect(throws: StoreError.readOnly(path: path)) {
        _ = try reader.beginSession(simulatedInfo())
      }
    }
  }

  @Test func integrityCheckPassesAfterAWorkload() throws {
    try withTemporaryStore { store in
      var writer = try store.beginSession(simulatedInfo(), options: WriterOptions(batchSize: 500))
      try writer.append(contentsOf: BootWorkload.events(boots: 10))
      try writer.finish()
      let (integrity, foreignKeys) = try store.pool.read { db in
        (
          try String.fetchAll(db, sql: "PRAGMA integrity_check"),
          try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count
        )
      }
      #expect(integrity == ["ok"])
      #expect(foreignKeys == 0)
    }
  }

  @Test func aFileThatIsNotSQLiteIsRefusedUnchanged() throws {
    try withTemporaryPath { path in
      let bytes = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
      try bytes.write(to: URL(fileURLWithPath: path))
      #expect(throws: StoreError.notADatabase(path: path)) { try EventStore.open(path: path) }
      #expect(throws: StoreError.notADatabase(path: path)) {
        try EventStore.openReadOnly(path: path)
      }
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
      #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }
  }

  @Test(arguments: [0, 1234])
  func anotherApplicationsDatabaseIsRefusedUnchanged(applicationID: Int32) throws {
    try withTemporaryPath { path in
      do {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
          try db.execute(sql: "PRAGMA application_id = \(applicationID)")
          try db.execute(sql: "CREATE TABLE players (id INTEGER PRIMARY KEY, name TEXT)")
        }
      }
      let before = try Data(contentsOf: URL(fileURLWithPath: path))
      let error = StoreError.notOurDatabase(path: path, applicationID: applicationID)
      #expect(throws: error) { try EventStore.open(path: path) }
      #expect(throws: error) { try EventStore.openReadOnly(path: path) }
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
      #expect(error.description.hasPrefix("\(path): not a vmbus-sim event store"))
    }
  }

  @Test func anEmptySQLiteFileIsInitialized() throws {
    try withTemporaryPath { path in
      #expect(FileManager.default.createFile(atPath: path, contents: Data()))
      #expect(throws: StoreError.notOurDatabase(path: path, applicationID: 0)) {
        try EventStore.openReadOnly(path: path)
      }
      let sessions = try EventStore.open(path: path).sessions()
      #expect(sessions.isEmpty)
    }
  }

  /// A new store at `path`, then `sql` run on it as a hand edit would.
  static func createStore(at path: String, thenRun sql: String) throws {
    let store = try EventStore.open(path: path)
    try store.pool.write { db in try db.execute(sql: sql) }
  }

  @Test func aNewerSchemaIsRefused() throws {
    try withTemporaryPath { path in
      try Self.createStore(
        at: path,
        thenRun: """
          INSERT INTO grdb_migrations (identifier) VALUES ('v2');
          CREATE TABLE annotations (id INTEGER PRIMARY KEY) STRICT
          """)
      let error = StoreError.newerSchema(path: path, unknownMigrations: ["v2"])
      #expect(throws: error) { try EventStore.open(path: path) }
      #expect(throws: error) { try EventStore.openReadOnly(path: path) }
      #expect(
        error.description
          == "\(path): written by a newer vmbus-sim (unknown migrations: v2); upgrade this build to open it"
      )
    }
  }

  @Test func ourDatabaseWithoutItsTablesIsRefused() throws {
    try withTemporaryPath { path in
      try Self.createStore(at: path, thenRun: "DROP TABLE snapshots")
      #expect(throws: StoreError.missingTables(path: path, tables: ["snapshots"])) {
        try EventStore.open(path: path)
      }
    }
  }

  @Test func aRenamedColumnIsNamedWhenTheFileIsOpened() throws {
    try withTemporaryPath { path in
      try Self.createStore(
        at: path, thenRun: "ALTER TABLE sessions RENAME COLUMN seed TO random_seed")
      let error = StoreError.missingColumns(path: path, table: "sessions", columns: ["seed"])
      #expect(throws: error) { try EventStore.open(path: path) }
      #expect(throws: error) { try EventStore.openReadOnly(path: path) }
      #expect(
        error.description
          == "\(path): vmbus-sim event store's table sessions is missing columns: seed")
    }
  }

  /// Read-only, a file is read in its own schema: it needs only what its own migrations
  /// made, and a table a later migration adds is not missing from it.
  @Test func anOlderFileIsCheckedAgainstItsOwnMigrations() throws {
    try withTemporaryPath { path in
      do {
        let pool = try DatabasePool(path: path)
        try StoreSchema.migrator.migrate(pool, upTo: "v6-sim-arguments")
      }
      let store = try EventStore.openReadOnly(path: path)
      #expect(try store.sessions().isEmpty)
      #expect(try store.fuzzCampaigns().isEmpty)
    }
    try withTemporaryPath { path in
      do {
        let pool = try DatabasePool(path: path)
        try StoreSchema.migrator.migrate(pool, upTo: "v7-fuzz-campaigns")
        try pool.write { db in
          try db.execute(sql: "ALTER TABLE fuzz_campaigns DROP COLUMN seeds_done")
        }
      }
      #expect(
        throws: StoreError.missingColumns(
          path: path, table: "fuzz_campaigns", columns: ["seeds_done"])
      ) { try EventStore.openReadOnly(path: path) }
    }
  }

  /// The reference the check uses is the migrations run on an empty database: it has every
  /// table the store reads.
  @Test func theExpectedLayoutFollowsTheMigrations() throws {
    let all = try SchemaLayout.expected(through: try #require(StoreSchema.migrator.migrations.last))
    #expect(Set(StoreSchema.requiredTables).isSubset(of: all.keys))
    #expect(all["fuzz_campaign_guest_errors"] != nil)
    #expect(all["fuzz_failures"]?.contains("explored_depth") == true)
    let early = try SchemaLayout.expected(through: "v1")
    #expect(early["fuzz_failures"] == nil)
    #expect(early["sessions"]?.contains("scenario_text") == true)
  }

  @Test func aMissingFileCannotBeOpenedReadOnly() throws {
    try withTemporaryPath { path in
      #expect(throws: StoreError.noSuchFile(path: path)) {
        try EventStore.openReadOnly(path: path)
      }
      #expect(!FileManager.default.fileExists(atPath: path))
    }
  }

  @Test func aMissingDirectoryIsAnErrorNotACrash() {
    let path = "/nonexistent-\(UUID().uuidString)/runs.sqlite"
    #expect(throws: StoreError.self) { try EventStore.open(path: path) }
  }
}

@Suite struct SimulatorFactMigrationTests {
  /// A file as a build before v6 left it: the samples stored with the Codable form of `sim`.
  static func makeV5File(at path: String, corrupting seq: Int? = nil) throws {
    let pool = try DatabasePool(path: path)
    try StoreSchema.migrator.migrate(pool, upTo: "v5-snapshots-refolded")
    let foundation = JSONEncoder()
    foundation.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    try pool.write { db in
      try db.execute(
        sql: """
          INSERT INTO sessions (id, name, kind, host_profile, created_at, status, event_count)
          VALUES (1, 'old', 'simulated', 'qemu', '2027-01-15T08:00:00Z', 'complete', ?)
          """, arguments: [EventSamples.simulator.count])
      for (index, fact) in EventSamples.simulator.enumerated() {
        let text =
          index + 1 == seq
          ? "{\"nonsense\":1}" : String(decoding: try foundation.encode(fact), as: UTF8.self)
        try db.execute(
          sql: "INSERT INTO events (session_id, seq, name, sim) VALUES (1, ?, ?, ?)",
          arguments: [index + 1, fact.name, text])
      }
    }
  }

  @Test func openingRewritesEarlierFactsIntoNamedArguments() throws {
    try withTemporaryPath { path in
      try Self.makeV5File(at: path)
      let store = try EventStore.open(path: path)
      #expect(
        try store.allEvents(SessionID(1)).map(\.event)
          == EventSamples.simulator.map(HostEvent.simulator))
      let stored = try store.pool.read { db in
        try String.fetchAll(db, sql: "SELECT sim FROM events ORDER BY seq")
      }
      let json = SimulatorEventJSON()
      #expect(
        stored == EventSamples.simulator.map { String(decoding: json.encode($0), as: UTF8.self) })
    }
  }

  @Test func aReaderOfAnUnmigratedFileReadsTheEarlierForm() throws {
    try withTemporaryPath { path in
      try Self.makeV5File(at: path)
      let reader = try EventStore.openReadOnly(path: path)
      #expect(
        try reader.allEvents(SessionID(1)).map(\.event)
          == EventSamples.simulator.map(HostEvent.simulator))
    }
  }

  @Test func aFactThatDoesNotDecodeStopsTheMigrationAndLeavesTheFile() throws {
    try withTemporaryPath { path in
      try Self.makeV5File(at: path, corrupting: 4)
      let before = try DatabasePool(path: path).read { db in
        try String.fetchAll(db, sql: "SELECT sim FROM events ORDER BY seq")
      }
      #expect {
        _ = try EventStore.open(path: path)
      } throws: { error in
        guard case StoreError.corruptEvent(path, SessionID(1), 4, let reason) = error else {
          return false
        }
        return reason.contains("v6-sim-arguments")
      }
      let pool = try DatabasePool(path: path)
      let (after, migrations) = try pool.read { db in
        (
          try String.fetchAll(db, sql: "SELECT sim FROM events ORDER BY seq"),
          try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        )
      }
      #expect(after == before)
      #expect(!migrations.contains("v6-sim-arguments"))
    }
  }
}
