import Foundation
import VMBusHost
import VMBusStore
import VMBusTrace

/// What the first pass found in one trace file: enough to store it and to report it.
struct CheckedTrace {
  var format: TraceFormat
  var events: Int
  var skipped: Int
  /// Skipped lines or records by reason, for the text summary.
  var skippedByReason: [(reason: String, count: Int)]
  /// The session metadata the file contributes (skipped-line counts, `final_newline`, `pid`).
  var metadata: SessionMetadata
}

/// One trace file of an import, read twice: ``check(progress:)`` parses all of it and
/// collects every diagnostic, ``store(_:into:)`` appends its events and skipped lines.
struct TraceFile {
  /// A path that can be read twice (a spooled copy for standard input and pipes).
  var path: String
  /// What diagnostics and the session call the file.
  var name: String
  var format: TraceFormat
  /// Which file of the session it is, recorded with its skipped lines.
  var part: SessionPart
  var strict: Bool
  var allowsCutOffLastLine: Bool
  var allowsNoEvents: Bool

  /// Events between two reports of the checking pass.
  static let progressInterval = 65_536

  /// The first pass: every line or record must parse. Nothing is stored.
  func check(progress: ((ImportProgress) -> Void)?) throws(SessionsError) -> CheckedTrace {
    switch format {
    case .log: try checkLog(progress: progress)
    case .simple: try checkSimple()
    }
  }

  /// The second pass: appends the file's events and skipped lines, and fails if it does not
  /// see what the first pass saw.
  func store(_ checked: CheckedTrace, into writer: inout ImportWriter) throws(SessionsError) {
    switch format {
    case .log: try storeLog(checked, into: &writer)
    case .simple: try storeSimple(checked, into: &writer)
    }
  }

  /// Why a second pass that does not see what the first saw fails.
  private var fileChanged: SessionsError {
    .io("\(name): the file changed while it was imported")
  }

  // MARK: log backend

  private var parser: QEMULogParser {
    QEMULogParser(fileName: name, strict: strict, allowsCutOffLastLine: allowsCutOffLastLine)
  }

  private func checkLog(progress: ((ImportProgress) -> Void)?) throws(SessionsError)
    -> CheckedTrace
  {
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
        lines.append("\(name): \(check.errorCount - check.errors.count) more errors not shown")
      }
      if check.endsWithoutNewline, check.errors.last?.line == check.lineCount {
        lines.append(
          "\(name):\(check.lineCount): note: the file ends inside this line (QEMU "
            + "stopped mid-write?)")
        throw .withRemedy(.badInput(lines), .skipCutOffLastLine)
      }
      throw .badInput(lines)
    }
    if check.eventCount == 0 { try refuseWithoutEvents(check) }
    return CheckedTrace(
      format: .log, events: check.eventCount, skipped: check.skippedCount,
      skippedByReason: [
        ("other trace points", check.otherTracePointCount),
        ("not trace output", check.nonTraceLineCount), ("blank", check.blankLineCount),
        ("last line cut off", check.cutOffLineCount),
      ].filter { $0.1 > 0 },
      metadata: [
        "lines": .integer(Int64(check.lineCount)),
        "skipped_blank": .integer(Int64(check.blankLineCount)),
        "skipped_other_trace_points": .integer(Int64(check.otherTracePointCount)),
        "skipped_not_trace_output": .integer(Int64(check.nonTraceLineCount)),
        "skipped_cut_off": .integer(Int64(check.cutOffLineCount)),
        "final_newline": .bool(!check.endsWithoutNewline),
      ])
  }

  private func storeLog(_ checked: CheckedTrace, into writer: inout ImportWriter)
    throws(SessionsError)
  {
    var failure: StoreError?
    let stored: LogImportSummary
    let part = part
    do {
      stored = try parser.parseFile(path: path, maxErrors: 1) { parsed in
        guard failure == nil else { return }
        do throws(StoreError) {
          try writer.append(.trace(parsed.event), source: TraceImporter.source(of: parsed))
        } catch {
          failure = error
        }
      } onSkipped: { line, reason in
        guard failure == nil else { return }
        do throws(StoreError) {
          try writer.appendSkipped(
            SkippedLine(
              part: part, line: line.number, reason: reason.storedReason,
              bytes: Array(line.bytes)))
        } catch {
          failure = error
        }
      }
    } catch {
      throw .traceIO(error)
    }
    if let failure { throw .store(failure) }
    guard stored.eventCount == checked.events, stored.errorCount == 0 else {
      throw fileChanged
    }
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

  /// A log with no `vmbus_*` event is most likely the wrong file or a trace recorded
  /// without the events: refused, with the reason, unless empty sessions were asked for.
  private func refuseWithoutEvents(_ check: LogImportSummary) throws(SessionsError) {
    let traceLines = check.otherTracePointCount
    if traceLines == 0 && check.nonTraceLineCount > 0 && Self.isBinary(path: path) {
      throw .badInput([
        "\(name): error: not a QEMU trace: binary data that is no simple-trace file, "
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
        "\(name): error: no vmbus_* event (\(content)); record the trace with -trace 'vmbus_*'"
      ]), .keepLogWithoutEvents)
  }

  // MARK: simple backend

  private func checkSimple() throws(SessionsError) -> CheckedTrace {
    var events = 0
    var pid: UInt32 = 0
    var skipped: [SkippedTraceEvents] = []
    var firstSkipped: (name: String, offset: UInt64)?
    do {
      var reader = try SimpleTraceReader(path: path, displayName: name)
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
        "\(name): offset \(first.offset): error: not a vmbus trace point: \(first.name)"
          + (skippedCount > 1 ? " (\(skippedCount) such records)" : "")
      ])
    }
    var metadata: SessionMetadata = [
      "pid": .integer(Int64(pid)), "skipped_events": .integer(Int64(skippedCount)),
    ]
    for entry in skipped { metadata["skipped:\(entry.name)"] = .integer(Int64(entry.count)) }
    return CheckedTrace(
      format: .simple, events: events, skipped: skippedCount,
      skippedByReason: skipped.map { ($0.name, $0.count) }, metadata: metadata)
  }

  private func storeSimple(_ checked: CheckedTrace, into writer: inout ImportWriter)
    throws(SessionsError)
  {
    var stored = 0
    do {
      var reader = try SimpleTraceReader(path: path, displayName: name)
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
      throw .io("\(name): \(error)")
    }
    guard stored == checked.events else { throw fileChanged }
  }
}
