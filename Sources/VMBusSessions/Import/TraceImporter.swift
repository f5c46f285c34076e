import Foundation
import VMBusHost
import VMBusStore
import VMBusTrace

/// What `import` reports.
package struct ImportSummary: Sendable {
  package var session: SessionID
  package var events: Int
  package var skipped: Int
  /// Skipped lines or records by reason, for the text summary.
  package var skippedByReason: [(reason: String, count: Int)]
  package var format: TraceFormat
}

/// Imports a QEMU trace (log backend in any dialect, or simple backend) as a session.
///
/// Two passes: the first parses the whole file and collects every diagnostic before the
/// database is even opened, so bad input leaves it exactly as it was (or absent); the second
/// stores the events in batches, the session `in_progress` until its last batch commits with
/// `complete`. A process killed during the second pass leaves an `in_progress` session, never
/// one that looks complete; a second pass that fails (the file changed under it) marks the
/// session `failed`. Standard input (`-`) and other files that cannot be read twice (pipes,
/// `<(zcat trace.gz)`) are first copied to a temporary file.
package struct TraceImporter {
  package var path: String
  package var format: TraceFormat?
  package var strict: Bool
  package var name: String?
  package var snapshotInterval: Int
  /// Skip a last line cut off mid-event (QEMU killed while writing) instead of refusing the
  /// file.
  package var allowsCutOffLastLine = false
  /// Store a QEMU log that holds no `vmbus_*` event (other trace output only, or an empty
  /// file) as an empty session instead of refusing it. A file with no trace output at all
  /// is refused either way.
  package var allowsNoEvents = false
  /// Called after each batch of rows commits, with the number of events committed so far.
  package var afterCommit: ((_ committedEvents: Int) -> Void)?
  /// Told how far the import is: events read by the checking pass, then events committed
  /// out of the total (for a status line; called often, so it should be cheap).
  package var progress: ((ImportProgress) -> Void)?

  /// What diagnostics and the session's source call the input.
  private var sourceName: String

  /// The name standard input goes by in diagnostics and as the session's source.
  package static let standardInputName = "<stdin>"

  package init(
    path: String, format: TraceFormat?, strict: Bool, name: String?, snapshotInterval: Int = 1024
  ) {
    self.path = path
    self.format = format
    self.strict = strict
    self.name = name
    self.snapshotInterval = snapshotInterval
    sourceName = path == "-" ? Self.standardInputName : path
  }

  /// Detects the format from the file's first bytes unless one was forced.
  package func resolvedFormat() throws(SessionsError) -> TraceFormat {
    if let format { return format }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw .missingInput("\(sourceName): cannot open for reading")
    }
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: TraceFormat.detectionLength)) ?? Data()
    return TraceFormat.detect(firstBytes: [UInt8](head))
  }

  package func run(into store: EventStore) throws(SessionsError) -> ImportSummary {
    try run { () throws(SessionsError) in store }
  }

  /// Checks the whole file, then calls `openStore` and stores it: a file with errors never
  /// opens (or creates) the database.
  package func run(
    openingStore openStore: () throws(SessionsError) -> EventStore
  ) throws(SessionsError) -> ImportSummary {
    if InputSpool.needsSpooling(path) {
      let spool = try InputSpool(copying: path, displayName: sourceName)
      defer { spool.remove() }
      var copy = self
      copy.path = spool.path
      return try copy.run(openingStore: openStore)
    }
    switch try resolvedFormat() {
    case .log: return try importLog(openingStore: openStore)
    case .simple: return try importSimple(openingStore: openStore)
    }
  }

  private func info(format: String, metadata: SessionMetadata) -> SessionInfo {
    let base =
      name
      ?? (sourceName == Self.standardInputName
        ? "stdin" : URL(fileURLWithPath: sourceName).lastPathComponent)
    return SessionInfo(
      name: base, kind: .imported, source: SessionSource(file: sourceName, format: format),
      hostProfile: .qemu, createdAt: Date(), metadata: metadata)
  }

  /// Begins the session the second pass stores into; each commit is reported to
  /// `afterCommit` and, out of `events`, to `progress`.
  private func beginSession(
    in store: EventStore, format: String, metadata: SessionMetadata, events total: Int
  ) throws(SessionsError) -> ImportWriter {
    let commit = afterCommit
    let report = progress
    do {
      let writer = try store.beginSession(
        info(format: format, metadata: metadata),
        options: WriterOptions(snapshotInterval: snapshotInterval))
      return ImportWriter(store: store, writer: writer) { committed in
        commit?(committed)
        report?(.storing(committed: committed, total: total))
      }
    } catch {
      throw .store(error)
    }
  }

  /// Why a second pass that does not see what the first saw fails.
  private var fileChanged: SessionsError {
    .io("\(sourceName): the file changed while it was imported")
  }

  // MARK: log backend

  private func importLog(
    openingStore openStore: () throws(SessionsError) -> EventStore
  ) throws(SessionsError) -> ImportSummary {
    let parser = QEMULogParser(
      fileName: sourceName, strict: strict, allowsCutOffLastLine: allowsCutOffLastLine)
    let check: LogImportSummary
    do {
      var read = 0
      check = try parser.parseFile(path: path, maxErrors: 50) { _ in
        read += 1
        if read % Self.progressInterval == 0 { progress?(.checking(eventsRead: read)) }
      }
    } catch {
      throw .traceIO(error)
    }
    if check.errorCount > 0 {
      var lines = check.errors.map(\.description)
      if check.errorCount > check.errors.count {
        lines.append(
          "\(sourceName): \(check.errorCount - check.errors.count) more errors not shown")
      }
      if check.endsWithoutNewline, check.errors.last?.line == check.lineCount {
        lines.append(
          "\(sourceName):\(check.lineCount): note: the file ends inside this line (QEMU "
            + "stopped mid-write?)")
        throw .withRemedy(.badInput(lines), .skipCutOffLastLine)
      }
      throw .badInput(lines)
    }
    if check.eventCount == 0 { try refuseWithoutEvents(check) }
    let metadata: SessionMetadata = [
      "lines": .integer(Int64(check.lineCount)),
      "skipped_blank": .integer(Int64(check.blankLineCount)),
      "skipped_other_trace_points": .integer(Int64(check.otherTracePointCount)),
      "skipped_not_trace_output": .integer(Int64(check.nonTraceLineCount)),
      "skipped_cut_off": .integer(Int64(check.cutOffLineCount)),
      "final_newline": .bool(!check.endsWithoutNewline),
    ]
    let writer = try beginSession(
      in: try openStore(), format: "log", metadata: metadata, events: check.eventCount)
    let session = try writer.store(metadata: metadata) { writer throws(SessionsError) in
      var failure: StoreError?
      let stored: LogImportSummary
      do {
        stored = try parser.parseFile(path: path, maxErrors: 1) { parsed in
          guard failure == nil else { return }
          do throws(StoreError) {
            try writer.append(.trace(parsed.event), source: Self.source(of: parsed))
          } catch {
            failure = error
          }
        } onSkipped: { line, reason in
          guard failure == nil else { return }
          do throws(StoreError) {
            try writer.appendSkipped(
              SkippedLine(line: line.number, reason: reason.storedReason, bytes: Array(line.bytes)))
          } catch {
            failure = error
          }
        }
      } catch let error as TraceIOError {
        throw .traceIO(error)
      } catch {
        throw .io("\(sourceName): \(error)")
      }
      if let failure { throw .store(failure) }
      guard stored.eventCount == check.eventCount, stored.errorCount == 0 else {
        throw fileChanged
      }
    }
    return ImportSummary(
      session: session, events: check.eventCount, skipped: check.skippedCount,
      skippedByReason: [
        ("other trace points", check.otherTracePointCount),
        ("not trace output", check.nonTraceLineCount), ("blank", check.blankLineCount),
        ("last line cut off", check.cutOffLineCount),
      ].filter { $0.1 > 0 },
      format: .log)
  }

  /// Whether a file's first 64 KiB hold a NUL byte or are not UTF-8: no text log, QEMU's or
  /// any other program's.
  static func isBinary(path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let limit = 65_536
    guard var bytes = (try? handle.read(upToCount: limit)).map({ Array($0) }) else {
      return false
    }
    if bytes.contains(0) { return true }
    // A full read may end inside a character: judge the complete lines only.
    if bytes.count == limit, let lastNewline = bytes.lastIndex(of: 0x0A) {
      bytes.removeSubrange((lastNewline + 1)...)
    }
    return String(validating: bytes, as: UTF8.self) == nil
  }

  /// Events between two reports of the checking pass.
  static let progressInterval = 65_536

  /// A log with no `vmbus_*` event is most likely the wrong file or a trace recorded
  /// without the events: refused, with the reason, unless empty sessions were asked for.
  private func refuseWithoutEvents(_ check: LogImportSummary) throws(SessionsError) {
    let traceLines = check.otherTracePointCount
    if traceLines == 0 && check.nonTraceLineCount > 0 && Self.isBinary(path: path) {
      throw .badInput([
        "\(sourceName): error: not a QEMU trace: binary data that is no simple-trace file, "
          + "and none of its \(check.lineCount) lines is trace output"
      ])
    }
    guard !allowsNoEvents else { return }
    let content =
      if traceLines > 0 {
        "\(traceLines) \(traceLines == 1 ? "line" : "lines") of other trace points"
      } else if check.nonTraceLineCount > 0 {
        "\(check.nonTraceLineCount) \(check.nonTraceLineCount == 1 ? "line" : "lines") of text, none of them trace output"
      } else {
        check.lineCount == 0 ? "no lines" : "only blank lines"
      }
    throw .withRemedy(
      .badInput([
        "\(sourceName): error: no vmbus_* event (\(content)); record the trace with -trace 'vmbus_*'"
      ]), .keepLogWithoutEvents)
  }

  package static func source(of parsed: ParsedTraceLine) -> EventSource {
    guard let prefix = parsed.prefix else { return EventSource(line: parsed.lineNumber) }
    let nanos = prefix.seconds.multipliedReportingOverflow(by: 1_000_000_000)
    return EventSource(
      tsText: prefix.text,
      tsNanos: nanos.overflow ? nil : nanos.partialValue &+ Int64(prefix.microseconds) &* 1_000,
      threadID: prefix.threadID.map { Int64($0) }, line: parsed.lineNumber)
  }

  // MARK: simple backend

  private func importSimple(
    openingStore openStore: () throws(SessionsError) -> EventStore
  ) throws(SessionsError) -> ImportSummary {
    // Pass 1: every record must decode.
    var events = 0
    var pid: UInt32 = 0
    var skipped: [SkippedTraceEvents] = []
    var firstSkipped: (name: String, offset: UInt64)?
    do {
      var reader = try SimpleTraceReader(path: path, displayName: sourceName)
      while let record = try reader.next() {
        events += 1
        pid = record.pid
      }
      skipped = reader.skippedEvents
      firstSkipped = reader.firstSkipped
    } catch {
      throw .badInput(["\(error)"])
    }
    let skippedCount = skipped.reduce(0) { $0 + $1.count }
    if strict, let first = firstSkipped {
      throw .badInput([
        "\(sourceName): offset \(first.offset): error: not a vmbus trace point: \(first.name)"
          + (skippedCount > 1 ? " (\(skippedCount) such records)" : "")
      ])
    }
    var metadata: SessionMetadata = [
      "pid": .integer(Int64(pid)), "skipped_events": .integer(Int64(skippedCount)),
    ]
    for entry in skipped { metadata["skipped:\(entry.name)"] = .integer(Int64(entry.count)) }
    let writer = try beginSession(
      in: try openStore(), format: "simple", metadata: metadata, events: events)
    let session = try writer.store(metadata: metadata) { writer throws(SessionsError) in
      var stored = 0
      do {
        var reader = try SimpleTraceReader(path: path, displayName: sourceName)
        while let record = try reader.next() {
          stored += 1
          try writer.append(
            record.hostEvent,
            source: EventSource(
              tsNanos: Int64(bitPattern: record.timestampNS), offset: Int64(record.offset)))
        }
      } catch let error as StoreError {
        throw .store(error)
      } catch let error as SimpleTraceError {
        throw .simpleTrace(error)
      } catch let error as TraceIOError {
        throw .traceIO(error)
      } catch {
        throw .io("\(sourceName): \(error)")
      }
      guard stored == events else { throw fileChanged }
    }
    return ImportSummary(
      session: session, events: events, skipped: skippedCount,
      skippedByReason: skipped.map { ($0.name, $0.count) }, format: .simple)
  }
}

