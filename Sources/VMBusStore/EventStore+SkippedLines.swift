import Foundation
import GRDB

/// Which trace file of an imported session an event or a line is from: a session imported
/// with `--migrated-to` holds the source QEMU's trace, then the destination's (stored as
/// `skipped_lines.part`).
package enum SessionPart: String, Hashable, Sendable, CaseIterable {
  /// The file imported, or the migration source's when there are two.
  case source
  /// The migration destination's file, whose events follow `sim_migrated`.
  case destination
}

/// A line of an imported log that is not a `vmbus_*` event, kept verbatim so that the log can
/// be written back byte for byte.
package struct SkippedLine: Hashable, Sendable {
  /// Why the import did not make it an event.
  package enum Reason: String, Hashable, Sendable, CaseIterable {
    /// Empty or only white space.
    case blank
    /// Another trace point, such as `hv_balloon_state_change`.
    case otherTracePoint = "other_trace_point"
    /// Not trace output, such as `error_report` text.
    case notTraceOutput = "not_trace_output"
    /// The file's last line, cut off mid-event.
    case cutOff = "cut_off"
  }

  /// The file of the session it is from.
  package var part: SessionPart
  /// The 1-based line number in that file.
  package var line: Int
  package var reason: Reason
  /// The line's bytes without its newline.
  package var bytes: [UInt8]

  package init(part: SessionPart = .source, line: Int, reason: Reason, bytes: [UInt8]) {
    self.part = part
    self.line = line
    self.reason = reason
    self.bytes = bytes
  }
}

/// The events of one file of an imported session, for ``EventStore/logLines(session:from:to:part:)``.
package struct LogPart: Hashable, Sendable {
  /// Which file.
  package var part: SessionPart
  /// The session's events read from it (`sim_migrated` excluded); empty when it had none.
  package var seqs: Range<Int>

  package init(_ part: SessionPart, seqs: Range<Int>) {
    self.part = part
    self.seqs = seqs
  }
}

/// One line of an imported log as stored: an event, or a line the import skipped.
package enum SessionLogLine: Hashable, Sendable {
  case event(StoredEvent)
  case skipped(SkippedLine)
}

extension EventStore {
  /// Stores `lines` of `session` in one transaction.
  package func appendSkippedLines(
    _ lines: some Collection<SkippedLine>, session: SessionID
  ) throws(StoreError) {
    guard !lines.isEmpty else { return }
    try withErrors {
      try pool.write { db in try Self.insertSkippedLines(db, lines, session: session) }
    }
  }

  static func insertSkippedLines(
    _ db: Database, _ lines: some Collection<SkippedLine>, session: SessionID
  ) throws {
    let statement = try db.cachedStatement(
      sql: """
        INSERT INTO skipped_lines (session_id, part, line, reason, text) VALUES (?, ?, ?, ?, ?)
        """)
    for line in lines {
      try statement.execute(arguments: [
        session.rawValue, line.part.rawValue, line.line, line.reason.rawValue, Data(line.bytes),
      ])
    }
  }

  /// Every skipped line of `session`: the source's in line order, then the destination's.
  package func skippedLines(
    session: SessionID, _ body: (SkippedLine) throws -> Void
  ) throws(StoreError) {
    try withErrors {
      try pool.read { db in
        guard try db.tableExists("skipped_lines") else { return }
        for part in SessionPart.allCases {
          let cursor = try Self.skippedLineCursor(
            db, session, part, after: 0, before: .max, path: path)
          while let line = try cursor.next() { try body(line) }
        }
      }
    }
  }

