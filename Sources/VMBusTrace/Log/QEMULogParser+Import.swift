/// Counts from reading a whole log: events, skips by reason, and the first errors.
package struct LogImportSummary: Hashable, Sendable {
  /// Lines read.
  package var lineCount = 0
  /// `vmbus_*` events parsed.
  package var eventCount = 0
  /// Blank lines skipped.
  package var blankLineCount = 0
  /// Lines of other trace points skipped (such as `hv_balloon_*`).
  package var otherTracePointCount = 0
  /// Lines that are not trace output skipped (such as `error_report` text).
  package var nonTraceLineCount = 0
  /// A last line cut off mid-event (0 or 1), skipped when the parser allows it.
  package var cutOffLineCount = 0
  /// Whether the input's last byte is not a newline.
  package var endsWithoutNewline = false
  /// Malformed lines.
  package var errorCount = 0
  /// The first malformed lines' diagnostics, in line order.
  package var errors: [TraceParseError] = []

  /// Creates an empty summary.
  package init() {}

  /// All skipped lines.
  package var skippedCount: Int {
    blankLineCount + otherTracePointCount + nonTraceLineCount + cutOffLineCount
  }

  mutating func count(_ reason: LogSkipReason) {
    switch reason {
    case .blank: blankLineCount += 1
    case .otherTracePoint: otherTracePointCount += 1
    case .notTraceOutput: nonTraceLineCount += 1
    case .cutOff: cutOffLineCount += 1
    }
  }
}

extension QEMULogParser {
  /// Reads the file at `path` through a fixed buffer and hands each event to `onEvent`.
  ///
  /// Malformed lines do not stop the import: they are counted and the first `maxErrors` kept
  /// in the summary, so all diagnostics can be printed together. Lines that are not events
  /// go to `onSkipped` with the reason.
  package func parseFile(
    path: String, maxErrors: Int = 100, onEvent: (ParsedTraceLine) -> Void,
    onSkipped: (LogLine, LogSkipReason) -> Void = { _, _ in }
  ) throws(TraceIOError) -> LogImportSummary {
    var reader = try LogLineReader(path: path)
    var summary = LogImportSummary()
    while let line = try reader.next() {
      consume(line, into: &summary, maxErrors: maxErrors, onEvent: onEvent, onSkipped: onSkipped)
    }
    return summary
  }

  /// Parses in-memory log text, like ``parseFile(path:maxErrors:onEvent:)``.
  package func parse(
    bytes: some Collection<UInt8>, maxErrors: Int = 100, onEvent: (ParsedTraceLine) -> Void,
    onSkipped: (LogLine, LogSkipReason) -> Void = { _, _ in }
  ) -> LogImportSummary {
    var splitter = LogLineSplitter()
    splitter.append(bytes)
    splitter.finish()
    var summary = LogImportSummary()
    while let line = splitter.nextLine() {
      consume(line, into: &summary, maxErrors: maxErrors, onEvent: onEvent, onSkipped: onSkipped)
    }
    return summary
  }

  /// Parses one line from a splitter or reader and updates `summary`.
  package func consume(
    _ line: LogLine, into summary: inout LogImportSummary, maxErrors: Int = 100,
    onEvent: (ParsedTraceLine) -> Void, onSkipped: (LogLine, LogSkipReason) -> Void = { _, _ in }
  ) {
    summary.lineCount += 1
    summary.endsWithoutNewline = line.isUnterminated
    do throws(TraceParseError) {
      switch try parse(line: line.bytes, lineNumber: line.number) {
      case .event(let parsed):
        guard !line.isTruncated else {
          throw error(line.number, .lineTooLong(limit: line.bytes.count))
        }
        summary.eventCount += 1
        onEvent(parsed)
      case .skipped(let reason):
        summary.count(reason)
        onSkipped(line, reason)
      }
    } catch {
      if line.isUnterminated && !line.isTruncated && allowsCutOffLastLine && !strict {
        summary.count(.cutOff)
        onSkipped(line, .cutOff)
        return
      }
      summary.errorCount += 1
      if summary.errors.count < maxErrors {
        let reported =
          line.isTruncated ? self.error(line.number, .lineTooLong(limit: line.bytes.count)) : error
        summary.errors.append(reported)
      }
    }
  }
}
