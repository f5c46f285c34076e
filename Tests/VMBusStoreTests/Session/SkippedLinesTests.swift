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
          try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3-skipped-lines'")
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
}
