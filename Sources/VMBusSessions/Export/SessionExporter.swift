import Foundation
import VMBusHost
import VMBusStore
import VMBusTrace

/// The formats `export` writes.
package enum ExportFormat: String, CaseIterable, Sendable {
  /// QEMU's log backend text.
  case qemuLog = "qemu-log"
  /// QEMU's simple backend binary, readable by `scripts/simpletrace.py`.
  case simple
  /// One JSON object per event.
  case jsonl
  /// A Mermaid `sequenceDiagram` of the messages; fenced for Markdown when the output file
  /// ends in `.md`.
  case mermaid
  /// Chrome trace-event JSON for ui.perfetto.dev and chrome://tracing.
  case perfetto
}

/// Which line prefix a `qemu-log` export uses.
package enum ExportDialect: String, CaseIterable, Sendable {
  /// The prefix each event was imported with (byte-identical re-export); none for
  /// simulated events.
  case original
  /// `TID@SEC.USEC:` (QEMU 5.1-10.0 with `-msg timestamp=on`).
  case thread
  /// No prefix (QEMU 6.0-10.0 default).
  case plain
  /// ISO-8601 UTC (QEMU 10.1+ with `-msg timestamp=on`).
  case iso8601
}

/// Writes a stored session, or the events `from...to` of it, in a QEMU format or as JSON
/// Lines (simulator facts are not QEMU trace points and are left out; a simple-trace gap
/// becomes a dropped-events record), or as a Mermaid or Perfetto diagram of its messages.
///
/// A session imported from a migrated VM's two traces is written whole as the source's
/// lines then the destination's, `sim_migrated` left out like any simulator fact; a `part`
/// writes one of the two files alone (an imported log byte for byte).
package struct SessionExporter {
  package let store: EventStore
  package let session: SessionID

  package init(store: EventStore, session: SessionID) {
    self.store = store
    self.session = session
  }

  /// Writes to `path`, or to standard output when it is nil. Returns the events written
  /// (for a diagram: the events it covers). `progress` hears how many events were read.
  ///
  /// A `qemu-log` export in the original dialect also writes back, in place, the lines the
  /// import skipped (other trace points, error reports, blank lines), unless `vmbusOnly`.
  /// `part` keeps one file of a migrated VM's import, and the events of `events` in it.
  @discardableResult
  package func export(
    _ format: ExportFormat, dialect: ExportDialect = .original, vmbusOnly: Bool = false,
    _ events: EventRange = .all, part: SessionPart? = nil, output path: String?,
    progress: ((EventProgress) -> Void)? = nil
  ) throws(SessionsError) -> Int {
    // Before the output is created: an unknown session must not truncate an existing file.
    let summary: SessionSummary
    do {
      summary = try store.session(session)
    } catch {
      throw .store(error)
    }
    var migration = try MigratedSession(summary, path: store.path)
    if migration == nil, part != nil {
      migration = try simulatedMigration(eventCount: summary.eventCount)
    }
    var range = try events.seqs(in: session, eventCount: summary.eventCount)
    var pieces = [
      LogPiece(
        range: range, part: nil,
        endsWithoutNewline: range.upperBound == summary.eventCount
          && summary.info.metadata["final_newline"] == .bool(false))
    ]
    if let migration {
      let parts = part.map { [$0] } ?? SessionPart.allCases
      pieces = parts.compactMap { part in
        LogPiece(part, of: migration, in: range, wholeSession: parts.count > 1)
      }
      if let part {
        guard let piece = pieces.first else {
          let seqs = migration.events(of: part).seqs
          throw .usage(
            "events \(range.lowerBound)...\(range.upperBound) hold none of the \(part.rawValue)'s "
              + "(\(seqs.lowerBound)...\(seqs.upperBound - 1))")
        }
        range = piece.range
      }
    }
    var counter = EventProgressCounter(
      total: min(range.upperBound, summary.eventCount) - range.lowerBound + 1, report: progress)
    switch format {
    case .simple:
      guard let path else {
        throw .usage("a simple trace is binary: it is written to a file, not standard output")
      }
      return try exportSimple(range, to: path, counter: &counter)
    case .mermaid, .perfetto:
      return try exportDiagram(format, range, summary: summary, to: path, counter: &counter)
    case .qemuLog, .jsonl:
      var sink = try TextSink(path: path)
      defer { sink.close() }
      var written = 0
      var jsonl = JSONLExporter()
      var buffer: [UInt8] = []
      let formatter = QEMULogFormatter(
        dialect: dialect.logDialect ?? .plain, threadID: 4152, vcpuThreadID: 4153)
      let withSkippedLines = format == .qemuLog && dialect == .original && !vmbusOnly
      for piece in pieces {
        // A log whose last line had no newline ends without one when written back whole.
        var lines = LineSink(
          holdingBackTheFinalNewline: withSkippedLines && piece.endsWithoutNewline)
        try scan(
          piece.range, part: piece.part, withSkippedLines: withSkippedLines, counter: &counter
        ) { line in
          buffer.removeAll(keepingCapacity: true)
          let stored: StoredEvent
          switch line {
          case .skipped(let skipped):
            buffer.append(contentsOf: skipped.bytes)
            buffer.append(UInt8(ascii: "\n"))
            try lines.write(buffer, to: &sink)
            return
          case .event(let event): stored = event
          }
          switch format {
          case .qemuLog:
            guard case .trace(let event) = stored.event else { return }
            let prefix: LogPrefix?
            if dialect == .original {
              prefix = stored.source?.tsText.flatMap { LogPrefix(text: $0) }
            } else {
              let micros = UInt64(clamping: (stored.source?.tsNanos ?? 0) / 1_000)
              prefix = formatter.prefix(for: event, atMicroseconds: micros)
            }
            QEMULogFormatter.appendLine(event, prefix: prefix, to: &buffer)
          case .jsonl, .simple, .mermaid, .perfetto:
            let timestamp = stored.source?.tsText.flatMap { LogPrefix(text: $0) }.map {
              TraceTimestamp.log($0)
            }
            guard jsonl.appendLine(stored.event, timestamp: timestamp, to: &buffer) else { return }
          }
          written += 1
          try lines.write(buffer, to: &sink)
        }
      }
      try sink.finish()
      return written
    }
  }

  private func exportSimple(
    _ range: ClosedRange<Int>, to path: String, counter: inout EventProgressCounter
  ) throws(SessionsError) -> Int {
    var written = 0
    do {
      var writer = try SimpleTraceWriter(path: path, pid: 4152)
      var failure: TraceIOError?
      try scan(range, counter: &counter) { stored in
        guard failure == nil else { return }
        let time = UInt64(bitPattern: stored.source?.tsNanos ?? Int64(stored.seq) * 1_000)
        do throws(TraceIOError) {
          if try writer.write(stored.event, timestampNS: time) { written += 1 }
        } catch {
          failure = error
        }
      }
      if let failure { throw failure }
      try writer.close()
    } catch let error as SessionsError {
      throw error
    } catch let error as TraceIOError {
      throw .traceIO(error)
    } catch {
      throw .io("\(path): \(error)")
    }
    return written
  }

  private func scan(
    _ range: ClosedRange<Int>, counter: inout EventProgressCounter,
    _ body: (StoredEvent) throws -> Void
  ) throws(SessionsError) {
    try scan(range, withSkippedLines: false, counter: &counter) { line in
      if case .event(let stored) = line { try body(stored) }
    }
  }

  /// The events in `range`, with the skipped lines among them when asked (those of `part`'s
  /// file, for a migrated VM's import); each event steps `counter`.
  private func scan(
    _ range: ClosedRange<Int>, part: LogPart? = nil, withSkippedLines: Bool,
    counter: inout EventProgressCounter, _ body: (SessionLogLine) throws -> Void
  ) throws(SessionsError) {
    do {
      if withSkippedLines {
        try store.logLines(
          session: session, from: range.lowerBound, to: range.upperBound, part: part
        ) {
          try body($0)
          if case .event = $0 { counter.step() }
        }
      } else {
        try store.events(session: session, from: range.lowerBound, to: range.upperBound) {
          try body(.event($0))
          counter.step()
        }
      }
    } catch let error as StoreError {
      throw .store(error)
    } catch let error as SessionsError {
      throw error
    } catch let error as TraceIOError {
      throw .traceIO(error)
    } catch {
      throw .io("\(error)")
    }
  }
}