/// How far an import is.
package enum ImportProgress: Sendable {
  /// The first pass (validation) has read this many events.
  case checking(eventsRead: Int)
  /// The second pass has committed this many of the file's events.
  case storing(committed: Int, total: Int)
}

/// The second pass's session writer: stores skipped lines beside the events, reports each
/// commit, and closes the session on failure.
private struct ImportWriter: ~Copyable {
  let store: EventStore
  var writer: SessionWriter
  let afterCommit: ((_ committedEvents: Int) -> Void)?
  private var skipped: [SkippedLine] = []

  /// Skipped lines are written this many at a time.
  private static let skippedBatch = 10_000

  init(store: EventStore, writer: consuming SessionWriter, afterCommit: ((Int) -> Void)?) {
    self.store = store
    self.writer = writer
    self.afterCommit = afterCommit
  }

  mutating func append(_ event: HostEvent, source: EventSource?) throws(StoreError) {
    let committed = writer.committedCount
    try writer.append(event, source: source)
    if writer.committedCount != committed { afterCommit?(writer.committedCount) }
  }

  mutating func appendSkipped(_ line: SkippedLine) throws(StoreError) {
    skipped.append(line)
    if skipped.count >= Self.skippedBatch { try flushSkipped() }
  }

  private mutating func flushSkipped() throws(StoreError) {
    try store.appendSkippedLines(skipped, session: writer.sessionID)
    skipped.removeAll(keepingCapacity: true)
  }

