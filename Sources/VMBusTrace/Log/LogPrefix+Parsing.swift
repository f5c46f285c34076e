extension LogPrefix {
  /// Reads a canonical prefix at the start of `line`: the prefix and the index just past it
  /// (past `:` or past the space after `Z`), or nil when the line has no valid prefix.
  static func parse(_ line: UnsafeBufferPointer<UInt8>) -> (prefix: LogPrefix, end: Int)? {
    guard let first = line.first, ASCII.isDigit(first) else { return nil }
    return parseThreadTimestamp(line) ?? parseISO8601(line)
  }

  /// `TID@SEC.USEC:` with TID and SEC free of leading zeros and USEC exactly six digits.
  private static func parseThreadTimestamp(_ line: UnsafeBufferPointer<UInt8>) -> (
    prefix: LogPrefix, end: Int
  )? {
    var index = 0
    guard let threadID = canonicalDecimal(line, &index, limit: UInt64(UInt32.max)),
      consume(line, &index, UInt8(ascii: "@")),
      let seconds = canonicalDecimal(line, &index, limit: UInt64(Int64.max)),
      consume(line, &index, UInt8(ascii: ".")),
      let microseconds = fixedDecimal(line, &index, digits: 6),
      consume(line, &index, UInt8(ascii: ":"))
    else { return nil }
    let prefix = LogPrefix.threadTimestamp(
      threadID: UInt32(threadID), seconds: Int64(seconds), microseconds: UInt32(microseconds))
    return (prefix, index)
  }

  /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z ` naming a real UTC date and time.
  private static func parseISO8601(_ line: UnsafeBufferPointer<UInt8>) -> (
    prefix: LogPrefix, end: Int
  )? {
    var index = 0
    guard let year = fixedDecimal(line, &index, digits: 4),
      consume(line, &index, UInt8(ascii: "-")),
      let month = fixedDecimal(line, &index, digits: 2),
      consume(line, &index, UInt8(ascii: "-")),
      let day = fixedDecimal(line, &index, digits: 2),
      consume(line, &index, UInt8(ascii: "T")),
      let hour = fixedDecimal(line, &index, digits: 2),
      consume(line, &index, UInt8(ascii: ":")),
      let minute = fixedDecimal(line, &index, digits: 2),
      consume(line, &index, UInt8(ascii: ":")),
      let second = fixedDecimal(line, &index, digits: 2)
    else { return nil }
    var microseconds: UInt32?
    if consume(line, &index, UInt8(ascii: ".")) {
      guard let fraction = fixedDecimal(line, &index, digits: 6) else { return nil }
      microseconds = UInt32(fraction)
    }
    guard consume(line, &index, UInt8(ascii: "Z")), consume(line, &index, ASCII.space) else {
      return nil
    }
    let time = CivilTime(
      year: Int64(year), month: Int(month), day: Int(day), hour: Int(hour), minute: Int(minute),
      second: Int(second))
    guard time.isValid else { return nil }
    return (.iso8601(seconds: time.secondsSinceEpoch, microseconds: microseconds), index)
  }

  @inline(__always)
  private static func consume(
    _ line: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ byte: UInt8
  ) -> Bool {
    guard index < line.count, line[index] == byte else { return false }
    index += 1
    return true
  }

  /// One or more digits, no leading zero unless the number is 0, at most `limit`.
  private static func canonicalDecimal(
    _ line: UnsafeBufferPointer<UInt8>, _ index: inout Int, limit: UInt64
  ) -> UInt64? {
    let start = index
    var value: UInt64 = 0
    while index < line.count, ASCII.isDigit(line[index]) {
      let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times10.addingReportingOverflow(UInt64(line[index] &- ASCII.zero))
      guard !overflow1, !overflow2, sum <= limit else { return nil }
      value = sum
      index += 1
    }
    let length = index - start
    guard length > 0, length == 1 || line[start] != ASCII.zero else { return nil }
    return value
  }

  /// Exactly `digits` digits.
  private static func fixedDecimal(
    _ line: UnsafeBufferPointer<UInt8>, _ index: inout Int, digits: Int
  ) -> UInt64? {
    guard line.count - index >= digits else { return nil }
    var value: UInt64 = 0
    for offset in 0..<digits {
      let byte = line[index + offset]
      guard ASCII.isDigit(byte) else { return nil }
      value = value * 10 + UInt64(byte &- ASCII.zero)
    }
    index += digits
    return value
  }
}

extension LogPrefix {
  /// The prefix whose ``text`` is exactly `text` (as stored with an imported event), or nil.
  package init?(text: String) {
    let bytes = Array(text.utf8)
    let parsed = bytes.withUnsafeBufferPointer { Self.parse($0) }
    guard let parsed, parsed.end == bytes.count else { return nil }
    self = parsed.prefix
  }
}
