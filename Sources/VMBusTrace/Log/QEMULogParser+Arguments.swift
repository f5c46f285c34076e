import VMBusHost

/// The result of scanning one printed number.
enum NumberScan {
  /// No number of the expected shape starts here (or it is not canonical, like `007`).
  case malformed
  /// A well-formed number too large for 64 bits; `end` is just past it.
  case tooLarge(end: Int)
  /// The magnitude and sign, and the index just past the number.
  case value(UInt64, negative: Bool, end: Int)
}

extension QEMULogParser {
  /// Reads the event whose name starts at `nameStart`.
  func parseEvent(
    _ line: UnsafeBufferPointer<UInt8>, nameStart: Int, lineNumber: Int
  ) throws(TraceParseError) -> TraceEvent {
    var nameEnd = nameStart + 6
    while nameEnd < line.count, line[nameEnd] != ASCII.space { nameEnd += 1 }
    let suffix = UnsafeBufferPointer(rebasing: line[(nameStart + 6)..<nameEnd])
    let table = PatternTable.shared
    guard let index = table.lookup(suffix: suffix) else {
      let name = ASCII.excerpt(line[nameStart..<nameEnd])
      throw error(lineNumber, .unknownEvent(name: name))
    }
    let point = table.points[index]
    let codeRange = table.codeRanges[index]
    let kindStart = table.kindRanges[index].lowerBound
    let count = line.count
    if codeRange.isEmpty {
      // QEMU prints `name ` (trailing space); accept it with or without the space.
      if nameEnd == count || (nameEnd + 1 == count && line[nameEnd] == ASCII.space) {
        return try event(point, [], lineNumber)
      }
      let found = ASCII.excerpt(line[(line[nameEnd] == ASCII.space ? nameEnd + 1 : nameEnd)...])
      throw error(lineNumber, .trailingText(point: point, found: found))
    }
    var words: [UInt64] = []
    words.reserveCapacity(table.kindRanges[index].count)
    var input = nameEnd
    var step = codeRange.lowerBound
    while step < codeRange.upperBound {
      let byte = table.code[step]
      if byte > EventPattern.pointer {
        guard input < count, line[input] == byte else {
          throw shapeError(
            index, line, from: nameEnd, step: step - codeRange.lowerBound, input: input, lineNumber)
        }
        input += 1
        step += 1
        continue
      }
      let argument = words.count
      let scan =
        switch byte {
        case EventPattern.decimal: Self.scanDecimal(line, at: input)
        case EventPattern.hex: Self.scanHex(line, at: input)
        default: Self.scanPointer(line, at: input)
        }
      switch scan {
      case .malformed:
        throw shapeError(
          index, line, from: nameEnd, step: step - codeRange.lowerBound, input: input, lineNumber)
      case .tooLarge(let end):
        throw rangeError(index, argument, conversion: byte, line[input..<end], lineNumber)
      case .value(let magnitude, let negative, let end):
        guard
          let word = Self.word(
            magnitude, negative: negative, conversion: byte, kind: table.kinds[kindStart + argument]
          )
        else {
          throw rangeError(index, argument, conversion: byte, line[input..<end], lineNumber)
        }
        words.append(word)
        input = end
        step += 1
      }
    }
    guard input == count else {
      if line[input] == ASCII.space {
        throw error(lineNumber, .trailingText(point: point, found: ASCII.excerpt(line[input...])))
      }
      throw shapeError(index, line, from: nameEnd, step: codeRange.count, input: input, lineNumber)
    }
    return try event(point, words, lineNumber)
  }

  /// The boundary: trace point and words to a typed event.
  @inline(__always)
  private func event(
    _ point: TracePoint, _ words: [UInt64], _ lineNumber: Int
  ) throws(TraceParseError) -> TraceEvent {
    do {
      return try TraceEvent(point: point, words: words)
    } catch {
      throw self.error(lineNumber, .invalidArguments(error))
    }
  }

  /// The 64-bit word for a printed number, or nil when the C type and conversion could not
  /// have printed it.
  @inline(__always)
  static func word(
    _ magnitude: UInt64, negative: Bool, conversion: UInt8, kind: TraceArgumentKind
  ) -> UInt64? {
    guard conversion == EventPattern.decimal else { return negative ? nil : magnitude }
    switch kind {
    case .uint16:
      return !negative && magnitude <= UInt64(UInt16.max) ? magnitude : nil
    case .uint32:
      // `%d` of a `uint32_t`: values of 2^31 and above print negative.
      if negative {
        guard magnitude <= 0x8000_0000 else { return nil }
        return UInt64(UInt32(truncatingIfNeeded: 0 &- magnitude))
      }
      return magnitude <= UInt64(Int32.max) ? magnitude : nil
    case .int32, .uint64, .pointer:
      // A C `int`: sign-extended to 64 bits, as the simple backend stores it.
      if negative {
        guard magnitude <= 0x8000_0000 else { return nil }
        return 0 &- magnitude
      }
      return magnitude <= UInt64(Int32.max) ? magnitude : nil
    }
  }

  /// `%d`: an optional `-`, then digits without leading zeros (`-0` is not printed).
  @inline(__always)
  static func scanDecimal(_ line: UnsafeBufferPointer<UInt8>, at start: Int) -> NumberScan {
    var index = start
    let negative = index < line.count && line[index] == ASCII.minus
    if negative { index += 1 }
    let digitsStart = index
    var value: UInt64 = 0
    var overflow = false
    while index < line.count, ASCII.isDigit(line[index]) {
      let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times10.addingReportingOverflow(UInt64(line[index] &- ASCII.zero))
      overflow = overflow || overflow1 || overflow2
      value = sum
      index += 1
    }
    let length = index - digitsStart
    guard length > 0, length == 1 || line[digitsStart] != ASCII.zero,
      !(negative && value == 0 && !overflow)
    else { return .malformed }
    return overflow ? .tooLarge(end: index) : .value(value, negative: negative, end: index)
  }

