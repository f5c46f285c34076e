/// Why the event store could not do what was asked.
///
/// Every case names the database file, so a message stands on its own in a log.
package enum StoreError: Error, Hashable, Sendable, CustomStringConvertible {
  /// SQLite could not open the file (a missing directory, permissions).
  case cannotOpen(path: String, reason: String)
  /// A database to read (never one to create) does not exist.
  case noSuchFile(path: String)
  /// The file exists but is not an SQLite database at all.
  case notADatabase(path: String)
  /// SQLite found the file damaged (`SQLITE_CORRUPT`: a truncated or overwritten page).
  case malformed(path: String, message: String)
  /// The file is an SQLite database written by something else: its `application_id` is not
  /// ours, or it has tables and no `application_id`.
  case notOurDatabase(path: String, applicationID: Int32)
  /// The file carries our `application_id` but lacks tables the schema requires.
  case missingTables(path: String, tables: [String])
  /// The file carries our `application_id` and a table, but the table lacks columns the
  /// migrations the file records made (renamed or dropped by hand, or a damaged schema).
  case missingColumns(path: String, table: String, columns: [String])
  /// The file was migrated by a newer build: it records migrations this build does not know.
  case newerSchema(path: String, unknownMigrations: [String])
  /// The store was opened read-only and was asked to write.
  case readOnly(path: String)
  /// No session has this id.
  case sessionNotFound(path: String, session: SessionID)
  /// A writer tried to append to or close a session that is no longer in progress.
  case sessionClosed(path: String, session: SessionID)
  /// A position past the last stored event of a session.
  case sequenceOutOfRange(path: String, session: SessionID, seq: Int, eventCount: Int)
  /// An appended event's sequence number is not the next one.
  case outOfOrder(path: String, session: SessionID, expected: Int, found: Int)
  /// A stored event row does not decode to an event.
  case corruptEvent(path: String, session: SessionID, seq: Int, reason: String)
  /// A stored snapshot does not decode to a host state.
  case corruptSnapshot(path: String, session: SessionID, seq: Int, reason: String)
  /// A stored session row has a value outside its domain.
  case corruptSession(path: String, session: SessionID, reason: String)
  /// A value could not be encoded for storage.
  case encodingFailed(path: String, reason: String)
  /// A ``SessionWriter`` was used against its contract: `misuse` says how (`finish`
  /// inside ``EventStore/importSession(_:options:_:)``, whose transaction completes it).
  case writerMisuse(path: String, session: SessionID, misuse: String)
  /// A fuzz campaign of the database at `path` is already where `merge` puts it: merging it
  /// again would count its seeds twice.
  case campaignAlreadyMerged(path: String, campaign: Int64, holder: CampaignHolder)
  /// SQLite reported an error: its primary result code and message.
  case sqlite(path: String, code: Int32, message: String)

  package var description: String {
    switch self {
    case .cannotOpen(let path, let reason): "\(path): cannot open: \(reason)"
    case .noSuchFile(let path): "\(path): cannot open: no such file"
    case .notADatabase(let path): "\(path): not an sqlite database"
    case .malformed(let path, let message): "\(path): damaged sqlite database: \(message)"
    case .notOurDatabase(let path, let applicationID):
      "\(path): not a vmbus-sim event store (application_id \(Self.hex(applicationID)))"
    case .missingTables(let path, let tables):
      "\(path): vmbus-sim event store is missing tables: \(tables.joined(separator: ", "))"
    case .missingColumns(let path, let table, let columns):
      "\(path): vmbus-sim event store's table \(table) is missing columns: "
        + columns.joined(separator: ", ")
    case .newerSchema(let path, let unknown):
      "\(path): written by a newer vmbus-sim (unknown migrations: "
        + "\(unknown.joined(separator: ", "))); upgrade this build to open it"
    case .readOnly(let path): "\(path): opened read-only, cannot write"
    case .sessionNotFound(let path, let session): "\(path): no session \(session)"
    case .sessionClosed(let path, let session): "\(path): session \(session) is not in progress"
    case .sequenceOutOfRange(let path, let session, let seq, let count):
      "\(path): session \(session): seq \(seq) is outside 0...\(count)"
    case .outOfOrder(let path, let session, let expected, let found):
      "\(path): session \(session): expected event seq \(expected), found \(found)"
    case .corruptEvent(let path, let session, let seq, let reason):
      "\(path): session \(session): event \(seq): \(reason)"
    case .corruptSnapshot(let path, let session, let seq, let reason):
      "\(path): session \(session): snapshot at seq \(seq): \(reason)"
    case .corruptSession(let path, let session, let reason):
      "\(path): session \(session): \(reason)"
    case .encodingFailed(let path, let reason): "\(path): cannot encode: \(reason)"
    case .writerMisuse(let path, let session, let misuse):
      "\(path): session \(session): session writer misused: \(misuse)"
    case .campaignAlreadyMerged(let path, let campaign, .target(let target)):
      "\(path): fuzz campaign \(campaign) is already in \(target) (merged before); merging it "
        + "again would count its seeds twice"
    case .campaignAlreadyMerged(let path, let campaign, .earlierSource(let source)):
      "\(path): fuzz campaign \(campaign) is also in \(source), given earlier in this merge "
        + "(the same database twice, or a copy); merging both would count its seeds twice"
    case .sqlite(let path, let code, let message): "\(path): sqlite error \(code): \(message)"
    }
  }

  private static func hex(_ value: Int32) -> String {
    "0x" + String(UInt32(bitPattern: value), radix: 16)
  }
}

/// Where a campaign `merge` was given is already: in the target, or in a database given
/// earlier in the same merge.
package enum CampaignHolder: Hashable, Sendable {
  case target(String)
  case earlierSource(String)
}
