import VMBusHost

/// The log-line shape of one trace point, compiled once from its format string.
///
/// `code` is the text after the event name, `" " + format`, with each conversion replaced by a
/// marker byte (the format strings hold no control characters). Parser and formatter both walk
/// it, so they cannot disagree about a line's shape.
struct EventPattern: Sendable {
  /// `%d`: a C `int`, or a `uint32_t`/`uint16_t` passed to `%d`.
  static let decimal: UInt8 = 1
  /// `%llx` (`PRIx64`): lower-case hex, no padding.
  static let hex: UInt8 = 2
  /// `%p`: glibc's `0x...`, or `(nil)` for NULL.
  static let pointer: UInt8 = 3

  /// A group of words ending with the word that holds a conversion, e.g. `target vp %d`:
  /// the unit that diagnostics quote.
  struct Segment: Sendable {
    /// The segment with placeholders, e.g. `channel #<n>`.
    var display: String
    /// Space-separated words in the segment.
    var wordCount: Int
    /// Index in `code` of the space that starts the segment.
    var codeStart: Int
    /// The first argument the segment prints.
    var firstArgument: Int
  }

  let point: TracePoint
  /// `vmbus_...` as bytes.
  let name: [UInt8]
  /// The name without `vmbus_`, for lookup.
  let suffix: [UInt8]
  /// `" " + format` with conversions as marker bytes; empty for events without arguments.
  let code: [UInt8]
  /// The declared kinds of the arguments, in order.
  let kinds: [TraceArgumentKind]
  /// Diagnostic units, in order.
  let segments: [Segment]

  /// The patterns of all 17 trace points, by `TracePoint.ordinal`.
  static let all: [EventPattern] = TracePoint.allCases.map(EventPattern.init(point:))

  init(point: TracePoint) {
    self.point = point
    name = Array(point.name.utf8)
    suffix = Array(name.dropFirst(6))
    kinds = point.parameters.map(\.kind)
    var code: [UInt8] = []
    var segments: [Segment] = []
    var pendingWords: [Substring] = []
    var argument = 0
    let format = point.format
    let words = format.isEmpty ? [] : format.split(separator: " ", omittingEmptySubsequences: false)
    for (offset, word) in words.enumerated() {
      pendingWords.append(word)
      let conversions = Self.conversionCount(in: word)
      // A segment ends with a conversion; trailing literal words form a segment of their own.
      guard conversions > 0 || offset == words.count - 1 else { continue }
      let start = code.count
      code.append(ASCII.space)
      code.append(contentsOf: Self.compile(pendingWords.joined(separator: " ")))
      segments.append(
        Segment(
          display: Self.display(pendingWords.joined(separator: " ")),
          wordCount: pendingWords.count, codeStart: start, firstArgument: argument))
      argument += pendingWords.reduce(0) { $0 + Self.conversionCount(in: $1) }
      pendingWords = []
    }
    self.code = code
    self.segments = segments
  }

  /// The segment that covers `codeIndex`.
  func segment(containing codeIndex: Int) -> Int {
    segments.lastIndex { $0.codeStart <= codeIndex } ?? 0
  }

  private static func conversionCount(in word: some StringProtocol) -> Int {
    compile(String(word)).reduce(0) { $0 + ($1 < 4 ? 1 : 0) }
  }

  /// Format text to code: `%d`, `%llx`, `%p` become markers, `%%` a percent sign.
  private static func compile(_ format: String) -> [UInt8] {
    var output: [UInt8] = []
    let bytes = Array(format.utf8)
    var index = 0
    while index < bytes.count {
      if bytes[index] == UInt8(ascii: "%") {
        let rest = bytes[(index + 1)...]
        if rest.starts(with: "d".utf8) {
          output.append(decimal)
          index += 2
          continue
        }
        if rest.starts(with: "llx".utf8) {
          output.append(hex)
          index += 4
          continue
        }
        if rest.starts(with: "p".utf8) {
          output.append(pointer)
          index += 2
          continue
        }
        if rest.starts(with: "%".utf8) {
          output.append(UInt8(ascii: "%"))
          index += 2
          continue
        }
      }
      output.append(bytes[index])
      index += 1
    }
    return output
  }

  /// Format text for diagnostics: `gpadl #%d` becomes `gpadl #<n>`.
  private static func display(_ format: String) -> String {
    var text = ""
    for byte in compile(format) {
      switch byte {
      case decimal: text += "<n>"
      case hex: text += "<hex>"
      case pointer: text += "<ptr>"
      default: text.unicodeScalars.append(Unicode.Scalar(byte))
      }
    }
    return text
  }
}