  /// `PRIx64`: lower-case hex digits without leading zeros.
  @inline(__always)
  static func scanHex(_ line: UnsafeBufferPointer<UInt8>, at start: Int) -> NumberScan {
    var index = start
    var value: UInt64 = 0
    while index < line.count, let digit = ASCII.lowerHexValue(line[index]) {
      value = value << 4 | digit
      index += 1
    }
    let length = index - start
    guard length > 0, length == 1 || line[start] != ASCII.zero else { return .malformed }
    return length > 16 ? .tooLarge(end: index) : .value(value, negative: false, end: index)
  }

  /// glibc `%p`: `(nil)`, or `0x` and lower-case hex of a non-zero address.
  @inline(__always)
  static func scanPointer(_ line: UnsafeBufferPointer<UInt8>, at start: Int) -> NumberScan {
    if line.count - start >= 5, line[start] == UInt8(ascii: "("),
      line[start + 1] == UInt8(ascii: "n"), line[start + 2] == UInt8(ascii: "i"),
      line[start + 3] == UInt8(ascii: "l"), line[start + 4] == UInt8(ascii: ")")
    {
      return .value(0, negative: false, end: start + 5)
    }
    guard line.count - start >= 3, line[start] == ASCII.zero, line[start + 1] == UInt8(ascii: "x"),
      line[start + 2] != ASCII.zero
    else { return .malformed }
    return scanHex(line, at: start + 2)
  }

  // MARK: Diagnostics (cold paths)

  /// An argument whose text does not fit the format: quotes the format segment that failed
  /// and as many words of input.
  private func shapeError(
    _ index: Int, _ line: UnsafeBufferPointer<UInt8>, from start: Int, step: Int,
    input: Int, _ lineNumber: Int
  ) -> TraceParseError {
    let pattern = EventPattern.all[index]
    var segment = pattern.segment(containing: min(step, pattern.code.count - 1))
    let atSegmentStart = step < pattern.code.count && step == pattern.segments[segment].codeStart
    // Text where a segment's leading space belongs (or after the last argument) means the
    // previous value ran on: blame that segment, `channel #3x`.
    if input < line.count, segment > 0, atSegmentStart {
      segment -= 1
    }
    let blamed = pattern.segments[segment]
    var position = Self.inputPosition(of: blamed.codeStart, pattern, line, from: start)
    if position < line.count, line[position] == ASCII.space { position += 1 }
    var end = position
    var spaces = 0
    while end < line.count {
      if line[end] == ASCII.space {
        spaces += 1
        if spaces == blamed.wordCount { break }
      }
      end += 1
    }
    let found = end > position ? ASCII.excerpt(line[position..<end]) : nil
    let parameters = pattern.point.parameters
    let argumentIndex = Self.argument(at: step, in: pattern, segment: blamed)
    let argument = argumentIndex < parameters.count ? parameters[argumentIndex].name : ""
    return error(
      lineNumber,
      .wrongShape(
        point: pattern.point, argument: argument, expected: blamed.display, found: found))
  }

  /// The argument a failure at `step` concerns: the next conversion in the blamed segment
  /// at or after `step`, else the segment's last one.
  private static func argument(
    at step: Int, in pattern: EventPattern, segment: EventPattern.Segment
  )
    -> Int
  {
    var argument = segment.firstArgument
    var index = segment.codeStart
    var last = segment.firstArgument
    while index < pattern.code.count {
      if pattern.code[index] <= EventPattern.pointer {
        if index >= step { return argument }
        last = argument
        argument += 1
      }
      index += 1
      if pattern.segments.contains(where: { $0.codeStart == index }) { break }
    }
    return last
  }

  /// Where in the input the pattern step `target` begins, re-walking a prefix that matched.
  private static func inputPosition(
    of target: Int, _ pattern: EventPattern, _ line: UnsafeBufferPointer<UInt8>, from start: Int
  ) -> Int {
    var input = start
    var step = 0
    while step < target, input < line.count {
      let byte = pattern.code[step]
      if byte > EventPattern.pointer {
        input += 1
      } else {
        let scan =
          switch byte {
          case EventPattern.decimal: scanDecimal(line, at: input)
          case EventPattern.hex: scanHex(line, at: input)
          default: scanPointer(line, at: input)
          }
        switch scan {
        case .malformed: return input
        case .tooLarge(let end), .value(_, _, let end): input = end
        }
      }
      step += 1
    }
    return min(input, line.count)
  }

  private func rangeError(
    _ index: Int, _ argument: Int, conversion: UInt8,
    _ text: UnsafeBufferPointer<UInt8>.SubSequence, _ lineNumber: Int
  ) -> TraceParseError {
    let pattern = EventPattern.all[index]
    let parameters = pattern.point.parameters
    let name = argument < parameters.count ? parameters[argument].name : ""
    let range =
      switch (conversion, pattern.kinds[argument]) {
      case (EventPattern.decimal, .uint16): "0...65535"
      case (EventPattern.decimal, _): "-2147483648...2147483647"
      default: "0...ffffffffffffffff"
      }
    return error(
      lineNumber,
      .outOfRange(point: pattern.point, argument: name, value: ASCII.excerpt(text), range: range))
  }
}
