import VMBusHost

/// All 17 event patterns flattened into a few arrays, for the parser's hot path: one table
/// copy per line instead of a struct copy per candidate pattern.
struct PatternTable: Sendable {
  /// The trace points, in pattern order.
  let points: [TracePoint]
  /// The names without `vmbus_`, back to back.
  let suffixBytes: [UInt8]
  /// Each pattern's range in ``suffixBytes``.
  let suffixRanges: [Range<Int>]
  /// Each pattern's code (see ``EventPattern/code``), back to back.
  let code: [UInt8]
  /// Each pattern's range in ``code``.
  let codeRanges: [Range<Int>]
  /// Each pattern's argument kinds, back to back.
  let kinds: [TraceArgumentKind]
  /// Each pattern's range in ``kinds``.
  let kindRanges: [Range<Int>]

  static let shared = PatternTable(EventPattern.all)

  init(_ patterns: [EventPattern]) {
    points = patterns.map(\.point)
    var suffixBytes: [UInt8] = []
    var suffixRanges: [Range<Int>] = []
    var code: [UInt8] = []
    var codeRanges: [Range<Int>] = []
    var kinds: [TraceArgumentKind] = []
    var kindRanges: [Range<Int>] = []
    for pattern in patterns {
      suffixRanges.append(suffixBytes.count..<(suffixBytes.count + pattern.suffix.count))
      suffixBytes += pattern.suffix
      codeRanges.append(code.count..<(code.count + pattern.code.count))
      code += pattern.code
      kindRanges.append(kinds.count..<(kinds.count + pattern.kinds.count))
      kinds += pattern.kinds
    }
    self.suffixBytes = suffixBytes
    self.suffixRanges = suffixRanges
    self.code = code
    self.codeRanges = codeRanges
    self.kinds = kinds
    self.kindRanges = kindRanges
  }

  /// The index of the pattern named `vmbus_` + `suffix`.
  @inline(__always)
  func lookup(suffix: UnsafeBufferPointer<UInt8>) -> Int? {
    for index in suffixRanges.indices where suffixRanges[index].count == suffix.count {
      var offset = 0
      let start = suffixRanges[index].lowerBound
      while offset < suffix.count, suffixBytes[start + offset] == suffix[offset] { offset += 1 }
      if offset == suffix.count { return index }
    }
    return nil
  }
}