  /// Runs the second pass `body`, then marks the session complete; if `body` throws, marks
  /// it failed instead and rethrows. Returns the session's id.
  consuming func store(
    metadata: SessionMetadata, _ body: (inout ImportWriter) throws(SessionsError) -> Void
  ) throws(SessionsError) -> SessionID {
    do {
      try body(&self)
    } catch {
      fail(because: error)
      throw error
    }
    return try finish(metadata: metadata)
  }

  /// Writes the rest and marks the session complete (after its skipped lines, so a complete
  /// session has all of them); returns its id.
  private consuming func finish(metadata: SessionMetadata) throws(SessionsError) -> SessionID {
    let session = writer.sessionID
    let report = afterCommit
    let summary: SessionSummary
    do {
      try flushSkipped()
      summary = try writer.finish(metadata: metadata)
    } catch {
      throw .store(error)
    }
    // The last commit too: a file shorter than a batch has no other.
    report?(summary.eventCount)
    return session
  }

  /// Marks the session failed so that it does not look like a killed import. Best effort: the
  /// error being reported matters more than a second one from the store.
  private consuming func fail(because error: SessionsError) {
    try? writer.fail(reason: "\(error)")
  }
}

extension LogSkipReason {
  /// How the store records the reason.
  var storedReason: SkippedLine.Reason {
    switch self {
    case .blank: .blank
    case .otherTracePoint: .otherTracePoint
    case .notTraceOutput: .notTraceOutput
    case .cutOff: .cutOff
    }
  }
}