  /// Events `first...last` of `session` and, in the log's line order among them, the skipped
  /// lines that belong to that excerpt.
  ///
  /// A skipped line belongs to the first event after it, and the lines after the last event
  /// to the end of the session; so consecutive excerpts put together give the whole log.
  /// With `part`, the log is that file's: its skipped lines, and its events among `first...last`
  /// (which should lie in its `seqs`); its first and last events stand for the session's.
  package func logLines(
    session: SessionID, from first: Int = 1, to last: Int = .max, part: LogPart? = nil,
    _ body: (SessionLogLine) throws -> Void
  ) throws {
    var bodyError: (any Error)?
    let path = path
    func deliver(_ line: SessionLogLine) throws {
      do {
        try body(line)
      } catch {
        bodyError = error
        throw error
      }
    }
    do {
      try pool.read { db in
        _ = try SessionRows.progress(db, session, path: path)
        let eventCount = try Self.lastSeq(db, session)
        let file = part ?? LogPart(.source, seqs: 1..<(eventCount + 1))
        let first = max(first, file.seqs.lowerBound, 1)
        let last = min(last, file.seqs.upperBound - 1)
        guard try db.tableExists("skipped_lines") else {
          if first <= last {
            try Self.scan(db, session, from: first, to: last, path: path, sources: true) {
              try deliver(.event($0))
            }
          }
          return
        }
        // An empty part (a file without events) is all skipped lines.
        let after =
          first > file.seqs.lowerBound && !file.seqs.isEmpty
          ? try Self.sourceLine(db, session, seq: first - 1) : 0
        let before =
          last < file.seqs.upperBound - 1 ? try Self.sourceLine(db, session, seq: last) : .max
        let skipped = try Self.skippedLineCursor(
          db, session, file.part, after: after, before: before, path: path)
        var next = try skipped.next()
        if first <= last {
          try Self.scan(db, session, from: first, to: last, path: path, sources: true) { stored in
            let line = stored.source?.line ?? .max
            while let pending = next, pending.line < line {
              try deliver(.skipped(pending))
              next = try skipped.next()
            }
            try deliver(.event(stored))
          }
        }
        while let pending = next {
          try deliver(.skipped(pending))
          next = try skipped.next()
        }
      }
    } catch {
      if let bodyError { throw bodyError }
      throw Self.storeError(error, path: path)
    }
  }

  /// The file line event `seq` was read from; 0 when it has none (a simulated event).
  private static func sourceLine(_ db: Database, _ session: SessionID, seq: Int) throws -> Int {
    try Int.fetchOne(
      db, sql: "SELECT source_line FROM events WHERE session_id = ? AND seq = ?",
      arguments: [session.rawValue, seq]) ?? 0
  }

  /// Skipped lines of `part` strictly between lines `after` and `before`, in order.
  private static func skippedLineCursor(
    _ db: Database, _ session: SessionID, _ part: SessionPart, after: Int, before: Int,
    path: String
  ) throws -> some Cursor<SkippedLine> {
    // A file opened read-only before v9 ran: every line is the source's.
    let hasParts = try db.columns(in: "skipped_lines").contains { $0.name == "part" }
    let sql =
      hasParts
      ? """
      SELECT line, reason, text FROM skipped_lines
      WHERE session_id = ? AND part = ? AND line > ? AND line < ? ORDER BY line
      """
      : """
      SELECT line, reason, text FROM skipped_lines
      WHERE session_id = ? AND ? = 'source' AND line > ? AND line < ? ORDER BY line
      """
    return try Row.fetchCursor(
      db, sql: sql, arguments: [session.rawValue, part.rawValue, after, before]
    ).map { row in
      let line: Int = try row.decode(atIndex: 0)
      let reasonText: String = try row.decode(atIndex: 1)
      let text: Data = try row.decode(atIndex: 2)
      // The table's CHECK allows only known reasons; a file edited by hand may not.
      guard let reason = SkippedLine.Reason(rawValue: reasonText) else {
        throw StoreError.corruptSession(
          path: path, session: session,
          reason: "skipped line \(line) has unknown reason '\(reasonText)'")
      }
      return SkippedLine(part: part, line: line, reason: reason, bytes: [UInt8](text))
    }
  }
}
