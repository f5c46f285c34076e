import Foundation
import GRDB
import Testing
import VMBusHost
import VMBusTesting

@testable import VMBusStore

/// The lines of an imported log that are not events, and how excerpts carry them.
@Suite struct SkippedLinesTests {
  /// Events on lines 2, 3, 6 and 7 of a nine-line file; lines 1, 4, 5, 8 and 9 skipped.
  static let eventLines = [2, 3, 6, 7]
  static let skipped = [
    SkippedLine(line: 1, reason: .notTraceOutput, bytes: Array("qemu starting".utf8)),
    SkippedLine(line: 4, reason: .otherTracePoint, bytes: Array("hv_balloon_status\r".utf8)),
    SkippedLine(line: 5, reason: .blank, bytes: []),
    SkippedLine(line: 8, reason: .notTraceOutput, bytes: [0xFF, 0xFE, 0x20]),
    SkippedLine(line: 9, reason: .blank, bytes: Array("   ".utf8)),
  ]

  /// A complete imported session of the four events and five skipped lines.
  static func importedSession(in store: EventStore) throws -> SessionID {
    var writer = try store.beginSession(
      SessionInfo(name: "t.log", kind: .imported, createdAt: fixedDate))
    for (index, line) in eventLines.enumerated() {
      try writer.append(EventSamples.all[index], source: EventSource(line: line))
    }
    let session = writer.sessionID
    try store.appendSkippedLines(skipped, session: session)
    try writer.finish()
    return session
  }

  /// The file lines an excerpt holds, in order.
  static func lines(
    _ store: EventStore, _ session: SessionID, from first: Int, to last: Int
  ) throws -> [Int] {
    var lines: [Int] = []
    try store.logLines(session: session, from: first, to: last) { line in
      switch line {
      case .event(let stored): lines.append(stored.source?.line ?? -1)
      case .skipped(let skipped): lines.append(skipped.line)
      }
    }
    return lines
  }

  @Test func theWholeSessionIsEveryLineInOrder() throws {
    try withTemporaryStore { store in
      let session = try Self.importedSession(in: store)
      #expect(try Self.lines(store, session, from: 1, to: .max) == Array(1...9))
      var stored: [SkippedLine] = []
      try store.skippedLines(session: session) { stored.append($0) }
      #expect(stored == Self.skipped)
    }
  }

  @Test(arguments: [
    (1, 1, [1, 2]), (2, 2, [3]), (3, 3, [4, 5, 6]), (4, 4, [7, 8, 9]),
    (2, 4, [3, 4, 5, 6, 7, 8, 9]),
    (1, 3, [1, 2, 3, 4, 5, 6]),
  ])
  func aSkippedLineGoesWithTheEventAfterIt(first: Int, last: Int, lines: [Int]) throws {
    try withTemporaryStore { store in
      let session = try Self.importedSession(in: store)
      #expect(try Self.lines(store, session, from: first, to: last) == lines)
    }
  }

  @Test func aStoreFromBeforeTheTableReadsItsEventsOnly() throws {
    try withTemporaryPath { path in
      do {
        let store = try EventStore.open(path: path)
        var writer = try store.beginSession(simulatedInfo())
        try writer.append(contentsOf: EventSamples.all)
        try writer.finish()
        // What a v2 database looks like: no v3 migration, no table.
        try store.pool.write { db in
          try db.execute(sql: "DROP TABLE skipped_lines")
          // v9 rebuilds the table that v3 creates: a file without v3 lacks it too.
          try db.execute(
            sql: """
              DELETE FROM grdb_migrations
              WHERE identifier IN ('v3-skipped-lines', 'v9-skipped-lines-part')
              """)
        }
      }
      let reader = try EventStore.openReadOnly(path: path)
      var count = 0
      try reader.logLines(session: SessionID(1)) { line in
        if case .event = line { count += 1 }
      }
      #expect(count == EventSamples.all.count)
      try reader.skippedLines(session: SessionID(1)) { _ in Issue.record("no table, no lines") }
      // Opening it for writing migrates it.
      let writer = try EventStore.open(path: path)
      try writer.appendSkippedLines(Self.skipped, session: SessionID(1))
      var read: [SkippedLine] = []
      try writer.skippedLines(session: SessionID(1)) { read.append($0) }
      #expect(read == Self.skipped)
    }
  }

  @Test func anUnknownReasonIsACorruptSessionNotAGuess() throws {
    try withTemporaryStore { store in
      let session = try Self.importedSession(in: store)
      try store.pool.write { db in
        try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
        try db.execute(sql: "UPDATE skipped_lines SET reason = 'mystery' WHERE line = 4")
      }
      let error = StoreError.corruptSession(
        path: store.path, session: session, reason: "skipped line 4 has unknown reason 'mystery'")
      #expect(throws: error) { try store.skippedLines(session: session) { _ in } }
      #expect(throws: error) { try Self.lines(store, session, from: 1, to: .max) }
    }
  }