extension ExportDialect {
  var logDialect: LogDialect? {
    switch self {
    case .original: nil
    case .thread: .threadTimestamp
    case .plain: .plain
    case .iso8601: .iso8601
    }
  }
}

extension SessionExporter {
  /// The source's and destination's events of a session that is not a migrated VM's import:
  /// split at its one `sim_migrated`. A session with none, or with several, has no such
  /// split (`--from`/`--to` pick any range).
  fileprivate func simulatedMigration(eventCount: Int) throws(SessionsError) -> MigratedSession {
    let seqs: [Int]
    do {
      seqs = try store.seqs(of: SimulatorEvent.migratedName, session: session)
    } catch {
      throw .store(error)
    }
    guard let seq = seqs.first else {
      throw .usage(
        "session \(session) has no migration: it is one host's trace, not a source's and a "
          + "destination's")
    }
    guard seqs.count == 1 else {
      throw .usage(
        "session \(session) migrated \(seqs.count) times (sim_migrated at seqs "
          + "\(seqs.map(String.init).joined(separator: ", "))): a part is the trace before or "
          + "after one migration; pick a range with --from and --to")
    }
    return MigratedSession(migratedAt: seq, eventCount: eventCount)
  }
}

/// What one file's worth of an export covers: the events of `range`, and with `part` that
/// file's skipped lines among them.
private struct LogPiece {
  var range: ClosedRange<Int>
  var part: LogPart?
  /// Whether the piece reaches the end of a file that had no final newline.
  var endsWithoutNewline: Bool

