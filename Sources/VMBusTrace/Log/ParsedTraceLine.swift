import VMBusHost

/// A `vmbus_*` event read from one `log`-backend line, with where and when it was printed.
package struct ParsedTraceLine: Hashable, Sendable {
  /// The trace event.
  package var event: TraceEvent
  /// The timestamp prefix, or nil for a plain line.
  package var prefix: LogPrefix?
  /// The 1-based line number in the input.
  package var lineNumber: Int

  /// Creates a parsed line.
  package init(event: TraceEvent, prefix: LogPrefix?, lineNumber: Int) {
    self.event = event
    self.prefix = prefix
    self.lineNumber = lineNumber
  }

  /// The line's dialect.
  package var dialect: LogDialect { prefix?.dialect ?? .plain }
}

/// What one line of a `log`-backend file turned out to be.
package enum LogParseResult: Hashable, Sendable {
  /// A `vmbus_*` trace event.
  case event(ParsedTraceLine)
  /// A line that is not a VMBus trace event, and why.
  case skipped(LogSkipReason)
}

/// Why a line was skipped rather than parsed.
package enum LogSkipReason: Hashable, Sendable, CustomStringConvertible {
  /// The line is empty or only white space.
  case blank
  /// Another trace point (such as `hv_balloon_state_change`), by name.
  case otherTracePoint(name: String)
  /// Not trace output: `error_report` text such as `vmbus: unknown message type 0x13`.
  case notTraceOutput
  /// The file's last line, cut off before its newline and not a whole event: what a QEMU
  /// that was killed or crashed mid-write leaves. Skipped only when the parser allows it.
  case cutOff

  package var description: String {
    switch self {
    case .blank: "blank line"
    case .otherTracePoint(let name): "not a vmbus trace point: \(name)"
    case .notTraceOutput: "not a trace line"
    case .cutOff: "the last line, cut off"
    }
  }
}
