/// One line of input, without its newline.
package struct LogLine: Hashable, Sendable {
  /// The 1-based line number.
  package var number: Int
  /// The line's bytes (at most the splitter's `maxLineLength`).
  package var bytes: ArraySlice<UInt8>
  /// Whether the line was longer than `maxLineLength` and only its start is kept.
  package var isTruncated: Bool
  /// Whether the input ended inside the line, before a newline (only ever the last line).
  package var isUnterminated: Bool

  /// Creates a line.
  package init(
    number: Int, bytes: ArraySlice<UInt8>, isTruncated: Bool = false, isUnterminated: Bool = false
  ) {
    self.number = number
    self.bytes = bytes
    self.isTruncated = isTruncated
    self.isUnterminated = isUnterminated
  }
}

/// Splits a byte stream into lines as the bytes arrive, holding at most one partial line.
///
/// Feed chunks with ``append(_:)``, drain ``nextLine()`` until it returns nil, repeat; call
/// ``finish()`` at end of input so a last line without a newline comes out. Memory stays
/// within one chunk plus ``maxLineLength``: a longer line is cut and the rest of it dropped.
package struct LogLineSplitter: Sendable {
  /// The default ``maxLineLength``: far above any trace line.
  package static let defaultMaxLineLength = 64 * 1024

  /// The longest line kept whole.
  package let maxLineLength: Int
  private var buffer: [UInt8] = []
  /// Start of the bytes not yet returned.
  private var start = 0
  /// Bytes after `start` already searched for a newline.
  private var searched = 0
  /// Inside an over-long line whose start was returned: drop bytes up to its newline.
  private var discarding = false
  private var finished = false
  private var lineCount = 0

  /// Creates a splitter that cuts lines at `maxLineLength` bytes.
  package init(maxLineLength: Int = LogLineSplitter.defaultMaxLineLength) {
    self.maxLineLength = max(1, maxLineLength)
  }

  /// Adds the next chunk of input.
  package mutating func append(_ bytes: some Collection<UInt8>) {
    if start > 0 {
      buffer.removeSubrange(..<start)
      start = 0
    }
    buffer.append(contentsOf: bytes)
  }

  /// Marks the end of input: a final line without a newline becomes available.
  package mutating func finish() {
    finished = true
  }

  /// The next complete line, or nil when more input (or ``finish()``) is needed.
  package mutating func nextLine() -> LogLine? {
    while true {
      let searchStart = start + searched
      if let newline = buffer[searchStart...].firstIndex(of: ASCII.newline) {
        let wasDiscarding = discarding
        let line = buffer[start..<newline]
        start = newline + 1
        searched = 0
        discarding = false
        if wasDiscarding { continue }
        guard line.count <= maxLineLength else {
          return emit(line.prefix(maxLineLength), truncated: true)
        }
        return emit(line, truncated: false)
      }
      let pending = buffer.count - start
      if discarding {
        start = buffer.count
        searched = 0
        return nil
      }
      if pending > maxLineLength {
        let line = buffer[start..<(start + maxLineLength)]
        start = buffer.count
        searched = 0
        discarding = !finished
        return emit(line, truncated: true)
      }
      if finished, pending > 0 {
        let line = buffer[start...]
        start = buffer.count
        searched = 0
        return emit(line, truncated: false, unterminated: true)
      }
      searched = pending
      return nil
    }
  }

  private mutating func emit(
    _ bytes: ArraySlice<UInt8>, truncated: Bool, unterminated: Bool = false
  ) -> LogLine {
    lineCount += 1
    return LogLine(
      number: lineCount, bytes: bytes, isTruncated: truncated, isUnterminated: unterminated)
  }
}