  init(range: ClosedRange<Int>, part: LogPart?, endsWithoutNewline: Bool) {
    self.range = range
    self.part = part
    self.endsWithoutNewline = endsWithoutNewline
  }

  /// The events of `part`'s file within `range`, or nil when there are none; a file without
  /// events goes with a range that reaches where they would be. In the whole session the
  /// source's last line keeps its newline, so that the destination's first line starts a
  /// line of its own.
  init?(
    _ part: SessionPart, of migration: MigratedSession, in range: ClosedRange<Int>,
    wholeSession: Bool
  ) {
    let events = migration.events(of: part)
    let seqs = events.seqs
    let lower = max(range.lowerBound, seqs.lowerBound)
    let upper = min(range.upperBound, seqs.upperBound - 1)
    if lower <= upper {
      self.range = lower...upper
    } else if seqs.isEmpty, range.lowerBound <= seqs.lowerBound,
      range.upperBound >= seqs.lowerBound - 1
    {
      self.range = seqs.lowerBound...seqs.lowerBound
    } else {
      return nil
    }
    self.part = events
    endsWithoutNewline =
      self.range.upperBound >= seqs.upperBound - 1 && migration.endsWithoutNewline(part)
      && !(wholeSession && part == .source)
  }
}

/// Writes newline-terminated lines, optionally holding each newline back until the next line
/// so that the output's final newline can be left out.
private struct LineSink {
  let holdingBackTheFinalNewline: Bool
  private var newlineHeld = false

  init(holdingBackTheFinalNewline: Bool) {
    self.holdingBackTheFinalNewline = holdingBackTheFinalNewline
  }

  mutating func write(_ line: [UInt8], to sink: inout TextSink) throws(SessionsError) {
    guard holdingBackTheFinalNewline else { return try sink.write(line) }
    if newlineHeld { try sink.write([UInt8(ascii: "\n")]) }
    try sink.write(Array(line.dropLast()))
    newlineHeld = true
  }
}

/// Buffered text output to a file or standard output.
struct TextSink {
  private let handle: FileHandle
  private let owned: Bool
  /// What messages call the output.
  private let name: String
  private var pending: [UInt8] = []
  private var finished = false

  init(path: String?) throws(SessionsError) {
    guard let path, path != "-" else {
      handle = FileHandle.standardOutput
      owned = false
      name = "standard output"
      return
    }
    handle = try OutputFile.open(path)
    owned = true
    name = path
  }

  mutating func write(_ bytes: [UInt8]) throws(SessionsError) {
    pending.append(contentsOf: bytes)
    if pending.count >= 1 << 16 { try flush() }
  }

  mutating func flush() throws(SessionsError) {
    guard !pending.isEmpty else { return }
    do {
      try handle.write(contentsOf: pending)
    } catch {
      throw .io("\(name): cannot write: \(error.localizedDescription)")
    }
    pending.removeAll(keepingCapacity: true)
  }

  /// Writes what is buffered and closes the file, reporting a failure of either (a full
  /// disk shows at the last write or at the close).
  mutating func finish() throws(SessionsError) {
    try flush()
    finished = true
    guard owned else { return }
    do {
      try handle.close()
    } catch {
      throw .io("\(name): cannot close: \(error.localizedDescription)")
    }
  }

  /// Closes the file on a path that already failed: the first error is the one reported.
  mutating func close() {
    guard !finished else { return }
    finished = true
    if owned { try? handle.close() }
  }
}