  /// A migrated VM's import: events 1-2 from the source file (its lines 2 and 3), 3 the
  /// migration, 4-5 from the destination file (its lines 2 and 4); both files have a
  /// skipped line 1, and the destination a line 3 and a line 5.
  static func migratedSession(in store: EventStore) throws -> SessionID {
    var writer = try store.beginSession(
      SessionInfo(name: "src.log", kind: .imported, createdAt: fixedDate))
    try writer.append(EventSamples.all[0], source: EventSource(line: 2))
    try writer.append(EventSamples.all[1], source: EventSource(line: 3))
    try writer.append(.simulator(.migrated(savedDigest: 1)))
    try writer.append(EventSamples.all[2], source: EventSource(line: 2))
    try writer.append(EventSamples.all[3], source: EventSource(line: 4))
    let session = writer.sessionID
    try store.appendSkippedLines(
      [
        SkippedLine(line: 1, reason: .blank, bytes: []),
        SkippedLine(part: .destination, line: 1, reason: .blank, bytes: Array(" ".utf8)),
        SkippedLine(part: .destination, line: 3, reason: .otherTracePoint, bytes: Array("x".utf8)),
        SkippedLine(part: .destination, line: 5, reason: .blank, bytes: []),
      ], session: session)
    try writer.finish()
    return session
  }

  /// The lines of one file's excerpt, as `part:line`.
  static func lines(
    _ store: EventStore, _ session: SessionID, _ part: LogPart, from first: Int, to last: Int
  ) throws -> [String] {
    var lines: [String] = []
    try store.logLines(session: session, from: first, to: last, part: part) { line in
      switch line {
      case .event(let stored): lines.append("\(stored.seq)@\(stored.source?.line ?? -1)")
      case .skipped(let skipped): lines.append("\(skipped.part.rawValue):\(skipped.line)")
      }
    }
    return lines
  }

  @Test func eachFileOfAMigratedImportHasItsOwnLineNumbers() throws {
    try withTemporaryStore { store in
      let session = try Self.migratedSession(in: store)
      let source = LogPart(.source, seqs: 1..<3)
      let destination = LogPart(.destination, seqs: 4..<6)
      #expect(try Self.lines(store, session, source, from: 1, to: 5) == ["source:1", "1@2", "2@3"])
      #expect(
        try Self.lines(store, session, destination, from: 1, to: 5)
          == ["destination:1", "4@2", "destination:3", "5@4", "destination:5"])
      // Excerpts of one file put together are that file.
      #expect(
        try Self.lines(store, session, destination, from: 4, to: 4) == ["destination:1", "4@2"])
      #expect(
        try Self.lines(store, session, destination, from: 5, to: 5)
          == ["destination:3", "5@4", "destination:5"])
      var all: [SkippedLine] = []
      try store.skippedLines(session: session) { all.append($0) }
      #expect(
        all.map { "\($0.part.rawValue):\($0.line)" } == [
          "source:1", "destination:1", "destination:3", "destination:5",
        ])
    }
  }

  @Test func aFileWithoutEventsIsItsSkippedLines() throws {
    try withTemporaryStore { store in
      let session = try Self.migratedSession(in: store)
      try store.pool.write { db in
        try db.execute(sql: "DELETE FROM events WHERE seq > 3")
      }
      let empty = LogPart(.destination, seqs: 4..<4)
      #expect(
        try Self.lines(store, session, empty, from: 4, to: 4)
          == ["destination:1", "destination:3", "destination:5"])
    }
  }

  @Test func v9KeepsEveryEarlierLineAsTheSources() throws {
    try withTemporaryPath { path in
      do {
        let store = try EventStore.open(path: path)
        _ = try Self.importedSession(in: store)
        // As v8 left the table: no part, keyed by line.
        try store.pool.write { db in
          try db.execute(
            sql: """
              CREATE TABLE old (session_id INTEGER NOT NULL, line INTEGER NOT NULL,
                reason TEXT NOT NULL, text BLOB NOT NULL, PRIMARY KEY (session_id, line)
              ) STRICT, WITHOUT ROWID;
              INSERT INTO old SELECT session_id, line, reason, text FROM skipped_lines;
              DROP TABLE skipped_lines;
              ALTER TABLE old RENAME TO skipped_lines;
              DELETE FROM grdb_migrations WHERE identifier = 'v9-skipped-lines-part';
              """)
        }
      }
      // Read-only before v9 runs: every line is the source's.
      let reader = try EventStore.openReadOnly(path: path)
      #expect(try Self.lines(reader, SessionID(1), from: 1, to: .max) == Array(1...9))
      let store = try EventStore.open(path: path)
      var read: [SkippedLine] = []
      try store.skippedLines(session: SessionID(1)) { read.append($0) }
      #expect(read == Self.skipped)
      #expect(try Self.lines(store, SessionID(1), from: 1, to: .max) == Array(1...9))
    }
  }
}
