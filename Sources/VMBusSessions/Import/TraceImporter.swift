import Foundation
import VMBusHost
import VMBusStore
import VMBusTrace

/// What `import` reports.
public struct ImportSummary: Sendable {
  public var session: SessionID
  public var events: Int
  public var skipped: Int
  /// Skipped lines or records by reason, for the text summary.
  public var skippedByReason: [(reason: String, count: Int)]
  public var format: TraceFormat
}

/// Imports a QEMU trace (log backend in any dialect, or simple backend) as a session.
///
/// Two passes: the first parses the whole file and collects every diagnostic before the
/// database is even opened, so bad input leaves it exactly as it was (or absent); the second
/// stores the events in batches, the session `in_progress` until its last batch commits with
/// `complete`. A process killed during the second pass leaves an `in_progress` session, never
/// one that looks complete.
public struct TraceImporter {
  public var path: String
  public var format: TraceFormat?
  public var strict: Bool
  public var name: String?
  public var snapshotInterval: Int

  public init(
    path: String, format: TraceFormat?, strict: Bool, name: String?, snapshotInterval: Int = 1024
  ) {
    self.path = path
    self.format = format
    self.strict = strict
    self.name = name
    self.snapshotInterval = snapshotInterval
  }

  /// Detects the format from the file's first bytes unless one was forced.
  public func resolvedFormat() throws(SessionsError) -> TraceFormat {
    if let format { return format }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw .io("\(path): cannot open for reading")
    }
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: TraceFormat.detectionLength)) ?? Data()
    return TraceFormat.detect(firstBytes: [UInt8](head))
  }

  public func run(into store: EventStore) throws(SessionsError) -> ImportSummary {
    try run { () throws(SessionsError) in store }
  }

  /// Checks the whole file, then calls `openStore` and stores it: a file with errors never
  /// opens (or creates) the database.
  public func run(
    openingStore openStore: () throws(SessionsError) -> EventStore
  ) throws(SessionsError) -> ImportSummary {
    switch try resolvedFormat() {
    case .log: try importLog(openingStore: openStore)
    case .simple: try importSimple(openingStore: openStore)
    }
  }

  private func info(format: String, metadata: SessionMetadata) -> SessionInfo {
    let base = name ?? URL(fileURLWithPath: path).lastPathComponent
    return SessionInfo(
      name: base, kind: .imported, source: SessionSource(file: path, format: format),
      hostProfile: .qemu, createdAt: Date(), metadata: metadata)
  }

  // MARK: log backend

  private func importLog(
    openingStore openStore: () throws(SessionsError) -> EventStore
  ) throws(SessionsError) -> ImportSummary {
    let parser = QEMULogParser(fileName: path, strict: strict)
    let check: LogImportSummary
    do {
      check = try parser.parseFile(path: path, maxErrors: 50) { _ in }
    } catch {
      throw .io("\(error)")
    }
    if check.errorCount > 0 {
      var lines = check.errors.map(\.description)
      if check.errorCount > check.errors.count {
        lines.append("\(path): \(check.errorCount - check.errors.count) more errors not shown")
      }
      throw .badInput(lines)
    }
    let metadata: SessionMetadata = [
      "lines": .integer(Int64(check.lineCount)),
      "skipped_blank": .integer(Int64(check.blankLineCount)),
      "skipped_other_trace_points": .integer(Int64(check.otherTracePointCount)),
      "skipped_not_trace_output": .integer(Int64(check.nonTraceLineCount)),
    ]
    let store = try openStore()
    var writer: SessionWriter
    do {
      writer = try store.beginSession(
        info(format: "log", metadata: metadata),
        options: WriterOptions(snapshotInterval: snapshotInterval))
    } catch {
      throw .store(error)
    }
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
      }
    } catch {
      throw .io("\(error)")
    }
    if let failure { throw .store(failure) }
    guard stored.eventCount == check.eventCount, stored.errorCount == 0 else {
      throw .io("\(path): the file changed while it was imported")
    }
    let session = writer.sessionID
    do {
      try writer.finish(metadata: metadata)
    } catch {
      throw .store(error)
    }
    return ImportSummary(
      session: session, events: check.eventCount, skipped: check.skippedCount,
      skippedByReason: [
        ("other trace points", check.otherTracePointCount),
        ("not trace output", check.nonTraceLineCount), ("blank", check.blankLineCount),
      ].filter { $0.1 > 0 },
      format: .log)
  }

  public static func source(of parsed: ParsedTraceLine) -> EventSource {
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
      var reader = try SimpleTraceReader(path: path)
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
        "\(path): offset \(first.offset): error: not a vmbus trace point: \(first.name)"
          + (skippedCount > 1 ? " (\(skippedCount) such records)" : "")
      ])
    }
    var metadata: SessionMetadata = [
      "pid": .integer(Int64(pid)), "skipped_events": .integer(Int64(skippedCount)),
    ]
    for entry in skipped { metadata["skipped:\(entry.name)"] = .integer(Int64(entry.count)) }
    let store = try openStore()
    do {
      var writer = try store.beginSession(
        info(format: "simple", metadata: metadata),
        options: WriterOptions(snapshotInterval: snapshotInterval))
      var reader = try SimpleTraceReader(path: path)
      while let record = try reader.next() {
        try writer.append(
          record.hostEvent,
          source: EventSource(
            tsNanos: Int64(bitPattern: record.timestampNS), offset: Int64(record.offset)))
      }
      let session = writer.sessionID
      try writer.finish(metadata: metadata)
      return ImportSummary(
        session: session, events: events, skipped: skippedCount,
        skippedByReason: skipped.map { ($0.name, $0.count) }, format: .simple)
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .io("\(error)")
    }
  }
}
