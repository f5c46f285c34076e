import VMBusHost

/// Parses QEMU `log`-backend output, one line at a time, into VMBus trace events.
///
/// All three dialects are recognized per line (`TID@SEC.USEC:`, no prefix, ISO-8601 prefix).
/// Lines that are not `vmbus_*` events (other trace points, `error_report` text, blank lines)
/// are skipped with a reason, or rejected when ``strict`` is set. A malformed `vmbus_*` line is
/// a ``TraceParseError`` naming the file and line.
///
/// The parser is a value with no per-file state; for whole files see
/// ``parseFile(path:maxErrors:onEvent:)`` and ``parse(bytes:maxErrors:onEvent:)``, which read
/// through a fixed-size buffer.
package struct QEMULogParser: Hashable, Sendable {
  /// The file name that diagnostics start with.
  package var fileName: String
  /// Whether a line that is not a `vmbus_*` event is an error instead of a skip.
  package var strict: Bool
  /// Whether a last line that ends without a newline and is not a whole event (what a QEMU
  /// killed mid-write leaves) is skipped as ``LogSkipReason/cutOff`` instead of an error.
  package var allowsCutOffLastLine: Bool

  /// Creates a parser whose diagnostics name `fileName`.
  package init(
    fileName: String = "<input>", strict: Bool = false, allowsCutOffLastLine: Bool = false
  ) {
    self.fileName = fileName
    self.strict = strict
    self.allowsCutOffLastLine = allowsCutOffLastLine
  }

  /// Parses one line, without its newline.
  @inlinable
  package func parse(
    line: some Collection<UInt8>, lineNumber: Int
  ) throws(TraceParseError) -> LogParseResult {
    let contiguous = line.withContiguousStorageIfAvailable { buffer in
      Result { () throws(TraceParseError) in try parse(buffer: buffer, lineNumber: lineNumber) }
    }
    if let contiguous { return try contiguous.get() }
    return try Array(line).withUnsafeBufferPointer { buffer in
      Result { () throws(TraceParseError) in try parse(buffer: buffer, lineNumber: lineNumber) }
    }.get()
  }

  /// Parses one line of text, without its newline.
  package func parse(line: String, lineNumber: Int) throws(TraceParseError) -> LogParseResult {
    try parse(line: line.utf8, lineNumber: lineNumber)
  }

  @usableFromInline
  func parse(
    buffer line: UnsafeBufferPointer<UInt8>, lineNumber: Int
  ) throws(TraceParseError) -> LogParseResult {
    var nameStart = 0
    var prefix: LogPrefix?
    // Plain lines start with the event name; only the others can carry a prefix.
    if let first = line.first, first != UInt8(ascii: "v"), let parsed = LogPrefix.parse(line) {
      prefix = parsed.prefix
      nameStart = parsed.end
    }
    if Self.hasVMBusName(line, at: nameStart) {
      let event = try parseEvent(line, nameStart: nameStart, lineNumber: lineNumber)
      return .event(ParsedTraceLine(event: event, prefix: prefix, lineNumber: lineNumber))
    }
    if let text = Self.malformedPrefix(line) {
      throw error(lineNumber, .malformedPrefix(found: text))
    }
    let reason = Self.skipReason(line, from: nameStart)
    if strict { throw error(lineNumber, .notVMBusEvent(reason)) }
    return .skipped(reason)
  }

  func error(_ lineNumber: Int, _ kind: TraceParseError.Kind) -> TraceParseError {
    TraceParseError(file: fileName, line: lineNumber, kind: kind)
  }

  @inline(__always)
  private static func hasVMBusName(_ line: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
    guard line.count - start >= 6 else { return false }
    return line[start] == UInt8(ascii: "v") && line[start + 1] == UInt8(ascii: "m")
      && line[start + 2] == UInt8(ascii: "b") && line[start + 3] == UInt8(ascii: "u")
      && line[start + 4] == UInt8(ascii: "s") && line[start + 5] == UInt8(ascii: "_")
  }

  /// The leading text of a line whose `vmbus_` name follows something prefix-like (digits and
  /// `@.:-TZ` and spaces) that is not a valid prefix, such as `4152@1591800412.4512:`.
  private static func malformedPrefix(_ line: UnsafeBufferPointer<UInt8>) -> String? {
    var index = 0
    while index < line.count, isPrefixByte(line[index]) { index += 1 }
    guard index > 0, hasVMBusName(line, at: index) else { return nil }
    return ASCII.excerpt(line[..<index])
  }

  private static func isPrefixByte(_ byte: UInt8) -> Bool {
    ASCII.isDigit(byte) || byte == UInt8(ascii: "@") || byte == UInt8(ascii: ".")
      || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "T")
      || byte == UInt8(ascii: "Z") || byte == ASCII.space
  }

  /// Why a line without a `vmbus_` event is skipped.
  private static func skipReason(_ line: UnsafeBufferPointer<UInt8>, from start: Int)
    -> LogSkipReason
  {
    if start == 0,
      line.allSatisfy({
        $0 == ASCII.space || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r")
      })
    {
      return .blank
    }
    // A trace point name: an identifier with an underscore, then a space or the end.
    var end = start
    var underscore = false
    while end < line.count {
      let byte = line[end]
      if byte == UInt8(ascii: "_") {
        underscore = true
      } else if !(ASCII.isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 26) {
        break
      }
      end += 1
    }
    let startsWithLetter = end > start && (line[start] | 0x20) &- UInt8(ascii: "a") < 26
    if startsWithLetter, underscore, end == line.count || line[end] == ASCII.space {
      return .otherTracePoint(name: String(decoding: line[start..<end], as: UTF8.self))
    }
    return .notTraceOutput
  }
}
